from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from .models import Category, LibraryDocumentBase, PageAttachment
from .selectors import document_is_visible
from .services.categories import category_create


@hooks.register("before_serve_page")
def hide_documents_outside_audience(page, request, serve_args, serve_kwargs):
    """A document limited to a subtree does not exist for anyone outside it."""
    if isinstance(page, LibraryDocumentBase) and request.user.is_authenticated:
        if not document_is_visible(viewer=request.user, page=page):
            raise Http404


@hooks.register("before_serve_document")
def documents_for_members_only(document, request):
    if not request.user.is_authenticated:
        raise Http404
    pages = [
        a.page.specific
        for a in PageAttachment.objects.filter(document=document).select_related("page")
    ]
    if pages and not any(
        document_is_visible(viewer=request.user, page=p) for p in pages
    ):
        raise Http404


class CategoryForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        queryset=Category.objects.order_by("path"),
        required=False,
        label=_("Parent category"),
    )

    class Meta:
        model = Category
        fields = ["parent", "name", "code", "sort_order"]


class CategoryCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return category_create(
            parent=data["parent"],
            name=data["name"],
            code=data["code"],
            sort_order=data["sort_order"],
        )


class CategoryViewSet(ModelViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    add_to_admin_menu = True
    menu_order = 210
    add_view_class = CategoryCreateView

    def get_form_class(self, for_update=False):
        if for_update:
            return super().get_form_class(for_update)
        return CategoryForm

    form_fields = ["name", "code", "sort_order"]
    list_display = ["name", "code", "depth"]
    ordering = ["path"]
    search_fields = ["name", "code"]
    search_backend_name = None


@hooks.register("register_admin_viewset")
def register_category_viewset():
    return CategoryViewSet("categories")
