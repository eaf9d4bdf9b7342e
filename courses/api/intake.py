"""Heartbeats answered in front of Django's middleware and DRF.

``POST /api/v1/sessions/<id>/heartbeats/`` is the most frequent request of the
platform (30,000 members watching at once send 1,000 a second), and it needs
nothing the middleware does: no login, cookie, CSRF token, message, language or
redirect (the session id and its one-time token chain are the credential, see
``heartbeat_record``). Run through the middleware and DRF it cost twice what
recording the heartbeat does, so ``cms/wsgi.py`` puts ``HeartbeatIntake`` in front
of Django: it answers that one path itself, with Django's request object (host
check, body limits), Django's request signals (database connections opened and
closed as for any request) and the same ``heartbeat_answer`` that the DRF view
(``views.HeartbeatView``, which documents the endpoint in the OpenAPI schema and
serves the test client) calls. Every other request goes to Django untouched.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import asdict
from http import HTTPStatus

from django.core import signals
from django.core.exceptions import DisallowedHost, RequestDataTooBig, ValidationError
from django.core.handlers.wsgi import WSGIRequest
from rest_framework.exceptions import APIException, NotFound, ParseError

from ..models import WatchSession
from ..services.tracking import Beat, heartbeat_record

logger = logging.getLogger("django.request")

HEARTBEAT_PATH = re.compile(
    r"/api/v1/sessions/(?P<session_id>[0-9a-fA-F-]{32,36})/heartbeats/\Z"
)


def heartbeat_answer(session_id, data) -> tuple[int, dict]:
    """(HTTP status, JSON body) for one heartbeat's parsed payload."""
    try:
        beat = Beat.from_payload(data)
    except ValidationError as exc:
        return 400, exc.message_dict
    try:
        result = heartbeat_record(session_id=session_id, beat=beat)
    except WatchSession.DoesNotExist:
        return 404, {"detail": str(NotFound.default_detail)}
    return 200, asdict(result)


class HeartbeatIntake:
    """WSGI middleware: heartbeats here, everything else to ``app`` (Django)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        match = HEARTBEAT_PATH.match(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            status, payload = self._answer(WSGIRequest(environ), match["session_id"])
        finally:
            signals.request_finished.send(sender=self.__class__)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        body = body.encode()
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [body]

    def _answer(self, request: WSGIRequest, session_id: str) -> tuple[int, dict]:
        try:
            request.get_host()  # ALLOWED_HOSTS, as Django checks it
            if request.content_type != "application/json":
                return 415, {"detail": "Content-Type must be application/json."}
            data = json.loads(request.body)
        except DisallowedHost:
            return 400, {"detail": HTTPStatus.BAD_REQUEST.phrase}
        except RequestDataTooBig:
            return 413, {"detail": HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase}
        except ValueError:  # not JSON, not UTF-8
            return 400, {"detail": str(ParseError.default_detail)}
        try:
            key = uuid.UUID(session_id)
        except ValueError:
            return 404, {"detail": str(NotFound.default_detail)}
        try:
            return heartbeat_answer(key, data)
        except Exception:
            logger.exception("Heartbeat failed: %s", request.path)
            return 500, {"detail": str(APIException.default_detail)}
