"""Commands about workspace banks and member submissions (``bank ...``, ``submit``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportBank:
    """Upload a bank file to the caller's workspace. ``content`` is the file's bytes, which the
    adapter fills in (console: read from ``filename``; Discord/Slack: the attachment)."""

    filename: str
    content: bytes = b""
    name: str | None = None


@dataclass(frozen=True)
class ListBanks:
    """The banks the caller's workspace can draw from."""


@dataclass(frozen=True)
class RemoveBank:
    """Stop offering a workspace bank; its questions stay for past rounds."""

    name: str


@dataclass(frozen=True)
class SubmitQuestion:
    """A member's question for the workspace's moderation queue. ``credit``: the submitter agrees
    to be named with the question once approved."""

    topic: str
    question: str
    answer: str
    difficulty: str = "medium"
    key_points: tuple[tuple[str, ...], ...] = ()
    credit: bool = False


@dataclass(frozen=True)
class ShowQueue:
    """The workspace's pending submissions (admin)."""


@dataclass(frozen=True)
class EditSubmission:
    """Change one field of a pending submission before approving it (admin)."""

    submission_id: int
    field: str
    value: str


@dataclass(frozen=True)
class ApproveSubmission:
    """Add a pending submission to a workspace bank (``members`` unless named) (admin)."""

    submission_id: int
    bank: str | None = None


@dataclass(frozen=True)
class RejectSubmission:
    """Turn a pending submission down with a reason the submitter is shown (admin)."""

    submission_id: int
    reason: str


@dataclass(frozen=True)
class MySubmissions:
    """The caller's own submissions and what became of them."""


BankCommand = (
    ImportBank
    | ListBanks
    | RemoveBank
    | SubmitQuestion
    | ShowQueue
    | EditSubmission
    | ApproveSubmission
    | RejectSubmission
    | MySubmissions
)
ADMIN_BANK_COMMANDS = (ImportBank, RemoveBank, ShowQueue, EditSubmission, ApproveSubmission, RejectSubmission)
