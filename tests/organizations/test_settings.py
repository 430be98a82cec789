"""Organization settings: what an owner can change, the defaults, validation, the audit log and
moving the organization to a new address."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry, EmployeeVisibility, Organization, User


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def form_data(organization: Organization, **changes) -> dict:
    """What the settings form posts when nothing is touched, with `changes` applied."""
    data = {
        "name": organization.name,
        "slug": organization.slug,
        "brand_color": organization.brand_color,
        "default_language": organization.default_language,
        "time_zone": organization.time_zone,
        "quiet_period_days": organization.quiet_period_days,
        "employee_visibility": organization.employee_visibility,
        "anonymity_threshold": organization.anonymity_threshold,
        "alert_fallback": organization.alert_fallback_id or "",
        "digest_weekday": "" if organization.digest_weekday is None else organization.digest_weekday,
        "nps_target": "" if organization.nps_target is None else organization.nps_target,
        "promoter_value": organization.promoter_value or "",
        "detractor_cost": organization.detractor_cost or "",
        "value_currency": organization.value_currency,
    }
    data.update(changes)
    return data


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (31, 78, 121)).save(buffer, format="PNG")
    return buffer.getvalue()


def snapshot(organization: Organization) -> dict:
    organization = Organization.objects.get(pk=organization.pk)
    return {f: getattr(organization, f) for f in (
        "name", "slug", "brand_color", "default_language", "time_zone", "quiet_period_days",
        "employee_visibility", "anonymity_threshold")} | {"logo": organization.logo.name}


@pytest.fixture
def remove_uploaded_logos():
    """Deletes logos the test uploaded from the test media folder."""
    uploaded: list[str] = []
    yield uploaded
    for name in uploaded:
        if name and default_storage.exists(name):
            default_storage.delete(name)


def test_a_new_organization_has_a_90_day_quiet_period_and_anonymity_threshold_5(db, client):
    response = client.post("/signup/", {"organization_name": "Fresh Co", "full_name": "Fia Fresh",
                                        "email": "fia@example.com", "password": "Bright-Harbour-2031"})
    organization = Organization.objects.get(name="Fresh Co")

    assert organization.quiet_period_days == 90
    assert organization.anonymity_threshold == 5
    assert organization.employee_visibility == EmployeeVisibility.MANAGERS
    page = client.get(response["Location"] + "settings/").content.decode()
    assert 'name="quiet_period_days" value="90"' in page
    assert 'name="anonymity_threshold" value="5"' in page


def test_owner_updates_every_setting_and_uploads_a_logo(org_a, remove_uploaded_logos):
    organization, owner = org_a
    client = client_for(owner)
    png = tiny_png()

    response = client.post(f"/o/{organization.slug}/settings/", form_data(
        organization,
        name="Alpha Nordic ApS",
        brand_color="#aa3300",
        default_language="da",
        time_zone="Europe/Helsinki",
        quiet_period_days=120,
        employee_visibility=EmployeeVisibility.EMPLOYEE_AND_MANAGERS,
        anonymity_threshold=8,
        logo=SimpleUploadedFile("logo.png", png, content_type="image/png"),
    ))

    organization.refresh_from_db()
    remove_uploaded_logos.append(organization.logo.name)
    assert response.status_code == 302
    assert response["Location"] == f"/o/{organization.slug}/settings/"
    assert snapshot(organization) == {
        "name": "Alpha Nordic ApS", "slug": "alpha-aps", "brand_color": "#aa3300", "default_language": "da",
        "time_zone": "Europe/Helsinki", "quiet_period_days": 120,
        "employee_visibility": "employee_and_managers", "anonymity_threshold": 8,
        "logo": organization.logo.name,
    }
    assert organization.logo.name.startswith("logos/")

    page = client.get(response["Location"]).content.decode()
    assert "Settings saved." in page
    assert "Alpha Nordic ApS" in page
    assert f'src="{organization.logo.url}"' in page
    served = client.get(organization.logo.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == png


@pytest.mark.parametrize(("field", "value", "message"), [
    ("anonymity_threshold", 1, "Ensure this value is greater than or equal to 3."),
    ("anonymity_threshold", 101, "Ensure this value is less than or equal to 100."),
    ("brand_color", "red", "A colour like #1f4e79."),
    ("quiet_period_days", 731, "Ensure this value is less than or equal to 730."),
    ("quiet_period_days", -1, "Ensure this value is greater than or equal to 0."),
    ("time_zone", "Mars/Olympus_Mons", "Select a valid choice."),
    ("default_language", "xx", "Select a valid choice."),
    ("slug", "Alpha_Upper", "Lowercase letters, digits and dashes."),
    ("name", "", "This field is required."),
])
def test_invalid_settings_show_an_error_and_change_nothing(org_a, field, value, message):
    organization, owner = org_a
    before = snapshot(organization)

    response = client_for(owner).post(f"/o/{organization.slug}/settings/",
                                      form_data(organization, **{"name": "Renamed Too", field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(organization) == before
    with tenant_context(organization):
        assert not AuditLogEntry.objects.filter(action="organization.settings_changed").exists()


def test_a_non_image_logo_is_refused(org_a):
    organization, owner = org_a
    before = snapshot(organization)

    response = client_for(owner).post(f"/o/{organization.slug}/settings/", form_data(
        organization, logo=SimpleUploadedFile("logo.png", b"not a picture", content_type="image/png")))

    assert response.status_code == 200
    assert "Upload a valid image." in response.content.decode()
    assert snapshot(organization) == before


def test_a_rejected_settings_form_keeps_the_current_name_and_addresses_in_the_navigation(org_a):
    organization, owner = org_a

    response = client_for(owner).post(f"/o/{organization.slug}/settings/", form_data(
        organization, name="Not Saved", slug="not-saved", anonymity_threshold=1))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 3." in page
    assert f'href="/o/{organization.slug}/departments/"' in page
    assert "/o/not-saved/" not in page


def test_the_audit_log_lists_the_settings_change(org_a):
    organization, owner = org_a
    client = client_for(owner)

    client.post(f"/o/{organization.slug}/settings/",
                form_data(organization, name="Alpha Renamed", anonymity_threshold=7))

    with tenant_context(organization):
        entry = AuditLogEntry.objects.get(action="organization.settings_changed")
    assert entry.actor == owner
    assert sorted(entry.data["fields"]) == ["anonymity_threshold", "name"]
    page = client.get(f"/o/{organization.slug}/audit/").content.decode()
    assert "organization.settings_changed" in page
    assert entry.summary in page
    assert "anonymity_threshold" in entry.summary
    assert owner.email in page


def test_changing_the_slug_moves_the_organizations_addresses(org_a, org_b):
    (organization, owner), (b, _) = org_a, org_b
    client = client_for(owner)
    old = organization.slug

    response = client.post(f"/o/{old}/settings/", form_data(organization, slug="alpha-nordic"))

    assert response.status_code == 302
    assert response["Location"] == "/o/alpha-nordic/settings/"
    assert client.get("/o/alpha-nordic/").status_code == 200
    assert client.get("/o/alpha-nordic/employees/").status_code == 200
    assert client.get(f"/o/{old}/").status_code == 404
    assert client.get(f"/o/{old}/employees/").status_code == 404
    assert 'href="/o/alpha-nordic/"' in client.get("/orgs/").content.decode()
    assert Organization.objects.get(pk=organization.pk).slug == "alpha-nordic"
    assert Organization.objects.get(pk=b.pk).slug == b.slug


def test_a_slug_taken_by_another_organization_is_refused(org_a, org_b):
    (organization, owner), (b, _) = org_a, org_b
    before = snapshot(organization)

    response = client_for(owner).post(f"/o/{organization.slug}/settings/", form_data(organization, slug=b.slug))

    assert response.status_code == 200
    assert "Organization with this Slug already exists." in response.content.decode()
    assert snapshot(organization) == before
    assert Organization.objects.get(pk=b.pk).name == "Beta AB"


def test_another_organizations_owner_cannot_change_the_settings(org_a, org_b):
    (a, _), (_, owner_b) = org_a, org_b
    before = snapshot(a)
    intruder = client_for(owner_b)

    assert intruder.get(f"/o/{a.slug}/settings/").status_code == 404
    assert intruder.post(f"/o/{a.slug}/settings/", form_data(a, name="Hijacked")).status_code == 404
    assert intruder.get(f"/o/{a.slug}/audit/").status_code == 404

    assert snapshot(a) == before
