from django.db import transaction

from library.models import Category


@transaction.atomic
def category_create(
    *, parent: Category | None, name: str, code: str, sort_order: int = 0
) -> Category:
    fields = {"name": name.strip(), "code": code.strip(), "sort_order": sort_order}
    if parent is None:
        return Category.add_root(**fields)
    return Category.objects.get(pk=parent.pk).add_child(**fields)


def category_ensure(*, path_names: list[tuple[str, str]]) -> Category:
    """Create (or find) a chain of categories given as (code, name) from the top."""
    parent = None
    for code, name in path_names:
        existing = Category.objects.filter(code=code).first()
        parent = existing or category_create(parent=parent, name=name, code=code)
    return parent
