"""manage.py import_questions FILE [--format xlsx|gift|xml|aiken] --bank NAME
[--dry-run]: the admin's import, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exams.importers import FORMATS, QuestionType, parse_file
from exams.services.imports import bank_ensure, questions_import


class Command(BaseCommand):
    help = "Import questions from Excel, Moodle GIFT, Moodle XML or Aiken into a bank."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, dest="fmt")
        parser.add_argument("--bank", required=True, help="the bank's name")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file, import nothing"
        )

    def handle(self, *args, file, fmt, bank, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = parse_file(path, fmt)
        outcome = None
        if not dry_run:
            outcome = questions_import(
                bank=bank_ensure(name=bank, by=None),
                result=result,
                file_name=path.name,
                by=None,
            )
        for problem in result.errors:
            self.stderr.write(f"error: {_where(problem)}{problem.message}")
        for warning in result.warnings:
            self.stderr.write(f"warning: {_where(warning)}{warning.message}")
        for skipped in result.unsupported:
            where = f"line {skipped.line}: " if skipped.line else ""
            self.stderr.write(
                f"unsupported: {where}unsupported question type: {skipped.moodle_type}"
                + (f" ({skipped.name})" if skipped.name else "")
            )
        counts = result.counts()
        verb = "would import" if dry_run else "imported"
        if not result.ok:
            self.stdout.write(
                f"0 questions {verb}: the file has {len(result.errors)} error(s)."
            )
            raise CommandError("Nothing was imported.")
        for kind in QuestionType:
            if counts.get(kind):
                self.stdout.write(f"{kind.label} ({kind}): {counts[kind]}")
        total = sum(counts.values())
        self.stdout.write(
            f"{total} questions {verb}"
            + (f" into bank “{outcome.record.bank.name}”" if outcome else "")
            + (
                f"; {len(result.unsupported)} unsupported left out"
                if result.unsupported
                else ""
            )
            + "."
        )


def _where(problem) -> str:
    parts = []
    if problem.line:
        parts.append(f"line {problem.line}")
    if problem.row:
        parts.append(f"row {problem.row}")
    if problem.column:
        parts.append(f"column {problem.column}")
    return (", ".join(parts) + ": ") if parts else ""
