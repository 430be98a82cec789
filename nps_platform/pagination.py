"""List pages that can grow are paged: one size, one way to read the page number, and one
partial (templates/_pagination.html) whose links keep the page's filters in the query string."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def page_of(request, items, *, per_page: int = PER_PAGE) -> Page:
    """The requested page of `items` (a queryset, ordered, or a list); a page number out of
    range or not a number gives the nearest page rather than an error."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    # The numbers the partial shows: the first and last, and two either side of this one.
    page.page_links = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
