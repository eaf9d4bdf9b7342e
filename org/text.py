"""Normalising the Chinese text people type and paste: full-width characters,
ideographic spaces, stray whitespace; and pinyin sort keys."""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def clean(value) -> str:
    """NFKC (full-width → half-width, \u3000 → space), trimmed, spaces collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", text).strip()


def clean_name(value) -> str:
    """A person's or unit's name: Chinese names lose inner spaces ("张 三" → "张三")."""
    text = clean(value)
    if _CJK.search(text):
        text = text.replace(" ", "")
    return text


def pinyin_key(text: str) -> str:
    """Sort and search key for a Chinese name: the joined pinyin, then the initials.

    李红梅 → "lihongmei lhm": orders names the way people expect, and lets a search
    for "li hong", "lihongmei" or "lhm" find her.
    """
    syllables = [s.lower() for s in lazy_pinyin(text or "", style=Style.NORMAL)]
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum())
    return f"{''.join(syllables).replace(' ', '')} {initials}"[:190]


def pinyin_query(text: str) -> str:
    """A typed query in the form pinyin_key stores it ("Li Hong" → "lihong")."""
    return clean(text).lower().replace(" ", "")
