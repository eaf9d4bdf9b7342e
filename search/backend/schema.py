"""The Whoosh schema: glob fields named after the model's search_fields.

One Whoosh index holds the documents of one root model and all its subclasses.
Field names are ``<kind>__<path>`` where ``path`` is the field name, or
``relation__field`` inside ``RelatedFields``:

- ``t__*``  text (SearchField), jieba + bigram analysis, positions for phrases
- ``ac__*`` autocomplete (AutocompleteField), prefixes / Han substrings
- ``fi__*`` integer filter values (ints, booleans, dates, times as microseconds)
- ``ff__*`` float filter values
- ``fs__*`` string filter values, ``=`` + the exact value

``pk`` is the stored unique key, ``ct`` the content types of the document's model
and its indexed ancestors, ``present`` the filter columns holding a non-null value
(for ``isnull``).
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import pickle

from django.utils import timezone
from whoosh import fields
from whoosh.system import pack_uint

from search.analysis import (
    AutocompleteTokenizer,
    ChineseTokenizer,
    ExactTokenizer,
    index_positions,
)

PK = "pk"
CONTENT_TYPE = "ct"
PRESENT = "present"
TEXT = "t"
AUTOCOMPLETE = "ac"
INT = "fi"
FLOAT = "ff"
STRING = "fs"

#: Longest string filter value kept (longer values are cut, as a term must be short).
MAX_STRING_FILTER = 200

_INT_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "BooleanField",
    "NullBooleanField",
    "DateField",
    "DateTimeField",
    "TimeField",
    "DurationField",
}
_FLOAT_TYPES = {"FloatField", "DecimalField"}
_EPOCH = datetime.datetime(1970, 1, 1)  # noqa: DTZ001 (compared with naive UTC)


def encode_positions(positions: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode``, byte for byte, without its loop."""
    deltas = [positions[0]]
    deltas.extend(b - a for a, b in itertools.pairwise(positions))
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


class ChineseText(fields.TEXT):
    """TEXT analysed by :class:`ChineseTokenizer`, indexed without token objects.

    Whoosh's own path builds a Token per term and a dict per field; indexing spends
    most of its time there. :func:`index_positions` yields the same terms and
    positions directly (tests/search/test_analysis.py checks that they agree).
    """

    def __init__(self):
        super().__init__(analyzer=ChineseTokenizer(), phrase=True)

    def index(self, value, **kwargs):
        if not isinstance(value, (str, list, tuple)):
            raise ValueError(f"{value!r} is not text")
        boost = self.format.field_boost
        for term, positions in index_positions(value).items():
            count = len(positions)
            yield (
                term.encode("utf-8"),
                count,
                count * boost,
                encode_positions(positions),
            )


class GlobSchema(fields.Schema):
    """A Schema that remembers which glob pattern a field name matched.

    Whoosh resolves a glob field by trying each pattern's regex on every lookup,
    and a search looks fields up hundreds of times.
    """

    def __getitem__(self, name):
        resolved = self.__dict__.setdefault("_resolved", {})
        field = resolved.get(name)
        if field is None:
            field = resolved[name] = super().__getitem__(name)
        return field

    def add(self, name, fieldtype, glob=False):
        self.__dict__.pop("_resolved", None)
        super().add(name, fieldtype, glob=glob)

    def remove(self, fieldname):
        self.__dict__.pop("_resolved", None)
        super().remove(fieldname)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_resolved", None)
        return state


def make_schema() -> fields.Schema:
    schema = GlobSchema(
        pk=fields.ID(stored=True, unique=True),
        ct=fields.ID(analyzer=ExactTokenizer()),
        present=fields.ID(analyzer=ExactTokenizer()),
    )
    schema.add(f"{TEXT}__*", ChineseText(), glob=True)
    schema.add(
        f"{AUTOCOMPLETE}__*",
        fields.TEXT(analyzer=AutocompleteTokenizer(), phrase=False),
        glob=True,
    )
    schema.add(
        f"{INT}__*", fields.NUMERIC(numtype=int, bits=64, signed=True), glob=True
    )
    schema.add(f"{FLOAT}__*", fields.NUMERIC(numtype=float, bits=64), glob=True)
    schema.add(f"{STRING}__*", fields.ID(analyzer=ExactTokenizer()), glob=True)
    return schema


def column(kind: str, path: list[str]) -> str:
    return f"{kind}__" + "__".join(path)


def filter_kind(internal_type: str) -> str:
    if internal_type in _INT_TYPES:
        return INT
    if internal_type in _FLOAT_TYPES:
        return FLOAT
    return STRING


def _micros(delta: datetime.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def encode(value, internal_type: str):
    """The indexed form of a filter value (``None`` stays ``None``)."""
    if value is None:
        return None
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        value = value.pk
    kind = filter_kind(internal_type)
    if kind == STRING:
        return "=" + str(value)[:MAX_STRING_FILTER]
    if kind == FLOAT:
        return float(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return _micros(value - _EPOCH)
    if isinstance(value, datetime.date):
        if internal_type == "DateTimeField":
            # A date compared with a datetime column (year lookups): local midnight.
            start = datetime.datetime.combine(value, datetime.time.min)
            if timezone.is_naive(start) and _use_tz():
                start = timezone.make_aware(start)
            return encode(start, internal_type)
        return _micros(datetime.datetime.combine(value, datetime.time.min) - _EPOCH)
    if isinstance(value, datetime.time):
        return (
            (value.hour * 60 + value.minute) * 60 + value.second
        ) * 1_000_000 + value.microsecond
    if isinstance(value, datetime.timedelta):
        return _micros(value)
    if isinstance(value, (bool, int)):
        return int(value)
    if isinstance(value, (float, decimal.Decimal)):
        return int(value)
    return int(str(value))


def _use_tz() -> bool:
    from django.conf import settings

    return settings.USE_TZ
