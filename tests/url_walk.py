"""Every URL pattern of the project, for the walks that must pick up new views on their own
(tenancy, who sees what, odd input)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import URLPattern, URLResolver, get_resolver


def url_patterns(keep: Callable[[str], bool] = lambda route: True) -> list[tuple[str, str]]:
    """(name, route) of every URL pattern whose full route `keep` accepts."""
    out = []

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and keep(route):
                out.append((p.name, route))

    walk(get_resolver().url_patterns, "/")
    return out
