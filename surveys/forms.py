from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from organizations.forms import CrispyMixin

from . import catalog
from .models import CATEGORIES, Question, QuestionType, ReviewLink, Survey, SurveyKind
from .texts import FIELD_LABELS, question_fields


class SurveyCreateForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Start from"), widget=forms.RadioSelect,
        choices=[(key, spec["label"]) for key, spec in catalog.TEMPLATES.items()], initial="relationship",
    )
    name = forms.CharField(label=_("Survey name"), max_length=200)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)


class SurveySettingsForm(CrispyMixin, forms.Form):
    name = forms.CharField(label=_("Survey name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices,
                             help_text=_("Employee surveys are anonymous: no page, export or API links an answer "
                                         "to a person."))
    company_name = forms.CharField(label=_("Company or brand name"), max_length=200, required=False,
                                   help_text=_("Replaces {company} in the questions. Empty: the organization's name."))
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    languages = forms.MultipleChoiceField(label=_("Languages respondents may answer in"),
                                          choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple,
                                          required=False)

    @classmethod
    def for_survey(cls, survey: Survey, data=None):
        return cls(data, initial={"name": survey.name, "kind": survey.kind, "company_name": survey.company_name,
                                  "default_language": survey.default_language, "languages": survey.all_languages})


class QuestionForm(forms.Form):
    """Flags plus the question's texts in the survey's default language."""

    key = forms.SlugField(label=_("Key (for exports and the API)"), max_length=40)
    required = forms.BooleanField(label=_("Required"), required=False)

    def __init__(self, *args, question: Question, language: str, **kwargs):
        self.question = question
        texts = question.texts.get(language, {})
        initial = {"key": question.key, "required": question.required, "allow_other": question.allow_other,
                   "is_source": question.is_source, "per_category": question.per_category}
        for field, _required in self.text_fields():
            initial[f"t_{field}"] = texts.get(field, "")
        super().__init__(*args, initial=initial, **kwargs)
        if question.type == QuestionType.NPS:
            del self.fields["required"]
        if question.type in (QuestionType.SINGLE, QuestionType.MULTI):
            self.fields["allow_other"] = forms.BooleanField(label=_("Offer “Other: …” with free text"),
                                                            required=False)
            self.fields["is_source"] = forms.BooleanField(
                label=_("Acquisition source question (dashboards read it as where customers came from)"),
                required=False)
        if question.type == QuestionType.TEXT:
            self.fields["per_category"] = forms.BooleanField(
                label=_("Different wording for promoters, passives and detractors"), required=False)
        for field, _required in self.text_fields():
            widget = forms.Textarea(attrs={"rows": 2}) if field.startswith("text") else forms.TextInput()
            self.fields[f"t_{field}"] = forms.CharField(label=str(FIELD_LABELS[field]).capitalize(), required=False,
                                                        max_length=500, widget=widget)

    def text_fields(self):
        # Offer every field the type can have, so switching a flag on shows its texts at once.
        q = self.question
        fields = [("text", True), ("help", False)]
        if q.type in (QuestionType.NPS, QuestionType.CSAT):
            fields += [("low_label", True), ("high_label", True)]
        if q.type == QuestionType.TEXT:
            fields += [(f"text_{c}", False) for c in CATEGORIES]
        if q.type in (QuestionType.SINGLE, QuestionType.MULTI):
            fields.append(("other_label", False))
        return fields

    def clean(self):
        cleaned = super().clean()
        probe = Question(type=self.question.type, per_category=cleaned.get("per_category", False),
                         allow_other=cleaned.get("allow_other", False))
        for field, required in question_fields(probe):
            if required and not cleaned.get(f"t_{field}", "").strip():
                self.add_error(f"t_{field}", _("Write the %(label)s.") % {"label": FIELD_LABELS[field]})
        return cleaned

    def flags(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("key", "required", "allow_other", "is_source", "per_category") if name in self.cleaned_data}

    def texts(self) -> dict:
        return {field: self.cleaned_data.get(f"t_{field}", "") for field, _r in self.text_fields()}


class ChoiceAddForm(forms.Form):
    label = forms.CharField(label=_("New option"), max_length=200)


class ReviewLinkForm(CrispyMixin, forms.ModelForm):
    submit_label = _("Add link")
    label = forms.CharField(label=_("Link text"), max_length=200, initial=_("Review us on Google"))
    url = forms.URLField(label=_("Address"), max_length=500, assume_scheme="https")

    class Meta:
        model = ReviewLink
        fields = ["site", "url"]


class TextsForm(forms.Form):
    """The side-by-side editor: one field per text slot, in one language."""

    def __init__(self, *args, slots, language: str, default_language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = slots
        self.language = language
        self.rows = []
        for slot in slots:
            name = slot.path
            original = slot.get(default_language)
            if language != default_language and not original:
                continue  # nothing to translate yet
            self.fields[name] = forms.CharField(
                label=f"{slot.group} — {slot.label}", required=False, max_length=1000, initial=slot.get(language),
                widget=forms.Textarea(attrs={"rows": 2}) if len(original) > 60 else forms.TextInput(),
            )
            self.rows.append({"slot": slot, "original": original, "name": name,
                              "missing": (slot.required or bool(original)) and not slot.get(language)})

    def bound_rows(self):
        for row in self.rows:
            yield {**row, "field": self[row["name"]]}
