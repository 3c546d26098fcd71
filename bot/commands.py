"""Commands: what a user asked for, as frozen dataclasses. Adapters build them; the service runs them.

The text grammar that turns a typed line into one of these lives in ``bot.text.grammar``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum

from bot.bank.commands import ADMIN_BANK_COMMANDS, BankCommand


class Window(StrEnum):
    """Leaderboard time window."""

    WEEK = "week"
    MONTH = "month"
    ALL = "all"


class Scope(StrEnum):
    """Leaderboard scope: this channel or the whole workspace (Discord server, Slack team)."""

    CHANNEL = "channel"
    SERVER = "server"


class Rating(StrEnum):
    """How well a practice question was recalled (FSRS ratings)."""

    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"


class DailyAction(StrEnum):
    """Schedule management verbs of ``daily``."""

    STATUS = "status"
    PAUSE = "pause"
    RESUME = "resume"
    NOW = "now"
    REVEAL = "reveal"
    SKIP = "skip"
    OFF = "off"


@dataclass(frozen=True)
class Ask:
    """A practice question, privately; optionally from one topic."""

    topic: str | None = None


@dataclass(frozen=True)
class ShowPracticeAnswer:
    """Reveal the answer of the caller's current practice question."""

    question_id: str | None = None


@dataclass(frozen=True)
class PracticeAnswer:
    """A typed answer to the caller's current practice question, graded to suggest a rating."""

    text: str
    question_id: str | None = None


@dataclass(frozen=True)
class RatePractice:
    """The caller's recall rating of a practice question; schedules the card's next review."""

    rating: Rating
    question_id: str | None = None


@dataclass(frozen=True)
class Review:
    """A practice question from the caller's cards that came from missed daily answers."""


@dataclass(frozen=True)
class SubmitAnswer:
    """An answer to a daily round: free text (open mode) or a choice index (quiz mode).

    ``round_id`` None means the open round of the caller's channel.
    """

    round_id: int | None = None
    text: str | None = None
    choice: int | None = None


@dataclass(frozen=True)
class ShowToday:
    """Show the channel's open daily question, if any."""


@dataclass(frozen=True)
class ShowLeaderboard:
    """Standings for a window and scope."""

    window: Window = Window.WEEK
    scope: Scope = Scope.CHANNEL


@dataclass(frozen=True)
class ShowStats:
    """Points, streaks, accuracy by topic and cards due of a user (the caller by default)."""

    user: str | None = None


@dataclass(frozen=True)
class ListTopics:
    """Topics of the bank and their question counts."""


@dataclass(frozen=True)
class ShowHelp:
    """Usage."""


@dataclass(frozen=True)
class ShowSeasonBoard:
    """``leaderboard season [YYYY-MM|YYYY-Qn] [channel|server]``: a season's standings (default: the
    current season, the whole workspace)."""

    season: str | None = None
    scope: Scope = Scope.SERVER


@dataclass(frozen=True)
class ConfigureSeason:
    """``season`` (what the seasons are) or ``season length month|quarter|off`` (admins)."""

    length: str | None = None


@dataclass(frozen=True)
class ConfigureRoles:
    """``daily roles`` (show), ``daily roles champion|streak7|streak30|streak100 <role>|off``,
    ``daily roles off`` (admins; Discord only). ``role`` is the role mention or id as typed."""

    kind: str | None = None
    role: str | None = None


class TeamAction(StrEnum):
    """Verbs of ``team``."""

    ADD = "add"
    REMOVE = "remove"
    LIST = "list"


@dataclass(frozen=True)
class ManageTeam:
    """``team add <name> <members>``, ``team remove <name> [members]`` (admins), ``team list``."""

    action: TeamAction
    name: str = ""
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShowTeamBoard:
    """``leaderboard teams [week|month|season|all]``: teams by points per active member."""

    window: str = "week"


@dataclass(frozen=True)
class SetQuotePrivacy:
    """``privacy quote on|off``: whether the reveal may quote the caller's best answers."""

    allow: bool


@dataclass(frozen=True)
class ForgetMe:
    """Delete everything stored about the caller; ``confirmed`` False only asks for confirmation."""

    confirmed: bool = False


class ExportKind(StrEnum):
    """What ``export`` gives the caller."""

    CARDS = "cards"
    ANSWERS = "answers"


@dataclass(frozen=True)
class Export:
    """The caller's own data as a file: practice cards (Anki TSV) or daily answers (CSV)."""

    kind: ExportKind


@dataclass(frozen=True)
class ExportDaily:
    """Admin: the channel's rounds and answers as CSV."""


@dataclass(frozen=True)
class Remind:
    """``remind on [lead]`` / ``remind off`` / ``remind``: a private nudge before the reveal when
    the caller has not answered the open round. ``on`` None shows the current setting."""

    on: bool | None = None
    lead: timedelta | None = None


@dataclass(frozen=True)
class ConfigureDaily:
    """Schedule the caller's channel. ``None`` fields keep their current value or the default."""

    post_time: time
    timezone: str | None = None
    reveal_after: timedelta | None = None
    days: frozenset[int] | None = None
    mode: str | None = None
    topics: tuple[str, ...] | None = None
    difficulty: str | None = None
    banks: tuple[str, ...] | None = None  # None keeps the channel's banks (the bundled one at first)

    @property
    def posts_now(self) -> bool:
        """Whether the command posts or edits messages before it replies (scheduling does not)."""
        return False

    @property
    def starts_posting(self) -> bool:
        """Whether the bot posts in the channel from this command on (it must be able to)."""
        return True


@dataclass(frozen=True)
class ManageDaily:
    """``daily status|pause|resume|now|reveal|skip|off``."""

    action: DailyAction

    @property
    def posts_now(self) -> bool:
        """Whether the verb posts or edits messages before it replies, so it may wait for a
        rate-limit slot: ``now``, ``reveal`` and ``skip``."""
        return self.action in (DailyAction.NOW, DailyAction.REVEAL, DailyAction.SKIP)

    @property
    def starts_posting(self) -> bool:
        """Whether the bot posts in the channel from this verb on: ``now`` and ``resume``."""
        return self.action in (DailyAction.NOW, DailyAction.RESUME)


class Decision(StrEnum):
    """What an admin decides on an appeal."""

    ACCEPT = "accept"
    REJECT = "reject"


@dataclass(frozen=True)
class ShowMyGrade:
    """The caller's own grade of a revealed round (``round_id`` None: the channel's latest)."""

    round_id: int | None = None


@dataclass(frozen=True)
class AppealGrade:
    """Contest the caller's grade of a revealed round, with a reason, within a day of the reveal."""

    reason: str
    round_id: int | None = None


@dataclass(frozen=True)
class ListAppeals:
    """Admin: the open appeals of this channel."""


@dataclass(frozen=True)
class DecideAppeal:
    """Admin: accept an appeal with a new verdict, or reject it; ``note`` is shown to the player."""

    appeal_id: int
    decision: Decision
    verdict: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Regrade:
    """Admin: set the verdict of any answer of a revealed round in this workspace."""

    answer_id: int
    verdict: str
    note: str = ""


@dataclass(frozen=True)
class ListAnswers:
    """Admin: the answers of a revealed round of this channel, with their ids (default: latest)."""

    round_id: int | None = None


Command = (
    Ask
    | ShowPracticeAnswer
    | PracticeAnswer
    | RatePractice
    | Review
    | SubmitAnswer
    | ShowToday
    | ShowLeaderboard
    | ShowStats
    | ListTopics
    | ShowHelp
    | ForgetMe
    | Export
    | ExportDaily
    | Remind
    | SetQuotePrivacy
    | ShowSeasonBoard
    | ConfigureSeason
    | ConfigureRoles
    | ManageTeam
    | ShowTeamBoard
    | ConfigureDaily
    | ManageDaily
    | ShowMyGrade
    | AppealGrade
    | ListAppeals
    | DecideAppeal
    | Regrade
    | ListAnswers
    | BankCommand
)

ADMIN_ACTIONS = frozenset(
    {
        DailyAction.PAUSE,
        DailyAction.RESUME,
        DailyAction.NOW,
        DailyAction.REVEAL,
        DailyAction.SKIP,
        DailyAction.OFF,
    }
)


def needs_admin(command: Command) -> bool:
    """Whether only an admin of the channel may run ``command``."""
    if isinstance(
        command,
        (ConfigureDaily, ListAppeals, DecideAppeal, Regrade, ListAnswers, ExportDaily, *ADMIN_BANK_COMMANDS),
    ):
        return True
    if isinstance(command, ConfigureRoles):
        return True
    if isinstance(command, ConfigureSeason):
        return command.length is not None
    if isinstance(command, ManageTeam):
        return command.action is not TeamAction.LIST
    return isinstance(command, ManageDaily) and command.action in ADMIN_ACTIONS
