"""modelsearch's BackendTests against the Whoosh + jieba backend."""

from django.test import TestCase
from modelsearch.test.testapp import models
from modelsearch.tests.test_backends import BackendTests

from search.backend import WhooshSearchBackend


class TestZhixueWhooshBackend(BackendTests, TestCase):
    backend_path = "search.backend"

    def test_backend_class(self):
        self.assertIsInstance(self.backend, WhooshSearchBackend)

    def test_reset_indexes(self):
        self.backend.reset_indexes()
        results = self.backend.search("JavaScript", models.Book)
        self.assertEqual(results.count(), 0)
