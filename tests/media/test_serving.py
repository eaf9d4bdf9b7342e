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
