"""/media/ serves organizations' logos and nothing else: an import's contact file (personal data,
at a guessable name) is a 404 for anyone, signed in or not; its cross-tenant twin too."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.django_db


def test_a_logo_is_served_and_an_imported_contact_file_is_not(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logo = default_storage.save("logos/brand.png", ContentFile(b"\x89PNG logo"))
    contacts = default_storage.save("imports/12-20261201093015-contacts.csv", ContentFile(b"email\nanna@kunde.dk\n"))
    assert client.get(f"/media/{logo}").status_code == 200
    for path in (contacts, "logos/../" + contacts, "imports/", "../" + contacts):
        response = client.get(f"/media/{path}")
        assert response.status_code == 404, path
        assert b"anna@kunde.dk" not in b"".join(getattr(response, "streaming_content", [response.content]))
