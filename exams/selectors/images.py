"""Pictures in questions (stems, options, 解析 imported from Moodle XML or GIFT).

They live under ``PROTECTED_MEDIA_ROOT`` (``services.imports.image_path``), not in
the public ``MEDIA_ROOT``: a picture of an exam question must not be reachable
before the exam by anyone who knows the address. ``question_image`` lets through
the bank's examiners, members who have sat (or are sitting) an exam drawn from
the bank and members who may practise with it. The file name starts with 64 bits
of the content's hash, so an address cannot be guessed: a candidate only learns
one from a sheet the review policy let them see.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.http import Http404

from media.storage import protected_storage
from org.models import User

from ..models import Attempt
from ..services.imports import image_path
from ..services.practice import practice_questions
from . import visible_banks

#: what ``services.imports`` stores: ``<16 hex digits>-<name>``
NAME = re.compile(r"^[0-9a-f]{16}-[\w.\-]{1,150}$")


def may_see_bank_images(*, viewer: User, bank_id: int) -> bool:
    if not viewer.is_authenticated:
        return False
    return (
        visible_banks(viewer=viewer).filter(pk=bank_id).exists()
        or Attempt.objects.filter(user=viewer, exam__paper__bank_id=bank_id).exists()
        or practice_questions(user=viewer).filter(bank_id=bank_id).exists()
    )


def question_image(*, viewer: User, bank_id: int, name: str) -> Path:
    """The file of a question's picture, or Http404 (also for a viewer who may
    not see it: nothing tells them it exists)."""
    if not NAME.match(name) or not may_see_bank_images(viewer=viewer, bank_id=bank_id):
        raise Http404
    path = Path(protected_storage().path(image_path(bank_id, name)))
    if not path.is_file():
        raise Http404
    return path
