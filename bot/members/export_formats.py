"""File formats of the exports: an Anki-importable TSV of notes, and CSV tables.

Anki's text import reads the ``#key:value`` header lines at the top of the file, then one note per
line, fields split by the separator, with CSV quoting and ``#`` lines taken as comments. With
``#html:true`` every field is HTML, so text is escaped to HTML: ``& < > "`` as entities, a newline
as ``<br>``, a tab as ``&#9;`` and a leading ``#`` as ``&#35;``. No field then holds a tab, a line
break or a double quote, and each line is exactly one note of three fields. Tags are separated by
spaces in Anki and are plain text, so a topic's spaces (and quotes) become underscores.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ANKI_HEADER = ("#separator:tab", "#html:true", "#columns:Front\tBack\tTags", "#tags column:3")
CSV_ENCODING = "utf-8-sig"  # the BOM makes spreadsheet programs read the file as UTF-8
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85|\x0b|\x0c")


@dataclass(frozen=True)
class Note:
    """One Anki note: front and back as plain text, and one tag."""

    front: str
    back: str
    tag: str


def anki_field(text: str) -> str:
    """Plain text as one HTML field of a tab-separated Anki file."""
    escaped = html.escape(text, quote=True).replace("\t", "&#9;")
    escaped = _LINE_BREAKS.sub("<br>", escaped)
    return "&#35;" + escaped[1:] if escaped.startswith("#") else escaped


def anki_tag(topic: str) -> str:
    """A topic as one Anki tag: no whitespace (Anki splits tags on it), no double quote (it
    would start CSV quoting), never empty. Tags are plain text, not HTML."""
    return "_".join(topic.replace('"', " ").split()) or "dailyq"


def anki_tsv(notes: Iterable[Note]) -> bytes:
    """The notes as an Anki text-import file (UTF-8), header lines first."""
    lines = list(ANKI_HEADER)
    for note in notes:
        lines.append("\t".join((anki_field(note.front), anki_field(note.back), anki_tag(note.tag))))
    return ("\n".join(lines) + "\n").encode("utf-8")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV table (Python's csv module, every field quoted) as UTF-8 with a BOM."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue().encode(CSV_ENCODING)
