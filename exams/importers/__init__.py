"""Question-bank importers: files in, ``ParseResult`` out (no database access).

``parse_file`` picks the parser by ``fmt`` or by the file's extension. The
individual parsers live in ``gift``, ``moodle_xml``, ``aiken`` and ``xlsx``; the
shapes they return are in ``types``.
"""

from pathlib import Path

from .aiken import parse_aiken
from .gift import parse_gift
from .moodle_xml import parse_moodle_xml
from .types import (
    ParsedCategory,
    ParsedChoice,
    ParsedHint,
    ParsedQuestion,
    ParseError,
    ParseResult,
    QuestionType,
    RichText,
    UnsupportedQuestion,
)
from .xlsx import parse_xlsx

FORMATS = ("xlsx", "gift", "xml", "aiken")
_EXTENSIONS = {".xlsx": "xlsx", ".gift": "gift", ".xml": "xml", ".aiken": "aiken"}


def detect_format(path: Path) -> str | None:
    """The format a file name suggests: x.xlsx, x.xml, x.gift, x.gift.txt, x.aiken."""
    suffixes = [s.lower() for s in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix in _EXTENSIONS:
            return _EXTENSIONS[suffix]
    return None


def parse_file(path: Path | str, fmt: str | None = None) -> ParseResult:
    """Parse a question file; an unknown format is an error in the result."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        result = ParseResult(format=fmt or "")
        result.error(
            f"Cannot tell the format of {path.name}; give one of {', '.join(FORMATS)}.",
            code="unknown_format",
        )
        return result
    parser = {
        "xlsx": parse_xlsx,
        "gift": parse_gift,
        "xml": parse_moodle_xml,
        "aiken": parse_aiken,
    }[fmt]
    return parser(path.read_bytes())


__all__ = [
    "FORMATS",
    "ParseError",
    "ParseResult",
    "ParsedCategory",
    "ParsedChoice",
    "ParsedHint",
    "ParsedQuestion",
    "QuestionType",
    "RichText",
    "UnsupportedQuestion",
    "detect_format",
    "parse_aiken",
    "parse_file",
    "parse_gift",
    "parse_moodle_xml",
    "parse_xlsx",
]
