"""In-site notifications: written in bulk, handed to the extra channels on commit
(a failing channel loses nothing), the member's page and the API."""

import pytest
from django.core import mail
from django.utils import timezone

from cms.models import Notification
from cms.notifications import notifications_mark_read, notify, unread_count


class BrokenChannel:
    """An extra channel whose provider is down."""

    def send(self, notifications):
        raise ConnectionError("SMS gateway unreachable")


class RecordingChannel:
    """An extra channel that keeps what it was given (an SMS gateway's stand-in)."""

    sent: list = []

    def send(self, notifications):
        RecordingChannel.sent.extend(notifications)


@pytest.fixture
def people(tree):
    li, wang = tree.member_a.user, tree.member_b.user
    li.email = "li@example.cn"
    li.save(update_fields=["email"])
    return li, wang


def test_notify_writes_one_notification_per_user(people):
    li, wang = people
    created = notify(
        users=[li, wang, li], title="学习提醒", body="请按时学习", url="/study/"
    )
    assert len(created) == 2 and all(n.pk for n in created)
    assert sorted(Notification.objects.values_list("user__real_name", flat=True)) == [
        "李红梅",
        "王建国",
    ]
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert notify(users=[], title="无人") == []
    assert mail.outbox == []  # no channel configured: in-site only


def test_the_channels_run_only_after_the_commit(
    people, settings, django_capture_on_commit_callbacks
):
    settings.ZHIXUE_NOTIFY_BACKENDS = ["cms.notifications.EmailBackend"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=people, title="学习提醒")
    assert len(callbacks) == 1 and mail.outbox == []


def test_the_email_channel_mails_those_with_an_address(
    deliver_now, people, settings, django_capture_on_commit_callbacks
):
    settings.ZHIXUE_NOTIFY_BACKENDS = ["cms.notifications.EmailBackend"]
    settings.WAGTAILADMIN_BASE_URL = "https://dangjian.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=people, title="学习提醒", body="请按时学习", url="/study/tasks/1/")
    (message,) = mail.outbox
    assert message.to == ["li@example.cn"] and message.subject == "学习提醒"
    assert "请按时学习" in message.body
    assert "https://dangjian.example.cn/study/tasks/1/" in message.body


def test_a_failing_channel_is_logged_and_loses_nothing(
    deliver_now, people, settings, django_capture_on_commit_callbacks, caplog
):
    RecordingChannel.sent = []
    settings.ZHIXUE_NOTIFY_BACKENDS = [
        "tests.cms.test_notifications.BrokenChannel",
        "tests.cms.test_notifications.NoSuchChannel",
        "tests.cms.test_notifications.RecordingChannel",
        "cms.notifications.EmailBackend",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(users=people, title="学习提醒")
    assert Notification.objects.count() == 2
    # the channels after it still ran, with the committed rows
    assert [n.pk for n in RecordingChannel.sent] == sorted(n.pk for n in created)
    assert len(mail.outbox) == 1
    assert "BrokenChannel failed" in caplog.text
    assert "NoSuchChannel failed" in caplog.text


def test_marking_read_touches_only_the_users_own(people):
    li, wang = people
    mine = notify(users=[li], title="一") + notify(users=[li], title="二")
    (theirs,) = notify(users=[wang], title="三")
    assert unread_count(li) == 2
    assert notifications_mark_read(user=li, ids=[mine[0].pk, theirs.pk]) == 1
    assert unread_count(li) == 1 and unread_count(wang) == 1
    assert notifications_mark_read(user=li) == 1
    assert notifications_mark_read(user=li) == 0  # nothing left
    assert unread_count(li) == 0 and unread_count(wang) == 1


# --- the page ----------------------------------------------------------------------


def test_the_page_shows_unread_first_and_marks_all_read(people, client_for):
    li, _wang = people
    notify(users=[li], title="旧的未读提醒")
    (read,) = notify(users=[li], title="已读的提醒")
    notifications_mark_read(user=li, ids=[read.pk])
    client = client_for(li)
    html = client.get("/notifications/").content.decode()
    assert html.index("旧的未读提醒") < html.index("已读的提醒")
    assert html.count('class="notice-item is-unread"') == 1
    assert "/notifications/read/" in html
    response = client.post("/notifications/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert unread_count(li) == 0
    after = client.get("/notifications/").content.decode()
    assert 'class="notice-item is-unread"' not in after
    assert client.get("/notifications/read/").status_code == 405


def test_the_page_has_an_empty_state_and_needs_a_login(tree, client, client_for):
    html = client_for(tree.member_a.user).get("/notifications/").content.decode()
    assert "empty-state" in html
    assert client.get("/notifications/").status_code == 302


def test_the_page_reads_in_few_queries(
    people, client_for, django_assert_max_num_queries
):
    li, _wang = people
    for number in range(25):
        notify(users=[li], title=f"第{number}条提醒")
    client = client_for(li)
    client.get("/notifications/")
    with django_assert_max_num_queries(8):
        html = client.get("/notifications/").content.decode()
    assert html.count('<li class="notice-item') == 20 and "第24条提醒" in html
    assert "第0条提醒" not in html  # on page 2
    assert "第0条提醒" in client.get("/notifications/?page=2").content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(people, client_for):
    li, wang = people
    (task,) = notify(users=[li], title="学习任务", url="/study/tasks/7/")
    (outside,) = notify(users=[li], title="外链", url="https://evil.example.com/")
    (theirs,) = notify(users=[wang], title="别人的")
    client = client_for(li)
    response = client.get(f"/notifications/{task.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/study/tasks/7/"
    task.refresh_from_db()
    assert task.read_at is not None
    assert client.get(f"/notifications/{outside.pk}/open/")["Location"] == (
        "/notifications/"
    )
    assert client.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- the API -----------------------------------------------------------------------


def test_the_api_lists_the_callers_notifications_unread_first(people, api_for):
    li, wang = people
    (first,) = notify(users=[li], title="第一条")
    (second,) = notify(users=[li], title="第二条", body="内容", url="/study/")
    notify(users=[wang], title="别人的")
    notifications_mark_read(user=li, ids=[second.pk])
    data = api_for(li).get("/api/v1/me/notifications/").json()
    assert (data["count"], data["unread"], data["num_pages"]) == (2, 1, 1)
    assert [n["title"] for n in data["results"]] == ["第一条", "第二条"]
    assert (
        data["results"][0]["unread"] is True and data["results"][0]["read_at"] is None
    )
    assert data["results"][1] | {"created_at": None, "read_at": None} == {
        "id": second.pk,
        "title": "第二条",
        "body": "内容",
        "url": "/study/",
        "created_at": None,
        "read_at": None,
        "unread": False,
    }
    assert first.pk != second.pk


def test_the_api_marks_some_or_all_read(people, api_for):
    li, wang = people
    mine = [notify(users=[li], title=f"提醒{i}")[0] for i in range(3)]
    (theirs,) = notify(users=[wang], title="别人的")
    api = api_for(li)
    some = api.post(
        "/api/v1/me/notifications/read/",
        {"ids": [mine[0].pk, theirs.pk]},
        format="json",
    )
    assert some.status_code == 200 and some.json() == {"marked": 1, "unread": 2}
    rest = api.post("/api/v1/me/notifications/read/", {}, format="json").json()
    assert rest == {"marked": 2, "unread": 0}
    assert unread_count(wang) == 1
    bad = api.post("/api/v1/me/notifications/read/", {"ids": ["x"]}, format="json")
    assert bad.status_code == 400


def test_the_api_needs_a_login_and_is_in_the_schema(tree, client, client_for):
    assert client.get("/api/v1/me/notifications/").status_code in (401, 403)
    assert client.post("/api/v1/me/notifications/read/").status_code in (401, 403)
    schema = client_for(tree.member_a.user).get("/api/schema/?format=json").json()
    listing = schema["paths"]["/api/v1/me/notifications/"]["get"]
    assert listing["tags"] == ["notifications"]
    assert schema["paths"]["/api/v1/me/notifications/read/"]["post"]["tags"] == [
        "notifications"
    ]


def test_read_at_is_timezone_aware(people):
    li, _wang = people
    (note,) = notify(users=[li], title="提醒")
    notifications_mark_read(user=li)
    note.refresh_from_db()
    assert timezone.is_aware(note.read_at)


def test_every_page_shows_the_unread_count_in_the_header(people, client_for):
    li, wang = people
    notify(users=[li], title="一")
    notify(users=[li], title="二")
    html = client_for(li).get("/study/").content.decode()
    assert 'href="/notifications/"' in html and "data-unread>2<" in html
    assert "data-unread" not in client_for(wang).get("/study/").content.decode()
