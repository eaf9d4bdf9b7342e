"""The 题库 admin: URLs and the menu item (views in exams/admin_views.py)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from org import scope
from org.models import Role

from . import admin_exam_views as exam_views
from . import admin_views as views


@hooks.register("register_admin_urls")
def register_question_bank_urls():
    bank = "question-banks/<int:bank_id>"
    paper = f"{bank}/papers/<int:paper_id>"
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
        path(
            f"{bank}/questions/<int:question_id>/",
            views.question_detail,
            name="exams_question_detail",
        ),
        path(
            f"{bank}/questions/<int:question_id>/key/",
            views.question_key,
            name="exams_question_key",
        ),
        path(
            f"{bank}/questions/<int:question_id>/regrade/",
            views.question_regrade,
            name="exams_question_regrade",
        ),
        path(f"{bank}/papers/", views.paper_list, name="exams_paper_list"),
        path(f"{paper}/", views.paper_detail, name="exams_paper_detail"),
        path(f"{paper}/rules/add/", views.paper_rule_add, name="exams_paper_rule_add"),
        path(
            f"{paper}/rules/remove/",
            views.paper_rule_remove,
            name="exams_paper_rule_remove",
        ),
        path(
            f"{paper}/items/add/", views.paper_items_add, name="exams_paper_items_add"
        ),
        path(
            f"{paper}/items/remove/",
            views.paper_item_remove,
            name="exams_paper_item_remove",
        ),
        path(f"{paper}/preview/", views.paper_preview, name="exams_paper_preview"),
        *_exam_urls(),
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
