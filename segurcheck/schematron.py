"""Running user-supplied ISO Schematrons (XSLT 2 query binding) on CDA documents.

lxml's schematron support is XSLT 1 only, and the official ANS schematrons use XPath 2
(``matches``, ``tokenize``...), so each ``.sch`` is translated here into an XSLT 3
stylesheet (patterns become modes, rules templates in document order of priority,
asserts/reports ``xsl:if``), compiled once with Saxon (saxonche), and run in memory.

Value-set files read through ``document()`` are checked before compiling: a reference
to a file that is absent is resolved from the tool's own value sets when it names one
the tool ships (JDV_J07... -> an SVS file written in the cache), otherwise the schema is
not run and one error names the missing file (never a wall of failed asserts).

Cache: the translated XSLT is kept on disk, keyed by the SHA-256 of the schematron and
its includes; Saxon-HE cannot export compiled stylesheets (SEF export needs Saxon-EE),
so compilation itself happens once per run and process.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from .evidence.xml import XmlError, parse_xml
from .valuesets import shipped

SCH = "http://purl.oclc.org/dsdl/schematron"
COMPILER_VERSION = "1"
_DOCUMENT = re.compile(r"document\(\s*(['\"])([^'\"]+)\1")


@dataclass(frozen=True)
class Failure:
    schema: str
    id: str
    test: str
    location: str
    message: str
    kind: str = "assert"  # assert | report


@dataclass
class Schematron:
    name: str
    executable: Any = None  # saxonche PyXsltExecutable
    error: str = ""  # why this schema cannot run (missing document(), bad schema...)


@dataclass
class SchematronSet:
    """The compiled schematrons of one ``--schematron DIR``: ``validate(bytes)``."""

    directory: str
    schemas: list[Schematron] = field(default_factory=list)
    processor: Any = None

    @property
    def errors(self) -> list[str]:
        return [f"{s.name}: {s.error}" for s in self.schemas if s.error]

    def validate(self, data: bytes) -> list[Failure]:
        """Failed asserts and fired reports of every runnable schema on ``data``."""
        failures: list[Failure] = []
        if self.processor is None:
            return failures
        node = self.processor.parse_xml(xml_text=data.decode("utf-8", "replace"))
        for schema in self.schemas:
            if schema.executable is None:
                continue
            out = schema.executable.transform_to_string(xdm_node=node) or "<r/>"
            root = parse_xml(out.encode("utf-8"))
            for element in root:
                failures.append(Failure(schema.name, element.get("id", ""), element.get("test", ""),
                                        element.get("location", ""), (element.text or "").strip(),
                                        element.get("kind", "assert")))
        return failures


def _load_with_includes(path: Path, root_dir: Path, seen: set[Path]) -> etree._Element:
    root = parse_xml(path.read_bytes())
    for include in list(root.iter(f"{{{SCH}}}include")):
        target = (path.parent / include.get("href", "")).resolve()
        if not target.is_relative_to(root_dir) or target in seen or not target.is_file():
            raise XmlError(f"include {include.get('href')!r} is missing or outside the schematron folder")
        seen.add(target)
        included = _load_with_includes(target, root_dir, seen)
        include.getparent().replace(include, included)  # type: ignore[union-attr]
    return root


def _svs(identifier: str) -> bytes | None:
    for vs in shipped():
        if vs.id == identifier:
            concepts = "".join(
                f"<Concept code={quoteattr(c)} codeSystem={quoteattr(s)}/>" for c, s in sorted(vs.codes))
            return (f'<?xml version="1.0" encoding="UTF-8"?><RetrieveValueSetResponse xmlns="urn:ihe:iti:svs:2008">'
                    f"<ValueSet id={quoteattr(vs.oid)} displayName={quoteattr(vs.name)} "
                    f"version={quoteattr(vs.version)}>"
                    f"<ConceptList>{concepts}</ConceptList></ValueSet></RetrieveValueSetResponse>").encode()
    return None


def _resolve_documents(text: str, base: Path, cache_dir: Path) -> tuple[str, list[str]]:
    """Rewrite document() references to absolute URIs; list the ones that cannot be had."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        href = match.group(2)
        target = (base / href).resolve()
        if target.is_file():
            return f"document({match.group(1)}{target.as_uri()}{match.group(1)}"
        jdv = re.search(r"JDV_(J\d+)", href)
        svs = _svs(jdv.group(1)) if jdv else None
        if svs is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            local = cache_dir / f"shipped-{Path(href).name}"
            local.write_bytes(svs)
            return f"document({match.group(1)}{local.resolve().as_uri()}{match.group(1)}"
        missing.append(href)
        return match.group(0)

    return _DOCUMENT.sub(replace, text), missing


def _message(element: etree._Element) -> str:
    parts = [escape(element.text or "")]
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name == "value-of":
            parts.append(f"<xsl:value-of select={quoteattr(child.get('select', ''))}/>")
        elif name == "name":
            parts.append(f"<xsl:value-of select={quoteattr('name(' + child.get('path', '.') + ')')}/>")
        elif name:
            parts.append(escape("".join(str(t) for t in child.itertext())))
        parts.append(escape(child.tail or ""))
    return "".join(parts)


def _lets(element: etree._Element) -> str:
    return "".join(f"<xsl:variable name={quoteattr(let.get('name', ''))} select={quoteattr(let.get('value', ''))}/>"
                   for let in element if isinstance(let.tag, str) and etree.QName(let).localname == "let")


def translate(schema: etree._Element) -> str:
    """An XSLT 3 stylesheet emitting <f> elements for failed asserts and fired reports."""
    namespaces = {ns.get("prefix", ""): ns.get("uri", "") for ns in schema.iter(f"{{{SCH}}}ns")}
    declarations = "".join(f" xmlns:{p}={quoteattr(u)}" for p, u in namespaces.items() if p)
    abstract_rules = {r.get("id"): r for r in schema.iter(f"{{{SCH}}}rule") if r.get("abstract") == "true"}
    abstract_patterns = {p.get("id"): p for p in schema.iter(f"{{{SCH}}}pattern") if p.get("abstract") == "true"}
    body: list[str] = []
    modes: list[str] = []
    for number, pattern in enumerate(p for p in schema.iter(f"{{{SCH}}}pattern") if p.get("abstract") != "true"):
        params = {prm.get("name", ""): prm.get("value", "") for prm in pattern.iter(f"{{{SCH}}}param")}
        source = abstract_patterns.get(pattern.get("is-a")) if pattern.get("is-a") else pattern
        if source is None:
            continue
        mode = f"p{number}"
        modes.append(mode)
        rules = [r for r in source.iter(f"{{{SCH}}}rule") if r.get("abstract") != "true"]

        def sub(text: str, params: dict[str, str] = params) -> str:
            for key in sorted(params, key=len, reverse=True):
                text = text.replace(f"${key}", params[key])
            return text

        for index, rule in enumerate(rules):
            checks: list[str] = []
            members = list(rule)
            for extends in rule.iter(f"{{{SCH}}}extends"):
                base = abstract_rules.get(extends.get("rule"))
                if base is not None:
                    members += list(base)
            for check in members:
                if not isinstance(check.tag, str):
                    continue
                kind = etree.QName(check).localname
                if kind not in ("assert", "report"):
                    continue
                test = sub(check.get("test", "true()"))
                condition = f"not({test})" if kind == "assert" else test
                checks.append(
                    f"<xsl:if test={quoteattr(condition)}><f kind={quoteattr(kind)} "
                    f"id={quoteattr(check.get('id', ''))} "
                    f"test={quoteattr(test)} location=\"{{path()}}\">{sub(_message(check))}</f></xsl:if>"
                )
            body.append(
                f"<xsl:template match={quoteattr(sub(rule.get('context', '/')))} mode=\"{mode}\" "
                f"priority=\"{len(rules) - index + 1}\">{_lets(rule)}{''.join(checks)}"
                f"<xsl:apply-templates select=\"@*|node()\" mode=\"{mode}\"/></xsl:template>"
            )
        body.append(f"<xsl:template match=\"@*|node()\" mode=\"{mode}\" priority=\"-5\">"
                    f"<xsl:apply-templates select=\"@*|node()\" mode=\"{mode}\"/></xsl:template>")
    runs = "".join(f'<xsl:apply-templates select="/" mode="{m}"/>' for m in modes)
    global_lets = "".join(
        f"<xsl:variable name={quoteattr(let.get('name', ''))} select={quoteattr(let.get('value', ''))}/>"
        for let in schema if isinstance(let.tag, str) and etree.QName(let).localname == "let"
    )
    return (
        f'<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"{declarations}'
        f' exclude-result-prefixes="#all">{global_lets}'
        f'<xsl:template match="/"><r>{runs}</r></xsl:template>{"".join(body)}</xsl:stylesheet>'
    )


def load_schematrons(directory: Path, cache_dir: Path | None = None) -> SchematronSet:
    """Translate and compile every ``*.sch`` of ``directory`` (not of its sub-folders,
    which usually hold included fragments).  Never raises for a bad schema: it is kept
    with its ``error`` so the rule reports it."""
    from saxonche import PySaxonProcessor

    if cache_dir is None:
        cache_dir = Path.home() / ".cache" / "segurcheck" / "schematron"
    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    root_dir = directory.resolve()
    result = SchematronSet(str(directory), processor=processor)
    for path in sorted(root_dir.glob("*.sch")):
        schema = Schematron(path.name)
        result.schemas.append(schema)
        try:
            raw = path.read_text(encoding="utf-8")
            text, missing = _resolve_documents(raw, path.parent, cache_dir / "valuesets")
            if missing:
                schema.error = "referenced file(s) missing: " + ", ".join(sorted(set(missing)))
                continue
            tree = _load_with_includes_text(text, path, root_dir)
            key = hashlib.sha256((COMPILER_VERSION + etree.tostring(tree).decode()).encode()).hexdigest()
            cached = cache_dir / f"{path.stem}-{key[:16]}.xsl"
            if cached.is_file():
                xslt = cached.read_text(encoding="utf-8")
            else:
                xslt = translate(tree)
                cache_dir.mkdir(parents=True, exist_ok=True)
                cached.write_text(xslt, encoding="utf-8")
            schema.executable = compiler.compile_stylesheet(stylesheet_text=xslt)
            if schema.executable is None:
                schema.error = "the schematron could not be compiled"
        except (OSError, XmlError, UnicodeDecodeError) as exc:
            schema.error = f"unreadable schematron: {exc}"[:300]
        except Exception as exc:  # saxonche raises PySaxonApiError on XPath errors
            schema.error = f"the schematron could not be compiled: {exc}"[:300]
    return result


def _load_with_includes_text(text: str, path: Path, root_dir: Path) -> etree._Element:
    root = parse_xml(text.encode("utf-8"))
    for include in list(root.iter(f"{{{SCH}}}include")):
        target = (path.parent / include.get("href", "")).resolve()
        if not target.is_relative_to(root_dir) or not target.is_file():
            raise XmlError(f"include {include.get('href')!r} is missing or outside the schematron folder")
        included = _load_with_includes(target, root_dir, {target})
        include.getparent().replace(include, included)  # type: ignore[union-attr]
    return root
