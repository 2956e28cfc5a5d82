"""THE hardened XML parser of segurcheck: every module parses XML through here.

Bundles come from strangers, so no entity is expanded, no DTD is loaded and nothing
is fetched from the network (ARCHITECTURE.md, hard rules for untrusted input).
"""

from __future__ import annotations

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
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1:].split("}", 1)[0]


def path_of(element: etree._Element) -> str:
    """A readable location: /Envelope/Body/RESULTAT[1]/... with local names only,
    so it does not depend on the prefixes a producer chose."""
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = local_name(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if local_name(c) == name]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct children with this local name, whatever their namespace."""
    return [c for c in element if isinstance(c.tag, str) and local_name(c) == name]


def child(element: etree._Element, name: str) -> etree._Element | None:
    found = children(element, name)
    return found[0] if found else None


def descendants(element: etree._Element, name: str) -> list[etree._Element]:
    """All descendants with this local name, whatever their namespace."""
    return [e for e in element.iter() if isinstance(e.tag, str) and local_name(e) == name]


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
