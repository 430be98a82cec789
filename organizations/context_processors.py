"""What every page's layout needs to know about the reader, from `organizations.access`."""

from django.conf import settings

from . import access


def platform(request):
    membership = getattr(request, "membership", None)
    actor = access.actor_of(request) if membership is not None else None
    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        "is_org_admin": bool(actor and access.may_administer(actor)),
        "may_work_cases": bool(actor and access.may_work_cases(actor)),
        "debug": settings.DEBUG,
    }
