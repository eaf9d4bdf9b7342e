"""Reads of library content, always through the viewer's organisation scope.

A document limited to a unit (``audience_unit``) is visible to the members of that
unit's subtree and to the admins who manage that unit: exactly the viewers for whom
the unit is among ``org.scope.visible_units``.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from wagtail.models import Page

from org import scope
from org.models import User

from .models import CasePage, Category, DocumentPage, DocumentStatus, LibraryIndexPage

PAGE_SIZE = 20


def visible_documents(*, viewer: User, model=DocumentPage) -> QuerySet:
    return model.objects.live().filter(scope.audience_q(viewer))


def document_is_visible(*, viewer: User, page: Page) -> bool:
    if getattr(page, "audience_unit_id", None) is None:
        return True
    return (
        type(page).objects.filter(pk=page.pk).filter(scope.audience_q(viewer)).exists()
    )


def library_documents(*, viewer: User, library: LibraryIndexPage) -> QuerySet:
    model = CasePage if library.kind == "case" else DocumentPage
    return (
        visible_documents(viewer=viewer, model=model)
        .child_of(library)
        .select_related("category")
    )


def library_listing(*, viewer: User, library: LibraryIndexPage, params) -> dict:
    """One page of a library, filtered by category, status, year and tag."""
    documents = library_documents(viewer=viewer, library=library)
    filters = {}
    category_code = params.get("category")
    if category_code:
        category = Category.objects.filter(code=category_code).first()
        if category is not None:
            documents = documents.filter(category__path__startswith=category.path)
            filters["category"] = category
    status = params.get("status")
    if status in DocumentStatus.values:
        documents = documents.filter(status=status)
        filters["status"] = status
    year = params.get("year", "")
    if year.isdigit():
        documents = documents.filter(issued_on__year=int(year))
        filters["year"] = int(year)
    tag = params.get("tag")
    if tag:
        documents = documents.filter(tags__name=tag)
        filters["tag"] = tag
    documents = documents.order_by("-issued_on", "-first_published_at", "pk")
    paginator = Paginator(documents, PAGE_SIZE)
    page_obj = paginator.get_page(params.get("page"))
    years = sorted(
        {
            d.year
            for d in library_documents(viewer=viewer, library=library)
            .exclude(issued_on=None)
            .values_list("issued_on", flat=True)
        },
        reverse=True,
    )
    return {
        "documents": page_obj,
        "filters": filters,
        "categories": Category.objects.order_by("path"),
        "statuses": DocumentStatus.choices,
        "years": years,
        "query_string": _without_page(params),
    }


def _without_page(params) -> str:
    copy = params.copy()
    copy.pop("page", None)
    return copy.urlencode()


def libraries_overview(*, viewer: User) -> list[dict]:
    overview = []
    for library in LibraryIndexPage.objects.live().order_by("path"):
        overview.append(
            {
                "page": library,
                "count": library_documents(viewer=viewer, library=library).count(),
                "latest": library_documents(viewer=viewer, library=library)
                .order_by("-first_published_at")
                .first(),
            }
        )
    return overview
