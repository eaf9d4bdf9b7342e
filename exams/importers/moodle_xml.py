"""Moodle XML import, following ``qformat_xml`` (Moodle 4.5), parsed with defusedxml.

``<quiz>`` holds ``<question type="…">`` elements. ``type="category"`` records switch
the category for the questions after them (``$course$/top/Alpha/Beta`` with an
optional ``<info format="…">`` and ``<idnumber>``; a child may come before its
parent). Texts are ``<text>`` children, trimmed, with a ``format`` attribute
(html, moodle_auto_format, plain_text, markdown, wiki_like); ``<file name=…
encoding="base64">`` children become ``attachments`` (as does Moodle 1.9's
``<image>``/``<image_base64>``, which also appends an ``<img>`` to the stem).

What we map: multichoice (``<single>``, ``<shuffleanswers>``, ``<answernumbering>``,
``fraction="…"`` in percent, per-answer and combined feedback, hints) → 单选/多选;
truefalse → 判断; shortanswer (``<usecase>``) → 填空 with one blank; essay
(``<graderinfo>`` as the reference answer) → 简答. Matching, cloze, numerical,
description, calculated*, drag-and-drop, ordering … are reported as unsupported.
Grades must be among Moodle's allowed fractions; one bad question fails the file.
"""

import base64
import binascii
import re
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XMLSyntaxError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ._moodle import (
    DEFAULT_PENALTY,
    CategoryTracker,
    check_question,
    clean_question_name,
    decimal,
    split_category_path,
    utf8_text,
)
from .types import (
    ParsedChoice,
    ParsedHint,
    ParsedQuestion,
    ParseResult,
    QuestionType,
    RichText,
    UnsupportedQuestion,
)

FORMAT = "xml"

# trans_format(): the names in the file → our format names (unknown → html).
_FORMATS = {
    "moodle_auto_format": "moodle",
    "html": "html",
    "plain_text": "plain",
    "wiki_like": "wiki",
    "markdown": "markdown",
}
_SUPPORTED = ("multichoice", "truefalse", "shortanswer", "essay")


def _trans_format(name: str | None) -> str:
    return _FORMATS.get((name or "").strip(), "html")


def _text(element: Element | None, default: str = "") -> str:
    """getpath([…, '#', 'text', 0, '#'], default, istext): the first <text>, trimmed."""
    if element is None:
        return default
    text = element.find("text")
    if text is None:
        return default
    return (text.text or "").strip()


def _child_text(element: Element, tag: str, default: str | None = None) -> str | None:
    child = element.find(tag)
    if child is None:
        return default
    return (child.text or "").strip()


def _trans_single(value: str | None) -> bool:
    """trans_single(): "false", "" and "0" are false, anything else true."""
    value = (value or "").strip()
    return not (value == "false" or value in ("", "0"))


class _Reader:
    def __init__(self, result: ParseResult):
        self.result = result
        self.categories = CategoryTracker(result)

    # -- shared parts

    def files(self, element: Element | None, question: ParsedQuestion, line) -> None:
        """import_files_as_draft(): base64 <file> children into attachments."""
        if element is None:
            return
        for file in element.findall("file"):
            name = (file.get("name") or "").strip()
            path = (file.get("path") or "/").strip().strip("/")
            key = f"{path}/{name}" if path else name
            try:
                content = base64.b64decode(file.text or "", validate=False)
            except (binascii.Error, ValueError):
                self.result.error(
                    f"The file {key} is not valid base64.",
                    line=line,
                    code="bad_file",
                    question=question.name,
                )
                continue
            if key in question.attachments and question.attachments[key] != content:
                self.result.warn(
                    f"Two different files are named {key}; the first one is kept.",
                    line=line,
                    code="duplicate_file",
                    question=question.name,
                )
                continue
            question.attachments.setdefault(key, content)

    def rich(
        self,
        parent: Element,
        tag: str | None,
        default_format: str,
        question: ParsedQuestion,
        line,
    ) -> RichText:
        """import_text_with_files(): text, format and the files next to the text."""
        element = parent if tag is None else parent.find(tag)
        if element is None:
            return RichText("", default_format)
        self.files(element, question, line)
        fmt = element.get("format")
        return RichText(_text(element), _trans_format(fmt) if fmt else default_format)

    def headers(self, xml: Element, line: int | None) -> ParsedQuestion | None:
        """import_headers(): name, stem, files, general feedback, grade, tags."""
        name_element = xml.find("name")
        if name_element is None or name_element.find("text") is None:
            self.result.error(
                "Missing question name in XML file", line=line, code="no_name"
            )
            return None
        question = ParsedQuestion(
            type=QuestionType.ESSAY,
            stem="",
            name=clean_question_name(_text(name_element)),
            source_type=xml.get("type", ""),
            category=list(self.categories.current),
            line=line,
        )
        stem = self.rich(xml, "questiontext", "html", question, line)
        question.stem, question.stem_format = stem.text, stem.format
        image = _child_text(xml, "image")
        image_data = _child_text(xml, "image_base64")
        if image and image_data:
            filename = re.sub(r"[^\w.\-]", "_", image.replace("/", "_"))
            try:
                question.attachments.setdefault(filename, base64.b64decode(image_data))
                question.stem += f' <img src="@@PLUGINFILE@@/{filename}" />'
            except (binascii.Error, ValueError):
                self.result.error(
                    f"The image {filename} is not valid base64.",
                    line=line,
                    code="bad_file",
                    question=question.name,
                )
        question.idnumber = _child_text(xml, "idnumber", "") or ""
        explanation = self.rich(xml, "generalfeedback", stem.format, question, line)
        question.explanation = explanation.text
        question.explanation_format = explanation.format
        question.default_score = decimal(
            _child_text(xml, "defaultgrade", "1"), Decimal(1)
        )
        penalty = decimal(_child_text(xml, "penalty", ""), DEFAULT_PENALTY)
        if abs(penalty - DEFAULT_PENALTY) < Decimal("0.005"):
            penalty = DEFAULT_PENALTY  # "Fix problematic rounding from old files."
        question.penalty = penalty
        question.tags = [
            _text(tag) for tag in xml.findall("tags/tag") if _text(tag) != ""
        ]
        return question

    def fraction(self, answer: Element, question: ParsedQuestion, line) -> Decimal:
        """The fraction="…" attribute, a percentage (100 = full marks)."""
        raw = answer.get("fraction", "0")
        value = decimal(raw)
        if value is None:
            self.result.error(
                f"“{raw}” is not a number (the answer's fraction).",
                line=line,
                code="bad_fraction",
                question=question.name,
            )
            return Decimal(0)
        return value / 100

    def hints(
        self, xml: Element, question: ParsedQuestion, *, with_parts: bool, line
    ) -> None:
        question.hints = parse_hints(xml, question.stem_format, with_parts=with_parts)
        for hint in xml.findall("hint"):
            content = hint.find("hintcontent")
            self.files(hint if content is None else content, question, line)

    def combined_feedback(self, xml: Element, question: ParsedQuestion, line) -> None:
        fmt = question.stem_format
        question.correct_feedback = self.rich(
            xml, "correctfeedback", fmt, question, line
        )
        question.partially_correct_feedback = self.rich(
            xml, "partiallycorrectfeedback", fmt, question, line
        )
        question.incorrect_feedback = self.rich(
            xml, "incorrectfeedback", fmt, question, line
        )
        question.show_num_correct = xml.find("shownumcorrect") is not None
        old = xml.find("correctresponsesfeedback")
        if old is not None:
            question.show_num_correct = _trans_single(old.text or "1")

    # -- the types

    def multichoice(self, xml: Element, question: ParsedQuestion, line) -> None:
        single = _trans_single(_child_text(xml, "single", "true"))
        question.type = QuestionType.SINGLE if single else QuestionType.MULTIPLE
        question.shuffle = _trans_single(_child_text(xml, "shuffleanswers", "false"))
        question.numbering = _child_text(xml, "answernumbering", "abc") or "abc"
        for answer in xml.findall("answer"):
            text = self.rich(answer, None, question.stem_format, question, line)
            feedback = self.rich(
                answer, "feedback", question.stem_format, question, line
            )
            question.choices.append(
                ParsedChoice(
                    text=text.text,
                    fraction=self.fraction(answer, question, line),
                    feedback=feedback.text,
                    format=text.format,
                    feedback_format=feedback.format,
                )
            )
        self.combined_feedback(xml, question, line)
        self.hints(xml, question, with_parts=True, line=line)

    def truefalse(self, xml: Element, question: ParsedQuestion, line) -> None:
        question.type = QuestionType.TRUEFALSE
        old_style = False
        for index, answer in enumerate(xml.findall("answer")):
            text = _text(answer)
            feedback = self.rich(
                answer, "feedback", question.stem_format, question, line
            )
            if text not in ("true", "false"):
                # Old files: the answers are localised; assume true first, then false.
                old_style = True
                text = "true" if index == 0 else "false"
            full = self.fraction(answer, question, line) == 1
            if text == "true":
                question.correct = full
                question.feedback_true = feedback
            else:
                question.correct = not full
                question.feedback_false = feedback
        if old_style:
            self.result.warn(
                "The answers are not marked true/false; the first was taken as "
                f"“true”. The correct answer is {question.correct}.",
                line=line,
                code="truefalse_old_style",
                question=question.name,
            )
        self.hints(xml, question, with_parts=False, line=line)

    def shortanswer(self, xml: Element, question: ParsedQuestion, line) -> None:
        question.type = QuestionType.BLANK
        question.case_sensitive = _trans_single(_child_text(xml, "usecase", "0"))
        accepted = []
        for answer in xml.findall("answer"):
            feedback = self.rich(
                answer, "feedback", question.stem_format, question, line
            )
            accepted.append(
                ParsedChoice(
                    text=_text(answer),
                    fraction=self.fraction(answer, question, line),
                    feedback=feedback.text,
                    format="plain",
                    feedback_format=feedback.format,
                )
            )
        question.blanks = [accepted]
        self.hints(xml, question, with_parts=False, line=line)

    def essay(self, xml: Element, question: ParsedQuestion, line) -> None:
        question.type = QuestionType.ESSAY
        info = self.rich(xml, "graderinfo", question.stem_format, question, line)
        question.reference_answer = info.text
        question.reference_answer_format = info.format

    # -- records

    def category(self, xml: Element, line: int | None) -> None:
        """import_category()."""
        path = split_category_path(_text(xml.find("category")))
        info, info_format = "", "moodle"
        info_element = xml.find("info")
        if info_element is not None:
            info = _text(info_element)
            info_format = _trans_format(info_element.get("format"))
        idnumber = _child_text(xml, "idnumber", "") or ""
        self.categories.declare(
            path, info=info, info_format=info_format, idnumber=idnumber, line=line
        )

    def question(self, xml: Element, line: int | None) -> None:
        qtype = xml.get("type", "")
        if qtype == "category":
            self.category(xml, line)
            return
        if qtype not in _SUPPORTED:
            name = clean_question_name(_text(xml.find("name")))
            self.result.unsupported.append(UnsupportedQuestion(qtype, line, name))
            return
        question = self.headers(xml, line)
        if question is None:
            return
        getattr(self, qtype)(xml, question, line)
        self.result.questions.append(question)
        check_question(question, self.result, line=line)


def parse_hints(
    xml: Element, default_format: str = "html", *, with_parts: bool = False
) -> list[ParsedHint]:
    """import_hints(): the <hint> children of a question element.

    ``with_parts`` reads <clearwrong/> and <shownumcorrect/>, as Moodle does for
    multichoice, matching and cloze; for other types both stay False.
    """
    hints = []
    for hint in xml.findall("hint"):
        content = hint.find("hintcontent")
        if content is not None:  # Moodle 2.0 files
            clear = _trans_single(_child_text(hint, "clearincorrectresponses", "0"))
            shown = _trans_single(
                _child_text(hint, "statenumberofcorrectresponses", "0")
            )
        else:
            content = hint
            clear = hint.find("clearwrong") is not None
            shown = hint.find("shownumcorrect") is not None
        fmt = content.get("format")
        hints.append(
            ParsedHint(
                text=_text(content),
                format=_trans_format(fmt) if fmt else default_format,
                clear_wrong=clear and with_parts,
                show_num_correct=shown and with_parts,
            )
        )
    return hints


_OPAQUE = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)
_QUESTION_TAG = re.compile(r"<question[\s>/]")


def _question_lines(text: str) -> list[int]:
    """The line of each <question> start tag, in document order.

    ElementTree keeps no line numbers; CDATA sections and comments are blanked
    first (keeping their newlines) so text inside them is not counted.
    """
    visible = _OPAQUE.sub(lambda m: "\n" * m.group().count("\n"), text)
    return [
        visible.count("\n", 0, m.start()) + 1 for m in _QUESTION_TAG.finditer(visible)
    ]


def parse_moodle_xml(source: bytes | str | Path) -> ParseResult:
    """Parse a Moodle XML file (bytes or a path; ``str`` is already-decoded XML)."""
    result = ParseResult(format=FORMAT)
    if isinstance(source, Path):
        source = source.read_bytes()
    if isinstance(source, bytes):
        text = utf8_text(source, result, format_name="Moodle XML")
        if text is None:
            return result
    else:
        text = source.removeprefix("\ufeff")
    # ElementTree refuses a str that still declares its encoding; give it bytes.
    try:
        root = fromstring(text.encode("utf-8"))
    except DefusedXmlException as exc:  # a ValueError, so it comes first
        result.error(
            f"The XML file uses a forbidden construct: {type(exc).__name__}.",
            code="forbidden_xml",
        )
        return result
    except (XMLSyntaxError, ValueError) as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        result.error(f"Invalid XML: {exc}", line=line, code="invalid_xml")
        return result
    if root.tag != "quiz":
        result.error(
            "This is not a Moodle XML question file (the root element must be <quiz>).",
            line=1,
            code="not_moodle_xml",
        )
        return result
    lines = _question_lines(text)
    reader = _Reader(result)
    for index, xml in enumerate(root.findall("question")):
        reader.question(xml, lines[index] if index < len(lines) else None)
    return result
