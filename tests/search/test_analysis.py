from collections import defaultdict

from search import analysis
from search.analysis import (
    autocomplete_query_terms,
    autocomplete_tokens,
    cut,
    expand_synonyms,
    index_tokens,
    normalize,
    normalize_with_offsets,
    query_segments,
)


def by_position(text: str) -> dict[int, set[str]]:
    positions = defaultdict(set)
    for token in index_tokens(text):
        positions[token.position].add(token.text)
    return dict(positions)


def test_normalize_folds_full_width_traditional_and_case():
    normalized = normalize("ＡＢＣ１２３　學習培訓 JavaScript")
    assert normalized == "abc123 学习培训 javascript"


def test_normalize_with_offsets_maps_back_when_length_changes():
    text = "①學習ﬁle"  # NFKC: ① → 1, ﬁ → fi (one character becomes two)
    normalized, offsets = normalize_with_offsets(text)
    assert normalized == "1学习file"
    assert offsets is not None
    assert [text[offsets[i]] for i in range(len(normalized))] == list("①學習ﬁﬁle")


def test_words_get_sequential_positions():
    positions = by_position("党员每年集中学习培训时间一般不少于32学时")
    assert sorted(positions) == list(range(len(positions)))
    words = [*cut("党员每年集中学习培训时间一般不少于"), "32", "学时"]
    assert len(positions) == len(words)
    for position, word in enumerate(words):
        assert word in positions[position]


def test_subwords_share_the_position_of_their_word():
    positions = by_position("集中学习培训")
    # jieba cuts 集中学习 / 培训: the pieces of 集中学习 stay at its position.
    assert {"集中学习", "集中", "学习", "中学", "学", "习"} <= positions[0]
    # The pair joining two words sits at the first word's position.
    assert "习培" in positions[0]
    assert "培训" in positions[1]


def test_query_cut_differs_from_text_cut_but_its_pairs_are_indexed():
    """碳中和 alone is 碳中/和; after 碳达峰 jieba cuts 碳/中/和 (a stock miss)."""
    text = "积极稳妥推进碳达峰碳中和。"
    text_words = [w for s in query_segments(text) for w in s.words]
    assert cut("碳中和") != ["碳中和"]
    assert "碳中和" not in text_words
    indexed = {t.text for t in index_tokens(text)}
    assert {"碳中", "中和", "和"} <= indexed


def test_no_stop_words_are_dropped():
    indexed = {t.text for t in index_tokens("我们的和平与发展 and the")}
    assert {"我们", "的", "和平", "与", "发展", "and", "the"} <= indexed


def test_latin_and_digits_are_words_of_their_own():
    tokens = [(t.text, t.position) for t in index_tokens("Poseidon-1234ABC ５Ｇ网络")]
    assert ("poseidon", 0) in tokens
    assert ("1234abc", 1) in tokens
    assert ("5g", 2) in tokens
    assert ("网络", 3) in tokens


def test_multi_valued_text_keeps_values_apart():
    tokenizer = analysis.ChineseTokenizer()
    joined = analysis.join_values(["学习", "培训"])
    positions = {t.text: t.pos for t in tokenizer(joined, positions=True)}
    assert positions["培训"] - positions["学习"] > 1


def test_autocomplete_indexes_prefixes_and_han_substrings():
    tokens = set(autocomplete_tokens("中华人民共和国民法典 Python"))
    assert {"p", "py", "python", "民法", "民法典", "人民共和国"} <= tokens
    assert "ython" not in tokens
    assert autocomplete_query_terms("民法 Pyth") == ["民法", "pyth"]


def test_jieba_is_initialised_once():
    assert analysis._jieba() is analysis._jieba()


def test_synonyms_without_a_provider_are_just_the_term(settings):
    settings.ZHIXUE_SEARCH_SYNONYMS_PROVIDER = None
    assert expand_synonyms("三会一课") == ["三会一课"]


def test_a_failing_provider_expands_nothing(settings, caplog):
    settings.ZHIXUE_SEARCH_SYNONYMS_PROVIDER = "tests.search.no_such_module.groups"
    analysis.clear_synonym_cache()
    assert expand_synonyms("三会一课") == ["三会一课"]
    assert "Synonym provider" in caplog.text


def test_synonyms_come_from_the_provider(synonyms):
    assert expand_synonyms("三会一课") == [
        "三会一课",
        "支部党员大会",
        "支委会",
        "党小组会",
        "党课",
    ]
    assert "纪律检查委员会" in expand_synonyms("紀委")  # traditional input
    assert expand_synonyms("党员") == ["党员"]
