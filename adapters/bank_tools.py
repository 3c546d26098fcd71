"""``dailyq bank check|grade|import``: the tools a bank author uses, printed with rich."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.bank import Bank, BankError, Question, load_bank
from bot.bank_import import import_markdown
from bot.bank_quality import check_bank, summary
from bot.config import Settings
from bot.grading import grade


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Subcommands of ``dailyq bank``."""
    sub = parser.add_subparsers(dest="bank_command", required=True)
    check = sub.add_parser("check", help="validate bank files and check their quality")
    check.add_argument(
        "files", nargs="*", type=Path, help="bank files (default: DAILYQ_QUESTIONS or the bundled bank)"
    )
    grader = sub.add_parser("grade", help="grade an answer against a question's key points")
    grader.add_argument("question_id")
    grader.add_argument("answer")
    grader.add_argument("--questions", action="append", type=Path, metavar="FILE")
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
    if args.bank_command == "grade":
        return _grade(bank_question(bank, args.question_id), args.answer, console)
    findings = check_bank(bank)
    table = Table(title=f"{len(bank.questions)} questions in {', '.join(bank.sources)}")
    for column in ("topic", "easy", "medium", "hard", "total"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for topic, easy, medium, hard, total in summary(bank):
        table.add_row(Text(topic), str(easy), str(medium), str(hard), str(total))
    console.print(table)
    for finding in findings:
        label = "[red]error[/]" if finding.error else "[yellow]warning[/]"
        console.print(f"{label} {finding.question_id}: ", Text(finding.message), sep="")
    errors = sum(f.error for f in findings)
    warnings = len(findings) - errors
    console.print(f"{errors} errors, {warnings} warnings")
    return 1 if errors else 0


def bank_question(bank: Bank, question_id: str) -> Question:
    """The question with this id, or a ``BankError``."""
    question = bank.get(question_id)
    if question is None:
        raise BankError(f"no question '{question_id}' in the bank; `dailyq bank check` lists topics")
    return question


def _grade(question: Question, answer: str, console: Console) -> int:
    if not question.key_points:
        raise BankError(f"question '{question.id}' has no key points to grade against")
    result = grade(question.key_points, answer)
    console.print(Text(question.question, style="bold"))
    console.print(f"score {result.score:.2f} · verdict {result.verdict.value}")
    for group, found in zip(question.key_points, result.found, strict=True):
        mark = "[green]found[/] " if found else "[red]missed[/]"
        console.print(mark, Text(" | ".join(group)))
    return 0


def _import(args: argparse.Namespace, console: Console) -> int:
    try:
        text = args.markdown.read_text(encoding="utf-8")
    except OSError as exc:
        raise BankError(f"{args.markdown}: cannot read: {exc.strerror}") from None
    document = import_markdown(text, name=args.name or args.markdown.stem)
    output = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        args.output.write_text(output, encoding="utf-8")
        console.print(f"wrote {len(document['questions'])} questions to {args.output}", style="green")
    else:
        sys.stdout.write(output)
    return 0
