"""The member directory against the fake Slack on loopback: ``users.info`` answers are cached per
(team, user) for the TTL, a failed lookup is not cached, admins come from Slack or the settings."""

from __future__ import annotations

from adapters.slack_adapter.client import make_client, open_session
from adapters.slack_adapter.directory import Directory, Member
from adapters.slack_adapter.settings import SlackSettings
from tests.fakes.fake_slack import FakeSlack
from tests.support import secrets


def _settings(api_url: str) -> SlackSettings:
    return SlackSettings(
        SLACK_BOT_TOKEN=secrets.SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET="s", SLACK_API_URL=api_url
    )


async def test_a_member_is_looked_up_once_per_ttl() -> None:
    now = [0.0]
    async with FakeSlack() as fake, open_session() as session:
        fake.add_user("U1", name="ada", is_admin=True)
        fake.add_user("U2", name="bob")
        directory = Directory(
            make_client(_settings(fake.api_url), session=session), ttl=60, monotonic=lambda: now[0]
        )
        assert await directory.member("T1", "U1") == Member("U1", "ada", True)
        assert await directory.member("T1", "U1") == Member("U1", "ada", True)
        assert await directory.is_admin("T1", "U1") and not await directory.is_admin("T1", "U2")
        assert len(fake.calls("users.info")) == 2  # U1 once, U2 once
        await directory.member("T2", "U1")  # another workspace is another entry
        assert len(fake.calls("users.info")) == 3
        now[0] = 61
        await directory.member("T1", "U1")
        assert len(fake.calls("users.info")) == 4  # expired: asked again


async def test_a_failed_lookup_is_not_cached_and_counts_as_not_admin() -> None:
    async with FakeSlack() as fake, open_session() as session:
        fake.add_user("U1", name="ada", is_admin=True)
        directory = Directory(make_client(_settings(fake.api_url), session=session))
        fake.set_response("users.info", {"ok": False, "error": "ratelimited"})
        assert await directory.member("T1", "U1") is None
        assert not await directory.is_admin("T1", "U1")
        del fake.responses["users.info"]
        assert await directory.is_admin("T1", "U1")
        assert len(fake.calls("users.info")) == 3


async def test_admins_from_the_settings_need_no_lookup() -> None:
    async with FakeSlack() as fake, open_session() as session:
        directory = Directory(make_client(_settings(fake.api_url), session=session), frozenset({"U9"}))
        assert await directory.is_admin("T1", "U9")
        assert fake.calls("users.info") == []
