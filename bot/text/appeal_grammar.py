"""The text grammar of grades and appeals (Slack and the console), used by ``bot.text.grammar``.

Players: ``grade [round]`` (also ``my grade``), ``appeal <reason>``. Admins: ``daily appeals``,
``daily accept <appeal> strong|partial|missed [note]``, ``daily reject <appeal> [note]``,
``daily regrade <answer> strong|partial|missed [note]``, ``daily answers [round]``. Ids may be
written with or without ``#``.
"""

from __future__ import annotations

from bot.commands import (
    AppealGrade,
    Command,
    DecideAppeal,
    Decision,
    ListAnswers,
    ListAppeals,
    Regrade,
    ShowMyGrade,
)

ADMIN_VERBS = frozenset({"appeals", "accept", "reject", "regrade", "answers"})
VERDICT_WORDS = ("strong", "partial", "missed")
MAX_ID = 10**12

HELP: tuple[tuple[str, str], ...] = (
    ("grade [round]", "your own grade of the latest revealed question: verdict, key points, points"),
    ("appeal <reason>", "contest that grade, within a day of the reveal (once per answer)"),
    (
        "daily appeals | accept <appeal> <verdict> [note] | reject <appeal> [note]",
        "admin: the channel's open appeals, and deciding them",
    ),
    (
        "daily answers [round] | regrade <answer> <verdict> [note]",
        "admin: a revealed round's answers with ids, and changing any verdict",
    ),
)


class GradeGrammarError(ValueError):
    """A grades or appeals line that is not valid; the message says what is accepted."""


def parse_id(token: str, what: str, usage: str) -> int:
    """An id typed as ``12`` or ``#12``."""
    text = token.removeprefix("#")
    if not text.isdigit() or int(text) >= MAX_ID:
        raise GradeGrammarError(f"'{token[:20]}' is not {what} number. Use: {usage}")
    return int(text)


def parse_grade(rest: str) -> ShowMyGrade:
    """``grade [round]``."""
    tokens = rest.split()
    if not tokens:
        return ShowMyGrade()
    if len(tokens) == 1:
        return ShowMyGrade(parse_id(tokens[0], "a round", "grade [round number]"))
    raise GradeGrammarError("Use: grade (the latest revealed question) or grade <round number>.")


def parse_appeal(rest: str) -> AppealGrade:
    """``appeal <reason>`` about the channel's latest revealed round."""
    if not rest.strip():
        raise GradeGrammarError("Say why your answer deserves another grade: appeal <reason>.")
    return AppealGrade(reason=rest.strip())


def _verdict(tokens: list[str], index: int, usage: str) -> str:
    if index >= len(tokens) or tokens[index].lower() not in VERDICT_WORDS:
        raise GradeGrammarError(f"Give the new verdict, strong, partial or missed. Use: {usage}")
    return tokens[index].lower()


def parse_admin(verb: str, tokens: list[str]) -> Command:
    """The admin verbs after ``daily`` (``tokens`` excludes the verb)."""
    note = " ".join(tokens[2:])
    if verb == "appeals":
        return ListAppeals()
    if verb == "answers":
        usage = "daily answers [round number]"
        if len(tokens) > 1:
            raise GradeGrammarError(f"Use: {usage}")
        return ListAnswers(parse_id(tokens[0], "a round", usage) if tokens else None)
    if verb == "reject":
        usage = "daily reject <appeal number> [note]"
        if not tokens:
            raise GradeGrammarError(f"Which appeal? Use: {usage} (daily appeals lists them)")
        return DecideAppeal(
            parse_id(tokens[0], "an appeal", usage), Decision.REJECT, None, " ".join(tokens[1:])
        )
    if verb == "accept":
        usage = "daily accept <appeal number> strong|partial|missed [note]"
        if not tokens:
            raise GradeGrammarError(f"Which appeal? Use: {usage} (daily appeals lists them)")
        appeal_id = parse_id(tokens[0], "an appeal", usage)
        return DecideAppeal(appeal_id, Decision.ACCEPT, _verdict(tokens, 1, usage), note)
    usage = "daily regrade <answer number> strong|partial|missed [note]"
    if not tokens:
        raise GradeGrammarError(f"Which answer? Use: {usage} (daily answers lists them)")
    answer_id = parse_id(tokens[0], "an answer", usage)
    return Regrade(answer_id, _verdict(tokens, 1, usage), note)
