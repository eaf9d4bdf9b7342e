"""Extracting the text of attached PDF, DOCX, XLSX, PPTX and TXT files so that a word
that only appears inside an attachment still finds its document.

A broken or encrypted file is recorded as failed with the reason and skipped; it never
fails the publish.
"""

import hashlib
import io
import logging
import zipfile
from collections.abc import Callable

from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.models import Page

from library.models import AttachmentText, ExtractionStatus

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2_000_000  # enough for a 1,000-page PDF; keeps the index sane


class ExtractionError(Exception):
    pass


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("PDF 已加密，无法读取")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ExtractionError(f"PDF 无法解析：{exc}") from exc


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines = []
    for sheet in workbook.worksheets:
        lines.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells = [str(v) for v in row if v is not None]
            if cells:
                lines.append(" ".join(cells))
    workbook.close()
    return "\n".join(lines)


def _pptx(data: bytes) -> str:
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(data))
    parts = []
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
    return "\n".join(parts)


def _txt(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractionError("文本文件编码无法识别")


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "pptx": _pptx,
    "txt": _txt,
}


def extract_text(*, data: bytes, extension: str) -> str:
    extractor = EXTRACTORS.get(extension.lower().lstrip("."))
    if extractor is None:
        raise KeyError(extension)
    try:
        return extractor(data)[:MAX_TEXT_CHARS]
    except ExtractionError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise ExtractionError(f"文件已损坏或格式不符：{exc}") from exc


def attachment_text_extract(*, document_id: int) -> AttachmentText:
    """Extract one file's text; done once per file content (by hash)."""
    document = get_document_model().objects.get(pk=document_id)
    with document.file.open("rb") as handle:
        data = handle.read()
    file_hash = hashlib.sha256(data).hexdigest()
    existing = AttachmentText.objects.filter(document=document).first()
    if existing and existing.file_hash == file_hash:
        return existing
    status, text, reason = ExtractionStatus.READY, "", ""
    try:
        text = extract_text(data=data, extension=document.file_extension)
    except KeyError:
        status = ExtractionStatus.UNSUPPORTED
    except ExtractionError as exc:
        logger.warning("attachment %s skipped: %s", document.pk, exc)
        status, reason = ExtractionStatus.FAILED, str(exc)[:500]
    except Exception as exc:  # a parser bug must not stop the publish either
        logger.exception("attachment %s could not be read", document.pk)
        status, reason = ExtractionStatus.FAILED, f"无法读取：{exc}"[:500]
    record, _created = AttachmentText.objects.update_or_create(
        document=document,
        defaults={
            "file_hash": file_hash,
            "status": status,
            "text": text,
            "failure_reason": reason,
        },
    )
    return record


@transaction.atomic
def page_attachments_index(*, page_id: int) -> str:
    """Put the text of a page's attachments into its search index entry."""
    from wagtail.search import index

    page = Page.objects.get(pk=page_id).specific
    if not hasattr(page, "attachment_text"):
        return ""
    texts = []
    for attachment in page.attachments.select_related("document"):
        record = attachment_text_extract(document_id=attachment.document_id)
        if record.status == ExtractionStatus.READY and record.text:
            texts.append(f"{attachment.document.title}\n{record.text}")
    combined = "\n\n".join(texts)
    type(page).objects.filter(pk=page.pk).update(attachment_text=combined)
    page.attachment_text = combined
    if page.live:
        index.insert_or_update_object(page)
    return combined
