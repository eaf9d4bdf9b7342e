"""The shared test corpus, and how Moodle's expected objects map onto ours.

The corpus (Moodle's own fixtures, real Chinese question banks) lives outside the
repository in ../shared/corpus; tests that need it skip when it is absent.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from exams.importers.types import MOODLE_FORMATS, ParsedQuestion, QuestionType

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
MOODLE = CORPUS / "moodle_formats"
EXPECTATIONS = MOODLE / "expectations"
SKIP_REASON = f"the shared test corpus is not there ({CORPUS.resolve()})"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(SKIP_REASON)
    return CORPUS.resolve()


def expectation_cases(filename: str) -> list:
    """pytest params for each case of an expectations JSON file (id = test name).

    Without the corpus there is one skipped param saying why, instead of an
    empty (and silently skipped) parameter set.
    """
    path = EXPECTATIONS / filename
    if not path.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON))]
    cases = json.loads(path.read_text(encoding="utf-8"))
    return [
        pytest.param(case, id=case["test"] + "".join(f"-{a}" for a in case["args"]))
        for case in cases
    ]


# --- Moodle's question object → ours -------------------------------------------
#
# Every field of an ``expected`` object is either compared through this table or
# listed in NOT_MODELLED (Moodle options our question bank does not keep), so no
# expected field is silently skipped.


def _rich(value) -> dict | None:
    return None if value is None else {"text": value.text, "format": value.format}


def _moodle_qtype(q: ParsedQuestion) -> str:
    return {
        QuestionType.SINGLE: "multichoice",
        QuestionType.MULTIPLE: "multichoice",
        QuestionType.TRUEFALSE: "truefalse",
        QuestionType.BLANK: "shortanswer",
        QuestionType.ESSAY: "essay",
    }[q.type]


def _answers(q: ParsedQuestion) -> list:
    if q.type == QuestionType.BLANK:
        (blank,) = q.blanks
        return [a.text for a in blank]
    return [{"text": c.text, "format": c.format} for c in q.choices]


def _items(q: ParsedQuestion) -> list:
    if q.type == QuestionType.BLANK:
        (blank,) = q.blanks
        return blank
    return q.choices


FIELD_MAP = {
    "name": lambda q: q.name,
    "qtype": _moodle_qtype,
    "questiontext": lambda q: q.stem,
    "questiontextformat": lambda q: q.stem_format,
    "generalfeedback": lambda q: q.explanation,
    "generalfeedbackformat": lambda q: q.explanation_format,
    "defaultmark": lambda q: q.default_score,
    "penalty": lambda q: q.penalty,
    "single": lambda q: q.type == QuestionType.SINGLE,
    "shuffleanswers": lambda q: q.shuffle,
    "answernumbering": lambda q: q.numbering,
    "correctfeedback": lambda q: _rich(q.correct_feedback),
    "partiallycorrectfeedback": lambda q: _rich(q.partially_correct_feedback),
    "incorrectfeedback": lambda q: _rich(q.incorrect_feedback),
    "shownumcorrect": lambda q: q.show_num_correct,
    "answer": _answers,
    "fraction": lambda q: [i.fraction for i in _items(q)],
    "feedback": lambda q: [
        {"text": i.feedback, "format": i.feedback_format} for i in _items(q)
    ],
    "correctanswer": lambda q: q.correct,
    "feedbacktrue": lambda q: _rich(q.feedback_true),
    "feedbackfalse": lambda q: _rich(q.feedback_false),
    "graderinfo": lambda q: {
        "text": q.reference_answer,
        "format": q.reference_answer_format,
    },
    "usecase": lambda q: q.case_sensitive,
    "tags": lambda q: q.tags,
    "idnumber": lambda q: q.idnumber,
    "hint": lambda q: [{"text": h.text, "format": h.format} for h in q.hints],
    "hintshownumcorrect": lambda q: [h.show_num_correct for h in q.hints],
    "hintclearwrong": lambda q: [h.clear_wrong for h in q.hints],
}

NOT_MODELLED = frozenset(
    {
        "length",  # 1 for every real question; 0 for descriptions, which we skip
        "responseformat",  # essay editor options: the exam UI decides these
        "responserequired",
        "responsefieldlines",
        "responsetemplate",
        "minwordlimit",
        "minwordenabled",
        "maxwordlimit",
        "maxwordenabled",
        "attachments",
        "attachmentsrequired",
        "maxbytes",
        "filetypeslist",
    }
)

_BOOLEAN = frozenset({"single", "shuffleanswers", "correctanswer", "usecase"})


def expected_value(key: str, value):
    """Moodle's expected value in our terms: format codes → names, numbers →
    Decimal, 0/1 flags → bool, "files"/"itemid" dropped, CRLF → LF."""
    if key.endswith("format") and isinstance(value, int):
        return MOODLE_FORMATS[value]
    if key in _BOOLEAN:
        return bool(int(value))
    return _normalise(value)


def _normalise(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        # The harness recorded one PHP string literal with CRLF line ends; Moodle's
        # readquestion() joins lines with "\n".
        return value.replace("\r\n", "\n")
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        out = {
            k: _normalise(v) for k, v in value.items() if k not in ("files", "itemid")
        }
        if isinstance(value.get("format"), int):
            out["format"] = MOODLE_FORMATS[value["format"]]
        return out
    return value


def assert_matches_moodle(question: ParsedQuestion, expected: dict) -> None:
    unmapped = set(expected) - set(FIELD_MAP) - NOT_MODELLED
    assert not unmapped, f"no mapping for Moodle fields {sorted(unmapped)}"
    for key, value in expected.items():
        if key in NOT_MODELLED:
            continue
        ours = FIELD_MAP[key](question)
        assert ours == expected_value(key, value), key
