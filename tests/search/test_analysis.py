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
    query_words,
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


def test_every_han_character_gets_the_next_position():
    positions = by_position("党员每年集中学习培训时间一般不少于32学时")
    assert sorted(positions) == list(range(len(positions)))
    # One pair per character, the run's last character as itself, 32 one word.
    assert positions[0] == {"党员"}
    assert positions[6] == {"学习"}
    assert positions[16] == {"于"}
    assert positions[17] == {"32"}
    assert positions[18] == {"学时"}
    assert positions[19] == {"时"}


def test_indexing_does_not_depend_on_segmentation():
    """碳中和 alone is 碳中/和; after 碳达峰 jieba cuts 碳/中/和 (a stock miss).
    The index holds its pairs at consecutive positions either way."""
    text = "积极稳妥推进碳达峰碳中和。"
    text_words = [w for s in query_segments(text) for w in s.words]
    assert cut("碳中和") != ["碳中和"]
    assert "碳中和" not in text_words
    positions = {t.text: t.position for t in index_tokens(text)}
    assert positions["中和"] == positions["碳中"] + 1


def test_the_fast_indexing_path_agrees_with_the_tokenizer():
    text = analysis.join_values(
        ["中华人民共和国 民法典 第1260条", "Ｐｙｔｈｏｎ 學習", "", "a.b.c 党"]
    )
    tokenizer = analysis.ChineseTokenizer()
    expected = defaultdict(list)
    for token in tokenizer(text, positions=True):
        expected[token.text].append(token.pos)
    assert analysis.index_positions(text) == dict(expected)


def test_single_characters_of_a_query_join_their_neighbour():
    [segment] = query_segments("党的基层组织")
    assert segment.words[:2] == ["党", "的"]
    assert query_words(segment) == ["党的", *segment.words[2:]]
    [segment] = query_segments("中国人")
    assert query_words(segment)[-1].endswith("人")
    [alone] = query_segments("党")
    assert query_words(alone) == ["党"]


def test_no_stop_words_are_dropped():
    indexed = {t.text for t in index_tokens("我们的和平与发展 and the")}
    assert {"我们", "们的", "的和", "与发", "展", "and", "the"} <= indexed


def test_latin_and_digits_are_words_of_their_own():
    tokens = [(t.text, t.position) for t in index_tokens("Poseidon-1234ABC ５Ｇ网络")]
    assert ("poseidon", 0) in tokens
    assert ("1234abc", 1) in tokens
    assert ("5g", 2) in tokens
    assert ("网络", 3) in tokens
    assert ("络", 4) in tokens


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


def test_warm_up_in_background_loads_jieba_and_opencc(monkeypatch):
    monkeypatch.setattr(analysis, "_tokenizer", None)
    monkeypatch.setattr(analysis, "_converter", None)
    thread = analysis.warm_up_in_background()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert analysis._tokenizer is not None
    assert analysis._converter is not None
    assert analysis.normalize("學習") == "学习"


def test_positions_are_encoded_exactly_as_whoosh_encodes_them():
    from whoosh.formats import Positions

    from search.backend.schema import encode_positions

    for positions in ([0], [5], [1, 2, 3], [3, 40, 41, 1000, 70000]):
        assert encode_positions(positions) == Positions().encode(positions)
        assert Positions().decode_positions(encode_positions(positions)) == positions
