"""Neutral view models that adapters render: cards, their buttons (actions), and a reply.

Cards hold plain data only. Adapters decide how a card looks on their platform; what a command
came to is the reply's ``Outcome``, which adapters branch on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

LETTERS = "ABCD"  # how every platform names a quiz's options, in the order the post shows them
ELLIPSIS = "\u2026"


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut (every
    platform's length limits)."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1].rstrip() + ELLIPSIS


class ActionKind(StrEnum):
    """What pressing a button does."""

    ANSWER = "answer"  # open the free-text answer form of a daily round (value: round id)
    CHOOSE = "choose"  # pick a quiz option (value: "<round id>:<option index>")
    PRACTICE = "practice"  # get a practice question (value: topic or "")
    PRACTICE_ANSWER = "try"  # open the answer form of a practice question (value: question id)
    SHOW_ANSWER = "show"  # reveal a practice answer (value: question id)
    RATE = "rate"  # rate recall (value: "<question id>:<rating>")
    MY_GRADE = "grade"  # show the caller's own grade of a revealed round (value: round id)
    APPEAL = "appeal"  # open the appeal form of the caller's grade (value: round id)


@dataclass(frozen=True)
class Action:
    """A button on a card. ``style`` is a hint: "primary", "danger" or "" (default)."""

    kind: ActionKind
    label: str
    value: str
    style: str = ""


class Tone(StrEnum):
    """How a notice should look."""

    INFO = "info"
    SUCCESS = "success"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    """A short message; errors say what is accepted."""

    text: str
    tone: Tone = Tone.INFO
    title: str = ""


@dataclass(frozen=True)
class QuestionCard:
    """A question: the daily post (with ``round_id``) or a practice question (without)."""

    question_id: str
    topic: str
    difficulty: str
    text: str
    round_id: int | None = None
    mode: str = "open"
    options: tuple[str, ...] = ()
    reveal_at: datetime | None = None
    late: bool = False
    closed: bool = False
    notes: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    timezone: str = "UTC"  # the channel's zone, for platforms that print times as text


@dataclass(frozen=True)
class BestAnswer:
    """One of the best answers of a round, as shown at the reveal."""

    name: str
    verdict: str
    score: float
    quote: str = ""  # the answer's words, one clipped line (only in ``RevealCard.quotes``)


@dataclass(frozen=True)
class QuizPick:
    """One option of a quiz at the reveal: how many picked it, whether it is right, why not."""

    option: str
    count: int
    correct: bool
    why: str = ""


@dataclass(frozen=True)
class RevealCard:
    """The reveal of a daily round: reference answer and how the channel did."""

    round_id: int
    question: str
    answer: str
    explanation: str
    key_points: tuple[str, ...]
    answered: int
    verdicts: tuple[tuple[str, int], ...] = ()
    picks: tuple[QuizPick, ...] = ()  # in the order the post showed them
    best: tuple[BestAnswer, ...] = ()
    quotes: tuple[BestAnswer, ...] = ()  # the best answers' words, from members who allow it
    follow_up: str = ""
    actions: tuple[Action, ...] = ()
    notes: tuple[str, ...] = ()  # lines for everyone (the learning loop's "comes back" line)


@dataclass(frozen=True)
class PracticeRevealCard:
    """The answer of a practice question, with recall-rating buttons."""

    question_id: str
    question: str
    answer: str
    explanation: str
    key_points: tuple[str, ...]
    grade_note: str = ""
    suggested: str | None = None
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class LeaderboardRow:
    """One line of a leaderboard."""

    rank: int
    name: str
    points: int
    answers: int
    strong: int
    streak: int
    is_caller: bool = False


@dataclass(frozen=True)
class LeaderboardCard:
    """Standings for a window and scope: top rows plus the caller's own line if outside them."""

    title: str
    rows: tuple[LeaderboardRow, ...]
    caller_row: LeaderboardRow | None = None
    empty_text: str = "No points yet in this window."


@dataclass(frozen=True)
class StatsCard:
    """A user's numbers."""

    name: str
    points: int
    rank: int | None
    current_streak: int
    best_streak: int
    verdicts: tuple[tuple[str, int], ...]
    topics: tuple[tuple[str, int, int], ...]  # (topic, strong-or-correct, answered), weakest first
    cards_due: int
    cards_total: int
    scope: str = "this server, all time"  # what points and rank count, shown beside them
    recent: tuple[RecentGrade, ...] = ()  # the last graded dailies, newest first
    freezes: int = 0  # streak freezes banked
    freezes_used: int = 0
    team: str = ""  # the team's name and rank, when the user is in one

    @property
    def streak_text(self) -> str:
        """The streak as every platform shows it, with the freezes banked and used."""
        return (
            f"{self.current_streak} (best {self.best_streak}); "
            f"freezes: {self.freezes} banked, {self.freezes_used} used"
        )


@dataclass(frozen=True)
class RecentGrade:
    """One graded daily answer as ``stats`` lists it."""

    local_date: str
    question: str
    verdict: str
    points: int


@dataclass(frozen=True)
class MyGradeCard:
    """A player's own grade of a revealed round, shown only to them.

    ``found`` and ``missed`` are the key points as stored when the answer was graded; ``status``
    says whether the grade was changed on appeal or by an admin, or is under appeal.
    """

    round_id: int
    question: str
    answer: str
    verdict: str
    points: int
    found: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    quiz: bool = False
    status: str = ""
    actions: tuple[Action, ...] = ()
    feedback: str = ""  # the optional judge's one sentence about this answer
    note: str = ""  # why the verdict is lower than the key points found, e.g. a stated misconception


@dataclass(frozen=True)
class TableCard:
    """A titled table of plain text cells (topics, schedule status, help)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    footer: str = ""
    # platform user ids the card congratulates: Slack mentions them (the only live mentions of a
    # card); Discord gives roles instead, and the console names them already
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileCard:
    """A file for the caller (an export): delivered privately, as an attachment or a DM upload."""

    filename: str
    media_type: str
    data: bytes
    caption: str = ""


Card = (
    FileCard
    | Notice
    | MyGradeCard
    | QuestionCard
    | RevealCard
    | PracticeRevealCard
    | LeaderboardCard
    | StatsCard
    | TableCard
)


class Outcome(StrEnum):
    """What the core did with a command. Adapters branch on this, never on a card's tone or text
    (the tone is how a notice looks, nothing more)."""

    DONE = "done"  # the command did what was asked: a change was made, or what was asked is shown
    REFUSED = "refused"  # nothing was changed; ``Reply.reason`` says why and what is accepted
    CLOSED = "closed"  # an answer came after the reveal: nothing stored, the cards show how it ended


@dataclass(frozen=True)
class Reply:
    """What the service answers: cards, shown privately (ephemeral) unless ``ephemeral`` is False,
    and the ``outcome``, with the ``reason`` of a refusal (one line a form can show by its field)."""

    cards: tuple[Card, ...] = field(default_factory=tuple)
    ephemeral: bool = True
    outcome: Outcome = Outcome.DONE
    reason: str = ""

    def __post_init__(self) -> None:
        if (self.outcome is Outcome.REFUSED) != bool(self.reason):
            raise ValueError("a refused reply carries its reason, and only a refused one")


def notice(text: str, tone: Tone = Tone.INFO, *, title: str = "", outcome: Outcome = Outcome.DONE) -> Reply:
    """A private one-notice reply."""
    return Reply((Notice(text, tone, title),), outcome=outcome)


def error(text: str) -> Reply:
    """A private refusal: nothing was changed, and ``text`` says why (it is also the reason)."""
    return Reply((Notice(text, Tone.ERROR),), outcome=Outcome.REFUSED, reason=text)
