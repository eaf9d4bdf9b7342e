"""Questions and their versions: what a parsed or hand-made question stores,
creating and editing a question by hand, correcting its key, and revising it (a
new version; past attempts keep the one they showed).

A hand-made question takes the importers' path: the form builds a
``ParsedQuestion`` and :func:`version_fields` turns it into the stored shape, so
a question typed into the 题库 admin and one read from a file store exactly the
same thing. The rules the importers apply (a 单选 has one right option, a 多选 at
least one, Moodle's fractions, 填空 blanks against the stem's markers) are
checked here, and the same ValidationError messages reach the admin and any API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from org.models import User

from ..importers import ParsedChoice, ParsedQuestion, QuestionType, RichText
from ..importers._moodle import default_question_name, match_grade
from ..importers.text import looks_like_html, strip_tags
from ..importers.xlsx import _BLANK_MARKERS
from ..models import (
    Difficulty,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionVersion,
)
from .banks import require_bank_examiner

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: options a hand-made question may have (A–H, as the Excel template holds)
MAX_OPTIONS = 8
VERSION_FIELDS = ("stem", "stem_format", "choices", "answer", "explanation", "feedback")
MAX_SCORE = Decimal("999.99")  # Question.default_score: 5 digits, 2 places
_CENT = Decimal("0.01")


def _text(value: RichText | None) -> str:
    return value.text if value else ""


def version_fields(parsed: ParsedQuestion, stem: str | None = None) -> dict:
    """The ``QuestionVersion`` fields for a parsed question (see the model)."""
    kind = QuestionType(parsed.type)
    choices: list[dict] = []
    answer: object = []
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        choices = [
            {
                "key": LETTERS[i],
                "text": c.text,
                "fraction": str(c.fraction),
                "feedback": c.feedback,
            }
            for i, c in enumerate(parsed.choices)
        ]
        if kind == QuestionType.SINGLE:
            best = max(parsed.choices, key=lambda c: c.fraction)
            answer = [LETTERS[parsed.choices.index(best)]]
        else:
            answer = [
                LETTERS[i] for i, c in enumerate(parsed.choices) if c.fraction > 0
            ]
    elif kind == QuestionType.TRUEFALSE:
        answer = bool(parsed.correct)
    elif kind == QuestionType.BLANK:
        answer = {
            "blanks": [
                [{"text": a.text, "fraction": str(a.fraction)} for a in blank]
                for blank in parsed.blanks
            ],
            "case_sensitive": parsed.case_sensitive,
        }
    else:
        answer = {"reference": parsed.reference_answer, "keywords": parsed.keywords}
    feedback = {
        key: text
        for key, text in (
            ("true", _text(parsed.feedback_true)),
            ("false", _text(parsed.feedback_false)),
            ("correct", _text(parsed.correct_feedback)),
            ("partially_correct", _text(parsed.partially_correct_feedback)),
            ("incorrect", _text(parsed.incorrect_feedback)),
        )
        if text
    }
    if parsed.hints:
        feedback["hints"] = [h.text for h in parsed.hints]
    return {
        "stem": parsed.stem if stem is None else stem,
        "stem_format": parsed.stem_format,
        "choices": choices,
        "answer": answer,
        "explanation": parsed.explanation,
        "feedback": feedback,
    }


def _stored_fields(version: QuestionVersion | None) -> dict:
    if version is None:
        return {}
    return {name: getattr(version, name) for name in VERSION_FIELDS}


def version_changes(older: QuestionVersion | None, newer: QuestionVersion) -> list[str]:
    """What ``newer`` changed over ``older``: some of "stem", "choices" (the
    options' texts), "answer" (the key, the fractions, accepted blanks, the
    reference answer), "explanation" and "feedback"; empty for a first version."""
    if older is None:
        return []
    changed = []
    if (older.stem, older.stem_format) != (newer.stem, newer.stem_format):
        changed.append("stem")
    texts = [[c.get("text"), c.get("feedback")] for c in older.choices]
    if texts != [[c.get("text"), c.get("feedback")] for c in newer.choices]:
        changed.append("choices")
    fractions = [c.get("fraction") for c in older.choices]
    if older.answer != newer.answer or fractions != [
        c.get("fraction") for c in newer.choices
    ]:
        changed.append("answer")
    if older.explanation != newer.explanation:
        changed.append("explanation")
    if older.feedback != newer.feedback:
        changed.append("feedback")
    return changed


@transaction.atomic
def question_revise(*, question: Question, by: User, **changes) -> QuestionVersion:
    """A new version of ``question`` with ``changes`` (stem, choices, answer,
    explanation, feedback) over the current one; the old version is kept as it
    was, so the attempts that showed it still show and score the same."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    current = question.current
    unknown = set(changes) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"not version fields: {sorted(unknown)}")
    fields = _stored_fields(current)
    fields.update(changes)
    number = (question.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionVersion.objects.create(
        question=question, number=number, created_by=by, **fields
    )
    question.current = version
    question.save(update_fields=["current"])
    return version


# --- creating and editing by hand -----------------------------------------------


@dataclass(frozen=True)
class QuestionSaved:
    """What :func:`question_edit` did."""

    question: Question
    #: the new version, or None when the content (stem, options, key …) is unchanged
    version: QuestionVersion | None
    #: the question's own fields that changed: "name", "difficulty", "tags" …
    changed: tuple[str, ...] = ()


class _Errors:
    """ValidationError messages per field, raised together."""

    def __init__(self):
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _clean(text: str | None) -> str:
    """Text as a browser sends it back, made comparable: CRLF → LF, trimmed."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _same_or_new(new: str | None, stored: str | None) -> str:
    """The stored text when ``new`` only differs from it in line ends or in the
    spaces around it (a form sends it back that way), else ``new`` cleaned."""
    cleaned = _clean(new)
    if stored is not None and _clean(stored) == cleaned:
        return stored
    return cleaned


def _same_words(new: str | None, stored: str | None) -> str:
    """A one-line field with its spaces collapsed, or as stored when only the
    spaces differ."""
    words = (new or "").split()
    if stored is not None and words == stored.split():
        return stored
    return " ".join(words)


def _words(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        word = " ".join(str(value).split())
        if word:
            seen.setdefault(word)
    return list(seen)


def _share(count: int) -> Decimal:
    """Each right option's fraction when ``count`` share the mark (Moodle's
    grade options hold 1/n for every n up to 10)."""
    if count < 1:
        return Decimal(0)
    exact = Decimal(1) / count
    return match_grade(exact) or exact.quantize(Decimal("0.0000001"))


def _fractions_agree(kind: str, fractions: list[Decimal], marks: list[bool]) -> bool:
    """Whether stored fractions say what the marks say, as Moodle would accept
    them: a 多选's right options are the positive ones and add up to 100 %; a
    单选's right option is its only 100 % one."""
    if not fractions or any(match_grade(f) is None for f in fractions):
        return False
    if kind == QuestionType.MULTIPLE:
        total = sum((f for f in fractions if f > 0), Decimal(0)).quantize(_CENT)
        return [f > 0 for f in fractions] == marks and total == 1
    full = [f == 1 for f in fractions]
    return full == marks and max(fractions) == 1


def _choices(kind: str, given: list[ParsedChoice], stored: list[ParsedChoice]):
    """The options with Moodle's fractions. Which options are right is read from
    ``given`` (``is_correct``); the fractions are decided here: the right options
    share the mark, a wrong one earns 0 in a 单选 and −1 in a 多选
    (``question_key_correct`` always did so). An option whose text is unchanged
    keeps its stored fraction and feedback, as long as the stored fractions still
    agree with the marks: rewording an imported question keeps Moodle's part
    marks, marking another option right resets them."""
    unused = list(stored)
    texts, marks, carried = [], [], []
    for choice in given:
        text = _clean(choice.text)
        old = next((c for c in unused if _clean(c.text) == text), None)
        if old is not None:
            unused.remove(old)
        texts.append(old.text if old is not None else text)
        marks.append(choice.is_correct)
        carried.append(old)
    wrong = Decimal(-1) if kind == QuestionType.MULTIPLE else Decimal(0)
    share = _share(sum(marks))
    fresh = [share if mark else wrong for mark in marks]
    kept = [
        old.fraction if old is not None else fresh[i] for i, old in enumerate(carried)
    ]
    fractions = kept if _fractions_agree(kind, kept, marks) else fresh
    return [
        ParsedChoice(
            text=texts[i],
            fraction=fractions[i],
            feedback=old.feedback if old is not None else "",
        )
        for i, old in enumerate(carried)
    ]


def _blanks(given: list[list[ParsedChoice]], stored: list[list[ParsedChoice]]):
    """The accepted alternatives of each blank, empty and repeated ones dropped;
    an alternative already stored for that blank keeps its fraction."""
    blanks = []
    for index, alternatives in enumerate(given):
        old = {
            _clean(a.text): a for a in (stored[index] if index < len(stored) else [])
        }
        blank: list[ParsedChoice] = []
        seen = set()
        for alternative in alternatives:
            text = _clean(alternative.text)
            if not text or text in seen:
                continue
            seen.add(text)
            kept = old.get(text)
            blank.append(
                ParsedChoice(
                    text=kept.text if kept else text,
                    fraction=kept.fraction if kept else alternative.fraction,
                    format="plain",
                )
            )
        blanks.append(blank)
    return blanks


def _version_errors(
    kind: str,
    shaped: ParsedQuestion,
    given: ParsedQuestion,
    errors: _Errors,
    *,
    options_before: int = 0,
):
    """The importers' rules for the content of a question (at most eight options,
    or as many as an imported question came with)."""
    if not strip_tags(shaped.stem).strip() and "<img" not in shaped.stem.lower():
        errors.add("stem", _("The stem is empty."))
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if any(not _clean(c.text) for c in given.choices):
            errors.add("choices", _("An option has no text."))
        if len(given.choices) < 2:
            errors.add("choices", _("A choice question needs at least two options."))
        elif len(given.choices) > max(MAX_OPTIONS, options_before):
            errors.add(
                "choices",
                _("A question has at most %(n)s options (A–H).") % {"n": MAX_OPTIONS},
            )
        right = sum(c.is_correct for c in given.choices)
        if kind == QuestionType.SINGLE and right == 0:
            errors.add("choices", _("Choose the right option."))
        elif kind == QuestionType.SINGLE and right > 1:
            errors.add("choices", _("A 单选 question has exactly one right option."))
        elif kind == QuestionType.MULTIPLE and right == 0:
            errors.add("choices", _("Choose at least one right option."))
    elif kind == QuestionType.TRUEFALSE:
        if not isinstance(shaped.correct, bool):
            errors.add("correct", _("Choose true or false."))
    elif kind == QuestionType.BLANK:
        if not shaped.blanks:
            errors.add("blanks", _("Give the accepted answers of at least one blank."))
        for number, blank in enumerate(shaped.blanks, start=1):
            if not blank:
                errors.add(
                    "blanks", _("Blank %(number)s has no answer.") % {"number": number}
                )
            elif any(match_grade(a.fraction) is None for a in blank) or not any(
                a.fraction == 1 for a in blank
            ):
                errors.add(
                    "blanks",
                    _("Blank %(number)s needs an answer worth the full mark.")
                    % {"number": number},
                )
        markers = len(_BLANK_MARKERS.findall(shaped.stem))
        if shaped.blanks and markers and markers != len(shaped.blanks):
            errors.add(
                "blanks",
                _("The stem has %(markers)s blanks but the answer fills %(blanks)s.")
                % {"markers": markers, "blanks": len(shaped.blanks)},
            )


def _shaped(
    question_type: str, parsed: ParsedQuestion, base: ParsedQuestion | None
) -> ParsedQuestion:
    """``parsed`` as it will be stored: texts cleaned (kept as stored when only
    line ends differ), fractions decided, and what Moodle files carry and the
    form does not edit (combined feedback, 判断 feedback, hints) kept from
    ``base``, the current version."""
    kind = QuestionType(question_type)
    stem = _same_or_new(parsed.stem, base.stem if base else None)
    if base is not None and stem == base.stem:
        stem_format = base.stem_format
    else:  # as the Excel importer reads a typed stem
        stem_format = "html" if looks_like_html(stem) else "plain"
    shaped = ParsedQuestion(
        type=kind,
        stem=stem,
        stem_format=stem_format,
        explanation=_same_or_new(
            parsed.explanation, base.explanation if base else None
        ),
    )
    if base is not None:
        for name in (
            "feedback_true",
            "feedback_false",
            "correct_feedback",
            "partially_correct_feedback",
            "incorrect_feedback",
            "hints",
        ):
            setattr(shaped, name, getattr(base, name))
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        shaped.choices = _choices(kind, parsed.choices, base.choices if base else [])
    elif kind == QuestionType.TRUEFALSE:
        shaped.correct = parsed.correct
    elif kind == QuestionType.BLANK:
        shaped.blanks = _blanks(parsed.blanks, base.blanks if base else [])
        shaped.case_sensitive = bool(parsed.case_sensitive)
    else:
        shaped.reference_answer = _same_or_new(
            parsed.reference_answer, base.reference_answer if base else None
        )
        shaped.keywords = _words(parsed.keywords)
    return shaped


def _question_fields(
    parsed: ParsedQuestion,
    *,
    bank: QuestionBank,
    category: QuestionCategory | None,
    question: Question | None,
    stem: str,
    errors: _Errors,
) -> dict:
    """The question's own fields (name, difficulty, score, knowledge point, tags,
    category); a difficulty or score left as None keeps what the question has."""
    name = _same_words(parsed.name, question.name if question else None)
    if not name and strip_tags(stem).strip():
        name = default_question_name(stem)
    if len(name) > 200:
        errors.add("name", _("The name is longer than 200 characters."))
    difficulty = parsed.difficulty
    if difficulty is None:
        difficulty = question.difficulty if question else Difficulty.MEDIUM
    if difficulty not in Difficulty.values:
        errors.add("difficulty", _("Choose a difficulty from 1 to 5."))
    score = parsed.default_score
    if score is None:
        score = question.default_score if question else Decimal(1)
    try:
        score = Decimal(score).quantize(_CENT, ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        score = None
    if score is None or not score.is_finite() or score <= 0:
        errors.add(
            "default_score",
            _("The score must be a positive number, not “%(value)s”.")
            % {"value": parsed.default_score},
        )
    elif score > MAX_SCORE:
        errors.add("default_score", _("The score must be less than 1000."))
    knowledge_point = _same_words(
        parsed.knowledge_point, question.knowledge_point if question else None
    )
    if len(knowledge_point) > 100:
        errors.add(
            "knowledge_point", _("The knowledge point is longer than 100 characters.")
        )
    if category is not None and category.bank_id != bank.pk:
        errors.add("category", _("Choose a category of this bank."))
    return {
        "name": name,
        "difficulty": difficulty,
        "default_score": score,
        "knowledge_point": knowledge_point,
        "tags": _words(parsed.tags),
        "category": category,
    }


def _differs(question: Question, name: str, value) -> bool:
    if name == "category":
        return question.category_id != (value.pk if value is not None else None)
    return getattr(question, name) != value


def _check_type(parsed: ParsedQuestion, question_type: str) -> None:
    if str(parsed.type) != str(question_type):
        raise ValidationError(
            {"type": _("A question keeps its type; make a new question instead.")}
        )


@transaction.atomic
def question_create(
    *,
    by: User,
    bank: QuestionBank,
    parsed: ParsedQuestion,
    category: QuestionCategory | None = None,
) -> Question:
    """A question typed into the bank by hand, with its first version.

    ``parsed`` is what the form read: the type, stem (HTML is kept as HTML,
    other text is plain, as the Excel importer reads it), options with the right
    ones marked (``fraction > 0``; the fractions themselves are decided here),
    the 判断 answer, the 填空 blanks with their alternatives and
    ``case_sensitive``, the 简答 reference answer and keywords, the 解析, and
    name, difficulty, default score, knowledge point and tags. An empty name
    becomes the stem's opening words."""
    require_bank_examiner(by, bank)
    try:
        kind = QuestionType(parsed.type)
    except ValueError as exc:
        raise ValidationError({"type": _("Choose a question type.")}) from exc
    errors = _Errors()
    shaped = _shaped(kind, parsed, None)
    _version_errors(kind, shaped, parsed, errors)
    fields = _question_fields(
        parsed,
        bank=bank,
        category=category,
        question=None,
        stem=shaped.stem,
        errors=errors,
    )
    errors.raise_any()
    question = Question.objects.create(
        bank=bank, type=str(kind), created_by=by, **fields
    )
    question_revise(question=question, by=by, **version_fields(shaped))
    question.refresh_from_db()
    return question


@transaction.atomic
def question_edit(
    *,
    by: User,
    question: Question,
    parsed: ParsedQuestion,
    category: QuestionCategory | None,
    base_version: int | None = None,
) -> QuestionSaved:
    """Save an examiner's edit of ``question`` (``parsed`` as for
    :func:`question_create`; the type cannot change; ``category`` is the one it
    has from now on, None for none).

    The content (stem, options, key, blanks, reference answer, 解析) becomes a
    new version through :func:`question_revise` only when it differs from the
    current one, so past attempts keep what they showed; the question's own
    fields (name, difficulty, score, knowledge point, tags, category) are saved
    on the question. ``base_version`` is the version number the form was
    opened on: when someone saved another since, nothing is saved and the
    ValidationError says so. The rules are checked on what is written: an
    imported question that breaks one (say, a stem marking more blanks than it
    has) can still get a new difficulty without fixing its content first."""
    require_bank_examiner(by, question.bank)
    locked = (
        Question.objects.select_for_update(of=("self",))
        .select_related("current", "bank")
        .get(pk=question.pk)
    )
    _check_type(parsed, locked.type)
    current = locked.current
    if base_version is not None and current is not None:
        if current.number != base_version:
            raise ValidationError(
                {
                    "base_version": _(
                        "Someone saved version %(number)s of this question while "
                        "you were editing. Check it, then save again to replace it."
                    )
                    % {"number": current.number}
                }
            )
    base = None
    if current is not None:
        from .exports import parsed_question  # exports → selectors → papers → here

        base = parsed_question(locked)
    errors = _Errors()
    shaped = _shaped(locked.type, parsed, base)
    fields = version_fields(shaped)
    content_changed = fields != _stored_fields(current)
    if content_changed:
        _version_errors(
            locked.type,
            shaped,
            parsed,
            errors,
            options_before=len(current.choices) if current else 0,
        )
    own = _question_fields(
        parsed,
        bank=locked.bank,
        category=category,
        question=locked,
        stem=shaped.stem,
        errors=errors,
    )
    errors.raise_any()
    changed = tuple(
        name for name, value in own.items() if _differs(locked, name, value)
    )
    for name in changed:
        setattr(locked, name, own[name])
    if changed:
        locked.save(update_fields=list(changed))
    version = None
    if content_changed:
        version = question_revise(question=locked, by=by, **fields)
        locked.current = version
    return QuestionSaved(question=locked, version=version, changed=changed)


@transaction.atomic
def question_key_correct(
    *, by: User, question: Question, keys=None, truth=None, explanation=None
) -> QuestionVersion:
    """A corrected key as the next version: the right options of a 单选 / 多选
    (``keys``, stored option keys) or the answer of a 判断 (``truth``), and the
    解析 — the quick form on the question page, a case of :func:`question_edit`.
    Past attempts keep what they showed until an examiner regrades an exam
    (:func:`question_regrade`). Returns the current version (the same one when
    nothing changed)."""
    require_bank_examiner(by, question.bank)
    from .exports import parsed_question

    # the correction applies to the version current now, not the caller's copy
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("current", "category")
        .get(pk=question.pk)
    )
    parsed = parsed_question(question)
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        chosen = set(keys or [])
        parsed.choices = [
            dataclasses.replace(c, fraction=Decimal(1 if LETTERS[i] in chosen else 0))
            for i, c in enumerate(parsed.choices)
        ]
    elif question.type == QuestionType.TRUEFALSE:
        if not isinstance(truth, bool):
            raise ValidationError(_("Choose true or false."))
        parsed.correct = truth
    if explanation is not None:
        parsed.explanation = explanation
    saved = question_edit(
        by=by, question=question, parsed=parsed, category=question.category
    )
    return saved.question.current


def question_regrade(*, by: User, question: Question, exam) -> int:
    """Regrade ``exam``'s submitted attempts that drew ``question`` against its
    current version (``attempts.exam_regrade``). Refused when options were added
    or removed since: the letters those candidates saw map to the stored keys,
    which would then point at other options. Returns the attempts regraded."""
    from .attempts import exam_regrade  # attempts → papers → here

    current = question.current
    if current is not None and question.type in (
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
    ):
        keys = [c.get("key") for c in current.choices]
        shown = {
            entry["version_id"]
            for draw in exam.attempts.filter(submitted_at__isnull=False).values_list(
                "draw", flat=True
            )
            for entry in draw
            if entry["question_id"] == question.pk
        }
        for version in QuestionVersion.objects.filter(pk__in=shown).exclude(
            pk=current.pk
        ):
            if [c.get("key") for c in version.choices] != keys:
                raise ValidationError(
                    _(
                        "Options were added or removed since these attempts were "
                        "made, so they cannot be regraded with the current version. "
                        "Correct the key without adding or removing options."
                    )
                )
    return exam_regrade(by=by, exam=exam, question=question)
