"""Shared fixtures: real databases (SQLite and PostgreSQL), a fake clock, a recording messenger."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.bank.model import Bank, load_bank
from bot.config import BUNDLED_BANK, Settings
from bot.context import Context
from tests.support.clock import FakeClock
from tests.support.databases import postgres_database, sqlite_url
from tests.support.messenger import RecordingMessenger
from tests.support.secrets import LeakWatch

AppFactory = Callable[..., Awaitable[App]]
MINI_BANK = Path(__file__).resolve().parent / "data" / "mini_bank.json"


LEAK_WATCH = LeakWatch()


def pytest_configure(config: pytest.Config) -> None:
    """Watch every log line of the run for the fake secrets."""
    root = logging.getLogger()
    root.addHandler(LEAK_WATCH)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a secret reached the logs."""
    if LEAK_WATCH.leaks:
        print("\nSECRETS LEAKED INTO LOGS:\n" + "\n".join(LEAK_WATCH.leaks[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's settings (or a .env) by accident."""
    for name in ("DATABASE_URL", "DAILYQ_QUESTIONS", "DAILYQ_TIMEZONE", "DAILYQ_CATCHUP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The bundled bank."""
    return load_bank([BUNDLED_BANK])


@pytest.fixture(scope="session")
def mini_bank() -> Bank:
    """Four fully specified questions (key points, quiz options) for exact assertions."""
    return load_bank([MINI_BANK])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database URL, once per engine: the store and rounds suites run on both."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        async with postgres_database() as url:
            yield url


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    """A fresh SQLite database URL (for tests that are about SQLite itself)."""
    return sqlite_url(tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock starting Wed 25 Nov 2026 08:00 UTC."""
    return FakeClock()


@pytest.fixture
def messenger() -> RecordingMessenger:
    """The platform stand-in that records what the bot sends."""
    return RecordingMessenger()


@pytest.fixture
async def make_app(bank: Bank, clock: FakeClock, messenger: RecordingMessenger) -> AsyncIterator[AppFactory]:
    """Builds apps on a database URL; closes them all at teardown."""
    apps: list[App] = []

    async def factory(url: str, *, with_bank: Bank | None = None, **settings: object) -> App:
        app = await build_app(
            Settings(database_url=url, **settings),  # type: ignore[arg-type]
            messenger,
            clock,
            with_bank or bank,
        )
        apps.append(app)
        return app

    yield factory
    for app in apps:
        await app.close()


@pytest.fixture
async def app(make_app: AppFactory, db_url: str) -> App:
    """An app on a fresh database (SQLite and PostgreSQL)."""
    return await make_app(db_url)


@pytest.fixture
async def mini_app(make_app: AppFactory, db_url: str, mini_bank: Bank) -> App:
    """An app on the mini bank and a fresh database (SQLite and PostgreSQL)."""
    return await make_app(db_url, with_bank=mini_bank)


def admin(channel: str = "C1", user: str = "U1", name: str = "Ada", workspace: str = "W1") -> Context:
    """An admin in a test channel."""
    return Context("test", workspace, channel, user, name, is_admin=True)


def member(channel: str = "C1", user: str = "U2", name: str = "Bob", workspace: str = "W1") -> Context:
    """A non-admin in a test channel."""
    return Context("test", workspace, channel, user, name, is_admin=False)
