"""The best answers quoted at the reveal (``bot.members.privacy`` records who opted out).

The reveal quotes up to three answers of an open-mode round: the best by score, then the
earliest, among strong and partial answers with text, from members who did not say
``privacy quote off``. A quote is one line of at most ``QUOTE_CHARS`` characters; the platform
renderers neutralise mentions and markup (Discord ``escape_mentions`` and no allowed mentions,
Slack mrkdwn escaping). Quiz rounds quote nothing: a pick has no words to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.grading import Verdict
from bot.cards import BestAnswer
from bot.store import quote_optouts as quote_store

QUOTES_SHOWN = 3
QUOTE_CHARS = 280
ELLIPSIS = "\u2026"


def one_line(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line (whitespace runs become one space), clipped with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + ELLIPSIS


def best_quotes(answers: Iterable[Any], opted_out: set[int]) -> tuple[BestAnswer, ...]:
    """The quotes of a round, from its answers ordered best first (score, then time)."""
    quotes: list[BestAnswer] = []
    for answer in answers:
        if len(quotes) == QUOTES_SHOWN:
            break
        text = one_line(answer.text or "")
        if answer.verdict == Verdict.MISSED or not text or answer.user_pk in opted_out:
            continue
        quotes.append(BestAnswer(answer.display_name, answer.verdict, float(answer.score), text))
    return tuple(quotes)


async def opted_out(conn: AsyncConnection, user_pks: Iterable[int]) -> set[int]:
    """Which of these users said ``privacy quote off``."""
    return await quote_store.opted_out(conn, user_pks)
