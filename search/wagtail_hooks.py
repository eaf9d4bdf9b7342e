from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from .models import SynonymGroup
from .synonyms import synonyms_changed


class SynonymSaveMixin:
    def save_instance(self):
        instance = super().save_instance()
        synonyms_changed()
        return instance


class SynonymCreateView(SynonymSaveMixin, generic.CreateView):
    pass


class SynonymEditView(SynonymSaveMixin, generic.EditView):
    pass


class SynonymViewSet(ModelViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("Search synonyms")
    add_to_admin_menu = True
    menu_order = 900
    form_fields = ["terms", "note"]
    list_display = ["terms", "note"]
    add_view_class = SynonymCreateView
    edit_view_class = SynonymEditView
    search_backend_name = None
    search_fields = ["terms"]


@hooks.register("register_admin_viewset")
def register_synonyms():
    return SynonymViewSet("synonyms")
