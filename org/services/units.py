"""Writing the organisation tree. Callers check scope first (org.scope)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org.models import Unit, User
from org.text import clean, clean_name, pinyin_key


def _check_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    if Unit.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise ValidationError(
            {"code": _("Unit code %(code)s is already used.") % {"code": code}}
        )


@transaction.atomic
def unit_create(
    *,
    parent: Unit | None,
    name: str,
    code: str,
    unit_type: str,
    sort_order: int = 0,
    is_active: bool = True,
    by: User | None = None,
) -> Unit:
    name, code = clean_name(name), clean(code)
    _check_code_free(code)
    fields = {
        "name": name,
        "code": code,
        "unit_type": unit_type,
        "sort_order": sort_order,
        "is_active": is_active,
        "name_pinyin": pinyin_key(name),
    }
    unit = Unit(**fields)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Unit.add_root(**fields)
    parent = Unit.objects.select_for_update().get(pk=parent.pk)
    return parent.add_child(**fields)


@transaction.atomic
def unit_update(
    *,
    unit: Unit,
    name: str,
    code: str,
    unit_type: str,
    sort_order: int,
    is_active: bool,
    parent: Unit | None,
    by: User | None = None,
) -> Unit:
    """Update a unit; a new parent moves the unit with its whole subtree."""
    name, code = clean_name(name), clean(code)
    _check_code_free(code, exclude_pk=unit.pk)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    resort = sort_order != unit.sort_order or pinyin_key(name) != unit.name_pinyin
    unit.name, unit.code, unit.unit_type = name, code, unit_type
    unit.sort_order, unit.is_active = sort_order, is_active
    unit.name_pinyin = pinyin_key(name)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit.save()
    current_parent = unit.get_parent()
    if parent is not None and (
        current_parent is None or parent.pk != current_parent.pk
    ):
        unit_move(unit=unit, new_parent=parent, by=by)
    elif resort:
        _resort(unit, current_parent)
    return Unit.objects.get(pk=unit.pk)


def _resort(unit: Unit, parent: Unit | None) -> None:
    """Keep siblings ordered by sort order, then pinyin, after either changed."""
    if parent is None:
        unit.move(unit.get_first_root_node(), pos="sorted-sibling")
    else:
        unit.move(parent, pos="sorted-child")


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit, by: User | None = None) -> Unit:
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("A unit cannot be moved under itself or its own sub-units.")}
        )
    unit.move(new_parent, pos="sorted-child")
    return Unit.objects.get(pk=unit.pk)


@transaction.atomic
def unit_delete(*, unit: Unit, by: User | None = None) -> None:
    """Delete an empty unit; a unit with sub-units or members is refused."""
    unit = Unit.objects.get(pk=unit.pk)
    if unit.get_children_count():
        raise ValidationError(_("Remove or move its sub-units first."))
    if unit.members.exists():
        raise ValidationError(_("Transfer its members to another unit first."))
    unit.delete()
