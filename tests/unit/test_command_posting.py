"""Which commands post: one answer in the core, read by Discord (defer at once) and Slack (join)."""

from __future__ import annotations

from datetime import time

from bot.commands import ConfigureDaily, DailyAction, ManageDaily


def test_verbs_that_post_before_replying() -> None:
    posting = {a for a in DailyAction if ManageDaily(a).posts_now}
    assert posting == {DailyAction.NOW, DailyAction.REVEAL, DailyAction.SKIP}
    assert not ConfigureDaily(post_time=time(9)).posts_now


def test_commands_after_which_the_bot_posts_in_the_channel() -> None:
    starting = {a for a in DailyAction if ManageDaily(a).starts_posting}
    assert starting == {DailyAction.NOW, DailyAction.RESUME}
    assert ConfigureDaily(post_time=time(9)).starts_posting
