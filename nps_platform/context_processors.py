from django.conf import settings


def platform(request):
    membership = getattr(request, "membership", None)
    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        "is_org_admin": bool(membership and membership.is_admin),
        "debug": settings.DEBUG,
    }
