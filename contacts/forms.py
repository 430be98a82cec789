from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.forms import CrispyMixin
from organizations.models import Department, Employee

from .models import Contact, Suppression, Tag
from .services import ATTRIBUTE, IGNORE, IMPORT_FIELDS


class ContactForm(CrispyMixin, forms.ModelForm):
    tag_names = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    class Meta:
        model = Contact
        fields = ["email", "name", "language", "department", "employee", "region", "product", "customer_since",
                  "revenue_12m", "currency"]
        widgets = {"customer_since": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        self.fields["employee"].queryset = Employee.objects.all()
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Contact.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another contact already has this email address."))
        return email

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def tags(self, organization) -> list[Tag]:
        names = [t.strip() for t in self.cleaned_data.get("tag_names", "").split(",") if t.strip()]
        tags = []
        for name in names:
            tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(organization=organization,
                                                                                      name=name[:60])
            tags.append(tag)
        return tags


class ImportUploadForm(CrispyMixin, forms.Form):
    submit_label = _("Upload and map columns")
    file = forms.FileField(label=_("CSV or Excel (.xlsx) file"),
                           help_text=_("Comma or semicolon separated; UTF-8 or Windows-1252; up to 50 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


def mapping_choices():
    return [(IGNORE, _("— ignore —")), *IMPORT_FIELDS.items(), (ATTRIBUTE, _("Custom attribute"))]


class SuppressionForm(CrispyMixin, forms.Form):
    submit_label = _("Never email this address")
    email = forms.EmailField(label=_("Email"))
    reason = forms.ChoiceField(label=_("Reason"), choices=Suppression.Reason.choices,
                               initial=Suppression.Reason.MANUAL)


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Segment name"), max_length=200)
