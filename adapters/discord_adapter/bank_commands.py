"""``/bank`` (import, list, remove, queue, approve, edit, reject, mine) and ``/submit`` on Discord.

``/bank import`` takes the file as an attachment option; its bytes are read from Discord's CDN
only for an admin (the core refuses a member's import before looking at the file). ``/submit``
opens a form (topic, question, answer, key points); difficulty and credit are options of the
command and travel in the form's custom id, so a submit needs no server-side state. The core
checks admin rights on every moderation step; Discord shows the group to everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord_adapter.limits import CUSTOM_ID
from adapters.discord_adapter.render import render
from adapters.discord_adapter.responder import Responder
from bot.bank.commands import (
    ApproveSubmission,
    EditSubmission,
    ImportBank,
    ListBanks,
    MySubmissions,
    RejectSubmission,
    RemoveBank,
    ShowQueue,
    SubmitQuestion,
)
from bot.bank.upload import MAX_BYTES
from bot.cards import Card, error
from bot.text.bank_grammar import parse_key_points

Interaction = discord.Interaction[Any]
SUBMIT_PREFIX = "dailyq:submit:"
LEVELS = ("easy", "medium", "hard")
INPUTS = (
    ("topic", "Topic", discord.TextStyle.short, 80, True),
    ("question", "Question", discord.TextStyle.paragraph, 1000, True),
    ("answer", "Answer", discord.TextStyle.paragraph, 1500, True),
    ("key_points", "Key points (optional): a/b; c/d", discord.TextStyle.short, 1000, False),
)


def submit_custom_id(difficulty: str, credit: bool) -> str:
    """The custom id of a submission form: ``dailyq:submit:<difficulty>:<credit 0|1>``."""
    custom_id = f"{SUBMIT_PREFIX}{difficulty}:{int(credit)}"
    assert len(custom_id) <= CUSTOM_ID
    return custom_id


def decode_submit(custom_id: str, values: Mapping[str, str]) -> SubmitQuestion | None:
    """The command of a submitted submission form, or None if the form is not one."""
    if not custom_id.startswith(SUBMIT_PREFIX):
        return None
    difficulty, _, credit = custom_id.removeprefix(SUBMIT_PREFIX).partition(":")
    return SubmitQuestion(
        topic=values.get("topic", "").strip(),
        question=values.get("question", "").strip(),
        answer=values.get("answer", "").strip(),
        difficulty=difficulty if difficulty in LEVELS else "medium",
        key_points=parse_key_points(values.get("key_points", "")),
        credit=credit == "1",
    )


def submit_modal(difficulty: str, credit: bool) -> discord.ui.Modal:
    """The submission form."""
    modal = discord.ui.Modal(
        title="Submit a question", custom_id=submit_custom_id(difficulty, credit), timeout=None
    )
    for custom_id, label, style, limit, required in INPUTS:
        modal.add_item(
            discord.ui.TextInput[Any](
                label=label, custom_id=custom_id, style=style, max_length=limit, required=required
            )
        )
    return modal


class BankCommands(commands.Cog):
    """The bank and submission slash commands."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder

    bank = app_commands.Group(
        name="bank",
        description="This server's question banks and submitted questions",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    @bank.command(name="import", description="Admins: upload a bank file (.json or .md)")
    @app_commands.describe(file="The bank file", name="Bank name (default: the file name)")
    async def bank_import(
        self,
        interaction: Interaction,
        file: discord.Attachment,
        name: app_commands.Range[str, 1, 24] | None = None,
    ) -> None:
        """``/bank import file [name]``."""
        content = b""
        if interaction.guild_id is not None and self.responder.context(interaction).is_admin:
            if file.size > MAX_BYTES:
                await self.responder.show(
                    interaction,
                    error(f"{file.filename}: the file is {file.size:,} bytes; the limit is {MAX_BYTES:,}"),
                )
                return
            content = await file.read()
        await self.responder.run(interaction, ImportBank(file.filename, content, name), defer_now=True)

    @bank.command(name="list", description="The banks this server's channels can draw from")
    async def bank_list(self, interaction: Interaction) -> None:
        """``/bank list``."""
        await self.responder.run(interaction, ListBanks())

    @bank.command(name="remove", description="Admins: stop offering a bank (past rounds keep it)")
    async def bank_remove(self, interaction: Interaction, name: app_commands.Range[str, 1, 24]) -> None:
        """``/bank remove name``."""
        await self.responder.run(interaction, RemoveBank(name))

    @bank.command(name="queue", description="Admins: submitted questions waiting for review")
    async def bank_queue(self, interaction: Interaction) -> None:
        """``/bank queue``."""
        await self.responder.run(interaction, ShowQueue())

    @bank.command(name="approve", description="Admins: add a submitted question to a bank")
    @app_commands.describe(number="Submission number", bank="Bank (default: members)")
    async def bank_approve(
        self,
        interaction: Interaction,
        number: app_commands.Range[int, 1],
        bank: app_commands.Range[str, 1, 24] | None = None,
    ) -> None:
        """``/bank approve number [bank]``."""
        await self.responder.run(interaction, ApproveSubmission(number, bank))

    @bank.command(name="edit", description="Admins: change a field of a submitted question")
    async def bank_edit(
        self,
        interaction: Interaction,
        number: app_commands.Range[int, 1],
        field: Literal["topic", "question", "answer", "difficulty", "key_points"],
        text: app_commands.Range[str, 1, 1500],
    ) -> None:
        """``/bank edit number field text``."""
        await self.responder.run(interaction, EditSubmission(number, field, text))

    @bank.command(name="reject", description="Admins: turn a submitted question down")
    async def bank_reject(
        self,
        interaction: Interaction,
        number: app_commands.Range[int, 1],
        reason: app_commands.Range[str, 1, 300],
    ) -> None:
        """``/bank reject number reason``."""
        await self.responder.run(interaction, RejectSubmission(number, reason))

    @bank.command(name="mine", description="Your submitted questions and what became of them")
    async def bank_mine(self, interaction: Interaction) -> None:
        """``/bank mine``."""
        await self.responder.run(interaction, MySubmissions())

    @app_commands.command(name="submit", description="Suggest a question for this server's bank")
    @app_commands.describe(difficulty="Default: medium", credit="Name me with the question once approved")
    @app_commands.guild_only()
    async def submit(
        self,
        interaction: Interaction,
        difficulty: Literal["easy", "medium", "hard"] | None = None,
        credit: bool | None = None,
    ) -> None:
        """``/submit [difficulty] [credit]``: opens the form."""
        modal = submit_modal(difficulty or "medium", bool(credit))
        await interaction.response.send_modal(modal)
        modal.stop()  # the submit is decoded from its custom id, not from the modal store


class DiscordNotifier:
    """The core's ``Notifier``: a direct message from the bot."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def tell(self, platform: str, workspace_id: str, user_id: str, card: Card) -> bool:
        """DM ``card`` to the member; False when Discord refuses (DMs closed, user gone)."""
        rendered = render((card,))
        try:
            channel = await self.client.create_dm(discord.Object(int(user_id)))
            await channel.send(embeds=rendered.embeds, allowed_mentions=discord.AllowedMentions.none())
        except (discord.HTTPException, ValueError):
            return False
        return True
