"""Browser tests: Playwright driving Debian's chromium against pytest-django's
live server (see DESIGN.md §7 for why not `playwright install`)."""

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections

from tests.factories import home_page_ensure

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Lesson tests start playback from a script (the video is muted anyway).
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser():
    """Debian's chromium, for the tests of this folder only.

    While Playwright's sync API is up, this thread counts as running an asyncio
    loop. Django then (1) refuses ORM calls as "async unsafe" and (2) hands out
    database connections from a separate, per-context store, so the tests would
    run on another connection object than the one pytest-django set up (test
    database settings, serialized contents, query capture). So for the browser's
    lifetime, and only then, allow the calls and pin this thread's connections.
    """
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium: "
            "apt-get install chromium fonts-wqy-zenhei (scripts/test installs it)"
        )
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    pinned = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, connection in pinned.items():
                connections[alias] = connection
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def site(browser, live_server, transactional_db):
    """The live server, with the site's home page in place."""
    home_page_ensure()
    return live_server


@pytest.fixture
def open_page(browser, site) -> Iterator[Callable]:
    """open_page(viewport=PHONE) -> a fresh page (own cookies) in a Chinese browser."""
    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(
            viewport=viewport or PHONE,
            locale="zh-CN",  # Accept-Language: zh-CN, as members' phones send it
            base_url=site.url,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    _live_requests_settle()


def _live_requests_settle(timeout: float = 5.0) -> None:
    """Wait until no request on the live server still holds the database.

    Closing a page sends its last heartbeat (``pagehide``); if that request is still
    in a transaction when the test's flush runs, PostgreSQL's TRUNCATE deadlocks
    against it. SQLite serialises writers, so only PostgreSQL needs the wait.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND state IN ('active', 'idle in transaction')"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
