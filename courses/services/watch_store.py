"""The reads and writes of a heartbeat, as SQL written out once per process.

A heartbeat is the platform's most frequent request (30,000 members watching send
1,000 a second), and building its queries through the ORM each time cost more
than PostgreSQL spent running them. So the statements are composed here once,
from the models' own fields and columns, and values go through the fields' own
conversions both ways (``get_db_prep_save`` in, the backend's and the field's
converters out): the rows read and written are exactly what the ORM would read
and write. The rules of a heartbeat stay in ``tracking.py``.

On PostgreSQL the two UPDATEs are one statement (the progress row is written
only when the session's compare-and-set won); SQLite, which has no
data-modifying CTEs, runs them one after the other.
"""

# Only names from the models' metadata (quoted) are formatted into the SQL;
# every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

from functools import cache

from django.db import connection

from ..models import LessonProgress, WatchSession

#: what a heartbeat writes: nothing else of the two rows is touched
SESSION_FIELDS = (
    "last_seq",
    "last_beat_at",
    "last_position",
    "last_presence_at",
    "credited_seconds",
    "token",
    "previous_token",
)
PROGRESS_FIELDS = (
    "intervals",
    "watched_seconds",
    "coverage",
    "credited_seconds",
    "completed_at",
    "updated_at",
)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _select(vendor: str, by_user: bool) -> tuple[str, list, list]:
    """(SQL, session fields, progress fields) of the session with its progress."""
    session_fields = list(WatchSession._meta.concrete_fields)
    progress_fields = list(LessonProgress._meta.concrete_fields)
    s, p = _q(WatchSession._meta.db_table), _q(LessonProgress._meta.db_table)
    columns = [f"{s}.{_q(f.column)}" for f in session_fields]
    columns += [f"{p}.{_q(f.column)}" for f in progress_fields]
    progress_fk = _q(WatchSession._meta.get_field("progress").column)
    sql = (
        f"SELECT {', '.join(columns)} FROM {s} LEFT OUTER JOIN {p}"
        f" ON {p}.{_q('id')} = {s}.{progress_fk} WHERE {s}.{_q('id')} = %s"
    )
    if by_user:
        sql += f" AND {s}.{_q(WatchSession._meta.get_field('user').column)} = %s"
    return sql, session_fields, progress_fields


def _converters(model, fields) -> list[tuple]:
    """(column expression, converters) per field, as the ORM's compiler finds them."""
    table = model._meta.db_table
    result = []
    for field in fields:
        col = field.get_col(table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(
            connection
        )
        result.append((col, found))
    return result


@cache
def _converters_for(vendor: str) -> tuple[list, list]:
    _sql, session_fields, progress_fields = _select(vendor, False)
    return (
        _converters(WatchSession, session_fields),
        _converters(LessonProgress, progress_fields),
    )


def _instance(model, fields, converters, values):
    converted = []
    for value, (col, found) in zip(values, converters, strict=True):
        for converter in found:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def session_load(session_id, *, user_id=None) -> WatchSession:
    """The session with ``session.progress`` (None if it has none yet), in one query;
    DoesNotExist if there is no such session (of that user, when given)."""
    vendor = connection.vendor
    sql, session_fields, progress_fields = _select(vendor, user_id is not None)
    key = WatchSession._meta.pk.get_db_prep_value(session_id, connection)
    params = [key] if user_id is None else [key, user_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise WatchSession.DoesNotExist(f"No watch session {session_id}")
    session_converters, progress_converters = _converters_for(vendor)
    split = len(session_fields)
    session = _instance(WatchSession, session_fields, session_converters, row[:split])
    progress = None
    if row[split] is not None:  # the progress row's id
        progress = _instance(
            LessonProgress, progress_fields, progress_converters, row[split:]
        )
    session.progress = progress
    return session


def _assignments(model, names) -> tuple[str, list]:
    fields = [model._meta.get_field(name) for name in names]
    return ", ".join(f"{_q(f.column)} = %s" for f in fields), fields


@cache
def _updates(vendor: str) -> tuple[str, str, list, list]:
    session_set, session_fields = _assignments(WatchSession, SESSION_FIELDS)
    progress_set, progress_fields = _assignments(LessonProgress, PROGRESS_FIELDS)
    s, p = _q(WatchSession._meta.db_table), _q(LessonProgress._meta.db_table)
    session_sql = (
        f"UPDATE {s} SET {session_set} WHERE {_q('id')} = %s"
        f" AND {_q('last_seq')} = %s AND {_q('closed_at')} IS NULL"
    )
    progress_sql = f"UPDATE {p} SET {progress_set} WHERE {_q('id')} = %s"
    return session_sql, progress_sql, session_fields, progress_fields


def _values(obj, fields) -> list:
    # pre_save: what save() would store (it stamps auto_now fields such as updated_at)
    return [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]


def beat_save(session: WatchSession, progress: LessonProgress, *, after_seq: int):
    """Write the heartbeat's fields of both rows if the session is still open at
    ``after_seq`` (compare-and-set); False if another request got there first."""
    session_sql, progress_sql, session_fields, progress_fields = _updates(
        connection.vendor
    )
    pk = WatchSession._meta.pk.get_db_prep_value(session.pk, connection)
    session_params = [*_values(session, session_fields), pk, after_seq]
    progress_params = [*_values(progress, progress_fields), progress.pk]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH won AS ({session_sql} RETURNING 1) "
                f"{progress_sql} AND EXISTS (SELECT 1 FROM won)",
                [*session_params, *progress_params],
            )
            return cursor.rowcount == 1
        cursor.execute(session_sql, session_params)
        if cursor.rowcount != 1:
            return False
        cursor.execute(progress_sql, progress_params)
        return True
