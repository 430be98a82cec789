"""Erasing a contact (GDPR) takes their words out of the suggested themes too: an open suggestion's
example comments, a dismissed one's (kept to recognise its topic), and the example phrases a theme
took from a suggestion when an admin accepted it. Someone else's comment, and a phrase an admin
typed, stay."""

from __future__ import annotations

import hashlib

import pytest
from django.test import TestCase

from contacts.models import Contact
from nps_platform.tenancy import tenant_context
from responses.models import Response
from tests.dashboards.conftest import published

pytestmark = pytest.mark.django_db

ANNA = "Anna Berg here, call me on 22 33 44 55: parking is impossible at the shop"
OTHER = "Never any parking spaces left after four"


def _suggestion(organization, examples, status="open", theme=None):
    from insights.models import ThemeSuggestion

    return ThemeSuggestion.objects.create(
        organization=organization, fingerprint=hashlib.sha256(repr(examples).encode()).hexdigest(),
        key_phrases=["parking"], examples=examples, size=len(examples), status=status, theme=theme)


@pytest.fixture
def quoted(make_org):
    """Anna's comment quoted by an open and a dismissed suggestion, and taken by a theme accepted
    from a third; an admin's own theme with the same phrase typed in."""
    from insights.models import ThemeSuggestion
    from insights.services import suggestion_accept, theme_add

    organization, owner = make_org("Parkeringshuset ApS")
    survey = published(organization, owner, name="Relationship", languages=("en",))
    with tenant_context(organization):
        anna = Contact.objects.create(organization=organization, email="anna@kunde.dk", name="Anna Berg")
        for contact, comment in ((anna, ANNA), (None, OTHER)):
            Response.objects.create(organization=organization, survey=survey, version=survey.current_version,
                                    contact=contact, channel="email", language="en", score=3, category="detractor",
                                    answers={"reason": comment}, comment=comment)
        # as the engine quotes a comment: its white space collapsed
        _suggestion(organization, [" ".join(ANNA.split()), OTHER])
        _suggestion(organization, [ANNA, "Parking is a nightmare"], status=ThemeSuggestion.Status.DISMISSED)
        accepted = _suggestion(organization, [ANNA, OTHER, "No parking"][::-1])
        with TestCase.captureOnCommitCallbacks(execute=False):
            theme = suggestion_accept(suggestion=accepted, by=owner, name="Parking")
            typed = theme_add(organization=organization, by=owner, name="Typed", examples=[ANNA])
    return organization, owner, anna, theme, typed


def test_erasing_a_contact_takes_their_comment_out_of_the_suggested_themes(quoted, member_client):
    from insights.models import ThemeExample, ThemeSuggestion

    organization, owner, anna, theme, typed = quoted
    with tenant_context(organization):
        assert ThemeExample.objects.filter(theme=theme, text=ANNA).exists()

    erased = member_client(owner).post(f"/o/{organization.slug}/responses/personal-data/{anna.pk}/erase/")

    assert erased.status_code == 302
    with tenant_context(organization):
        quotes = [e for s in ThemeSuggestion.objects.all() for e in s.examples]
        assert ANNA not in quotes and " ".join(ANNA.split()) not in quotes
        assert quotes.count(OTHER) == 2 and "Parking is a nightmare" in quotes  # the others' words stay
        assert set(ThemeExample.objects.filter(theme=theme).values_list("text", flat=True)) >= {OTHER, "No parking"}
        assert not ThemeExample.objects.filter(theme=theme, text=ANNA).exists()
        assert ThemeExample.objects.filter(theme=typed, text=ANNA).exists()  # typed by an admin: theirs
    page = member_client(owner).get(f"/o/{organization.slug}/insights/themes/")
    # once: in the admin's own theme only, no longer in a suggestion or the accepted theme
    assert page.status_code == 200 and page.content.decode().count("22 33 44 55") == 1


def test_a_suggestion_accepted_meanwhile_is_not_dismissed_over_it(make_org):
    """Two admins on the themes page: one accepts, the other (a moment later, the page read before)
    dismisses. The theme stays an accepted suggestion's; the second admin is told it was decided."""
    from insights.models import ThemeSuggestion
    from insights.services import SuggestionDecided, suggestion_accept, suggestion_dismiss

    organization, owner = make_org("Parkeringshuset ApS")
    with tenant_context(organization):
        read_by_second_admin = _suggestion(organization, [OTHER])
        with TestCase.captureOnCommitCallbacks(execute=False):
            theme = suggestion_accept(suggestion=ThemeSuggestion.objects.get(), by=owner, name="Parking")
        with pytest.raises(SuggestionDecided):
            suggestion_dismiss(suggestion=read_by_second_admin, by=owner)
        assert ThemeSuggestion.objects.values_list("status", "theme_id").get() == ("accepted", theme.pk)
