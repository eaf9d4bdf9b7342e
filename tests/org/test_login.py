from django.test import Client, override_settings

from org.services.members import member_create
from tests.factories import PASSWORD, make_member, make_unit


def login(client, identifier, password, ip="10.1.1.1"):
    return client.post(
        "/accounts/login/",
        {"identifier": identifier, "password": password},
        REMOTE_ADDR=ip,
    )


def test_login_by_username_or_phone(db):
    member = make_member(make_unit(None, "支部"), phone="13811112222")
    assert login(Client(), member.user.username, PASSWORD).status_code == 302
    response = login(Client(), "138 1111 2222", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_is_refused_in_chinese(db):
    member = make_member(make_unit(None, "支部"))
    response = login(Client(), member.user.username, "wrong")
    assert response.status_code == 200
    assert "用户名/手机号或密码错误" in response.content.decode()


@override_settings(
    LOGIN_THROTTLE={"per_account": 3, "per_ip": 100, "window_seconds": 600}
)
def test_repeated_failures_lock_the_account_even_with_the_right_password(db):
    member = make_member(make_unit(None, "支部"))
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        login(Client(), member.user.username, "wrong", ip=ip)
    response = login(Client(), member.user.username, PASSWORD, ip="10.0.0.9")
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()


@override_settings(
    LOGIN_THROTTLE={"per_account": 100, "per_ip": 3, "window_seconds": 600}
)
def test_repeated_failures_from_one_ip_block_that_ip(db):
    unit = make_unit(None, "支部")
    victims = [make_member(unit) for _ in range(4)]
    for victim in victims[:3]:
        login(Client(), victim.user.username, "wrong", ip="10.9.9.9")
    blocked = login(Client(), victims[3].user.username, PASSWORD, ip="10.9.9.9")
    assert "登录失败次数过多" in blocked.content.decode()
    other_ip = login(Client(), victims[3].user.username, PASSWORD, ip="10.9.9.8")
    assert other_ip.status_code == 302


def test_initial_password_forces_a_change(db):
    member = member_create(
        unit=make_unit(None, "支部"),
        real_name="新党员",
        employee_no="N1",
        phone="13700001234",
    )
    client = Client()
    response = login(client, "13700001234", "001234")
    assert response["Location"] == "/accounts/password/"
    assert client.get("/me/")["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {"new_password1": "Kx9-党建-2026", "new_password2": "Kx9-党建-2026"},
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.must_change_password
    assert client.get("/me/").status_code == 200
    # the initial password no longer works
    assert login(Client(), "13700001234", "001234").status_code == 200


def test_logout_needs_post_and_ends_the_session(db):
    member = make_member(make_unit(None, "支部"))
    client = Client()
    client.force_login(member.user)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/me/").status_code == 302


def test_open_redirect_is_ignored(db):
    member = make_member(make_unit(None, "支部"))
    response = Client().post(
        "/accounts/login/?next=https://evil.example.com/",
        {
            "identifier": member.user.username,
            "password": PASSWORD,
            "next": "https://evil.example.com/",
        },
    )
    assert response["Location"] == "/"


@override_settings(
    LOGIN_THROTTLE={"per_account": 3, "per_ip": 100, "window_seconds": 600}
)
def test_username_and_phone_share_one_failure_counter(db):
    member = make_member(make_unit(None, "支部"), phone="13811113333")
    login(Client(), member.user.username, "wrong", ip="10.0.0.1")
    login(Client(), "13811113333", "wrong", ip="10.0.0.2")
    login(Client(), member.user.username, "wrong", ip="10.0.0.3")
    response = login(Client(), "13811113333", PASSWORD, ip="10.0.0.4")
    assert "登录失败次数过多" in response.content.decode()
