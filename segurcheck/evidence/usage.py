"""Usage exports (proof of use, BUNDLE.md): a CSV of DMP and MSS exchanges.

Exports can hold millions of rows, so the file is streamed from ``Source.open()`` and
only counts are kept: rows by (channel, status, ins_status), and malformed rows with the
line numbers of the first few, so a reviewer can find them.  Memory stays bounded
whatever the size of the file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import BinaryIO

from ..model import Kind, Problem
from .base import Parsed, Source, parser

HEADER = ("timestamp", "channel", "status", "document_type", "ins_status")
CHANNELS = frozenset({"dmp", "mss"})
STATUSES = frozenset({"success", "failure"})
INS_STATUSES = frozenset({"QUAL", "VALI", "RECUP", "PROV"})
FIRST_LINES = 10


@dataclass(frozen=True)
class UsageFacts:
    rows: int
    counts: dict[tuple[str, str, str], int]  # (channel, status, ins_status) -> rows
    malformed: int
    malformed_lines: tuple[int, ...]  # first line numbers (1 = header line)
    first_timestamp: str
    last_timestamp: str

    def count(self, channel: str, status: str = "success", ins_status: str | None = None) -> int:
        return sum(
            n
            for (c, s, i), n in self.counts.items()
            if c == channel and s == status and (ins_status is None or i == ins_status)
        )


def _valid(row: list[str]) -> bool:
    if len(row) != 5:
        return False
    stamp = row[0]
    return (
        len(stamp) >= 10
        and stamp[4:5] == "-"
        and stamp[7:8] == "-"
        and stamp[:4].isdigit()
        and row[1] in CHANNELS
        and row[2] in STATUSES
        and row[4] in INS_STATUSES
        and bool(row[3])
    )


def count_usage(stream: BinaryIO) -> tuple[UsageFacts | None, list[Problem]]:
    """Count a usage export read from a binary stream, in bounded memory."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return None, [Problem(f"usage export unreadable: {exc}", "line 1")]
    if header is None:
        return None, [Problem("usage export is empty")]
    if tuple(h.strip().lstrip("\ufeff") for h in header) != HEADER:
        found = ",".join(header)[:120]
        return None, [Problem(f"usage export header is {found!r}, expected {','.join(HEADER)}", "line 1")]
    counts: Counter[tuple[str, str, str]] = Counter()
    malformed = 0
    first_bad: list[int] = []
    rows = 0
    first = last = ""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            malformed += 1
            if len(first_bad) < FIRST_LINES:
                first_bad.append(reader.line_num)
            continue
        rows += 1
        if _valid(row):
            counts[(row[1], row[2], row[4])] += 1
            stamp = row[0]
            if not first or stamp < first:
                first = stamp
            if stamp > last:
                last = stamp
        else:
            malformed += 1
            if len(first_bad) < FIRST_LINES:
                first_bad.append(reader.line_num)
    problems = []
    if malformed:
        lines = ", ".join(str(n) for n in first_bad)
        message = f"{malformed} malformed row(s) ignored (first at lines {lines})"
        problems.append(Problem(message, f"line {first_bad[0]}"))
    return UsageFacts(rows, dict(counts), malformed, tuple(first_bad), first, last), problems


@parser(Kind.USAGE_EXPORT)
def parse_usage_export(source: Source) -> Parsed:
    with source.open() as stream:
        facts, problems = count_usage(stream)
    return Parsed(facts=facts, problems=problems, identity=source.sha256)
