"""Uploads (logos; contact files a worker reads, never served) on storage every host sees: an S3-compatible
bucket through django-storages when `MEDIA_S3_BUCKET` is set, else `MEDIA_ROOT` on local disk.
Either way a file's address is ours, `/media/<name>`, so pages (CSP `img-src 'self'`) and
emailed links (`SITE_URL` + the path) work the same."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.encoding import filepath_to_uri
from django.views.static import serve
from storages.backends.s3 import S3Storage

SHARED_BACKEND = "nps_platform.storage.SharedMediaStorage"


class SharedMediaStorage(S3Storage):
    """An S3-compatible bucket whose files are served at our own /media/ addresses."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(name)


# What /media/ may serve: organizations' logos, public by nature. Everything else there (the
# contact files an import reads) holds personal data and is read through the storage API only.
PUBLIC_PREFIXES = ("logos/",)


def media(request, path: str):
    """/media/<path>: a public upload, from the bucket when there is one, else from MEDIA_ROOT."""
    if not path.startswith(PUBLIC_PREFIXES) or ".." in path.split("/"):
        raise Http404()
    if settings.STORAGES["default"]["BACKEND"] != SHARED_BACKEND:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    try:
        if not default_storage.exists(path):  # the bucket's open() fails only at the first read
            raise Http404()
        handle = default_storage.open(path, "rb")
    except (SuspiciousFileOperation, OSError, ValueError):
        raise Http404() from None
    return FileResponse(handle, content_type=mimetypes.guess_type(path)[0] or "application/octet-stream")
