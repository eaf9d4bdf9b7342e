"""Lesson files reach logged-in members only, through the checked view."""

import pytest

from media.services.processing import media_process


@pytest.fixture
def ready(clips, upload):
    return media_process(asset_id=upload(clips["small"]).pk)


def url(asset, name: str) -> str:
    return f"/lesson-media/{asset.pk}/{name}"


def test_a_member_gets_the_playlists_and_segments(tree, client_for, ready):
    client = client_for(tree.member_a.user)
    master = client.get(url(ready, "master.m3u8"))
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    variant = ready.renditions[0]["playlist"]
    playlist = b"".join(client.get(url(ready, variant)).streaming_content).decode()
    segment = next(line for line in playlist.splitlines() if line.endswith(".ts"))
    folder = variant.rsplit("/", 1)[0]
    response = client.get(url(ready, f"{folder}/{segment}"))
    assert response.status_code == 200 and response["Content-Type"] == "video/mp2t"
    assert client.get(url(ready, "fallback.mp4"))["Content-Type"] == "video/mp4"


def test_anonymous_visitors_are_sent_to_log_in(client, ready):
    response = client.get(url(ready, "master.m3u8"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anything_outside_a_ready_lesson_is_not_found(
    tree, client_for, ready, clips, upload
):
    client = client_for(tree.member_a.user)
    assert client.get(url(ready, "../../../secret_key")).status_code == 404
    assert client.get(url(ready, "360p/nothing.ts")).status_code == 404
    assert client.get(url(ready, "360p/index.m3u8.bak")).status_code == 404
    pending = upload(clips["small"], title="未处理")
    assert client.get(url(pending, "master.m3u8")).status_code == 404
    assert client.get("/lesson-media/999999/master.m3u8").status_code == 404


def test_behind_nginx_the_bytes_come_from_an_internal_location(
    tree, client_for, ready, settings
):
    settings.X_ACCEL_REDIRECT_PREFIX = "/protected/"
    response = client_for(tree.member_a.user).get(url(ready, "master.m3u8"))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{ready.output_dir}/master.m3u8"
    assert response.content == b""


def test_a_name_the_file_system_refuses_is_not_found(tree, client_for, ready):
    client = client_for(tree.member_a.user)
    assert client.get(url(ready, "360p/seg%00.ts")).status_code == 404


def test_the_fallback_answers_byte_ranges_so_players_can_seek(tree, client_for, ready):
    from media.services.processing import protected_root

    client = client_for(tree.member_a.user)
    whole = (protected_root() / ready.output_dir / "fallback.mp4").read_bytes()
    part = client.get(url(ready, "fallback.mp4"), headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[100:200]
    tail = client.get(url(ready, "fallback.mp4"), headers={"Range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == whole[-10:]
    open_ended = client.get(url(ready, "fallback.mp4"), headers={"Range": "bytes=5-"})
    assert b"".join(open_ended.streaming_content) == whole[5:]
    beyond = client.get(
        url(ready, "fallback.mp4"), headers={"Range": f"bytes={len(whole)}-"}
    )
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(whole)}"
    full = client.get(url(ready, "fallback.mp4"))
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"


def test_a_head_request_gets_the_headers_of_a_lesson_file(tree, client_for, ready):
    client = client_for(tree.member_a.user)
    response = client.head(url(ready, "master.m3u8"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    assert client.post(url(ready, "master.m3u8")).status_code == 405


def test_a_range_with_spaces_is_read_and_an_invalid_one_is_ignored(
    tree, client_for, ready
):
    from media.services.processing import protected_root

    client = client_for(tree.member_a.user)
    whole = (protected_root() / ready.output_dir / "fallback.mp4").read_bytes()
    spaced = client.get(url(ready, "fallback.mp4"), headers={"Range": "bytes= 0-1"})
    assert spaced.status_code == 206
    assert b"".join(spaced.streaming_content) == whole[:2]
    for header in ("items=0-1", "bytes=5-3", "bytes=-", "bytes=abc", "bytes 0-1"):
        ignored = client.get(url(ready, "fallback.mp4"), headers={"Range": header})
        assert ignored.status_code == 200, header  # the whole file, as with no range
        assert b"".join(ignored.streaming_content) == whole
    empty = client.get(url(ready, "fallback.mp4"), headers={"Range": "bytes=-0"})
    assert empty.status_code == 416  # well-formed, but no byte to send
