"""Exports reach the member privately: a Slack upload to their DM, a Discord ephemeral attachment.

The exact calls are asserted: on Slack the three of ``files_upload_v2`` (URL, bytes, completion
into the DM, never the channel); on Discord the interaction callback's multipart body.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bank.model import Bank
from bot.commands import Ask, Export, ExportKind, RatePractice, Rating
from tests.adapters.slack_harness import SlackBot, running_slack_bot, slack_bank
from tests.fakes.slack_payloads import CHANNEL_ID, USER_ID
from tests.support.clock import FakeClock
from tests.support.discord_harness import DiscordHarness, checked_bot
from tests.unit.test_export_formats import read_anki

EPHEMERAL = 64


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    async with checked_bot(tmp_path, caplog) as harness:
        yield harness


async def test_slack_export_uploads_to_the_members_dm_only(slack: SlackBot) -> None:
    await slack.command("question")
    await slack.command("rate good")
    response = await slack.command("export cards")
    assert response["response_type"] == "ephemeral"
    assert "Sent dailyq-cards.tsv to your direct messages" in json.dumps(response)
    (opened,) = slack.fake.calls("conversations.open")
    assert opened.args["users"] == USER_ID
    (url_call,) = slack.fake.calls("files.getUploadURLExternal")
    (uploaded,) = slack.fake.files.values()
    assert url_call.args["filename"] == "dailyq-cards.tsv"
    assert int(url_call.args["length"]) == len(uploaded.data or b"") == uploaded.length
    (complete,) = slack.fake.calls("files.completeUploadExternal")
    assert complete.args["files"] == [{"id": uploaded.id, "title": "dailyq-cards.tsv"}]
    assert complete.args["channel_id"] == f"D{USER_ID}"
    assert complete.args["initial_comment"].startswith("1 practice cards for Anki")
    assert slack.fake.shared == [uploaded] and uploaded.channel == f"D{USER_ID}"
    _, rows = read_anki(uploaded.data or b"")
    assert len(rows) == 1 and len(rows[0]) == 3
    assert slack.fake.messages(CHANNEL_ID) == []  # nothing in the channel
    assert slack.fake.violations == []


async def test_slack_blocked_dm_says_what_to_do_and_uploads_nothing(slack: SlackBot) -> None:
    await slack.command("question")
    await slack.command("rate good")
    slack.fake.blocked_dms.add(USER_ID)
    response = await slack.command("export answers")  # nothing to export: a notice, no DM needed
    assert "not answered a daily question yet" in json.dumps(response)
    response = await slack.command("export cards")
    assert "could not send you the file" in json.dumps(response).lower()
    assert slack.fake.calls("files.getUploadURLExternal") == []


async def test_discord_export_is_an_ephemeral_attachment(h: DiscordHarness) -> None:
    member = h.ctx("member")
    await h.app.service.handle(member, Ask())
    await h.app.service.handle(member, RatePractice(Rating.GOOD))
    expected = (await h.app.service.handle(member, Export(ExportKind.CARDS))).cards[0]
    response = await h.slash("export", {"kind": "cards"}, user="member")
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    assert response["data"]["attachments"] == [{"id": 0, "filename": "dailyq-cards.tsv"}]
    assert response["data"]["embeds"][0]["title"] == "Export"
    (callback,) = [r for r in h.fake.requests if re.search(r"/interactions/\d+/.+/callback", r.path)][-1:]
    assert callback.files == ["dailyq-cards.tsv"]
    assert callback.file_data["dailyq-cards.tsv"] == expected.data  # type: ignore[union-attr]
    _, rows = read_anki(callback.file_data["dailyq-cards.tsv"])
    assert len(rows) == 1


async def test_discord_daily_export_needs_manage_server_in_the_tree(h: DiscordHarness) -> None:
    (put,) = h.fake.requests_to("PUT", rf"/applications/{h.fake.app_id}/commands")
    tree = {c["name"]: c for c in put.json}
    assert "export" in {o["name"] for o in tree["daily"]["options"]}
    assert int(tree["daily"]["default_member_permissions"]) == 1 << 5
    kinds = tree["export"]["options"][0]
    assert [c["value"] for c in kinds["choices"]] == ["cards", "answers"] and kinds["required"]
    response = await h.slash("daily export", None, user="admin")
    assert response["data"]["flags"] == EPHEMERAL
    assert "no daily rounds" in json.dumps(response["data"]["embeds"])
