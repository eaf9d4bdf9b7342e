"""The conformance suite needs its own (Wagtail-free) settings: collect it only then.

Run it with ``pytest --ds=tests.search.conformance.settings tests/search/conformance``.
"""

import os

import pytest

CONFORMANCE_SETTINGS = "tests.search.conformance.settings"

if os.environ.get("DJANGO_SETTINGS_MODULE") != CONFORMANCE_SETTINGS:
    collect_ignore_glob = ["conformance/*"]


def synonym_groups() -> list[list[str]]:
    """A synonyms provider for tests (ZHIXUE_SEARCH_SYNONYMS_PROVIDER)."""
    return [
        ["三会一课", "支部党员大会", "支委会", "党小组会", "党课"],
        ["纪委", "纪律检查委员会"],
    ]


@pytest.fixture
def synonyms(settings):
    from search import analysis

    settings.ZHIXUE_SEARCH_SYNONYMS_PROVIDER = f"{__name__}.synonym_groups"
    analysis.clear_synonym_cache()
    yield
    analysis.clear_synonym_cache()
