import pytest

from search.highlighting import highlight, highlight_terms


@pytest.fixture(autouse=True)
def _no_synonyms(settings):
    settings.ZHIXUE_SEARCH_SYNONYMS_PROVIDER = None


def test_marks_the_matched_chinese_words():
    html = highlight("党员每年集中学习培训时间一般不少于32学时", "学习培训")
    assert html == "党员每年集中<mark>学习培训</mark>时间一般不少于32学时"


def test_marks_words_found_apart():
    html = highlight("组织党员学习，然后开展培训", "学习培训")
    assert html == "组织党员<mark>学习</mark>，然后开展<mark>培训</mark>"


def test_marks_traditional_text_for_a_simplified_query_and_keeps_the_original():
    html = highlight("黨員學習培訓制度", "学习培训")
    assert html == "黨員<mark>學習培訓</mark>制度"


def test_marks_full_width_and_latin_whole_words():
    html = highlight("Ｐｙｔｈｏｎ与Python、Pythonic", "python")
    assert html == "<mark>Ｐｙｔｈｏｎ</mark>与<mark>Python</mark>、Pythonic"


def test_escapes_html_in_the_text():
    html = highlight("<script>alert(1)</script>碳中和", "碳中和")
    assert "<script>" not in html
    assert html.endswith("<mark>碳中和</mark>")


def test_cuts_a_window_around_the_best_match():
    text = "前言。" * 100 + "积极稳妥推进碳达峰碳中和。" + "后记。" * 100
    html = highlight(text, "碳中和", length=60)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>碳中和</mark>" in html
    assert len(html) < 60 + len("<mark></mark>") + 4


def test_without_a_match_the_start_of_the_text_is_shown():
    assert highlight("没有匹配的内容", "碳中和") == "没有匹配的内容"


def test_highlight_terms_cover_runs_and_their_words():
    assert highlight_terms("學習培訓 Python") == ["学习培训", "学习", "培训", "python"]


def test_synonyms_are_marked_too(synonyms):
    assert "<mark>支委会</mark>" in highlight("每月召开一次支委会", "三会一课")
