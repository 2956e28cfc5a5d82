"""Usage exports (proof of use, BUNDLE.md): a CSV of DMP and MSS exchanges.

Exports can hold millions of rows, so the file is streamed from ``Source.open()`` and
only counts are kept: rows by (channel, status, ins_status), and malformed rows with the
line numbers of the first few, so a reviewer can find them.  Memory stays bounded
whatever the size of the file.
"""

from __future__ import annotations

import csv
import io
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

    def count(self, channel: str, status: str = "success", ins_status: str | None = None) -> int:
        return sum(
            n
            for (c, s, i), n in self.counts.items()
            if c == channel and s == status and (ins_status is None or i == ins_status)
        )


def _valid_key(key: tuple[str, str, str]) -> bool:
    return key[0] in CHANNELS and key[1] in STATUSES and key[2] in INS_STATUSES


def count_usage(stream: BinaryIO) -> tuple[UsageFacts | None, list[Problem]]:
    """Count a usage export read from a binary stream, in bounded memory.

    The hot loop does as little as possible per row (it runs millions of times): the
    channel/status/ins_status triple is validated once per distinct value, the
    timestamp by two character probes.
    """
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
    counts: dict[tuple[str, str, str], int] = {}
    invalid: set[tuple[str, str, str]] = set()
    malformed = 0
    first_bad: list[int] = []
    rows = 0
    while True:
        try:
            for row in reader:
                rows += 1
                try:
                    stamp, channel, status, doctype, ins = row
                except ValueError:
                    stamp = ""
                    key = ("", "", "")
                else:
                    key = (channel, status, ins)
                if stamp[4:5] == "-" and stamp[7:8] == "-" and doctype:
                    known = counts.get(key)
                    if known is not None:
                        counts[key] = known + 1
                        continue
                    if key not in invalid:
                        if _valid_key(key):
                            counts[key] = 1
                            continue
                        invalid.add(key)
                malformed += 1
                if len(first_bad) < FIRST_LINES:
                    first_bad.append(reader.line_num)
            break
        except csv.Error:
            rows += 1
            malformed += 1
            if len(first_bad) < FIRST_LINES:
                first_bad.append(reader.line_num)
    problems = []
    if malformed:
        lines = ", ".join(str(n) for n in first_bad)
        message = f"{malformed} malformed row(s) ignored (first at lines {lines})"
        problems.append(Problem(message, f"line {first_bad[0]}"))
    return UsageFacts(rows, counts, malformed, tuple(first_bad)), problems


@parser(Kind.USAGE_EXPORT)
def parse_usage_export(source: Source) -> Parsed:
    with source.open() as stream:
        facts, problems = count_usage(stream)
    return Parsed(facts=facts, problems=problems, identity=source.sha256)
