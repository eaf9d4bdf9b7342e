"""The Whoosh index layer on a temporary folder, with real Chinese text.

These run under the main settings: documents are plain dicts (Whoosh field →
value) and queries are built by search.backend.query, so no indexed model is
needed; the last tests go through the whole backend with Wagtail pages.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from modelsearch.query import Fuzzy, Not, Phrase, PlainText
from wagtail.models import Page

from search.analysis import normalize
from search.backend import SearchBackend
from search.backend.index import PARALLEL_MIN_DOCUMENTS, AtomicRebuilder
from search.backend.query import AutocompleteQueryBuilder, Column, QueryBuilder
from search.highlighting import highlight

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "policy_docs_zh"
BODY = Column("t__body")


@pytest.fixture(autouse=True)
def _no_synonyms(settings):
    settings.ZHIXUE_SEARCH_SYNONYMS_PROVIDER = None


@pytest.fixture
def backend(tmp_path):
    return SearchBackend({"PATH": tmp_path / "index"})


@pytest.fixture
def index(backend):
    return backend.index_class(backend, "docs")


def doc(key: str, body: str, **fields) -> dict:
    return {"pk": key, "ct": ["test.doc"], "t__body": body, **fields}


def find(index, query, columns=(BODY,), builder=QueryBuilder) -> list[str]:
    whoosh_query = builder(list(columns)).compile(query)
    with index.searcher() as searcher:
        return [hit["pk"] for hit in searcher.search(whoosh_query, limit=None)]


def add(index, texts: dict[str, str]) -> None:
    index.add_documents([doc(key, text) for key, text in texts.items()])


# Recall and precision on Chinese text --------------------------------------------


def test_study_training_is_found_inside_running_text(index):
    add(
        index, {"rule": "党员每年集中学习培训时间一般不少于32学时", "other": "支部工作"}
    )
    assert find(index, "学习培训") == ["rule"]
    assert find(index, "32学时") == ["rule"]


def test_space_separated_words_find_the_compound(index):
    add(
        index,
        {
            "law": "个人信息处理者应当采取必要措施保障所处理的个人信息的安全",
            "other": "个人所得税的处理办法",
        },
    )
    assert find(index, "个人信息 处理者") == ["law"]
    assert find(index, "个人信息处理者") == ["law"]


def test_carbon_neutrality_is_found_in_running_text(index):
    add(
        index,
        {
            "report": "积极稳妥推进碳达峰碳中和。",
            "other": "扎实做好碳达峰、碳中和各项工作",
            "chemistry": "碳酸钙与盐酸发生中和反应",
        },
    )
    assert sorted(find(index, "碳中和")) == ["other", "report"]


def test_administrative_penalty_power_is_found_in_running_text(index):
    add(
        index,
        {
            "law": "行政处罚由具有行政处罚权的行政机关在法定职权范围内实施",
            "pilot": "开展了相对集中行政处罚权试点工作",
            "near": "行政机关的处罚决定和权利救济",
        },
    )
    assert sorted(find(index, "行政处罚权")) == ["law", "pilot"]


def test_traditional_and_simplified_find_each_other(index):
    add(index, {"simplified": "党员学习培训制度", "traditional": "黨員學習培訓制度"})
    assert sorted(find(index, "學習培訓")) == ["simplified", "traditional"]
    assert sorted(find(index, "学习培训")) == ["simplified", "traditional"]


def test_full_width_and_case_do_not_matter(index):
    add(index, {"a": "Ｐｙｔｈｏｎ编程", "b": "python 编程"})
    assert sorted(find(index, "PYTHON")) == ["a", "b"]
    assert sorted(find(index, "ｐｙｔｈｏｎ")) == ["a", "b"]


def test_phrase_matches_only_where_the_words_are_adjacent(index):
    add(
        index,
        {
            "adjacent": "加强党员学习培训工作",
            "apart": "组织党员学习，然后开展培训",
            "reversed": "培训学习两不误",
        },
    )
    assert find(index, Phrase("学习培训")) == ["adjacent"]
    assert find(index, Phrase("学习 培训")) == ["adjacent"]
    words = find(index, PlainText("学习培训"))
    assert sorted(words) == ["adjacent", "apart", "reversed"]
    assert words[0] == "adjacent"  # adjacency ranks first


def test_phrase_of_several_words(index):
    add(
        index,
        {
            "yes": "进一步加强党员教育管理工作",
            "no": "党员的教育和管理",
            "latin": "The Rust Programming Language",
            "latin_reversed": "Programming Rust",
        },
    )
    assert find(index, Phrase("党员教育管理")) == ["yes"]
    assert find(index, Phrase("党员 教育 管理")) == ["yes"]
    assert find(index, Phrase("rust programming")) == ["latin"]
    assert find(index, Phrase("programming rust")) == ["latin_reversed"]


def test_a_single_character_is_found_inside_and_at_the_end_of_runs(index):
    add(
        index,
        {
            "inside": "加强党的建设",
            "end": "热爱祖国和党。",
            "alone": "党 员",
            "none": "加强建设",
        },
    )
    assert sorted(find(index, "党")) == ["alone", "end", "inside"]
    assert find(index, Phrase("和党")) == ["end"]
    assert find(index, Phrase("党 员")) == ["alone"]


def test_a_phrase_spans_han_runs_and_latin_words(index):
    add(
        index,
        {
            "joined": "推进5G网络建设",
            "spaced": "推进 5G 网络建设",
            "other": "网络建设推进5G",
        },
    )
    assert sorted(find(index, Phrase("推进5G网络"))) == ["joined", "spaced"]
    assert sorted(find(index, Phrase("推进 5g 网络"))) == ["joined", "spaced"]


def test_operators(index):
    add(index, {"both": "学习培训", "study": "学习强国", "train": "技能培训"})
    assert find(index, PlainText("学习 培训", operator="and")) == ["both"]
    assert sorted(find(index, PlainText("学习 培训", operator="or"))) == [
        "both",
        "study",
        "train",
    ]
    assert sorted(find(index, Not(PlainText("学习")))) == ["train"]


def test_synonyms_expand_the_query(index, synonyms):
    add(index, {"meeting": "每月召开一次支委会", "other": "党员大会"})
    assert find(index, "三会一课") == ["meeting"]
    assert find(index, "三會一課") == ["meeting"]


def test_fuzzy_latin_words(index):
    add(index, {"py": "Learning Python", "js": "JavaScript"})
    assert find(index, Fuzzy("pythn")) == ["py"]


def test_fields_carry_their_boost(index):
    index.add_documents(
        [
            doc("in_title", "其他内容", t__title="学习培训"),
            doc("in_body", "学习培训", t__title="其他"),
        ]
    )
    columns = (Column("t__title", 10.0), BODY)
    assert find(index, "学习培训", columns) == ["in_title", "in_body"]
    assert find(index, "学习培训", (BODY,)) == ["in_body"]


def test_autocomplete_finds_prefixes_and_han_substrings(index):
    index.add_documents(
        [
            doc("code", "", ac__title="中华人民共和国民法典"),
            doc("py", "", ac__title="Learning Python"),
        ]
    )
    columns = (Column("ac__title"),)
    for typed, expected in [("民法", "code"), ("中华人民", "code"), ("Pyth", "py")]:
        assert find(index, typed, columns, AutocompleteQueryBuilder) == [expected]
    assert find(index, "ython", columns, AutocompleteQueryBuilder) == []


def test_updating_a_document_replaces_it(index):
    add(index, {"1": "旧的内容"})
    add(index, {"1": "新的内容"})
    assert find(index, "内容") == ["1"]
    assert find(index, "旧的") == []
    index.delete_keys(["1"])
    assert find(index, "内容") == []


def test_the_cached_searcher_sees_updates_and_deletions(index):
    query = QueryBuilder([BODY]).compile("制度")

    def cached_find():
        with index.searching() as searcher:
            return sorted(hit["pk"] for hit in searcher.search(query))

    add(index, {"1": "制度", "2": "制度"})
    assert cached_find() == ["1", "2"]
    add(index, {"1": "其他"})
    index.delete_keys(["2"])
    assert cached_find() == []


# Atomic rebuilds -------------------------------------------------------------------


def test_rebuild_swaps_atomically(index):
    add(index, {"old": "旧版制度全文"})
    before = index.searcher()  # a reader opened before the rebuild
    rebuilder = AtomicRebuilder(index)
    building = rebuilder.start()
    building.add_documents([doc("new", "新版制度全文")])
    assert find(index, "制度") == ["old"]  # searches keep working meanwhile
    rebuilder.finish()

    assert find(index, "制度") == ["new"]
    query = QueryBuilder([BODY]).compile("制度")
    assert [hit["pk"] for hit in before.search(query)] == ["old"]
    before.close()


def test_writes_during_a_rebuild_survive_the_swap(index):
    add(index, {"kept": "制度甲"})
    rebuilder = AtomicRebuilder(index)
    building = rebuilder.start()
    building.add_documents([doc("kept", "制度甲"), doc("stale", "制度乙")])
    add(index, {"live": "制度丙", "stale": "制度乙（已删）"})  # another writer
    index.delete_keys(["stale"])
    rebuilder.finish()
    assert sorted(find(index, "制度")) == ["kept", "live"]


def test_an_abandoned_rebuild_leaves_the_live_index_alone(index):
    add(index, {"old": "制度"})
    rebuilder = AtomicRebuilder(index)
    rebuilder.start().add_documents([doc("new", "制度")])
    rebuilder.abandon()
    add(index, {"later": "制度"})
    assert sorted(find(index, "制度")) == ["later", "old"]
    assert not (index.store.dir / "BUILDING").exists()
    assert not (index.store.dir / "journal").exists()


def test_only_the_current_and_previous_generations_are_kept(index):
    for round_ in range(4):
        rebuilder = AtomicRebuilder(index)
        rebuilder.start().add_documents([doc(str(round_), "制度")])
        rebuilder.finish()
    assert find(index, "制度") == ["3"]
    assert len(list(index.store.dir.glob("gen-*"))) == 2


def test_in_place_rebuilds_when_atomic_rebuild_is_off(tmp_path):
    backend = SearchBackend({"PATH": tmp_path, "ATOMIC_REBUILD": False})
    index = backend.index_class(backend, "docs")
    add(index, {"old": "制度"})
    rebuilder = backend.rebuilder_class(index)
    rebuilder.start().add_documents([doc("new", "制度")])
    rebuilder.finish()
    assert find(index, "制度") == ["new"]


def test_a_parallel_rebuild_finds_what_a_single_writer_finds(tmp_path):
    texts = {
        str(i): f"第{i}条 党员{'学习培训' if i % 3 else '组织生活'}制度 编号{i}"
        for i in range(PARALLEL_MIN_DOCUMENTS + 50)
    }
    found = {}
    for procs in (1, 2):
        backend = SearchBackend({"PATH": tmp_path / str(procs), "REBUILD_PROCS": procs})
        index = backend.index_class(backend, "docs")
        rebuilder = AtomicRebuilder(index)
        rebuilder.start().add_documents([doc(k, t) for k, t in texts.items()])
        rebuilder.finish()
        with index.searcher() as searcher:
            segments = len(searcher.reader().leaf_readers())
        assert segments == procs  # one segment written by each process
        found[procs] = (sorted(find(index, "学习培训")), sorted(find(index, "编号7")))
    assert found[1] == found[2]
    assert len(found[2][0]) == sum(1 for i in range(len(texts)) if i % 3)
    assert found[2][1] == ["7"]


def test_reset_swaps_in_an_empty_index(index):
    add(index, {"1": "制度"})
    index.reset()
    assert find(index, "制度") == []


# The real corpus ---------------------------------------------------------------------

CORPUS_FILES = [
    "gov_work_reports/gwr_01_2025年中华人民共和国国务院政府工作报告.txt",
    "gov_work_reports/gwr_40_2004年中华人民共和国国务院政府工作报告.txt",
    "lawrefbook/043_行政法_行政处罚法(2021-01-22).txt",
    "lawrefbook/031_行政法_个人信息保护法(2021-08-20).txt",
    "lawrefbook/001_宪法_宪法.txt",
    "cpc_congress_reports/cpc_02_廣州共產黨報告_(一大).txt",
    "cpc_constitution/中国共产党章程_2017_zh.txt",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"the Chinese corpus is not at {CORPUS} (../shared/corpus)")
    texts = {name: (CORPUS / name).read_text(encoding="utf-8") for name in CORPUS_FILES}
    backend = SearchBackend({"PATH": tmp_path_factory.mktemp("corpus-index")})
    index = backend.index_class(backend, "corpus")
    index.add_documents([doc(name, text) for name, text in texts.items()])
    return index, texts


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("碳中和", "gwr_01"),
        ("行政处罚权", "043_行政法_行政处罚法"),
        ("个人信息 处理者", "031_行政法_个人信息保护法"),
        ("個人信息處理者", "031_行政法_个人信息保护法"),
        ("廣州 共产党", "cpc_02"),
        ("党的基层组织", "中国共产党章程"),
    ],
)
def test_corpus_queries_rank_the_right_document_first(corpus, query, best):
    index, _ = corpus
    found = find(index, query)
    assert found, query
    assert best in found[0]


@pytest.mark.parametrize("word", ["碳中和", "行政处罚权", "个人信息处理者", "學習"])
def test_corpus_recall_is_substring_recall(corpus, word):
    """A Han word finds exactly the documents whose text contains it."""
    index, texts = corpus
    containing = {
        name for name, text in texts.items() if normalize(word) in normalize(text)
    }
    assert containing
    assert set(find(index, word)) == containing


def test_corpus_phrase_and_highlight(corpus):
    index, texts = corpus
    assert find(index, Phrase("碳达峰碳中和"))[0].startswith("gov_work_reports/gwr_01")
    name = "lawrefbook/043_行政法_行政处罚法(2021-01-22).txt"
    assert "<mark>行政处罚权</mark>" in highlight(texts[name], "行政处罚权")


# Through the backend, with Wagtail pages -------------------------------------------


@pytest.fixture
def pages(db):
    root = Page.get_first_root_node()
    titles = ["党员学习培训制度", "支部组织生活会", "碳达峰碳中和行动方案"]
    return [
        root.add_child(instance=Page(title=title, slug=f"search-{i}"))
        for i, title in enumerate(titles)
    ]


def test_wagtail_pages_are_searched_filtered_and_autocompleted(backend, pages):
    backend.add_bulk(Page, pages)
    root = Page.get_first_root_node()

    found = backend.search("学习培训", Page.objects.live().descendant_of(root))
    assert [p.title for p in found] == ["党员学习培训制度"]
    assert [p.title for p in backend.autocomplete("组织生", Page)] == ["支部组织生活会"]
    assert backend.search("碳中和", Page).count() == 1

    pages[2].unpublish()
    pages[2].refresh_from_db()
    backend.add(pages[2])
    assert backend.search("碳中和", Page.objects.live()).count() == 0
    ordered = backend.search(
        "制度 生活会",
        Page.objects.live().order_by("title"),
        operator="or",
        order_by_relevance=False,
    )
    assert [p.title for p in ordered] == ["党员学习培训制度", "支部组织生活会"]


def test_update_index_rebuilds_every_model_of_the_project(settings, tmp_path, pages):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "search.backend", "PATH": str(tmp_path / "wagtail")}
    }
    call_command("update_index", stdout=StringIO())
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    assert [p.title for p in backend.search("生活会", Page)] == ["支部组织生活会"]


def test_an_index_of_another_analysis_version_is_reported(settings, tmp_path):
    from django.core import checks

    from search.backend import storage

    path = tmp_path / "checked"
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "search.backend", "PATH": str(path)}
    }
    backend = SearchBackend({"PATH": path})
    index = backend.index_class(backend, "docs")
    add(index, {"1": "制度"})
    assert backend.outdated_indexes() == []
    assert not [m for m in checks.run_checks() if m.id == "search.W001"]

    (index.store.current() / storage.ANALYSIS_FILE).write_text("1")
    assert backend.outdated_indexes() == ["docs"]
    [warning] = [m for m in checks.run_checks() if m.id == "search.W001"]
    assert "update_index" in warning.hint
