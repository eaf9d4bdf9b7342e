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

from django.utils import timezone
from whoosh import fields

from search.analysis import AutocompleteTokenizer, ChineseTokenizer, ExactTokenizer

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


def make_schema() -> fields.Schema:
    schema = fields.Schema(
        pk=fields.ID(stored=True, unique=True),
        ct=fields.ID(analyzer=ExactTokenizer()),
        present=fields.ID(analyzer=ExactTokenizer()),
    )
    schema.add(
        f"{TEXT}__*", fields.TEXT(analyzer=ChineseTokenizer(), phrase=True), glob=True
    )
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
