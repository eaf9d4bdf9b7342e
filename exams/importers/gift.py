r"""Moodle GIFT: import and export, following ``qformat_gift`` (Moodle 4.5).

Records are separated by blank lines; lines starting with ``//`` are comments (which
may carry ``[tag:x]`` and ``[id:y]``). ``$CATEGORY: a/b`` switches category.

* ``::name::`` then the text, then ``{answers}``; text after the answers makes a
  missing-word question (the answers become ``_____`` in the stem).
* ``[html]``, ``[moodle]``, ``[plain]``, ``[markdown]`` before a text set its format;
  the stem defaults to ``moodle``, everything else to the stem's format.
* Escapes: ``\: \# \= \{ \} \~ \\`` and ``\n`` for a newline.
* Unlike Moodle's file reader, which trims every line, lines keep their
  indentation inside a record (so ``<pre>`` blocks survive); Moodle's own unit
  tests hand ``readquestion`` untrimmed lines, which is what we follow.
* ``{}`` essay · ``{T}``/``{TRUE}``/``{F}``/``{FALSE}`` (``#wrong#right`` feedback)
  true/false · ``=right ~wrong ~%50%half`` multichoice, single-answer when some
  answer starts with ``=``, multi-answer otherwise · ``{=a =%50%b}`` shortanswer
  · ``#feedback`` after an answer · ``####general feedback`` last.

What we map: multichoice → 单选/多选, truefalse → 判断, shortanswer → 填空 (one blank,
its answers with their fractions), essay → 简答. Matching (``->``), numerical
(``{#…}``), description (no braces) and the ordering plugin (``{>…}``) are reported
as unsupported. Grades must be in Moodle's list of allowed fractions; a question
that breaks Moodle's rules is an error, and a file with errors imports nothing.
"""

import re
from decimal import Decimal
from pathlib import Path

from ._moodle import (
    DEFAULT_PENALTY,
    CategoryTracker,
    assemble_category_path,
    check_question,
    clean_question_name,
    decimal,
    default_question_name,
    split_category_path,
    utf8_text,
)
from .types import (
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    QuestionType,
    RichText,
    UnsupportedQuestion,
)

FORMAT = "gift"
_ESCAPES = {":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004"}
_ESCAPES |= {"}": "\ue005", "~": "\ue006", "n": "\ue007"}
_UNESCAPE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_BACKSLASH = "\ue000"
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_FORMAT_NAMES = ("moodle", "html", "plain", "markdown")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
_IDNUMBER = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TRUEFALSE = ("T", "TRUE", "F", "FALSE")


def _escape_pre(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for char, placeholder in _ESCAPES.items():
        text = text.replace("\\" + char, placeholder)
    return text.replace(_BACKSLASH, "\\")


def _escape_post(text: str) -> str:
    for placeholder, char in _UNESCAPE.items():
        text = text.replace(placeholder, char)
    return text


def _with_format(text: str, default: str) -> RichText:
    """parse_text_with_format(): an optional [format] prefix, then unescaped text."""
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end > 0 else ""
        if name in _FORMAT_NAMES:
            fmt, text = name, text[end + 1 :]
    return RichText(_escape_post(text).strip(), fmt)


def _split_feedback(answer: str, default: str) -> tuple[RichText, RichText]:
    bits = answer.split("#", 1)
    feedback = _with_format(bits[1].strip(), default) if len(bits) > 1 else None
    return _with_format(bits[0].strip(), default), feedback or RichText("", default)


def _weight(answer: str) -> tuple[Decimal | None, str]:
    """answerweightparser(): "%50%text" → (0.5, "text"); None if not a number."""
    body = answer[1:]
    end = body.find("%")
    percent = decimal(body[:end])
    return (percent / 100 if percent is not None else None), body[end + 1 :]


def _comment_tags(comments: str) -> tuple[str, list[str]]:
    """extract_idnumber_and_tags_from_comment()."""
    match = _IDNUMBER.search(comments)
    idnumber = match.group(1).strip().replace("\\]", "]") if match else ""
    tags = [m.group(1).strip().replace("\\]", "]") for m in _TAG.finditer(comments)]
    return idnumber, tags


class _Reader:
    def __init__(self, result: ParseResult, numbering: str):
        self.result = result
        self.numbering = numbering
        self.categories = CategoryTracker(result)

    def error(self, message: str, line: int, text: str, code: str) -> None:
        self.result.error(
            message, line=line, code=code, question=_escape_post(text)[:80].strip()
        )

    def read(self, lines: list[str], line: int) -> None:
        """readquestion() for one blank-line-separated record."""
        comments = "".join(ln.strip() + "\n" for ln in lines if _is_comment(ln))
        body = [" " if _is_comment(ln) else ln for ln in lines]
        text = "\n".join(body).strip()
        if not text:
            return
        text = _escape_pre(text)

        if text.startswith("$CATEGORY:"):
            path = split_category_path(_escape_post(text[10:]).strip())
            self.categories.declare(path, line=line)
            return

        name = None
        if text.startswith("::"):
            text = text[2:]
            end = text.find("::")
            if end >= 0:
                name = clean_question_name(_escape_post(text[:end]))
                text = text[end + 2 :].strip()

        start, finish = text.find("{"), text.find("}")
        description = start < 0 and finish < 0
        if description:
            answertext, stem_raw = "", text
        elif start < 0 or finish < start:
            self.error("Could not find {...} around answers", line, text, "braces")
            return
        else:
            answertext = text[start + 1 : finish].strip()
            blank = "" if text.endswith("}") else "_____"
            stem_raw = text[:start] + blank + text[finish + 1 :]

        generalfeedback = ""
        separator = answertext.rfind("####")
        if separator >= 0:
            generalfeedback = answertext[separator + 4 :]
            answertext = answertext[:separator].strip()

        stem = _with_format(stem_raw, "moodle")
        explanation = _with_format(generalfeedback, stem.format)
        name = name or default_question_name(stem.text)
        idnumber, tags = _comment_tags(comments)
        question = ParsedQuestion(
            type=QuestionType.ESSAY,
            stem=stem.text,
            stem_format=stem.format,
            name=name,
            explanation=explanation.text,
            explanation_format=explanation.format,
            default_score=Decimal(1),
            penalty=DEFAULT_PENALTY,
            idnumber=idnumber,
            tags=tags,
            category=list(self.categories.current),
            line=line,
        )
        fmt = stem.format

        qtype = _moodle_type(description, answertext)
        if qtype not in ("essay", "multichoice", "truefalse", "shortanswer"):
            self.result.unsupported.append(UnsupportedQuestion(qtype, line, name))
            return

        if qtype == "essay":
            question.source_type = "essay"
            question.reference_answer_format = "html"
        elif qtype == "truefalse":
            question.source_type = "truefalse"
            question.type = QuestionType.TRUEFALSE
            bits = answertext.split("#", 2)
            answer = _with_format(bits[0].strip(), fmt).text
            wrong, right = (
                _with_format(bits[i].strip(), fmt)
                if len(bits) > i
                else RichText("", fmt)
                for i in (1, 2)
            )
            question.correct = answer in ("T", "TRUE")
            if question.correct:
                question.feedback_true, question.feedback_false = right, wrong
            else:
                question.feedback_true, question.feedback_false = wrong, right
            question.penalty = Decimal(1)
        elif qtype == "multichoice":
            single = "=" in answertext
            question.source_type = "multichoice"
            question.type = QuestionType.SINGLE if single else QuestionType.MULTIPLE
            question.numbering = self.numbering
            question.shuffle = True
            question.correct_feedback = RichText("", fmt)
            question.partially_correct_feedback = RichText("", fmt)
            question.incorrect_feedback = RichText("", fmt)
            answers = answertext.replace("=", "~=").split("~")
            if answers and not answers[0].strip():
                answers.pop(0)
            if len(answers) < 2:
                self.error(_NOT_ENOUGH, line, text, "not_enough_answers")
                return
            for raw in answers:
                answer = raw.strip()
                if answer.startswith("="):
                    fraction, answer = Decimal(1), answer[1:]
                elif _WEIGHT.match(answer):
                    fraction, answer = _weight(answer)
                else:
                    fraction = Decimal(0)
                if fraction is None:
                    self.error("Invalid answer weight", line, text, "weight")
                    return
                choice_text, feedback = _split_feedback(answer, fmt)
                question.choices.append(
                    ParsedChoice(
                        text=choice_text.text,
                        fraction=fraction,
                        feedback=feedback.text,
                        format=choice_text.format,
                        feedback_format=feedback.format,
                    )
                )
        else:  # shortanswer
            question.source_type = "shortanswer"
            question.type = QuestionType.BLANK
            answers = answertext.split("=")
            if answers and not answers[0].strip():
                answers.pop(0)
            if not answers:
                self.error(_NOT_ENOUGH, line, text, "not_enough_answers")
                return
            accepted = []
            for raw in answers:
                answer = raw.strip()
                fraction = Decimal(1)
                if _WEIGHT.match(answer):
                    fraction, answer = _weight(answer)
                if fraction is None:
                    self.error("Invalid answer weight", line, text, "weight")
                    return
                answer_text, feedback = _split_feedback(answer, fmt)
                accepted.append(
                    ParsedChoice(
                        text=answer_text.text,
                        fraction=fraction,
                        feedback=feedback.text,
                        format="plain",
                        feedback_format=feedback.format,
                    )
                )
            question.blanks = [accepted]

        self.result.questions.append(question)
        check_question(question, self.result, line=line)


_NOT_ENOUGH = (
    "There is an error in the question. There are not enough answers for this "
    "question type"
)


def _is_comment(line: str) -> bool:
    return line.strip().startswith("//")


def _moodle_type(description: bool, answertext: str) -> str:
    """The qtype Moodle's GIFT reader would pick (ordering is the plugin's syntax)."""
    if description:
        return "description"
    if answertext == "":
        return "essay"
    if answertext[0] == "#":
        return "numerical"
    if answertext[0] == ">":
        return "ordering"
    if "~" in answertext:
        return "multichoice"
    if "=" in answertext and "->" in answertext:
        return "match"
    check = answertext
    if answertext.find("#") > 0:
        check = answertext[: answertext.find("#")].strip()
    return "truefalse" if check in _TRUEFALSE else "shortanswer"


def parse_gift(source: bytes | str | Path, *, numbering: str = "abc") -> ParseResult:
    """Parse a GIFT file (bytes or a path; ``str`` is taken as already-decoded text).

    ``numbering`` is the multichoice numbering style Moodle takes from its site
    setting (``qtype_multichoice | answernumbering``): abc, ABCD, 123, iii, IIII, none.
    """
    result = ParseResult(format=FORMAT)
    if isinstance(source, Path):
        source = source.read_bytes()
    if isinstance(source, bytes):
        text = utf8_text(source, result, format_name="GIFT")
        if text is None:
            return result
    else:
        text = source.removeprefix("\ufeff")
    reader = _Reader(result, numbering)
    record: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not record:
                start = number
            record.append(line.rstrip())
        elif record:
            reader.read(record, start)
            record = []
    if record:
        reader.read(record, start)
    return result


# ---------------------------------------------------------------------- export


class GiftExportError(ValueError):
    """A question GIFT cannot express (a 填空 with more than one blank)."""


def _escape(text: str) -> str:
    """repchar(): escape GIFT's reserved characters, newlines as \\n."""
    for char in ("\\", "#", "=", "~", "{", "}", ":"):
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _text(text: str, fmt: str, default: str = "moodle") -> str:
    """write_questiontext(): a [format] prefix when it differs from the default."""
    prefix = f"[{fmt}]" if text and fmt != default and fmt in _FORMAT_NAMES else ""
    return prefix + _escape(text)


def _weight_text(fraction: Decimal) -> str:
    return format((fraction * 100).normalize(), "f")


def _question_gift(q: ParsedQuestion) -> str:
    out = [f"// question: {q.name}"]
    if q.idnumber:
        out.append(f"// [id:{q.idnumber.replace(']', chr(92) + ']')}]")
    if q.tags:
        out.append(
            "// " + " ".join(f"[tag:{t.replace(']', chr(92) + ']')}]" for t in q.tags)
        )
    fmt = q.stem_format if q.stem_format in _FORMAT_NAMES else "html"
    head = f"::{_escape(q.name)}::" if q.name else ""
    head += _text(q.stem, fmt)
    general = ""
    if q.explanation:
        general = "####" + _text(q.explanation, q.explanation_format, fmt)

    if q.type == QuestionType.ESSAY:
        body = "{" + general + "}"
    elif q.type == QuestionType.TRUEFALSE:
        right = q.feedback_true if q.correct else q.feedback_false
        wrong = q.feedback_false if q.correct else q.feedback_true
        right_text = _text(right.text, right.format, fmt) if right else ""
        wrong_text = _text(wrong.text, wrong.format, fmt) if wrong else ""
        body = "{" + ("TRUE" if q.correct else "FALSE")
        if wrong_text:
            body += "#" + wrong_text
        elif right_text:
            body += "#"
        if right_text:
            body += "#" + right_text
        body += general + "}"
    elif q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        lines = ["{"]
        single = q.type == QuestionType.SINGLE
        for choice in q.choices:
            # A multi-answer question must not contain "=" (that would make it
            # single-answer), so its right answers always carry their weight.
            if choice.fraction == 1 and single:
                mark = "="
            elif choice.fraction == 0:
                mark = "~"
            else:
                mark = f"~%{_weight_text(choice.fraction)}%"
            line = "\t" + mark + _text(choice.text, choice.format, fmt)
            if choice.feedback:
                line += "#" + _text(choice.feedback, choice.feedback_format, fmt)
            lines.append(line)
        if general:
            lines.append("\t" + general)
        lines.append("}")
        body = "\n".join(lines)
    else:
        if len(q.blanks) != 1:
            raise GiftExportError(
                f"“{q.name or q.stem[:20]}”: GIFT can only express a 填空 with one "
                f"blank, this one has {len(q.blanks)}."
            )
        lines = ["{"]
        for answer in q.blanks[0]:
            line = f"\t=%{_weight_text(answer.fraction)}%{_escape(answer.text)}"
            line += "#" + _text(answer.feedback, answer.feedback_format, fmt)
            lines.append(line)
        if general:
            lines.append("\t" + general)
        lines.append("}")
        body = "\n".join(lines)
    before, blank, after = head.partition("_____")
    if blank and after.strip() and q.type != QuestionType.ESSAY:
        # A missing-word stem: the answers go where the blank is, and the importer
        # puts the blank back. (A stem that ends with the blank keeps it as text.)
        return "\n".join([*out, before + body + after])
    return "\n".join([*out, head + body])


def questions_to_gift(questions: list[ParsedQuestion]) -> str:
    """GIFT text for the questions, with a $CATEGORY line whenever it changes.

    Moodle's GIFT has no place for difficulty, score, knowledge point, keywords or
    the 简答 reference answer; those are not exported. Raises GiftExportError for a
    填空 with several blanks.
    """
    chunks = []
    category: list[str] = []  # the bank root until a question says otherwise
    for question in questions:
        if question.category != category:
            category = question.category
            path = assemble_category_path(["top", *category])
            chunks.append(f"$CATEGORY: $course$/{path}\n")
        chunks.append(_question_gift(question) + "\n")
    return "\n".join(chunks)
