"""Managing a bank's categories from the admin: add (at the top or under one),
rename, delete only when empty; scoped like the bank."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exams.models import QuestionCategory
from exams.services.categories import category_add, category_delete, category_rename
from exams.services.imports import bank_ensure
from org.models import Role
from org.services.roles import role_grant
from tests.exams.sitting import exam_paper
from tests.factories import make_member


@pytest.fixture
def bank(tree):
    return bank_ensure(name="分类题库", by=tree.examiner, owner_unit=tree.company_a)


def test_add_rename_and_delete(tree, bank):
    top = category_add(by=tree.examiner, bank=bank, name=" 党章 党规 ")
    assert top.name == "党章 党规" and top.is_root()
    child = category_add(by=tree.examiner, bank=bank, name="纪律处分", parent=top)
    assert child.get_parent() == top
    with pytest.raises(ValidationError):  # the same name twice at one level
        category_add(by=tree.examiner, bank=bank, name="纪律处分", parent=top)
    category_rename(by=tree.examiner, category=child, name="纪律处分条例")
    assert QuestionCategory.objects.get(pk=child.pk).name == "纪律处分条例"
    with pytest.raises(ValidationError):  # it has a subcategory
        category_delete(by=tree.examiner, category=top)
    category_delete(by=tree.examiner, category=child)
    category_delete(by=tree.examiner, category=top)
    assert not QuestionCategory.objects.filter(bank=bank).exists()


def test_a_category_with_questions_stays(tree):
    paper = exam_paper(tree)
    category = category_add(by=tree.examiner, bank=paper.bank, name="有题")
    question = paper.items.first().question
    question.category = category
    question.save(update_fields=["category"])
    with pytest.raises(ValidationError):
        category_delete(by=tree.examiner, category=category)


def test_through_the_admin_and_scoped(tree, bank, client_for):
    url = f"/admin/question-banks/{bank.pk}/categories/"
    client = client_for(tree.examiner)
    client.post(url, {"action": "add", "name": "党史"})
    category = QuestionCategory.objects.get(bank=bank, name="党史")
    page = client.get(f"/admin/question-banks/{bank.pk}/").content.decode()
    assert "党史" in page and "管理分类" in page
    client.post(url, {"action": "rename", "category": category.pk, "name": "党史学习"})
    assert QuestionCategory.objects.get(pk=category.pk).name == "党史学习"
    other = make_member(tree.company_b, "孙考官").user
    role_grant(user=other, role=Role.EXAMINER, unit=tree.company_b)
    assert (
        client_for(other).post(url, {"action": "add", "name": "x"}).status_code == 404
    )
    with pytest.raises(PermissionDenied):
        category_add(by=other, bank=bank, name="越权")
    client.post(url, {"action": "delete", "category": category.pk})
    assert not QuestionCategory.objects.filter(pk=category.pk).exists()


def test_a_rename_or_delete_without_a_category_is_a_404(tree, bank, client_for):
    url = f"/admin/question-banks/{bank.pk}/categories/"
    client = client_for(tree.examiner)
    for action in ("rename", "delete"):
        assert client.post(url, {"action": action, "name": "x"}).status_code == 404
