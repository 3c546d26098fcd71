"""The typed forms of the bank commands: ``bank import <file> [as <name>]``, ``bank list``,
``bank remove <name>``. ``bot.text.grammar`` hands it the words after ``bank``."""

from __future__ import annotations

from bot.bank.commands import (
    ApproveSubmission,
    BankCommand,
    EditSubmission,
    ImportBank,
    ListBanks,
    MySubmissions,
    RejectSubmission,
    RemoveBank,
    ShowQueue,
    SubmitQuestion,
)

USAGE = "Use: bank list, bank import <file> [as <name>], bank remove <name>, bank queue, bank mine."


class BankCommandError(ValueError):
    """A ``bank`` line that is not valid; the message says what is accepted."""


def parse_bank_command(rest: str) -> BankCommand:
    """One ``bank ...`` command from the words after ``bank``."""
    verb, _, args = rest.strip().partition(" ")
    args = args.strip()
    match verb.lower():
        case "" | "list" | "ls":
            return ListBanks()
        case "import" | "upload":
            path, sep, name = args.rpartition(" as ")
            if not sep:
                path, name = args, ""
            if not path.strip():
                raise BankCommandError("Name the file to import. " + USAGE)
            return ImportBank(path.strip(), name=name.strip() or None)
        case "queue" | "q":
            return parse_queue(args)
        case "mine" | "submissions":
            return MySubmissions()
        case "remove" | "rm" | "delete":
            if not args:
                raise BankCommandError("Name the bank to remove. " + USAGE)
            return RemoveBank(args)
    raise BankCommandError(f"'{verb[:40]}' is not a bank command. " + USAGE)


def parse_banks_option(value: str) -> dict[str, object]:
    """The ``banks a,b`` option of ``daily set``, as ``ConfigureDaily`` fields.

    ``bot.text.grammar`` calls it for the key ``banks``; the names are checked against the workspace's
    banks when the command runs.
    """
    return {"banks": parse_bank_names(value)}


def parse_bank_names(value: str) -> tuple[str, ...]:
    """Comma-separated bank names, folded to lower case, each once."""
    names = tuple(dict.fromkeys(part.strip().casefold() for part in value.split(",") if part.strip()))
    if not names:
        raise BankCommandError("Name at least one bank after 'banks', e.g. banks builtin,ours.")
    return names


SUBMIT_USAGE = (
    "Use: submit <topic> | <question> | <answer> [| easy|medium|hard] [| key points a/b; c/d] [| credit]"
)
QUEUE_USAGE = (
    "Use: bank queue, bank queue approve N [to <bank>], bank queue edit N <field> <text>, "
    "bank queue reject N <reason>."
)


def parse_submit(rest: str) -> SubmitQuestion:
    """``submit topic | question | answer [| difficulty] [| key points] [| credit]``."""
    fields = [part.strip() for part in rest.split("|")]
    if len(fields) < 3 or not all(fields[:3]):
        raise BankCommandError("A question needs a topic, the question and its answer. " + SUBMIT_USAGE)
    topic, question, answer = fields[:3]
    difficulty, credit = "medium", False
    key_points: tuple[tuple[str, ...], ...] = ()
    for extra in fields[3:]:
        word = extra.casefold()
        if word in ("easy", "medium", "hard"):
            difficulty = word
        elif word in ("credit", "credit me"):
            credit = True
        elif extra:
            key_points = parse_key_points(extra)
    return SubmitQuestion(topic, question, answer, difficulty, key_points, credit)


def parse_key_points(text: str) -> tuple[tuple[str, ...], ...]:
    """Key points typed as ``a/b; c/d``: groups separated by ';', synonyms by '/'."""
    groups = [tuple(s.strip() for s in group.split("/") if s.strip()) for group in text.split(";")]
    return tuple(group for group in groups if group)


def _number(text: str) -> int:
    digits = text.lstrip("#")
    if not digits.isdigit():
        raise BankCommandError(f"'{text[:20]}' is not a submission number. " + QUEUE_USAGE)
    return int(digits)


def parse_queue(args: str) -> ShowQueue | ApproveSubmission | EditSubmission | RejectSubmission:
    """The words after ``bank queue``."""
    words = args.split()
    if not words:
        return ShowQueue()
    verb = words[0].casefold()
    if verb not in ("approve", "edit", "reject") or len(words) < 2:
        raise BankCommandError(QUEUE_USAGE)
    number = _number(words[1])
    if verb == "approve":
        if len(words) == 2:
            return ApproveSubmission(number)
        if len(words) == 4 and words[2].casefold() == "to":
            return ApproveSubmission(number, words[3])
        raise BankCommandError(QUEUE_USAGE)
    if verb == "reject":
        return RejectSubmission(number, " ".join(words[2:]))
    if len(words) < 4:
        raise BankCommandError("Name the field and the new text. " + QUEUE_USAGE)
    return EditSubmission(number, words[2], " ".join(args.split(maxsplit=3)[3:]))
