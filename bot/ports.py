"""The small Protocols the core calls out through, and the references they pass around."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.bank.grading import Verdict
    from bot.cards import Card


@dataclass(frozen=True)
class ChannelRef:
    """Where a channel lives: platform, workspace (Discord server / Slack team) and channel id."""

    platform: str
    workspace_id: str
    channel_id: str


@dataclass(frozen=True)
class MessageRef:
    """A message the bot sent: its channel, the platform's message id, and its thread if any."""

    channel: ChannelRef
    message_id: str
    thread_id: str | None = None


@dataclass(frozen=True)
class UserRef:
    """A person to tell something privately: platform, workspace, user id, and the channel the
    matter belongs to (Slack shows an ephemeral there; Discord sends a direct message)."""

    platform: str
    workspace_id: str
    user_id: str
    channel_id: str


class DeliveryError(Exception):
    """A send failed. ``permanent`` means retrying cannot help (channel gone, access lost)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Messenger(Protocol):
    """Outbound port: how the rounds logic posts, edits and replies on a platform.

    ``key`` is the idempotency key of a send (round id and kind). ``resend`` is true when an
    earlier attempt with the same key may have reached the platform, so the adapter must make
    sure the message does not appear twice (Discord: nonce; Slack: look it up by metadata).
    """

    async def post(
        self, channel: ChannelRef, card: Card, *, key: str, resend: bool = False
    ) -> MessageRef: ...

    async def edit(self, message: MessageRef, card: Card) -> None: ...

    async def reply(
        self, message: MessageRef, card: Card, *, key: str, resend: bool = False
    ) -> MessageRef: ...

    async def tell(self, user: UserRef, card: Card) -> None:
        """Show ``card`` to one person only (a changed grade); raises ``DeliveryError`` if it cannot."""


class Nudger(Protocol):
    """Outbound port for private reminders: one member, privately (DM, ephemeral, console line).

    Raises ``DeliveryError(permanent=True)`` when the member cannot be reached (left the server
    or the channel, DMs blocked): the core skips them and never retries. ``key`` and ``resend``
    mean what they mean for ``Messenger``.
    """

    async def nudge(
        self, channel: ChannelRef, user_id: str, card: Card, *, key: str, resend: bool = False
    ) -> None: ...


class Metrics(Protocol):
    """Outbound port: what the core counts. An adapter exports it (``adapters/metrics.py``:
    Prometheus); the core never imports a metrics library. ``NoMetrics`` counts nothing."""

    def posted(self, platform: str) -> None: ...

    def revealed(self, platform: str) -> None: ...

    def answered(self, platform: str) -> None: ...

    def retried(self, platform: str) -> None: ...

    def command_took(self, command: str, seconds: float) -> None: ...


class NoMetrics:
    """The default ``Metrics``: counts nothing."""

    def posted(self, platform: str) -> None:
        """A daily question was posted."""

    def revealed(self, platform: str) -> None:
        """A round was revealed."""

    def answered(self, platform: str) -> None:
        """An answer was recorded."""

    def retried(self, platform: str) -> None:
        """A send failed and will be retried."""

    def command_took(self, command: str, seconds: float) -> None:
        """A command ran for ``seconds``."""


class Notifier(Protocol):
    """Outbound port: tell one member something privately (a direct message). True when delivered;
    False when the platform cannot (the core then shows it on the member's next command)."""

    async def tell(self, platform: str, workspace_id: str, user_id: str, card: Card) -> bool: ...


class RoleProblem(StrEnum):
    """Why a role cannot be given (the core turns it into what the admin should fix)."""

    MISSING_PERMISSION = "missing_permission"  # no Manage Roles (Discord 403, code 50013)
    UNKNOWN_ROLE = "unknown_role"  # the role was deleted (404, code 10011)
    TOO_HIGH = "too_high"  # at or above the bot's highest role
    NOT_ASSIGNABLE = "not_assignable"  # @everyone, or managed by an integration or bot
    MEMBER_GONE = "member_gone"  # the member left the server (404, code 10007)
    FAILED = "failed"  # anything else (network, 5xx)


class RoleError(Exception):
    """A role change the platform refused; ``problem`` says why."""

    def __init__(self, problem: RoleProblem, message: str = "") -> None:
        super().__init__(message or problem.value)
        self.problem = problem


class Roles(Protocol):
    """Outbound port (Discord): give and take one role the admin chose; never any other.

    ``check`` says why the bot could not give ``role_id`` in a workspace (None: it can);
    ``grant`` and ``revoke`` raise ``RoleError``.
    """

    async def check(self, workspace_id: str, role_id: str) -> RoleProblem | None: ...

    async def grant(self, workspace_id: str, user_id: str, role_id: str, reason: str) -> None: ...

    async def revoke(self, workspace_id: str, user_id: str, role_id: str, reason: str) -> None: ...


class GroupError(Exception):
    """A Discord role or Slack user group the platform would not list; the message says what to fix."""


class Groups(Protocol):
    """Outbound port: the members of a Discord role or a Slack user group, as (user id, name).

    ``group`` is the platform's id (a role id, ``S123``) or the name as typed (a role's name, a
    user group's handle). Raises ``GroupError`` when the group is unknown or cannot be listed.
    """

    async def members(self, workspace_id: str, group: str) -> list[tuple[str, str]]: ...


class Clock(Protocol):
    """Source of the current time (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class WarpClock:
    """Time that runs ``scale`` times faster than real time from ``anchor`` on (demos, soak tests).

    Every process given the same anchor and scale sees the same simulated timeline, so a
    restarted process continues where the killed one was.
    """

    def __init__(self, anchor: datetime, scale: float) -> None:
        self.anchor = anchor
        self.scale = scale

    def now(self) -> datetime:
        """The simulated current time."""
        real = datetime.now(UTC)
        return self.anchor + (real - self.anchor) * self.scale


@dataclass(frozen=True)
class Rubric:
    """What a judge grades an answer against: the question, its reference answer and key points."""

    question: str
    reference: str
    key_points: tuple[str, ...]


@dataclass(frozen=True)
class JudgeVerdict:
    """A judge's grade of one answer and its one sentence of feedback to the player."""

    verdict: Verdict
    feedback: str


class JudgeError(Exception):
    """A judge gave no usable grade (timeout, HTTP error, malformed reply). The message names the
    kind of failure only: never the answer, the reply's text or a secret."""


class Judge(Protocol):
    """Outbound port: an optional grader (a language model) asked about one answer at a time.

    ``judge`` raises ``JudgeError`` when it has no usable grade; the caller then keeps the
    key-point grade.
    """

    async def judge(self, rubric: Rubric, answer: str) -> JudgeVerdict: ...

    async def close(self) -> None: ...
