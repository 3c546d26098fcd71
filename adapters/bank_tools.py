"""``dailyq bank check|grade|import``: the tools a bank author uses, printed with rich."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rapidfuzz import fuzz, process
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.bank.grading import grade
from bot.bank.markdown_import import check_import, import_located
from bot.bank.model import Bank, BankError, Question, load_bank
from bot.bank.quality import check_bank, summary
from bot.bank.quiz_quality import MAX_RULE_SHARE, RULE_TEXT, bank_cue_report
from bot.config import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Subcommands of ``dailyq bank``."""
    sub = parser.add_subparsers(dest="bank_command", required=True)
    check = sub.add_parser("check", help="validate bank files and check their quality")
    check.add_argument(
        "files", nargs="*", type=Path, help="bank files (default: DAILYQ_QUESTIONS or the bundled bank)"
    )
    grader = sub.add_parser(
        "grade",
        help="grade answers against a question's key points",
        description="Grade one answer (QUESTION_ID ANSWER) the way a daily round would and show which key "
        "points it earned, or grade many at once with --jsonl: one JSON object per line, "
        '{"id": "<question id>", "answer": "<text>"}. Each is printed as one JSON line with '
        "verdict, score, found and missed key points (by their first synonym) and the words that "
        "earned each. Bad lines are reported on stderr as FILE:LINE and the exit code is 1.",
        epilog='example: dailyq bank grade early-stopping "stop when validation loss stops improving"',
    )
    grader.add_argument(
        "question_id", nargs="?", help="the question's id (`dailyq bank list` shows every id)"
    )
    grader.add_argument("answer", nargs="?", help="the answer to grade, in quotes")
    grader.add_argument(
        "--jsonl", type=Path, metavar="FILE", help='grade every {"id", "answer"} line of FILE ("-": stdin)'
    )
    grader.add_argument(
        "--questions",
        action="append",
        type=Path,
        metavar="FILE",
        help="bank file to grade against (repeatable; default: DAILYQ_QUESTIONS or the bundled bank)",
    )
    lister = sub.add_parser("list", help="list question ids with their topics and questions")
    lister.add_argument(
        "files", nargs="*", type=Path, help="bank files (default: DAILYQ_QUESTIONS or the bundled bank)"
    )
    lister.add_argument("--topic", help="only this topic (a short name or part of a name will do)")
    importer = sub.add_parser("import", help="turn a markdown question list into a bank file")
    importer.add_argument("markdown", type=Path)
    importer.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
    importer.add_argument("--name", default=None, help="bank name (default: the file name)")


def run(args: argparse.Namespace) -> int:
    """Run a bank subcommand; exit code 0 when all is well, 1 when checks found errors."""
    console = Console(highlight=False)
    if args.bank_command == "import":
        return _import(args, console)
    files = getattr(args, "files", None) or getattr(args, "questions", None) or Settings().questions
    bank = load_bank(files)
    if args.bank_command == "grade" and args.jsonl is not None:
        if args.question_id is not None:
            raise BankError("give either --jsonl FILE or QUESTION_ID ANSWER, not both")
        return grade_jsonl(bank, args.jsonl)
    if args.bank_command == "grade":
        if args.question_id is None or args.answer is None:
            raise BankError("bank grade needs QUESTION_ID and ANSWER, or --jsonl FILE")
        return _grade(bank_question(bank, args.question_id), args.answer, console)
    if args.bank_command == "list":
        return _list(bank, args.topic, console)
    findings = check_bank(bank)
    table = Table(title=f"{len(bank.questions)} questions in {', '.join(bank.sources)}")
    for column in ("topic", "easy", "medium", "hard", "total"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for topic, easy, medium, hard, total in summary(bank):
        table.add_row(Text(topic), str(easy), str(medium), str(hard), str(total))
    console.print(table)
    _print_cues(bank, console)
    for finding in findings:
        label = "[red]error[/]" if finding.error else "[yellow]warning[/]"
        console.print(f"{label} {finding.question_id}: ", Text(finding.message), sep="")
    errors = sum(f.error for f in findings)
    warnings = len(findings) - errors
    console.print(f"{errors} errors, {warnings} warnings")
    return 1 if errors else 0


def _print_cues(bank: Bank, console: Console) -> None:
    """Each blind rule's win share, always, so authors see how close to the limit they are."""
    report = bank_cue_report(bank)
    if not report.questions:
        console.print("no quiz forms: quiz mode cannot use this bank (open mode can)")
        return
    cues = Table(title=f"blind players over {report.questions} quiz questions (chance 25%)")
    for column in ("rule", "wins", "max", ""):
        cues.add_column(column, justify="left" if column in ("rule", "") else "right")
    for rule, share in report.shares.items():
        verdict = "[green]ok[/]" if share <= MAX_RULE_SHARE else "[red]too high[/]"
        cues.add_row(RULE_TEXT[rule], f"{share:.1%}", f"{MAX_RULE_SHARE:.0%}", verdict)
    console.print(cues)


def bank_question(bank: Bank, question_id: str) -> Question:
    """The question with this id, or a ``BankError`` naming close ids."""
    question = bank.get(question_id)
    if question is None:
        close = process.extract(question_id, bank.ids, scorer=fuzz.ratio, limit=3, score_cutoff=60)
        hint = f"did you mean {', '.join(hit[0] for hit in close)}? " if close else ""
        raise BankError(f"no question '{question_id}' in the bank; {hint}`dailyq bank list` lists the ids")
    return question


def _list(bank: Bank, topic: str | None, console: Console) -> int:
    chosen = bank.questions
    if topic:
        name = bank.find_topic(topic)
        if name is None:
            raise BankError(bank.topic_problem(topic))
        chosen = tuple(q for q in chosen if q.topic == name)
    table = Table(title=f"{len(chosen)} questions")
    table.add_column("id", no_wrap=True, min_width=max((len(q.id) for q in chosen), default=2))
    for column in ("topic", "difficulty", "question"):
        table.add_column(column)
    for q in chosen:
        table.add_row(Text(q.id), Text(q.topic), q.difficulty, Text(q.question))
    console.print(table)
    return 0


def _grade(question: Question, answer: str, console: Console) -> int:
    if not question.key_points:
        raise BankError(f"question '{question.id}' has no key points to grade against")
    result = grade(
        question.key_points, answer, question=question.question, misconceptions=question.misconceptions
    )
    console.print(Text(question.question, style="bold"))
    console.print(f"score {result.score:.2f} · verdict {result.verdict.value}")
    if result.note:
        console.print(Text(result.note, style="yellow"))
    for group, words in zip(question.key_points, result.evidence, strict=True):
        mark = "[green]found[/] " if words else "[red]missed[/]"
        earned = Text(f"  (by “{words}”)", style="dim") if words else Text("")
        console.print(mark, Text(" | ".join(group)), earned, sep=" ")
    return 0


def grade_jsonl(bank: Bank, path: Path) -> int:
    """Grade every ``{"id", "answer"}`` line of ``path``; one JSON line out per answer, 1 on bad lines."""
    try:
        lines = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    bad = 0
    for number, line in enumerate(lines.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question, answer = _parse_line(bank, line)
        except ValueError as exc:
            print(f"{path}:{number}: {exc}", file=sys.stderr)
            bad += 1
            continue
        result = grade(
            question.key_points, answer, question=question.question, misconceptions=question.misconceptions
        )
        pairs = list(zip(question.key_points, result.evidence, strict=True))
        record = {
            "line": number,
            "id": question.id,
            "verdict": result.verdict.value,
            "score": round(result.score, 3),
            "found": [group[0] for group, words in pairs if words],
            "missed": [group[0] for group, words in pairs if not words],
            "evidence": {group[0]: words for group, words in pairs if words},
            "note": result.note,
        }
        print(json.dumps(record, ensure_ascii=False))
    return 1 if bad else 0


def _parse_line(bank: Bank, line: str) -> tuple[Question, str]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (column {exc.colno}: {exc.msg})") from None
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise ValueError('needs an object with a string "id" and a string "answer"')
    if not isinstance(item.get("answer"), str):
        raise ValueError(f"question '{item['id']}': needs a string \"answer\"")
    question = bank.get(item["id"])
    if question is None:
        raise ValueError(f"no question '{item['id']}' in the bank")
    if not question.key_points:
        raise ValueError(f"question '{question.id}' has no key points to grade against")
    return question, item["answer"]


def _import(args: argparse.Namespace, console: Console) -> int:
    """Exit 0: the bank is ready. 1: refused, nothing written (it would not load), or written as a
    draft whose questions still need key points before open answers can be graded."""
    try:
        text = args.markdown.read_text(encoding="utf-8")
    except OSError as exc:
        raise BankError(f"{args.markdown}: cannot read: {exc.strerror}") from None
    imported = import_located(text, name=args.name or args.markdown.stem)
    report = check_import(imported, str(args.markdown))
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    if report.errors:
        for line in report.errors:
            errors.print("[red]error[/] ", Text(line), sep="")
        count = len(report.errors)
        errors.print(f"nothing written: {count} problem{'s' * (count != 1)} would stop the bank from loading")
        return 1
    document = imported.document
    output = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        args.output.write_text(output, encoding="utf-8")
        console.print(f"wrote {len(document['questions'])} questions to {args.output}", style="green")
    else:
        sys.stdout.write(output)
    for line in report.drafts:
        errors.print("[yellow]draft[/] ", Text(line), sep="")
    if report.drafts:
        errors.print(
            f"{len(report.drafts)} of {len(document['questions'])} questions need key_points before "
            "the bank can grade open answers; `dailyq bank grade ID ANSWER` helps tune them"
        )
        return 1
    return 0
