"""The 题库 admin: URLs and the menu item (views in exams/admin_views.py, one
question's in exams/admin_question_views.py, papers in exams/admin_paper_views.py,
exams in exams/admin_exam_views.py)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from org import scope
from org.models import Role

from . import admin_exam_views as exam_views
from . import admin_paper_views as paper_views
from . import admin_question_views as question_views
from . import admin_views as views


@hooks.register("register_admin_urls")
def register_question_bank_urls():
    bank = "question-banks/<int:bank_id>"
    return [
        path("question-banks/", views.bank_list, name="exams_bank_list"),
        path("question-banks/new/", views.bank_create, name="exams_bank_create"),
        path(
            "question-banks/template/",
            views.import_template,
            name="exams_import_template",
        ),
        path(f"{bank}/", views.bank_detail, name="exams_bank_detail"),
        path(f"{bank}/import/", views.import_questions, name="exams_bank_import"),
        path(f"{bank}/practice/", views.bank_practice, name="exams_bank_practice"),
        path(
            f"{bank}/categories/", views.category_change, name="exams_category_change"
        ),
        path(f"{bank}/bulk/", views.bulk_action, name="exams_bank_bulk"),
        path(f"{bank}/export/xlsx/", views.export_xlsx, name="exams_export_xlsx"),
        path(f"{bank}/export/gift/", views.export_gift, name="exams_export_gift"),
        *_question_urls(bank),
        *_paper_urls(bank),
        *_exam_urls(),
    ]


def _question_urls(bank: str):
    question = f"{bank}/questions/<int:question_id>"
    return [
        path(
            f"{bank}/questions/new/",
            question_views.question_create,
            name="exams_question_create",
        ),
        path(
            f"{question}/",
            question_views.question_detail,
            name="exams_question_detail",
        ),
        path(
            f"{question}/edit/",
            question_views.question_edit,
            name="exams_question_edit",
        ),
        path(
            f"{question}/key/", question_views.question_key, name="exams_question_key"
        ),
        path(
            f"{question}/regrade/",
            question_views.question_regrade,
            name="exams_question_regrade",
        ),
    ]


def _paper_urls(bank: str):
    paper = f"{bank}/papers/<int:paper_id>"
    return [
        path(f"{bank}/papers/", paper_views.paper_list, name="exams_paper_list"),
        path(f"{paper}/", paper_views.paper_detail, name="exams_paper_detail"),
        path(
            f"{paper}/settings/",
            paper_views.paper_settings,
            name="exams_paper_settings",
        ),
        path(f"{paper}/copy/", paper_views.paper_copy, name="exams_paper_copy"),
        path(f"{paper}/delete/", paper_views.paper_delete, name="exams_paper_delete"),
        path(
            f"{paper}/rules/add/",
            paper_views.paper_rule_add,
            name="exams_paper_rule_add",
        ),
        path(
            f"{paper}/rules/remove/",
            paper_views.paper_rule_remove,
            name="exams_paper_rule_remove",
        ),
        path(
            f"{paper}/rules/move/",
            paper_views.paper_rule_move,
            name="exams_paper_rule_move",
        ),
        path(
            f"{paper}/rules/change/",
            paper_views.paper_rule_change,
            name="exams_paper_rule_change",
        ),
        path(
            f"{paper}/items/add/",
            paper_views.paper_items_add,
            name="exams_paper_items_add",
        ),
        path(
            f"{paper}/items/remove/",
            paper_views.paper_item_remove,
            name="exams_paper_item_remove",
        ),
        path(
            f"{paper}/items/move/",
            paper_views.paper_item_move,
            name="exams_paper_item_move",
        ),
        path(
            f"{paper}/items/score/",
            paper_views.paper_item_score,
            name="exams_paper_item_score",
        ),
        path(
            f"{paper}/preview/",
            paper_views.paper_preview,
            name="exams_paper_preview",
        ),
    ]


def _exam_urls():
    exam = "exams/<int:exam_id>"
    return [
        path("exams/", exam_views.exam_list, name="exams_exam_list"),
        path("exams/new/", exam_views.exam_create, name="exams_exam_create"),
        path(f"{exam}/", exam_views.exam_detail, name="exams_exam_detail"),
        path(f"{exam}/publish/", exam_views.exam_publish, name="exams_exam_publish"),
        path(f"{exam}/release/", exam_views.exam_release, name="exams_exam_release"),
        path(f"{exam}/override/", exam_views.exam_override, name="exams_exam_override"),
        path(f"{exam}/export/", exam_views.exam_export, name="exams_exam_export"),
        path(f"{exam}/marking/", exam_views.exam_marking, name="exams_exam_marking"),
    ]


class ExaminerMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.has_role(request.user, Role.EXAMINER)


@hooks.register("register_admin_menu_item")
def register_exam_menu_item():
    return ExaminerMenuItem(
        _("Exams"), reverse("exams_exam_list"), icon_name="time", order=181
    )


@hooks.register("register_admin_menu_item")
def register_question_bank_menu_item():
    return ExaminerMenuItem(
        _("Question banks"),
        reverse("exams_bank_list"),
        icon_name="clipboard-list",
        order=180,
    )
