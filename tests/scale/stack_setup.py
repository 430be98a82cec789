"""Run in a subprocess of the scale tests (`python tests/scale/stack_setup.py`, with the stack's
environment): the organization, people, survey, contacts and a campaign they use, written to the
stack's own database; prints what the tests need as JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_platform.settings.scale_test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.utils import timezone  # noqa: E402

from contacts.models import Contact  # noqa: E402
from distribution.models import Campaign  # noqa: E402
from distribution.services import campaign_start  # noqa: E402
from followups.services import rules_ensure_defaults  # noqa: E402
from nps_platform.tenancy import tenant_context  # noqa: E402
from organizations.models import Membership, User  # noqa: E402
from organizations.services import organization_create  # noqa: E402
from surveys import services as surveys  # noqa: E402

# A 1×1 PNG.
LOGO = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b2a3a70000000049454e44ae426082")


def session_for(user) -> str:
    """A signed-in session, as the login page leaves one (the tests do not depend on its form)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def main(people: int) -> dict:
    owner = User.objects.create_user(email="owner@scale.example", password="pass-Word-123", full_name="Olga Owner")
    viewer = User.objects.create_user(email="viewer@scale.example", password="pass-Word-123", full_name="Vic Viewer")
    organization = organization_create(name="Scale ApS", owner=owner)
    with tenant_context(organization):
        Membership.objects.create(organization=organization, user=viewer, role="viewer")
        rules_ensure_defaults(organization=organization)  # the detractor alert to the owner
        # The logo is uploaded from this process, a "host" of its own: the web processes must find it.
        organization.logo.save("scale-logo.png", ContentFile(LOGO), save=True)
        survey = surveys.survey_create(organization=organization, template="relationship", name="Relationship",
                                       default_language="en", by=owner)
        surveys.survey_settings_update(survey=survey, by=owner, name=survey.name, kind=survey.kind,
                                       default_language="en", languages=["en", "da"], company_name="Scale")
        surveys.survey_publish(survey=survey, by=owner)
        surveys.survey_public_link_set(survey=survey, by=owner, enabled=True, ask_department=False)
        survey.refresh_from_db()
        Contact.objects.bulk_create([Contact(organization=organization, email=f"p{i}@kunde.dk", name=f"Person {i}",
                                             language="da") for i in range(people)])
        campaign = Campaign.objects.create(organization=organization, name="Scale Q1", survey=survey,
                                           send_at=timezone.now() + dt.timedelta(days=1))
        campaign_start(campaign=campaign, by=owner)
    return {
        "org_slug": organization.slug, "organization_id": organization.pk, "survey_id": survey.pk,
        "public_token": survey.public_token, "public_enabled": survey.public_enabled,
        "campaign_id": campaign.pk, "survey_kind": survey.kind,
        "owner_session": session_for(owner), "viewer_session": session_for(viewer), "owner_email": owner.email,
        "logo_url": organization.logo.url, "logo_name": organization.logo.name, "logo_hex": LOGO.hex(),
        "session_cookie": settings.SESSION_COOKIE_NAME,
    }


if __name__ == "__main__":
    print("STACK " + json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)))
