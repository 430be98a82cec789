from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Theme
from .services import theme_name_taken


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    examples = forms.CharField(label=_("Example phrases, one a line, in any language"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)

    def __init__(self, *args, theme: Theme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme = theme

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not any(ch.isalnum() for ch in name):
            raise forms.ValidationError(_("A name needs a letter or a digit."))
        if taken := theme_name_taken(name, exclude=self.theme):
            raise forms.ValidationError(_("A theme is already called “%(name)s”: merge into it, or choose another "
                                          "name.") % {"name": taken.label()})
        return name

    def clean_examples(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["examples"].splitlines() if line.strip()][:100]


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Theme.objects.none())

    def __init__(self, *args, theme: Theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Theme.objects.filter(active=True).exclude(pk=theme.pk).order_by("name")
        self.fields["into"].label_from_instance = lambda t: t.label()


class AcceptForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
