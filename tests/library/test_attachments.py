import io

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from library.models import AttachmentText, PageAttachment
from library.services.attachments import (
    attachment_text_extract,
    extract_text,
    page_attachments_index,
)

SHARED_MEDIA = None


def make_document(title: str, filename: str, content: bytes):
    document = get_document_model()(title=title)
    document.file.save(filename, ContentFile(content), save=True)
    return document


def docx_bytes(lines):
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "表格里的词"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_bytes(text):
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    box.text_frame.text = text
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def pdf_bytes(text: str, *, password: str | None = None) -> bytes:
    """A real one-page PDF with an embedded CJK-capable font (ASCII fallback)."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject(
                {NameObject("/F1"): writer._add_object(font)}
            )
        }
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/MediaBox")] = ArrayObject(
        [NumberObject(0), NumberObject(0), NumberObject(300), NumberObject(200)]
    )
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_docx_xlsx_pptx_and_txt_text_is_extracted():
    assert "塔吊防碰撞" in extract_text(
        data=docx_bytes(["塔吊防碰撞监测"]), extension="docx"
    )
    assert "表格里的词" in extract_text(data=docx_bytes([]), extension="docx")
    assert "交纳比例" in extract_text(
        data=xlsx_bytes([["交纳比例", "1%"]]), extension="xlsx"
    )
    assert "微党课" in extract_text(data=pptx_bytes("微党课制作"), extension="pptx")
    assert extract_text(data="党费".encode("gb18030"), extension="txt") == "党费"


def test_pdf_text_is_extracted():
    assert "tower crane" in extract_text(data=pdf_bytes("tower crane"), extension="pdf")


def test_encrypted_and_broken_files_fail_with_a_reason(db):
    encrypted = make_document("加密", "secret.pdf", pdf_bytes("x", password="pw"))
    record = attachment_text_extract(document_id=encrypted.pk)
    assert record.status == "failed" and "加密" in record.failure_reason
    broken = make_document("损坏", "broken.docx", b"PK\x03\x04 not really a docx")
    record = attachment_text_extract(document_id=broken.pk)
    assert record.status == "failed" and record.failure_reason


def test_page_gets_the_text_of_its_attachments_and_survives_a_broken_one(publish):
    page = publish("党费计算表", body="<p>见附件</p>")
    good = make_document("计算表", "dues.xlsx", xlsx_bytes([["交纳比例说明"]]))
    bad = make_document("坏文件", "bad.pdf", b"%PDF-1.4 truncated")
    PageAttachment.objects.create(page=page, document=good)
    PageAttachment.objects.create(page=page, document=bad)
    text = page_attachments_index(page_id=page.pk)
    assert "交纳比例说明" in text
    page.refresh_from_db()
    assert "交纳比例说明" in page.attachment_text
    assert AttachmentText.objects.get(document=bad).status == "failed"


def test_extraction_runs_once_per_file_content(db):
    document = make_document("一份", "a.txt", "学习培训".encode())
    first = attachment_text_extract(document_id=document.pk)
    AttachmentText.objects.filter(pk=first.pk).update(text="cached")
    assert attachment_text_extract(document_id=document.pk).text == "cached"


def test_publishing_queues_extraction_after_commit(
    publish, django_capture_on_commit_callbacks
):
    page = publish("草稿")
    with django_capture_on_commit_callbacks() as callbacks:
        page.save_revision().publish()
    assert len(callbacks) >= 1


@pytest.mark.parametrize("extension", ["exe", "zip"])
def test_unsupported_files_are_marked_not_failed(db, extension):
    document = make_document("x", f"x.{extension}", b"MZ")
    assert attachment_text_extract(document_id=document.pk).status == "unsupported"
