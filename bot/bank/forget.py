"""What ``forget-me`` does to a member's submissions.

Pending and rejected submissions are deleted. An approved question stays in its bank (the
workspace may have run it, and it is the bank's now), but the member's name leaves it: the
submission row keeps no id or name, and "Suggested by <name>." is taken out of the question's
explanation in every stored version of the bank. An admin's decisions and uploads stay, without
their id ("by (forgotten)" in ``bank list``).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import SEPARATOR
from bot.store import banks as bank_store
from bot.store import submissions as store


def credit_line(display_name: str) -> str:
    """The sentence an approved, credited question's explanation carries."""
    return f"Suggested by {display_name}."


async def forget_submissions(conn: AsyncConnection, platform: str, workspace_id: str, user_id: str) -> int:
    """Forget a member's submissions in the caller's transaction; how many bank questions lost
    the member's name."""
    await bank_store.forget_editor(conn, platform, workspace_id, user_id)
    uncredited = 0
    for qualified_id, display_name in await store.forget_member(conn, platform, workspace_id, user_id):
        name, _, question_id = qualified_id.partition(SEPARATOR)
        changed = await bank_store.remove_credit(
            conn, platform, workspace_id, name, question_id, credit_line(display_name)
        )
        uncredited += changed > 0
    return uncredited
