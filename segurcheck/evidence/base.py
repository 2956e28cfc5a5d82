"""What every evidence parser receives and returns, and the registry of parsers.

A parser module (``segurcheck/evidence/<kind>.py``) registers one function per kind
with ``@parser(Kind.X)``.  It gets a ``Source`` (the bytes, read once, plus a lazily
parsed XML root shared with the sniffer so XML is parsed only once) and returns a
``Parsed``: typed facts, problems, and nested children that the bundle walker
sniffs and parses in turn (named ``outer!inner``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..model import Kind, Problem
from .xml import XmlError, canonical_identity, parse_xml


class Source:
    """The content of one bundle item, with its XML root parsed at most once."""

    def __init__(self, path: str, data: bytes, *, depth: int = 0, parent: str | None = None):
        self.path = path
        self.data = data
        self.depth = depth
        self.parent = parent
        self._xml: etree._Element | None = None
        self._xml_error: str | None = None
        self._sha256: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.data).hexdigest()
        return self._sha256

    def xml(self) -> etree._Element:
        """The XML root (hardened parser); raises ``XmlError`` when not well-formed."""
        if self._xml is None:
            if self._xml_error is not None:
                raise XmlError(self._xml_error)
            try:
                self._xml = parse_xml(self.data)
            except XmlError as exc:
                self._xml_error = str(exc)
                raise
        return self._xml

    def try_xml(self) -> etree._Element | None:
        try:
            return self.xml()
        except XmlError:
            return None


@dataclass(frozen=True)
class Child:
    """A nested item found inside a source (attachment, archived file, embedded cert)."""

    name: str
    data: bytes
    kind: Kind | None = None  # force the kind when the container knows it


@dataclass
class Parsed:
    """What a parser made of a source."""

    facts: Any = None
    problems: list[Problem] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    identity: str | None = None


ParserFn = Callable[[Source], Parsed]
_PARSERS: dict[Kind, ParserFn] = {}


def parser(kind: Kind) -> Callable[[ParserFn], ParserFn]:
    """Register the parser of one evidence kind (one per kind)."""

    def register(fn: ParserFn) -> ParserFn:
        if kind in _PARSERS and _PARSERS[kind] is not fn:
            raise RuntimeError(f"two parsers registered for {kind.value}")
        _PARSERS[kind] = fn
        return fn

    return register


def parser_for(kind: Kind) -> ParserFn | None:
    return _PARSERS.get(kind)


def xml_identity(source: Source) -> str:
    """Content identity of an XML source that ignores formatting, so fingerprints
    survive pretty-printing; falls back to the byte hash."""
    root = source.try_xml()
    if root is None:
        return source.sha256
    try:
        return hashlib.sha256(canonical_identity(root)).hexdigest()
    except (etree.Error, ValueError):
        return source.sha256
