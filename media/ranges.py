"""HTTP Range requests for lesson files served by Django itself.

Django's FileResponse ignores ``Range``; without it a browser cannot seek in the
MP4 fallback (resume starts at 0) and Safari will not play it at all. Behind nginx
(``X_ACCEL_REDIRECT_PREFIX``) nginx answers ranges and this is not used.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _parse(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single range, or None if it cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        if last == "" or int(last) == 0:
            return None
        return max(size - int(last), 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end else None


def _chunks(path: Path, start: int, length: int):
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def ranged_file_response(request, path: Path, content_type: str, **kwargs):
    """The whole file, or the one byte range the request asks for (206/416)."""
    header = request.headers.get("Range", "")
    size = path.stat().st_size
    if not header or "," in header:  # no range, or several: send it all
        response = FileResponse(path.open("rb"), content_type=content_type, **kwargs)
        response["Accept-Ranges"] = "bytes"
        return response
    wanted = _parse(header, size)
    if wanted is None:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted
    response = StreamingHttpResponse(
        _chunks(path, start, end - start + 1), status=206, content_type=content_type
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response
