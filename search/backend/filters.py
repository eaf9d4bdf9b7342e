"""The queryset's WHERE clause as a Whoosh filter.

Each clause is a Whoosh query that matches a *superset* of the rows the database
would keep (``None`` = every document), plus ``exact``: whether it matches exactly
that set. Lookups Whoosh cannot express, and filters across multi-valued relations
(``books__a=1, books__b=2`` must hold for the same book), give inexact clauses;
the results then re-check candidates against the database queryset.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Subquery
from django.db.models.expressions import Expression
from django.db.models.sql.constants import MULTI, SINGLE
from django.db.models.sql.query import Query
from whoosh import query as wq

from . import schema

Q_NONE = wq.NullQuery


@dataclass(frozen=True)
class Clause:
    query: wq.Query | None  # None: every document
    exact: bool


EVERYTHING = Clause(None, True)
UNKNOWN = Clause(None, False)
NOTHING = Clause(Q_NONE, True)


def clause_and(clauses: list[Clause]) -> Clause:
    queries = [c.query for c in clauses if c.query is not None]
    exact = all(c.exact for c in clauses)
    if not queries:
        return Clause(None, exact)
    return Clause(queries[0] if len(queries) == 1 else wq.And(queries), exact)


def clause_or(clauses: list[Clause]) -> Clause:
    if not clauses:
        return NOTHING
    if any(c.query is None for c in clauses):
        # Everything, exactly so if one of those "everything" clauses is exact.
        return Clause(None, any(c.query is None and c.exact for c in clauses))
    exact = all(c.exact for c in clauses)
    queries = [c.query for c in clauses]
    return Clause(queries[0] if len(queries) == 1 else wq.Or(queries), exact)


def clause_not(clause: Clause) -> Clause:
    if not clause.exact:
        return UNKNOWN  # the complement of a superset is no superset
    if clause.query is None:
        return NOTHING
    return Clause(wq.Not(clause.query), True)


def connect(clauses: list[Clause], connector: str, negated: bool) -> Clause:
    combined = clause_or(clauses) if connector == "OR" else clause_and(clauses)
    return clause_not(combined) if negated else combined


def _evaluate(value, queryset, result_type):
    """Run a subquery value (``filter(x__in=qs.values("y"))``) in the database."""
    query = value.query if isinstance(value, Subquery) else value
    db_alias = queryset._db or DEFAULT_DB_ALIAS
    result = query.get_compiler(db_alias).execute_sql(result_type=result_type)
    if result_type == SINGLE:
        return result[0] if result else None
    return [row[0] for chunk in result for row in chunk]


def _is_expression(value) -> bool:
    return isinstance(value, (Expression, Query)) or hasattr(
        value, "resolve_expression"
    )


def lookup_clause(
    name: str, internal_type: str, lookup: str, value, queryset, single_valued: bool
) -> Clause:
    """The clause for ``<column>__<lookup>=value`` on the indexed column ``name``."""
    kind = name.split("__", 1)[0]

    if lookup in ("exact", "in") and isinstance(value, (Query, Subquery)):
        value = _evaluate(value, queryset, SINGLE if lookup == "exact" else MULTI)
        if lookup == "exact" and value is None:
            return NOTHING
    elif lookup == "range" and isinstance(value, (list, tuple)):
        if any(_is_expression(v) for v in value):
            return UNKNOWN
    elif lookup != "isnull" and _is_expression(value):
        return UNKNOWN  # F() and other expressions: let the database decide

    def encoded(item):
        return schema.encode(item, internal_type)

    clause = _lookup(name, kind, lookup, value, encoded)
    if clause is None:
        return UNKNOWN
    if single_valued:
        return clause
    return Clause(clause.query, False)


def _equal(name, kind, value):
    if kind == schema.STRING:
        return wq.Term(name, value)
    return wq.NumericRange(name, value, value)


def _range(name, kind, start, end, startexcl=False, endexcl=False):
    if kind == schema.STRING:
        return wq.TermRange(
            name, start or "=", end, startexcl=startexcl, endexcl=endexcl
        )
    return wq.NumericRange(name, start, end, startexcl=startexcl, endexcl=endexcl)


def _lookup(name, kind, lookup, value, encoded) -> Clause | None:
    if lookup == "isnull":
        present = wq.Term(schema.PRESENT, name)
        return Clause(wq.Not(present) if value else present, True)
    if lookup == "exact":
        return Clause(_equal(name, kind, encoded(value)), True)
    if lookup == "in":
        values = [encoded(v) for v in value if v is not None]
        if not values:
            return NOTHING
        return Clause(wq.Or([_equal(name, kind, v) for v in values]), True)
    if lookup in ("gt", "gte"):
        return Clause(_range(name, kind, encoded(value), None, lookup == "gt"), True)
    if lookup in ("lt", "lte"):
        query = _range(name, kind, None, encoded(value), endexcl=lookup == "lt")
        return Clause(query, True)
    if lookup == "range":
        lower, upper = value
        return Clause(_range(name, kind, encoded(lower), encoded(upper)), True)
    if lookup in ("startswith", "prefix") and kind == schema.STRING:
        return Clause(wq.Prefix(name, encoded(value)), True)
    return None


def pk_clause(lookup: str, value, queryset) -> Clause:
    """A filter on the primary key (``<parent>_ptr_id`` of multi-table children)."""
    if isinstance(value, (Query, Subquery)) and lookup in ("exact", "in"):
        value = _evaluate(value, queryset, SINGLE if lookup == "exact" else MULTI)
    elif _is_expression(value):
        return UNKNOWN
    if lookup == "exact":
        if value is None:
            return NOTHING
        return Clause(wq.Term(schema.PK, str(value)), True)
    if lookup == "in":
        terms = [wq.Term(schema.PK, str(v)) for v in value if v is not None]
        return Clause(wq.Or(terms), True) if terms else NOTHING
    return UNKNOWN
