"""The text command grammar shared by Slack and the console: one typed line -> one ``Command``.

Errors are ``CommandError`` with a message that says what is accepted.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process

from bot.commands import (
    Ask,
    Command,
    ConfigureDaily,
    ConfigureRoles,
    ConfigureSeason,
    DailyAction,
    Export,
    ExportDaily,
    ExportKind,
    ForgetMe,
    ListTopics,
    ManageDaily,
    ManageTeam,
    PracticeAnswer,
    RatePractice,
    Rating,
    Remind,
    Review,
    Scope,
    SetQuotePrivacy,
    ShowHelp,
    ShowLeaderboard,
    ShowPracticeAnswer,
    ShowSeasonBoard,
    ShowStats,
    ShowTeamBoard,
    ShowToday,
    SubmitAnswer,
    TeamAction,
    Window,
)
from bot.daily.schedule import MAX_REVEAL, MIN_REVEAL
from bot.standings.seasons import SeasonError, parse_season
from bot.text.appeal_grammar import ADMIN_VERBS as GRADE_ADMIN_VERBS
from bot.text.appeal_grammar import HELP as GRADE_HELP
from bot.text.appeal_grammar import GradeGrammarError, parse_admin, parse_appeal, parse_grade
from bot.text.bank_grammar import BankCommandError, parse_bank_command, parse_banks_option, parse_submit
from bot.text.timeparse import TimeInputError, parse_days, parse_duration, parse_hhmm, parse_timezone

MAX_LINE = 5000

HELP: tuple[tuple[str, str], ...] = (
    ("question [topic]", "a practice question, privately (spaced repetition)"),
    ("show | try <answer> | rate again|hard|good|easy", "practice: see the answer, be graded, rate recall"),
    ("review", "practise the daily questions you missed (they come back the day after the reveal)"),
    ("today", "the channel's open daily question"),
    ("answer <text>", "answer the daily question (quiz: answer A-D); change it until the reveal"),
    ("leaderboard [week|month|all] [channel|server]", "standings (default: this week, this channel)"),
    ("leaderboard season [2026-11|2026-Q4] [channel|server]", "a season's standings (default: now, server)"),
    ("leaderboard teams [week|month|season|all]", "teams by points per active member"),
    ("team list | team add <name> @members | team remove <name> [@members]", "teams (admins change them)"),
    ("season | season length month|quarter|off", "the seasons here; admin: their length"),
    ("stats [user]", "points, rank, streaks, accuracy by topic, cards due"),
    ("topics", "topics and question counts"),
    (
        "daily set HH:MM [timezone] [reveal 4h] [days weekdays] [mode quiz] [topics a,b] [difficulty easy] "
        "[banks a,b]",
        "admin: schedule the daily question here; options left out keep their value",
    ),
    ("daily status|pause|resume|now|reveal|skip|off", "manage the schedule (status: anyone)"),
    *GRADE_HELP,
    ("remind on [30m|1h|...] | remind off", "a private reminder before the reveal if you have not answered"),
    ("export cards|answers", "your practice cards (Anki TSV) or daily answers (CSV), privately"),
    ("daily export", "admin: this channel's rounds and answers (CSV), privately"),
    (
        "daily roles [champion @Role|streak 7|30|100 @Role|off]",
        "admin, Discord: roles for the season champion and streak milestones",
    ),
    ("bank list | bank import <file> [as name] | bank remove <name>", "the workspace's question banks"),
    ("submit <topic> | <question> | <answer> [| hard] [| a/b; c/d] [| credit]", "suggest a question"),
    ("bank queue [approve N [to bank] | edit N field text | reject N reason]", "admin: review submissions"),
    ("privacy quote on|off", "whether reveals may quote your best answers (default: on)"),
    ("forget-me [confirm]", "delete everything stored about you (asks first)"),
    ("help", "this list"),
)

COMMAND_WORDS = (
    "question",
    "answer",
    "today",
    "show",
    "try",
    "rate",
    "review",
    "leaderboard",
    "stats",
    "season",
    "team",
    "topics",
    "daily",
    "grade",
    "appeal",
    "export",
    "remind",
    "bank",
    "submit",
    "privacy",
    "forget-me",
    "help",
)


class CommandError(ValueError):
    """A line that is not a valid command; the message says what is accepted."""


ALIASES = ("q", "a", "lb", "top", "practice", "forget", "forgetme", "my", "mygrade", "my-grade")


def _accepted() -> str:
    return "Commands: " + ", ".join(COMMAND_WORDS) + ". Type `help` for details."


def did_you_mean(word: str) -> str:
    """``Did you mean `help`?`` for a near miss of a command word, else nothing."""
    hit = process.extractOne(word, COMMAND_WORDS, scorer=fuzz.ratio, score_cutoff=70)
    return f"Did you mean `{hit[0]}`? " if hit else ""


def parse(line: str) -> Command:
    """Parse one typed line (``leaderboard month server``, ``daily set 09:30 UTC``...)."""
    text = line.strip()
    if len(text) > MAX_LINE:
        raise CommandError(f"That is too long ({len(text)} characters); the limit is {MAX_LINE}.")
    if not text:
        raise CommandError("Type a command. " + _accepted())
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    match word:
        case "question" | "q" | "practice":
            return Ask(rest or None)
        case "answer" | "a":
            return SubmitAnswer(text=rest)
        case "today":
            return ShowToday()
        case "show":
            return ShowPracticeAnswer()
        case "try":
            return PracticeAnswer(rest)
        case "rate":
            return _rate(rest)
        case "review":
            return Review()
        case "leaderboard" | "lb" | "top":
            return _leaderboard(rest)
        case "stats":
            return ShowStats(rest or None)
        case "season" | "seasons":
            return _season(rest)
        case "team" | "teams":
            return _team(rest)
        case "topics":
            return ListTopics()
        case "help" | "?":
            return ShowHelp()
        case "privacy":
            return _privacy(rest)
        case "forget-me" | "forgetme":
            return _forget(rest)
        case "forget" if rest.lower().split()[:1] == ["me"]:
            return _forget(rest[2:].strip())
        case "daily":
            return _daily(rest)
        case "grade" | "mygrade" | "my-grade" | "appeal":
            return _grades(word, rest)
        case "my" if rest.lower().split()[:1] == ["grade"]:
            return _grades("grade", rest[5:].strip())
        case "export":
            return _export(rest)
        case "remind" | "reminder" | "reminders":
            return _remind(rest)
        case "submit":
            try:
                return parse_submit(rest)
            except BankCommandError as exc:
                raise CommandError(str(exc)) from None
        case "bank" | "banks":
            try:
                return parse_bank_command(rest)
            except BankCommandError as exc:
                raise CommandError(str(exc)) from None
    raise CommandError(f"Unknown command '{word[:40]}'. " + did_you_mean(word) + _accepted())


def _privacy(rest: str) -> SetQuotePrivacy:
    words = rest.lower().split()
    if len(words) == 2 and words[0] == "quote" and words[1] in {"on", "off"}:
        return SetQuotePrivacy(allow=words[1] == "on")
    raise CommandError(
        "Use `privacy quote off` so reveals never quote your answers, or `privacy quote on` to allow it."
    )


def _forget(rest: str) -> ForgetMe:
    if not rest:
        return ForgetMe()
    if rest.lower() == "confirm":
        return ForgetMe(confirmed=True)
    raise CommandError("Use `forget-me` to see what would be deleted, then `forget-me confirm`.")


def parse_slash(text: str) -> Command:
    """Parse the text of Slack's one slash command: empty or a topic means a practice question."""
    stripped = text.strip()
    first = stripped.split(" ", 1)[0].lower()
    if not stripped:
        return Ask()
    if first in COMMAND_WORDS or first in ALIASES:
        return parse(stripped)
    return Ask(stripped[:200])


def _rate(rest: str) -> RatePractice:
    try:
        return RatePractice(Rating(rest.lower()))
    except ValueError:
        raise CommandError("Rate your recall with: rate again, rate hard, rate good or rate easy.") from None


def _season(rest: str) -> ConfigureSeason:
    words = rest.lower().split()
    if not words:
        return ConfigureSeason()
    if len(words) == 2 and words[0] == "length" and words[1] in {"month", "quarter", "off"}:
        return ConfigureSeason(words[1])
    raise CommandError("Use `season` to see the seasons, or (admins) `season length month|quarter|off`.")


def _season_board(tokens: list[str]) -> ShowSeasonBoard:
    season, scope = None, Scope.SERVER
    for token in tokens:
        if token in {"channel", "server", "workspace", "team"}:
            scope = Scope.CHANNEL if token == "channel" else Scope.SERVER
        elif season is None:
            try:
                season = parse_season(token)
            except SeasonError as exc:
                raise CommandError(str(exc)) from None
        else:
            raise CommandError(
                f"'{token[:40]}' is not a season option: use one season (2026-11, 2026-Q4) "
                "and channel or server."
            )
    return ShowSeasonBoard(season, scope)


def _team(rest: str) -> ManageTeam:
    tokens = rest.split()
    verb = tokens[0].lower() if tokens else "list"
    if verb == "list" and len(tokens) <= 1:
        return ManageTeam(TeamAction.LIST)
    if verb in {"add", "remove"} and len(tokens) >= 2:
        return ManageTeam(TeamAction(verb), tokens[1], tuple(tokens[2:]))
    raise CommandError(
        "Use `team list`, `team add <name> @member @member` or `team remove <name> [@member]`."
    )


def _team_board(tokens: list[str]) -> ShowTeamBoard:
    if not tokens:
        return ShowTeamBoard()
    if len(tokens) == 1 and tokens[0] in {"week", "month", "season", "all"}:
        return ShowTeamBoard(tokens[0])
    raise CommandError("Use `leaderboard teams [week|month|season|all]`.")


def _leaderboard(rest: str) -> Command:
    if rest.lower().split()[:1] == ["teams"]:
        return _team_board(rest.lower().split()[1:])
    if rest.lower().split()[:1] == ["season"]:
        return _season_board(rest.lower().split()[1:])
    window, scope = Window.WEEK, Scope.CHANNEL

    for token in rest.lower().split():
        if token in {w.value for w in Window}:
            window = Window(token)
        elif token in {"channel", "server", "workspace", "team"}:
            scope = Scope.CHANNEL if token == "channel" else Scope.SERVER
        elif token in {"alltime", "all-time", "ever"}:
            window = Window.ALL
        else:
            raise CommandError(
                f"'{token[:40]}' is not a leaderboard option: use week, month or all, and "
                "channel or server (also `leaderboard season`, `leaderboard teams`)."
            )
    return ShowLeaderboard(window, scope)


def _grades(word: str, rest: str) -> Command:
    try:
        return parse_appeal(rest) if word == "appeal" else parse_grade(rest)
    except GradeGrammarError as exc:
        raise CommandError(str(exc)) from None


REMIND_USAGE = "Use remind on (1 h before the reveal), remind on 30m (5m to 23h), remind off, or remind."


def _remind(rest: str) -> Remind:
    tokens = rest.lower().split()
    if not tokens:
        return Remind()
    if tokens[0] == "off" and len(tokens) == 1:
        return Remind(on=False)
    if tokens[0] != "on" or len(tokens) > 2:
        raise CommandError(REMIND_USAGE)
    if len(tokens) == 1:
        return Remind(on=True)
    try:
        lead = parse_duration(tokens[1], minimum=parse_duration("5m"), maximum=parse_duration("23h"))
    except TimeInputError as exc:
        raise CommandError(f"{exc}. {REMIND_USAGE}") from None
    return Remind(on=True, lead=lead)


def _export(rest: str) -> Export:
    try:
        return Export(ExportKind(rest.strip().lower()))
    except ValueError:
        raise CommandError(
            "Use export cards (your practice cards for Anki) or export answers (your daily answers, CSV)."
        ) from None


def _daily(rest: str) -> Command:
    tokens = rest.split()
    if not tokens:
        return ManageDaily(DailyAction.STATUS)
    verb = tokens[0].lower()
    if verb in GRADE_ADMIN_VERBS:
        try:
            return parse_admin(verb, tokens[1:])
        except GradeGrammarError as exc:
            raise CommandError(str(exc)) from None
    if verb == "export" and len(tokens) == 1:
        return ExportDaily()
    if verb == "roles":
        return _roles(tokens[1:])
    if verb == "set":
        try:
            return _daily_set(tokens[1:])
        except TimeInputError as exc:
            raise CommandError(str(exc)) from None
    try:
        return ManageDaily(DailyAction(verb))
    except ValueError:
        verbs = ["set", *(action.value for action in DailyAction)]
        hit = process.extractOne(verb, verbs, scorer=fuzz.ratio, score_cutoff=70)
        guess = f"Did you mean `daily {hit[0]}`? " if hit else ""
        raise CommandError(
            f"{guess}Use daily set HH:MM [timezone] [reveal 4h] [days weekdays] [mode open|quiz] "
            "[topics a,b] [difficulty easy|medium|hard] [banks a,b], "
            "or daily status|pause|resume|now|reveal|skip|off."
        ) from None


ROLES_USAGE = (
    "Use `daily roles` to see the roles, `daily roles champion @Role`, "
    "`daily roles streak 7|30|100 @Role`, `daily roles champion off`, `daily roles streak 7 off` "
    "or `daily roles off` (admins, Discord)."
)


def _roles(tokens: list[str]) -> ConfigureRoles:
    """``daily roles [champion <role>|streak 7|30|100 <role>|off]``; ``<role>`` may be ``off``."""
    words = [t.lower() for t in tokens]
    if not words:
        return ConfigureRoles()
    if words == ["off"]:
        return ConfigureRoles("off")
    if len(words) == 2 and words[0] == "champion":
        return ConfigureRoles("champion", "off" if words[1] == "off" else tokens[1])
    if len(words) == 3 and words[0] == "streak" and words[1] in {"7", "30", "100"}:
        return ConfigureRoles(f"streak{words[1]}", "off" if words[2] == "off" else tokens[2])
    raise CommandError(ROLES_USAGE)


SET_USAGE = (
    "daily set HH:MM [timezone] [reveal 4h] [days every|weekdays|mon,wed,fri] "
    "[mode open|quiz] [topics a,b] [difficulty easy|medium|hard] [banks builtin,ours]"
)


def _daily_set(tokens: list[str]) -> ConfigureDaily:
    """``daily set HH:MM [zone] [key value]...``: each key takes one word, except ``topics``, whose
    comma-separated names (which may contain spaces) run until the next key word."""
    if not tokens:
        raise CommandError(f"Give a time: {SET_USAGE}")
    post_time = parse_hhmm(tokens[0])
    options: dict[str, Any] = {}
    index = 1
    if index < len(tokens) and tokens[index].lower() not in _SET_KEYS:
        options["timezone"] = parse_timezone(tokens[index])
        index += 1
    while index < len(tokens):
        key = tokens[index].lower()
        if key not in _SET_KEYS:
            raise CommandError(f"'{tokens[index][:40]}' is not an option of daily set. Use: {SET_USAGE}")
        end = index + 2
        if key in ("topics", "topic"):
            while end < len(tokens) and tokens[end].lower() not in _SET_KEYS:
                end += 1
        if index + 1 >= len(tokens) or tokens[index + 1].lower() in _SET_KEYS:
            raise CommandError(f"'{key}' needs a value. Use: {SET_USAGE}")
        if _OPTION_FIELD[key] in options:
            raise CommandError(f"'{key}' is given twice; give each option once.")
        options.update(set_option(key, " ".join(tokens[index + 1 : end])))
        index = end
    return ConfigureDaily(post_time=post_time, **options)


_SET_KEYS = ("reveal", "days", "mode", "topics", "topic", "difficulty", "timezone", "tz", "banks", "bank")
_OPTION_FIELD = {
    "reveal": "reveal_after",
    "days": "days",
    "mode": "mode",
    "topics": "topics",
    "topic": "topics",
    "difficulty": "difficulty",
    "timezone": "timezone",
    "tz": "timezone",
    "banks": "banks",
    "bank": "banks",
}


def set_option(key: str, value: str) -> dict[str, object]:
    """One option of ``daily set`` (``reveal``, ``days``, ``timezone``, ``mode``, ``banks``,
    ``difficulty``, ``topics``) as ``ConfigureDaily`` fields: the one set of rules for every
    platform. Raises ``CommandError`` (``TimeInputError`` for times) saying what is accepted."""
    if key == "reveal":
        return {"reveal_after": parse_duration(value, minimum=MIN_REVEAL, maximum=MAX_REVEAL)}
    if key == "days":
        return {"days": parse_days(value)}
    if key in ("timezone", "tz"):
        return {"timezone": parse_timezone(value)}
    if key == "mode":
        if value.lower() not in ("open", "quiz"):
            raise CommandError(f"'{value[:40]}' is not a mode: use open (written answers) or quiz (A-D).")
        return {"mode": value.lower()}
    if key in ("banks", "bank"):
        try:
            return parse_banks_option(value)
        except BankCommandError as exc:
            raise CommandError(str(exc)) from None
    if key == "difficulty":
        if value.lower() not in ("easy", "medium", "hard", "any"):
            raise CommandError(f"'{value[:40]}' is not a difficulty: use easy, medium, hard or any.")
        return {"difficulty": value.lower()}
    topics = tuple(part.strip() for part in value.split(",") if part.strip())
    if not topics:
        raise CommandError("Name at least one topic after 'topics', separated by commas, or `topics all`.")
    return {"topics": () if [t.lower() for t in topics] == ["all"] else topics}
