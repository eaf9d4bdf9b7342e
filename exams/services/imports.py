"""Importing questions into a bank: a parsed file (exams/importers) becomes
questions, all or nothing.

A file with any error imports nothing (the parsers already say so through
``ParseResult.to_import``); questions of types we don't support are listed and
left out, as Moodle leaves out what it cannot import. Categories are created
under the bank as the file names them. Images embedded in Moodle XML
(``@@PLUGINFILE@@/name``) are stored and the stem points at them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from media.storage import protected_storage
from org import scope
from org.models import Unit, User

from ..importers import ParsedQuestion, ParseResult, QuestionType
from ..models import (
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionImport,
    QuestionVersion,
)
from .questions import version_fields


@dataclass
class ImportOutcome:
    """What an import did (or, for a dry run, would do)."""

    result: ParseResult
    dry_run: bool
    record: QuestionImport | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def imported(self) -> int:
        return sum(self.counts.values()) if self.result.ok else 0


def bank_ensure(*, name: str, by: User | None, owner_unit: Unit | None = None):
    """The bank called ``name``, created for ``owner_unit`` when missing. A
    person must be an examiner of the bank's unit; ``by=None`` is the command
    line, run by whoever operates the server."""
    bank = QuestionBank.objects.filter(name=name).first()
    if bank is None:
        owner_unit = owner_unit or _default_unit(by)
        bank = QuestionBank.objects.create(
            name=name, owner_unit=owner_unit, created_by=by
        )
    if (
        by is not None
        and not scope.examiner_units(by).filter(pk=bank.owner_unit_id).exists()
    ):
        raise PermissionDenied
    return bank


def _default_unit(by: User | None) -> Unit:
    if by is not None:
        mine = scope.role_units(by, "examiner")
        if mine:
            return mine[0]
    return Unit.get_first_root_node()


@transaction.atomic
def questions_import(
    *,
    bank: QuestionBank,
    result: ParseResult,
    file_name: str,
    by: User | None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Save the questions of ``result`` into ``bank`` (nothing when it has errors
    or for a dry run); every import is recorded with its counts and errors."""
    outcome = ImportOutcome(result=result, dry_run=dry_run)
    outcome.counts = {str(t): n for t, n in result.counts().items()}
    if dry_run:
        return outcome
    if result.ok:
        categories = _categories(bank, result)
        for parsed in result.to_import:
            _create(bank, parsed, categories, by=by, file_name=file_name)
    outcome.record = QuestionImport.objects.create(
        bank=bank,
        file_name=file_name[:255],
        format=result.format,
        counts=outcome.counts if result.ok else {},
        errors=[_where(e) for e in result.errors],
        unsupported=[
            {"line": u.line, "type": u.moodle_type, "name": u.name}
            for u in result.unsupported
        ],
        imported=outcome.imported,
        created_by=by,
    )
    return outcome


def _where(error) -> dict:
    return {
        "line": error.line,
        "row": error.row,
        "column": error.column,
        "message": error.message,
    }


def _categories(
    bank: QuestionBank, result: ParseResult
) -> dict[tuple, QuestionCategory]:
    """Every category path the file names, created under the bank when missing."""
    paths = {tuple(c.path) for c in result.categories if c.path}
    paths |= {tuple(q.category) for q in result.to_import if q.category}
    info = {tuple(c.path): c for c in result.categories}
    nodes: dict[tuple, QuestionCategory] = {}
    for path in sorted(paths, key=len):
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix in nodes:
                continue
            parent = nodes.get(prefix[:-1])
            siblings = (
                parent.get_children()
                if parent
                else QuestionCategory.get_root_nodes().filter(bank=bank)
            )
            node = siblings.filter(name=prefix[-1]).first()
            if node is None:
                parsed = info.get(prefix)
                fields = {
                    "bank": bank,
                    "name": prefix[-1][:100],
                    "info": parsed.info if parsed else "",
                    "idnumber": (parsed.idnumber if parsed else "")[:100],
                }
                node = (
                    parent.add_child(**fields)
                    if parent
                    else QuestionCategory.add_root(**fields)
                )
            nodes[prefix] = node
    return nodes


def _create(bank, parsed: ParsedQuestion, categories, *, by, file_name) -> Question:
    where = f"line {parsed.line}" if parsed.line else f"row {parsed.row}"
    question = Question.objects.create(
        bank=bank,
        category=categories.get(tuple(parsed.category)) if parsed.category else None,
        type=str(parsed.type),
        name=(parsed.name or _opening(parsed.stem))[:200],
        difficulty=parsed.difficulty or 3,
        default_score=parsed.default_score or 1,
        knowledge_point=parsed.knowledge_point[:100],
        tags=parsed.tags,
        source=f"{file_name} {where}"[:200],
        created_by=by,
    )
    fields = _store_attachments(bank, parsed, version_fields(parsed))
    version = QuestionVersion.objects.create(
        question=question, number=1, created_by=by, **fields
    )
    question.current = version
    question.save(update_fields=["current"])
    return question


def _opening(stem: str) -> str:
    from django.utils.html import strip_tags

    return " ".join(strip_tags(stem).split())[:60]


def image_path(bank_id: int, name: str) -> str:
    """Where a question's picture is kept in the protected storage (pictures of
    exam questions are not public: see ``selectors.images``)."""
    return f"exams/{bank_id}/images/{name}"


def _store_attachments(bank: QuestionBank, parsed: ParsedQuestion, fields: dict):
    """Files embedded in the question are stored, and every reference to them
    (stem, options, feedback) points at the stored copy."""
    if not parsed.attachments:
        return fields
    storage = protected_storage()  # served through exams.selectors.images
    text = json.dumps(fields, ensure_ascii=False)
    for name, content in parsed.attachments.items():
        safe = re.sub(r"[^\w.\-]", "_", name)[-150:]
        stored = f"{hashlib.sha256(content).hexdigest()[:16]}-{safe}"
        if not storage.exists(image_path(bank.pk, stored)):  # the same file again
            storage.save(image_path(bank.pk, stored), ContentFile(content))
        url = json.dumps(
            reverse("exams_question_image", args=[bank.pk, stored]), ensure_ascii=False
        )
        url = url[1:-1]
        needle = json.dumps(f"@@PLUGINFILE@@/{name}", ensure_ascii=False)[1:-1]
        text = text.replace(needle, url)
    return json.loads(text)


__all__ = ["ImportOutcome", "QuestionType", "bank_ensure", "questions_import"]
