"""Pictures in questions are kept out of the public media folder and served only
to those who may see the bank's questions."""

import base64
import io
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image

from exams.importers import parse_moodle_xml
from exams.models import PaperKind, Question
from exams.services.banks import bank_set_practice
from exams.services.imports import bank_ensure, questions_import
from exams.services.papers import paper_create, paper_set_items
from tests.exams.sitting import make_exam


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def moodle_xml(png: bytes) -> str:
    data = base64.b64encode(png).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>党旗图片</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>图中是党旗 <img src="@@PLUGINFILE@@/党旗 1.png"></p>]]></text>
      <file name="党旗 1.png" path="/" encoding="base64">{data}</file>
    </questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
</quiz>"""


@pytest.fixture
def pictured(tree):
    """A bank with one pictured question; returns (bank, question, image url)."""
    bank = bank_ensure(name="图片题库", by=tree.examiner, owner_unit=tree.group)
    result = parse_moodle_xml(moodle_xml(png_bytes()))
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank, result=result, file_name="图片.xml", by=tree.examiner)
    question = Question.objects.get(bank=bank)
    stem = question.current.stem
    start = stem.index('src="') + len('src="')
    return bank, question, stem[start : stem.index('"', start)]


def test_an_imported_picture_is_stored_outside_the_public_media(tree, pictured):
    bank, _question, url = pictured
    assert url.startswith(f"/exams/images/{bank.pk}/")
    assert unquote(url).endswith("-党旗_1.png")
    public = Path(settings.MEDIA_ROOT)
    assert not public.exists() or not any(p.is_file() for p in public.rglob("*"))
    stored = list(Path(settings.PROTECTED_MEDIA_ROOT).rglob("*.png"))
    assert len(stored) == 1 and stored[0].read_bytes() == png_bytes()


def test_the_bank_examiner_sees_the_picture_and_outsiders_get_404(
    tree, pictured, client_for, client
):
    bank, _question, url = pictured
    shown = client_for(tree.examiner).get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == png_bytes()
    assert "private" in shown["Cache-Control"]
    # a member who has not sat an exam on this bank, nor may practise with it
    assert client_for(tree.member_a.user).get(url).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    forged = url.rsplit("/", 1)[0] + "/0000000000000000-x.png"
    assert client_for(tree.examiner).get(forged).status_code == 404
    traversal = f"/exams/images/{bank.pk}/..%2F..%2Fsecret.png"
    assert client_for(tree.examiner).get(traversal).status_code == 404


def test_candidates_see_it_once_they_sit_the_exam_and_practisers_too(
    tree, pictured, client_for
):
    bank, question, url = pictured
    paper = paper_create(
        by=tree.examiner, bank=bank, title="看图答题", kind=PaperKind.FIXED
    )
    paper_set_items(by=tree.examiner, paper=paper, items=[(question, None)])
    exam = make_exam(tree, paper, timezone.now(), pass_mark=1)
    member = client_for(tree.member_a.user)
    assert member.get(url).status_code == 404  # not before the exam
    started = member.post(f"/exams/{exam.pk}/start/")
    assert started.status_code == 302
    page = member.get(started["Location"]).content.decode()
    assert url in page  # the sheet points at the checked view
    assert member.get(url).status_code == 200
    # member_b's company is not in the exam: only practice opens the bank to them
    other = client_for(tree.member_b.user)
    assert other.get(url).status_code == 404
    bank_set_practice(by=tree.examiner, bank=bank, practice=True)
    assert other.get(url).status_code == 200
