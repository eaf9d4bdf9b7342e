import pytest

from exams.importers.text import (
    clean_cell,
    clean_text,
    escape_separators,
    fold_width,
    normalise_answer,
    split_escaped,
    strip_tags,
)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ＡＢＣ", "abc"),
        ("  Hello　 World ", "hello world"),
        ("ＨＥＬＬＯ", "hello"),
        ("中 国", "中国"),
        ("中国 共产党", "中国共产党"),
        ("H2O", "h2o"),
        ("Ｈ２Ｏ", "h2o"),
        ("１９２１年", "1921年"),
        ("a  b", "a b"),
        ("Straße", "strasse"),
        ("（北京）", "(北京)"),
        ("", ""),
    ],
)
def test_normalise_answer(typed, key):
    assert normalise_answer(typed) == key


def test_answers_that_differ_only_in_width_case_and_spaces_match():
    assert normalise_answer("全心全意 为人民服务") == normalise_answer(
        "全心全意为人民服务"
    )
    assert normalise_answer("ＣＰＣ") == normalise_answer(" cpc ")


def test_fold_width_keeps_cjk_and_circled_digits():
    assert fold_width("Ａ，Ｂ；①㎡、。") == "A,B;①㎡、。"
    assert fold_width("\u3000") == " "


def test_clean_cell_turns_numbers_and_spaces_into_plain_text():
    assert clean_cell(5.0) == "5"
    assert clean_cell(2.5) == "2.5"
    assert clean_cell(None) == ""
    assert clean_cell(" Ａ　Ｃ ") == "A C"


def test_clean_text_trims_but_keeps_content():
    assert clean_text(" （\u3000）题干\u3000 ") == "（\u3000）题干"
    assert clean_text("一\r\n二") == "一\n二"


def test_split_escaped_respects_backslashes():
    assert split_escaped(r"a|b\|c", "|") == ["a", "b|c"]
    assert split_escaped(r"C:\temp|x", "|") == [r"C:\temp", "x"]
    assert split_escaped(r"a\/b/c", "/|", unescape=False) == ["a/b", "c"]
    assert split_escaped(r"a\/b|c", "|", escapable="/", unescape=False) == [
        r"a\/b",
        "c",
    ]


def test_escape_separators_is_undone_by_split():
    for text in ["a|b", "x/y", "back\\slash", "C:\\temp", "plain"]:
        escaped = escape_separators(text, "|/")
        assert split_escaped(escaped, "|/") == [text]


def test_strip_tags_keeps_comparison_signs():
    assert strip_tags("<b>x</b> > 1 & x < 2") == "x > 1 & x < 2"
