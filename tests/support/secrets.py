"""Recognisable fake secrets. The whole suite uses them, and a session check fails the run if any
of them shows up in a log line (tests that check errors and replies assert on them directly)."""

from __future__ import annotations

import logging

from bot.logs import JsonFormatter

CANARY = "CANARY7731"
DISCORD_TOKEN = f"MTIzNDU2Nzg5.{CANARY}.discord-bot-token"
SLACK_BOT_TOKEN = f"xoxb-{CANARY}-slack-bot-token"
SLACK_APP_TOKEN = f"xapp-{CANARY}-slack-app-token"
SLACK_SIGNING_SECRET = f"{CANARY}-slack-signing-secret"
DATABASE_PASSWORD = f"{CANARY}-db-password"


class LeakWatch(logging.Handler):
    """Collects every log line (message and traceback) that contains a canary, in both log
    formats: the default text and ``DAILYQ_LOG_FORMAT=json`` (which adds the bound ids)."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.json = JsonFormatter()
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Check one record."""
        for formatter in (self.formatter, self.json):
            try:
                text = formatter.format(record) if formatter else record.getMessage()
            except Exception:  # a record that cannot be formatted cannot leak either
                continue
            if CANARY in text:
                self.leaks.append(text[:400])
                return
