"""A bank's category tree from the admin: add, rename, delete (imports also add
categories, by the paths in their files)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org.models import User

from ..models import PaperRule, Question, QuestionBank, QuestionCategory
from .banks import require_bank_examiner


def _name(name: str) -> str:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ValidationError({"name": _("Give the category a name.")})
    return name


def _siblings(bank: QuestionBank, parent: QuestionCategory | None):
    if parent is None:
        return QuestionCategory.get_root_nodes().filter(bank=bank)
    return QuestionCategory.objects.filter(
        path__startswith=parent.path, depth=parent.depth + 1
    )


@transaction.atomic
def category_add(
    *, by: User, bank: QuestionBank, name: str, parent: QuestionCategory | None = None
) -> QuestionCategory:
    require_bank_examiner(by, bank)
    name = _name(name)
    if parent is not None and parent.bank_id != bank.pk:
        raise ValidationError({"parent": _("Choose a category of this bank.")})
    if _siblings(bank, parent).filter(name=name).exists():
        raise ValidationError(
            {"name": _("There is already a category of that name here.")}
        )
    if parent is None:
        return QuestionCategory.add_root(bank=bank, name=name)
    parent = QuestionCategory.objects.get(pk=parent.pk)  # fresh numchild
    return parent.add_child(bank=bank, name=name)


@transaction.atomic
def category_rename(*, by: User, category: QuestionCategory, name: str):
    require_bank_examiner(by, category.bank)
    name = _name(name)
    parent = category.get_parent()
    clash = _siblings(category.bank, parent).filter(name=name).exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("There is already a category of that name here.")}
        )
    category.name = name
    category.save(update_fields=["name"])
    return category


@transaction.atomic
def category_delete(*, by: User, category: QuestionCategory) -> None:
    """Only an empty category goes: no questions, no subcategories, no paper
    rule drawing from it."""
    require_bank_examiner(by, category.bank)
    category = QuestionCategory.objects.get(pk=category.pk)
    if category.get_children_count():
        raise ValidationError(_("Delete or move its subcategories first."))
    if Question.objects.filter(category=category).exists():
        raise ValidationError(_("Move its questions to another category first."))
    if PaperRule.objects.filter(category=category).exists():
        raise ValidationError(_("A paper's rule draws from this category."))
    category.delete()
