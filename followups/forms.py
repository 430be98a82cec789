from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.forms import CrispyMixin
from organizations.models import Department, Membership, User
from surveys.models import Survey

from .models import Case, Rule, Webhook
from .webhooks import TargetRefused, target_check


class RuleForm(CrispyMixin, forms.ModelForm):
    slack_webhook_url = forms.URLField(label=_("Slack incoming webhook"), required=False, assume_scheme="https")
    teams_webhook_url = forms.URLField(label=_("Microsoft Teams incoming webhook"), required=False,
                                       assume_scheme="https")

    class Meta:
        model = Rule
        fields = ["name", "category", "survey", "department", "notify_email", "open_case", "sla_hours", "sla_clock",
                  "playbook", "slack_webhook_url", "teams_webhook_url", "is_active"]
        widgets = {"playbook": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(archived_at=None)
        self.fields["department"].queryset = Department.objects.all()

    def clean(self):
        cleaned = super().clean()
        for name in ("slack_webhook_url", "teams_webhook_url"):
            if cleaned.get(name):
                try:
                    target_check(cleaned[name])
                except TargetRefused as exc:
                    self.add_error(name, str(exc))
        return cleaned


class CaseForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)
    reason = forms.ChoiceField(label=_("Reason (when resolving or closing)"), required=False,
                               choices=[("", "—"), *Case.Reason.choices])
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            pk__in=Membership.objects.values("user_id")).order_by("email")


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)


class WebhookForm(CrispyMixin, forms.Form):
    submit_label = _("Add webhook")
    url = forms.URLField(label=_("Address"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple,
                                       choices=[(e, e) for e in Webhook.EVENTS], initial=list(Webhook.EVENTS))
