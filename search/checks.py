"""System checks: an index analysed by an older version must be rebuilt."""

from django.core import checks
from django.utils.translation import gettext as _


@checks.register("search")
def outdated_search_index(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from modelsearch.backends import get_search_backend

    from search.backend import WhooshSearchBackend

    backend = get_search_backend()
    if not isinstance(backend, WhooshSearchBackend):
        return []
    outdated = backend.outdated_indexes()
    if not outdated:
        return []
    return [
        checks.Warning(
            _("The search index was built by an older version: %(names)s.")
            % {"names": ", ".join(outdated)},
            hint=_("Run: python manage.py update_index"),
            obj=str(backend.path),
            id="search.W001",
        )
    ]
