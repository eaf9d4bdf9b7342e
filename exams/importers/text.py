"""Normalising the text of imported questions and of the answers people type.

Question banks arrive with full-width letters and digits (Ａ，Ｃ), ideographic spaces,
trailing blanks and mixed case. Two levels of cleaning:

* ``fold_width`` / ``clean_cell``: what an Excel cell *means* — full-width ASCII
  variants become half-width, spaces are collapsed — while Chinese characters and
  Chinese punctuation such as 、。（） in the text are kept as typed. This is
  narrower than NFKC, which would also turn ① into 1 and ㎡ into m2.
* ``normalise_answer``: the key two 填空 answers are compared by. On top of the
  above it case-folds and drops the spaces next to Chinese characters: "ＡＢＣ " and
  "abc" get the same key, and so do "中 国" and "中国"; "a  b" keeps one space.
"""

import html
import re
import unicodedata

# Halfwidth and Fullwidth Forms (U+FF00–U+FFEF) and the ideographic space: the only
# characters we pass through NFKC. Everything else (CJK, circled digits, units) stays.
_WIDTH_FORMS = re.compile(r"[\u3000\uff00-\uffef]")
_SPACES = re.compile(r"\s+")
_CJK = r"\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
_TAG = re.compile(r"<(?=[A-Za-z/!?])[^>]*>")


def fold_width(text: str) -> str:
    """Full-width letters, digits, punctuation and \\u3000 → their ASCII forms."""
    return _WIDTH_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def collapse_spaces(text: str) -> str:
    """Runs of whitespace (including no-break and ideographic spaces) → one space."""
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def cell_value_text(value) -> str:
    """An Excel cell as text: None → "", 5.0 → "5", True → "TRUE"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def clean_cell(value) -> str:
    """A cell's meaning: width folded, whitespace collapsed and trimmed."""
    return collapse_spaces(fold_width(cell_value_text(value)))


def clean_text(value) -> str:
    """Content (a stem, an option): trimmed, line endings unified, case and width
    kept. Trailing spaces and ideographic spaces at the ends go; inner text stays."""
    text = cell_value_text(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip(" \t\n\u3000\u00a0")


def normalise_answer(text: str, *, case_sensitive: bool = False) -> str:
    """The comparison key of a typed 填空 answer (case kept when the question is
    case-sensitive).

    >>> normalise_answer("  Ｈｅｌｌｏ　 World ")
    'hello world'
    >>> normalise_answer("中 国")
    '中国'
    >>> normalise_answer("Ｐａｒｔｙ", case_sensitive=True)
    'Party'
    """
    folded = collapse_spaces(unicodedata.normalize("NFC", fold_width(text or "")))
    if not case_sensitive:
        folded = folded.casefold()
    return _SPACE_NEXT_TO_CJK.sub("", folded)


def split_escaped(
    text: str, separators: str, *, escapable: str = "", unescape: bool = True
) -> list[str]:
    r"""Split on any of ``separators`` unless escaped with a backslash.

    A backslash escapes a separator, another backslash, or a character listed in
    ``escapable``: ``\/`` is a literal slash, ``\\`` a backslash. Before anything
    else it is just a backslash (C:\temp stays as typed). With ``unescape=False``
    only escaped separators are resolved and the other escapes are kept, so the
    parts can be split again on the ``escapable`` characters.
    """
    special = set(separators) | set(escapable) | {"\\"}
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        following = text[index + 1] if index + 1 < len(text) else ""
        if char == "\\" and following and following in special:
            index += 1
            if unescape or following in separators:
                current.append(following)
            else:
                current.append("\\" + following)
        elif char in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def escape_separators(text: str, separators: str) -> str:
    """The inverse of ``split_escaped`` for one part."""
    out = text.replace("\\", "\\\\")
    for char in separators:
        out = out.replace(char, "\\" + char)
    return out


def strip_tags(text: str) -> str:
    """Remove HTML tags; a bare ``<`` or ``>`` in text (x < 2) is kept."""
    return _TAG.sub("", text)


def escape_html(text: str) -> str:
    """``&``, ``<``, ``>`` escaped; quotes left alone (PHP's ENT_NOQUOTES)."""
    return html.escape(text, quote=False)


def looks_like_html(text: str) -> bool:
    return bool(
        re.search(
            r"<(p|br|img|div|span|b|i|u|strong|em|sub|sup|table|ul|ol|li|a|pre)\b",
            text,
            re.IGNORECASE,
        )
    )
