"""An uploaded bank file, from bytes to validated questions, with the errors ``dailyq bank check`` gives.

Markdown (``.md``) goes through ``bot.bank.markdown_import``, JSON through ``bot.bank.model.parse_bank``; both
report the file, the question and the field. Then every question must pass the per-question
quality rules of ``bot.bank.quality`` (self-grade, quiz options), and the blind-player shares over
the whole bank. The bank-wide rule "key points do not discriminate" compares every question with
every other answer, which takes minutes for 1,000 questions: an upload skips it and
``dailyq bank check`` runs it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePath

from bot.bank.duplicates import DuplicateIndex, NearDuplicate
from bot.bank.markdown_import import import_markdown
from bot.bank.model import Bank, BankError, Question, parse_bank
from bot.bank.quality import cue_share_findings, length_finding, question_findings
from bot.bank.quiz_quality import bank_cue_report, length_flags

MAX_BYTES = 5_000_000
MAX_QUESTIONS = 2_000
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")
RESERVED_NAMES = frozenset({"builtin", "all", "none"})
# A stored round names a workspace question "<bank>:<id>" in a column of 80 characters.
ROUND_ID_LENGTH = 80
MARKDOWN = (".md", ".markdown")
JSON = (".json",)


@dataclass(frozen=True)
class Upload:
    """A bank that passed every check: its name, title, questions and what to tell the admin."""

    name: str
    title: str
    questions: tuple[Question, ...]
    warnings: tuple[str, ...]
    duplicates: tuple[tuple[str, tuple[NearDuplicate, ...]], ...]


def bank_name(text: str) -> str:
    """A bank name from what an admin typed or a file name: lower case, ``a-z 0-9 -``, 24 at most."""
    stem = PurePath(text).stem if "." in text else text
    name = re.sub(r"[^a-z0-9]+", "-", stem.casefold()).strip("-")[:24].strip("-")
    if not NAME_PATTERN.match(name) or name in RESERVED_NAMES:
        raise BankError(
            f"'{text[:40]}' cannot name a bank: use 1-24 letters, digits or dashes, "
            f"not {', '.join(sorted(RESERVED_NAMES))}."
        )
    return name


def _text(filename: str, content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise BankError(f"{filename}: the file is {len(content):,} bytes; the limit is {MAX_BYTES:,}")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BankError(f"{filename}: not UTF-8 text (byte {exc.start})") from None


def parse_file(filename: str, content: bytes) -> tuple[Bank, str]:
    """The bank in an uploaded file (``.json`` or ``.md``) and its title; ``BankError`` names file,
    question and field."""
    suffix = PurePath(filename).suffix.casefold()
    if suffix not in MARKDOWN + JSON:
        raise BankError(f"{filename}: upload a .json bank file or a .md question list")
    text = _text(filename, content)
    if suffix in MARKDOWN:
        document = import_markdown(text, name=PurePath(filename).stem)
        if not document["questions"]:
            raise BankError(f"{filename}: no questions found (numbered **bold** lines under ### topics)")
        text = json.dumps(document)
    bank = parse_bank(text, filename)
    header = json.loads(text)
    title = header.get("name") if isinstance(header, dict) else None
    if len(bank.questions) > MAX_QUESTIONS:
        raise BankError(f"{filename}: {len(bank.questions)} questions; the limit is {MAX_QUESTIONS}")
    return bank, str(title or PurePath(filename).stem)[:200]


def quality_errors(filename: str, bank: Bank, name: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) of every question, each naming the file, the question and its number."""
    errors: list[str] = []
    warnings: list[str] = []
    longest = ROUND_ID_LENGTH - len(name) - 1
    for number, question in enumerate(bank.questions, start=1):
        where = f"{filename}: question '{question.id}' (#{number})"
        if len(question.id) > longest:
            errors.append(f"{where}: field 'id': at most {longest} characters in bank '{name}'")
        findings = question_findings(question) + [length_finding(flag) for flag in length_flags(question)]
        for finding in findings:
            (errors if finding.error else warnings).append(f"{where}: {finding.message}")
    # The blind-player shares count over the whole bank, once.
    for finding in cue_share_findings(bank_cue_report(bank)):
        (errors if finding.error else warnings).append(f"{filename}: {finding.message}")
    return errors, warnings


def validate_upload(filename: str, content: bytes, name: str, existing: DuplicateIndex) -> Upload:
    """Parse and check an upload; ``BankError`` with every problem when any question fails.

    ``existing`` holds the questions the workspace can already draw from: near duplicates among
    them are reported, not refused (the admin decides).
    """
    bank, title = parse_file(filename, content)
    errors, warnings = quality_errors(filename, bank, name)
    if errors:
        raise BankError("\n".join(errors))
    found = existing.find_many([(q.question, q.topic) for q in bank.questions])
    duplicates = tuple((q.id, near) for q, near in zip(bank.questions, found, strict=True) if near)
    return Upload(name, title, bank.questions, tuple(warnings), duplicates)
