"""The form for making and editing a question by hand (新建试题, 编辑): shapes
and types only. It reads what was typed into a ``ParsedQuestion``, the importers'
shape; which options must be right, the fractions and the blanks' rules are
``services.questions``'.

No JavaScript: eight option rows (A–H) and eight blank rows are always in the
form (more when an imported question has more); the rows past the filled ones
are folded away in a ``<details>``. Clearing
an option's text removes it, and the options after it move up a letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .importers import ParsedChoice, ParsedQuestion
from .importers.xlsx import _words as split_words
from .models import Difficulty, QuestionType
from .services.questions import LETTERS, MAX_OPTIONS

MAX_BLANKS = 8
#: rows shown unfolded past the filled ones
SPARE_ROWS = 2
_TEXT = {"rows": 2, "class": "zx-option-text"}


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        indent = obj.depth - 1
        return "\u3000" * indent + ("└ " if indent else "") + obj.name


@dataclass
class OptionRow:
    letter: str
    text: forms.BoundField
    mark: object  # the radio or checkbox of this letter


@dataclass
class BlankRow:
    number: int
    field: forms.BoundField


class QuestionForm(forms.Form):
    """One form for the five types; ``kind`` decides which answer fields it has.

    ``parsed`` (with ``category``) fills an unbound form from a stored question
    (``services.exports.parsed_question``)."""

    name = forms.CharField(
        label=_("Question name"),
        max_length=200,
        required=False,
        help_text=_("Shown in lists. Left empty, the stem's opening words."),
    )
    stem = forms.CharField(
        label=_("Stem"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Plain text, or HTML for formatting: <b>, <u>, <br>, lists, tables, "
            "<img src=…>. Scripts and styles are never shown."
        ),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to candidates after answering, when the exam allows."),
    )
    difficulty = forms.TypedChoiceField(
        label=_("Difficulty"),
        choices=[(value, f"{value} · {label}") for value, label in Difficulty.choices],
        coerce=int,
        initial=Difficulty.MEDIUM,
    )
    default_score = forms.DecimalField(
        label=_("Score"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=Decimal(1),
        help_text=_("The default score on a paper."),
    )
    knowledge_point = forms.CharField(
        label=_("Knowledge point"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "zx-knowledge-points"}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas, 、 or spaces."),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=None,
        required=False,
        empty_label="—",
    )
    #: the version number the form was opened on (someone may save another)
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data=None,
        *,
        kind: QuestionType,
        categories,
        parsed: ParsedQuestion | None = None,
        category=None,
        base_version: int | None = None,
        options: int = MAX_OPTIONS,
        blanks: int = MAX_BLANKS,
        **kwargs,
    ):
        self.kind = QuestionType(kind)
        # an imported question may hold more: it keeps them all
        self.options, self.blanks = max(options, MAX_OPTIONS), max(blanks, MAX_BLANKS)
        self._blank_errors: list[str] = []
        if parsed is not None and data is None:
            kwargs["initial"] = {
                **self._initial(parsed),
                "category": category,
                "base_version": base_version,
            }
        super().__init__(data, **kwargs)
        self.fields["category"].queryset = categories
        letters = [(letter, letter) for letter in LETTERS[: self.options]]
        if self.kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            for i in range(self.options):
                self.fields[f"option_{i}"] = forms.CharField(
                    label=_("Option %(letter)s") % {"letter": LETTERS[i]},
                    required=False,
                    strip=False,
                    widget=forms.Textarea(attrs=_TEXT),
                )
        if self.kind == QuestionType.SINGLE:
            self.fields["answer"] = forms.ChoiceField(
                label=_("Right answer"),
                choices=letters,
                required=False,
                widget=forms.RadioSelect,
            )
        elif self.kind == QuestionType.MULTIPLE:
            self.fields["right"] = forms.MultipleChoiceField(
                label=_("Right answers"),
                choices=letters,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        elif self.kind == QuestionType.TRUEFALSE:
            self.fields["truth"] = forms.ChoiceField(
                label=_("Answer"),
                choices=[("true", _("True (对)")), ("false", _("False (错)"))],
                required=False,
                widget=forms.RadioSelect,
            )
        elif self.kind == QuestionType.BLANK:
            for i in range(self.blanks):
                self.fields[f"blank_{i}"] = forms.CharField(
                    label=_("Blank %(n)s") % {"n": i + 1},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            self.fields["case_sensitive"] = forms.BooleanField(
                label=_("Case sensitive"),
                required=False,
                help_text=_("Otherwise “ABC” and “abc” count as the same answer."),
            )
        elif self.kind == QuestionType.ESSAY:
            self.fields["reference"] = forms.CharField(
                label=_("Reference answer"),
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("For the markers; essays are marked by hand."),
            )
            self.fields["keywords"] = forms.CharField(
                label=_("Scoring keywords"),
                required=False,
                help_text=_("Separated by commas, 、 or spaces."),
            )

    # --- filling the form from a stored question ----------------------------------

    def _initial(self, parsed: ParsedQuestion) -> dict:
        initial = {
            "name": parsed.name,
            "stem": parsed.stem,
            "explanation": parsed.explanation,
            "difficulty": parsed.difficulty or Difficulty.MEDIUM,
            "default_score": parsed.default_score,
            "knowledge_point": parsed.knowledge_point,
            "tags": "、".join(parsed.tags),
        }
        right = [LETTERS[i] for i, c in enumerate(parsed.choices) if c.is_correct]
        for i, choice in enumerate(parsed.choices):
            initial[f"option_{i}"] = choice.text
        if self.kind == QuestionType.SINGLE:
            initial["answer"] = right[0] if right else None
        elif self.kind == QuestionType.MULTIPLE:
            initial["right"] = right
        elif self.kind == QuestionType.TRUEFALSE and parsed.correct is not None:
            initial["truth"] = "true" if parsed.correct else "false"
        elif self.kind == QuestionType.BLANK:
            for i, blank in enumerate(parsed.blanks):
                initial[f"blank_{i}"] = "\n".join(a.text for a in blank)
            initial["case_sensitive"] = parsed.case_sensitive
        elif self.kind == QuestionType.ESSAY:
            initial["reference"] = parsed.reference_answer
            initial["keywords"] = "、".join(parsed.keywords)
        return initial

    # --- rows for the template ----------------------------------------------------

    def _value(self, name: str) -> str:
        return str(self[name].value() or "").strip()

    def _shown(self, filled: list[bool], least: int) -> int:
        last = max((i + 1 for i, f in enumerate(filled) if f), default=0)
        return min(max(last + SPARE_ROWS, least), len(filled))

    @property
    def option_rows(self) -> list[OptionRow]:
        if self.kind not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return []
        marks = self["answer" if self.kind == QuestionType.SINGLE else "right"]
        return [
            OptionRow(LETTERS[i], self[f"option_{i}"], marks.subwidgets[i])
            for i in range(self.options)
        ]

    @property
    def options_shown(self) -> int:
        """Option rows shown unfolded: the filled ones and two more (at least 4)."""
        filled = [bool(self._value(f"option_{i}")) for i in range(self.options)]
        return self._shown(filled, 4)

    @property
    def blank_rows(self) -> list[BlankRow]:
        if self.kind != QuestionType.BLANK:
            return []
        return [BlankRow(i + 1, self[f"blank_{i}"]) for i in range(self.blanks)]

    @property
    def blanks_shown(self) -> int:
        filled = [bool(self._value(f"blank_{i}")) for i in range(self.blanks)]
        return self._shown(filled, 2)

    @property
    def answer_errors(self) -> list[str]:
        """Errors about the options, the answer or the blanks as a whole (shown
        above them)."""
        names = ("answer", "right", "truth")
        found = [e for name in names for e in self.errors.get(name, [])]
        return found + self._blank_errors

    # --- reading it ---------------------------------------------------------------

    def clean(self):
        data = super().clean()
        if self.kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            marked = self._marked(data)
            for i in range(self.options):
                if LETTERS[i] in marked and not (data.get(f"option_{i}") or "").strip():
                    self.add_error(
                        f"option_{i}",
                        _("Option %(letter)s is marked right but has no text.")
                        % {"letter": LETTERS[i]},
                    )
        return data

    def _marked(self, data) -> set[str]:
        if self.kind == QuestionType.SINGLE:
            return {data["answer"]} if data.get("answer") else set()
        return set(data.get("right") or [])

    def parsed(self) -> ParsedQuestion:
        """What was typed, as the importers would have read it (right options have
        fraction 1, the others 0: the service decides the real fractions)."""
        data = self.cleaned_data
        parsed = ParsedQuestion(
            type=self.kind,
            stem=data["stem"],
            name=data["name"],
            explanation=data["explanation"],
            difficulty=data["difficulty"],
            default_score=data["default_score"],
            knowledge_point=data["knowledge_point"],
            tags=split_words(data["tags"]),
        )
        if self.kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            marked = self._marked(data)
            parsed.choices = [
                ParsedChoice(
                    text=data[f"option_{i}"],
                    fraction=Decimal(1 if LETTERS[i] in marked else 0),
                )
                for i in range(self.options)
                if data[f"option_{i}"].strip()
            ]
        elif self.kind == QuestionType.TRUEFALSE:
            parsed.correct = {"true": True, "false": False}.get(data["truth"])
        elif self.kind == QuestionType.BLANK:
            parsed.blanks = [
                [
                    ParsedChoice(text=line.strip(), fraction=Decimal(1), format="plain")
                    for line in data[f"blank_{i}"].splitlines()
                    if line.strip()
                ]
                for i in range(self.blanks)
                if data[f"blank_{i}"].strip()
            ]
            parsed.case_sensitive = data["case_sensitive"]
        else:
            parsed.reference_answer = data["reference"]
            parsed.keywords = split_words(data["keywords"])
        return parsed

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's ValidationError, each message at the field it is about."""
        fields = {
            "choices": "answer" if self.kind == QuestionType.SINGLE else "right",
            "correct": "truth",
            "reference_answer": "reference",
            "base_version": None,  # hidden: said above the form
        }
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            if key == "blanks" and self.kind == QuestionType.BLANK:
                self._blank_errors += [m for e in errors for m in e.messages]
                continue
            name = fields.get(key, key)
            self.add_error(name if name in self.fields else None, errors)
