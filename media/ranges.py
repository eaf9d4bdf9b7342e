"""HTTP Range requests for lesson files served by Django itself.

Django's FileResponse ignores ``Range``; without it a browser cannot seek in the
MP4 fallback (resume starts at 0) and Safari will not play it at all. Behind nginx
(``X_ACCEL_REDIRECT_PREFIX``) nginx answers ranges and this is not used.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

#: One byte range; spaces around the parts are tolerated (some clients send them).
_RANGE = re.compile(r"^bytes\s*=\s*(\d*)\s*-\s*(\d*)$", re.IGNORECASE)
CHUNK = 64 * 1024
#: A well-formed range the file cannot satisfy (it starts beyond the end): 416.
UNSATISFIABLE = "unsatisfiable"


def _parse(header: str, size: int) -> tuple[int, int] | str | None:
    """(first, last) byte of a single range; :data:`UNSATISFIABLE`; or None for a
    header that is not a valid byte range, which is ignored (RFC 9110 §14.2)."""
    match = _RANGE.match(header.strip())
    if not match:
        return None  # another unit ("items=0-1"), or not a range at all
    first, last = match.groups()
    if first == "":  # the last N bytes
        if last == "":
            return None  # "bytes=-"
        if int(last) == 0 or size == 0:
            return UNSATISFIABLE
        return max(size - int(last), 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # "bytes=5-3" is invalid, not unsatisfiable
    if start >= size:
        return UNSATISFIABLE
    end = min(int(last), size - 1) if last else size - 1
    return start, end


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
    """The whole file, or the one byte range the request asks for (206), or 416
    for a range starting beyond the end."""
    header = request.headers.get("Range", "")
    size = path.stat().st_size
    # No range, several (allowed to be answered in full) or an invalid one: all.
    wanted = _parse(header, size) if header and "," not in header else None
    if wanted is None:
        response = FileResponse(path.open("rb"), content_type=content_type, **kwargs)
        response["Accept-Ranges"] = "bytes"
        return response
    if wanted == UNSATISFIABLE:
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
