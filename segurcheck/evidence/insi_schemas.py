"""Optional validation of INSi messages against the user's INSi XSDs (``--insi-schemas``).

The CNAM / GIE SESAM-Vitale XSD package is not shipped with the tool: the CLI calls
``load_insi_schemas(dir)`` and puts the result in ``resources['insi_schemas']``;
INSI-STRUCTURE then validates each header block and body element of every message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from .xml import XmlError, parse_xml

if TYPE_CHECKING:
    from .insi import XmlPart


_XSD = "http://www.w3.org/2001/XMLSchema"


def load_insi_schemas(directory: str | os.PathLike[str]) -> dict[tuple[str, str], etree.XMLSchema]:
    """Compile every XSD under ``directory`` (the INSi package) and index the global
    elements they declare by (namespace, name).  Called by the CLI for
    ``--insi-schemas DIR``; the result goes into ``resources['insi_schemas']``.

    Files are read through the hardened parser; imports resolve against local files
    only (no network).  A schema that does not compile is skipped: the INSi package
    ships some that import a w3.org schema it does not include.
    """
    index: dict[tuple[str, str], etree.XMLSchema] = {}
    for path in sorted(Path(directory).rglob("*.xsd")):
        try:
            root = parse_xml(path.read_bytes())
            root.getroottree().docinfo.URL = path.resolve().as_uri()
            schema = etree.XMLSchema(root.getroottree())
        except (OSError, XmlError, etree.XMLSchemaParseError, etree.XMLSyntaxError):
            continue
        target = root.get("targetNamespace", "")
        for element in root:
            if isinstance(element.tag, str) and element.tag == f"{{{_XSD}}}element" and element.get("name"):
                index.setdefault((target, element.get("name", "")), schema)
    return index


def schema_errors(part: XmlPart, schemas: dict[tuple[str, str], etree.XMLSchema]) -> list[str] | None:
    """Errors of one part against its XSD; None when no schema declares the element."""
    schema = schemas.get((part.namespace, part.name))
    if schema is None:
        return None
    try:
        element = parse_xml(part.xml)
    except XmlError as exc:
        return [str(exc)]
    if schema.validate(element):
        return []
    entries: list[Any] = list(schema.error_log)  # type: ignore[call-overload]
    return [f"line {e.line}: {e.message}" for e in entries][:5]
