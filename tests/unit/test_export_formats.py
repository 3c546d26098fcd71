"""The export files read back the way their importers read them: Anki's text import, Python's csv."""

from __future__ import annotations

import csv
import html
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.members.export_formats import ANKI_HEADER, CSV_ENCODING, Note, anki_tsv, csv_bytes

LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85|\x0b|\x0c")
# any text a user or a bank could hold (no lone surrogates: they cannot be UTF-8 encoded at all)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
NASTY = 'tab\there "quoted" <b>bold</b> & amp;\nnew line\r\nwindows\rold mac # not a comment'


def read_anki(data: bytes) -> tuple[dict[str, str], list[list[str]]]:
    """Parse a file as Anki's text import does: ``#key:value`` header lines at the top, then CSV
    records split by the separator, ``#`` lines as comments; html:true fields are HTML."""
    text = data.decode("utf-8")
    lines = text.split("\n")
    header: dict[str, str] = {}
    while lines and lines[0].startswith("#") and ":" in lines[0]:
        key, _, value = lines.pop(0)[1:].partition(":")
        header[key] = value
    assert header.get("separator") == "tab"
    rows = csv.reader(
        (line for line in lines if line and not line.startswith("#")), delimiter="\t", quotechar='"'
    )
    fields = [list(row) for row in rows]
    if header.get("html") == "true":
        tags = int(header.get("tags column", "0")) - 1  # tags are plain text, not HTML
        fields = [
            [f if i == tags else html.unescape(f.replace("<br>", "\n")) for i, f in enumerate(row)]
            for row in fields
        ]
    return header, fields


def test_header_declares_tab_html_and_the_tags_column() -> None:
    data = anki_tsv([Note("Q", "A", "Topic")])
    assert data.decode().split("\n")[: len(ANKI_HEADER)] == [
        "#separator:tab",
        "#html:true",
        "#columns:Front\tBack\tTags",
        "#tags column:3",
    ]


def test_tabs_newlines_quotes_and_html_survive_as_text() -> None:
    header, rows = read_anki(anki_tsv([Note(NASTY, "#hash first\tthen tab", "Time Series Analysis")]))
    assert header["tags column"] == "3"
    assert rows == [
        [LINE_BREAKS.sub("\n", NASTY), "#hash first\tthen tab", "Time_Series_Analysis"],
    ]
    raw = anki_tsv([Note(NASTY, "x", "t")]).decode().split("\n")[-2]
    assert raw.count("\t") == 2 and '"' not in raw and "<b>" not in raw  # HTML shown, not applied


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=8))
def test_any_text_is_one_note_of_three_fields(notes: list[tuple[str, str, str]]) -> None:
    data = anki_tsv([Note(*n) for n in notes])
    body = data.decode().split("\n")[len(ANKI_HEADER) : -1]
    assert len(body) == len(notes)  # one line per note, nothing taken for a comment or a header
    _, rows = read_anki(data)
    assert len(rows) == len(notes)
    for (front, back, topic), row in zip(notes, rows, strict=True):
        assert row[:2] == [LINE_BREAKS.sub("\n", front), LINE_BREAKS.sub("\n", back)]
        assert row[2] == ("_".join(topic.replace('"', " ").split()) or "dailyq")
        assert not any(c.isspace() or c == '"' for c in row[2])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(TEXT, min_size=3, max_size=3), max_size=10))
def test_csv_round_trips_any_unicode(rows: list[list[str]]) -> None:
    data = csv_bytes(("a", "b", "c"), rows)
    assert data.startswith("\ufeff".encode())  # spreadsheets open it as UTF-8
    read = list(csv.reader(io.StringIO(data.decode(CSV_ENCODING), newline="")))
    assert read == [["a", "b", "c"], *rows]


def test_csv_writes_none_as_empty_and_numbers_as_text() -> None:
    data = csv_bytes(("v", "n"), [(None, 3), ("", 0.5)])
    assert data.decode(CSV_ENCODING) == '"v","n"\r\n"","3"\r\n"","0.5"\r\n'
