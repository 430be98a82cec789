from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Segment, Tag
from organizations.forms import CrispyMixin
from surveys.models import Survey

from .models import Campaign


class CampaignForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "survey", "audience", "segment", "tag", "schedule", "send_at", "every", "sample_size",
                  "sample_percent", "trigger_delay_days", "quiet_period_days", "reminder_after_days",
                  "link_valid_days", "sender_name", "reply_to"]
        widgets = {"send_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(archived_at=None)
        self.fields["segment"].queryset = Segment.objects.all()
        self.fields["tag"].queryset = Tag.objects.all()

    def clean_sample_percent(self):
        value = self.cleaned_data.get("sample_percent")
        if value is not None and not 1 <= value <= 100:
            raise forms.ValidationError(_("A share between 1 and 100 %."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("schedule") == Campaign.Schedule.RECURRING:
            if not cleaned.get("every"):
                self.add_error("every", _("Choose how often."))
            if not (cleaned.get("sample_size") or cleaned.get("sample_percent")):
                self.add_error("sample_size", _("Say how many contacts, or what share, to ask each period."))
        if cleaned.get("audience") == Campaign.Audience.SEGMENT and not cleaned.get("segment"):
            self.add_error("segment", _("Choose the segment."))
        if cleaned.get("audience") == Campaign.Audience.TAG and not cleaned.get("tag"):
            self.add_error("tag", _("Choose the tag."))
        return cleaned


class EventUploadForm(CrispyMixin, forms.Form):
    submit_label = _("Upload events")
    file = forms.FileField(label=_("Event file (CSV)"),
                           help_text=_("Columns: email (required), event_date (31-12-2025 or 2025-12-31), name, "
                                       "language, external_id."))
