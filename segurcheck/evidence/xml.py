"""THE hardened XML parser of segurcheck: every module parses XML through here.

Bundles come from strangers, so no entity is expanded, no DTD is loaded and nothing
is fetched from the network (ARCHITECTURE.md, hard rules for untrusted input).
"""

from __future__ import annotations

import re
import threading

from lxml import etree

_local = threading.local()


class XmlError(ValueError):
    """The bytes are not well-formed XML (or are refused as unsafe)."""


def _parser(recover: bool) -> etree.XMLParser:
    # Parsers are not thread-safe: keep one per thread and per mode.
    key = "recover" if recover else "strict"
    parser = getattr(_local, key, None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=False,
            recover=recover,
        )
        setattr(_local, key, parser)
    return parser


def parse_xml(data: bytes, *, recover: bool = False) -> etree._Element:
    """Parse bytes into an element tree root, safely.

    Leading whitespace before the XML declaration (seen in real DMP traces) is
    tolerated.  ``recover=True`` accepts namespace-broken fragments such as real
    XDM ``METADATA.XML`` files with unbound prefixes; callers report that as a defect.
    """
    stripped = data.lstrip(b" \t\r\n")
    if stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:].lstrip(b" \t\r\n")
    try:
        root = etree.fromstring(stripped, _parser(recover))
    except etree.XMLSyntaxError as exc:
        raise XmlError(str(exc)) from None
    if root is None:
        raise XmlError("empty document")
    return root


def local_name(element: etree._Element) -> str:
    """Tag without namespace ('' for comments and processing instructions)."""
    tag = element.tag
    if tag.__class__ is not str:
        return ""
    return tag.rpartition("}")[2]  # type: ignore[union-attr]


def namespace(element: etree._Element) -> str:
    tag = element.tag
    if tag.__class__ is not str or not tag.startswith("{"):  # type: ignore[union-attr]
        return ""
    return tag[1:].partition("}")[0]  # type: ignore[index]


_NS = re.compile(r"\{[^}]*\}")


def path_of(element: etree._Element) -> str:
    """A readable location: /Envelope/Body/RESULTAT/... with local names only (and
    [n] where siblings share a name), so it does not depend on the prefixes a
    producer chose.  Built by lxml in C: locations are computed for every finding."""
    tree = element.getroottree()
    root = tree.getroot()
    if element is root:
        return "/" + local_name(root)
    return "/" + local_name(root) + "/" + _NS.sub("", tree.getelementpath(element))


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct children with this local name, whatever their namespace."""
    suffix = "}" + name
    return [c for c in element if c.tag.__class__ is str and (c.tag == name or c.tag.endswith(suffix))]  # type: ignore[union-attr]


def child(element: etree._Element, name: str) -> etree._Element | None:
    suffix = "}" + name
    for c in element:
        if c.tag.__class__ is str and (c.tag == name or c.tag.endswith(suffix)):  # type: ignore[union-attr]
            return c
    return None


def descendants(element: etree._Element, name: str) -> list[etree._Element]:
    """All descendants with this local name, whatever their namespace (C-level scan)."""
    return list(element.iter("{*}" + name))


def text(element: etree._Element | None) -> str:
    """Stripped text content of an element ('' for None)."""
    if element is None:
        return ""
    return "".join(str(t) for t in element.itertext()).strip()


def canonical_identity(root: etree._Element) -> bytes:
    """Bytes that stay equal when only formatting changes (indentation, prefixes of
    attributes order): exclusive C14N of a copy with whitespace-only text removed."""
    clone = etree.fromstring(etree.tostring(root), _parser(False))
    for node in clone.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return etree.tostring(clone, method="c14n", exclusive=True, with_comments=False)
