"""The one model the search benchmark indexes (see bench/search_bench.py).

It has no migrations: the benchmark creates its table with ``migrate
--run-syncdb`` in a throwaway database.
"""

from django.db import models
from modelsearch import index


class BenchDocument(index.Indexed, models.Model):
    title = models.CharField(max_length=255)
    body = models.TextField()
    #: Corpus-relative path of the file the document (or section) came from.
    source = models.CharField(max_length=255)

    # Like a Wagtail page: the title weighs more and feeds autocomplete.
    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("body"),
        index.AutocompleteField("title"),
    ]
    # The benchmark indexes explicitly, backend by backend, and times it.
    search_auto_update = False

    def __str__(self) -> str:
        return self.title
