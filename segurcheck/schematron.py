"""Running user-supplied ISO Schematrons (XSLT 2 query binding) on CDA documents.

lxml's schematron support is XSLT 1 only, and the official ANS schematrons use XPath 2
(``matches``, ``tokenize``...), so each ``.sch`` is translated here into an XSLT 3
stylesheet (patterns become modes, rules templates in document order of priority,
asserts/reports ``xsl:if``), compiled once with Saxon (saxonche), and run in memory.

Value-set files read through ``document()`` are checked before compiling: a reference
to a file that is absent is resolved from the tool's own value sets when it names one
the tool ships (JDV_J07... -> an SVS file written in the cache), otherwise the schema is
not run and one error names the missing file (never a wall of failed asserts).

Cache: the translated XSLT is kept on disk, keyed by the SHA-256 of the schematron with
its includes inlined.  Saxon-HE cannot export compiled stylesheets (SEF export needs
Saxon-EE), so each schema is compiled at most once per run, and only when a document of
its model is checked (the official kit holds ~60 models; loading it takes ~0.2 s).

Scope: a kit has one schematron per document model and version; each schema runs only on
documents of its model (the ANS model templateId it names, or the document code it
asserts), and of its version when the document's templateId carries one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
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
    executable: Any = None  # saxonche PyXsltExecutable, compiled on first use
    xslt: str = ""  # the translated stylesheet (cached on disk)
    error: str = ""  # why this schema cannot run at all (unreadable, does not compile)
    missing: list[str] = field(default_factory=list)  # referenced files that could not be had
    skipped: list[str] = field(default_factory=list)  # patterns left out because of them
    templates: frozenset[str] = frozenset()  # document models it checks
    codes: frozenset[str] = frozenset()  # document codes it expects (when it names no model)
    version: str = ""  # model version from the file name (CI-SIS_<model>_<YYYY.NN>.sch)

    def applies_to(self, template_ids: tuple[str, ...], code: str = "",
                   versions: Mapping[str, str] | None = None) -> bool:
        """Whether a document is of the model (and version, when the document's model
        templateId carries one) this schema checks; a schema that names neither a model
        templateId nor a document code applies to every document."""
        if self.templates:
            shared = self.templates & set(template_ids)
            if not shared:
                return False
            declared = {(versions or {}).get(oid, "") for oid in shared} - {""}
            return not (self.version and declared) or self.version in declared
        if self.codes:
            return code in self.codes
        return True


@dataclass
class SchematronSet:
    """The compiled schematrons of one ``--schematron DIR``: ``validate(bytes)``."""

    directory: str
    schemas: list[Schematron] = field(default_factory=list)
    processor: Any = None
    compiler: Any = None

    def _executable(self, schema: Schematron) -> Any:
        """Compile a schema the first time a document of its model needs it: a kit holds
        dozens of models and a bundle uses a few (Saxon-HE cannot save compiled
        stylesheets, so this is the part no disk cache can spare)."""
        if schema.executable is None and schema.xslt and not schema.error and self.compiler is not None:
            try:
                schema.executable = self.compiler.compile_stylesheet(stylesheet_text=schema.xslt)
            except Exception as exc:  # PySaxonApiError on an XPath the schema got wrong
                schema.error = f"the schematron could not be compiled: {exc}"[:300]
            if schema.executable is None and not schema.error:
                schema.error = "the schematron could not be compiled"
        return schema.executable

    @property
    def errors(self) -> list[str]:
        return [f"{s.name}: {s.error}" for s in self.schemas if s.error]

    @property
    def missing(self) -> list[str]:
        """One line per schema that references absent files (and what was skipped)."""
        return [f"{s.name}: referenced file(s) missing: {', '.join(s.missing)}"
                + (f" (patterns not run: {', '.join(s.skipped)})" if s.skipped else "")
                for s in self.schemas if s.missing]

    def problems_for(self, template_ids: tuple[str, ...] = (), code: str = "",
                     versions: Mapping[str, str] | None = None) -> list[str]:
        """Why some schema applying to this document could not be (fully) run: an
        unreadable schema, or referenced files that are missing."""
        found: list[str] = []
        for schema in self.schemas:
            if template_ids and not schema.applies_to(template_ids, code, versions):
                continue
            if schema.error:
                found.append(f"{schema.name}: {schema.error}")
            elif schema.missing:
                found.append(f"{schema.name}: referenced file(s) missing: {', '.join(schema.missing)}"
                             + (f" (patterns not run: {', '.join(schema.skipped)})" if schema.skipped else ""))
        return found

    def validate(self, data: bytes, template_ids: tuple[str, ...] = (), code: str = "",
                 versions: Mapping[str, str] | None = None) -> tuple[list[Failure], list[str]]:
        """Failed asserts and fired reports of every runnable schema that applies to a
        document declaring ``template_ids``, and the schemas that stopped on a dynamic
        error.  A kit holds one schematron per document model: running the VAC one on a
        discharge letter would only produce noise."""
        errors: list[str] = []
        if self.processor is None:
            return [], errors
        node = self.processor.parse_xml(xml_text=data.decode("utf-8", "replace"))
        # Versions of one model (same templates) that the document does not choose
        # between (no templateId extension): it is judged against the one it fits best.
        groups: dict[str, list[list[Failure]]] = {}
        failures: list[Failure] = []
        for schema in self.schemas:
            if template_ids and not schema.applies_to(template_ids, code, versions):
                continue
            executable = self._executable(schema)
            if executable is None:
                continue
            try:
                out = executable.transform_to_string(xdm_node=node) or "<r/>"
            except Exception as exc:  # PySaxonApiError: a dynamic XPath error in the schema
                errors.append(f"{schema.name}: {exc}"[:300])
                continue
            found = [
                Failure(schema.name, element.get("id", ""), element.get("test", ""),
                        _QNAME.sub("", element.get("location", "")), " ".join((element.text or "").split()),
                        element.get("kind", "assert"))
                for element in parse_xml(out.encode("utf-8"))
            ]
            declared = {(versions or {}).get(oid, "") for oid in schema.templates & set(template_ids)} - {""}
            if schema.templates and schema.version and not declared:
                groups.setdefault(schema.name[: -len(schema.version) - 5], []).append(found)
            else:
                failures += found
        for candidates in groups.values():
            failures += sorted(candidates, key=len)[0]
        return failures, errors


BASE = "{urn:segurcheck:schematron}base"
_QNAME = re.compile(r"Q\{[^}]*\}")
# document-level templateIds named by a schema's rules; the generic CDA/HL7 France/
# structuration minimale/level-1 ones do not tell which model a schema is for
_TEMPLATE = re.compile(r"templateId(?:\[|/)@root\s*=\s*['\"]([0-9.]+)['\"]")
ANS_MODEL_PREFIX = "1.2.250.1.213.1.1.1."
_DOC_CODE = re.compile(r"(?<![\w/:])cda:code(?:/|\[)@code\s*=\s*['\"]([0-9]+-[0-9])['\"]")
GENERIC_TEMPLATES = frozenset({"2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", "1.3.6.1.4.1.19376.1.2.20"})
_FILE_LITERAL = re.compile(r"^\s*(['\"])([^'\"]+\.xml)\1\s*$")


def _scope(tree: etree._Element) -> tuple[frozenset[str], frozenset[str]]:
    """Which documents a schema is about: the ANS document-model templateIds it names
    (1.2.250.1.213.1.1.1.N), else the other non-generic ones; and, for schemas naming
    none, the document codes asserted on the ClinicalDocument."""
    named: set[str] = set()
    codes: set[str] = set()
    for element in tree.iter(f"{{{SCH}}}rule"):
        context = element.get("context", "")
        tests = " ".join(c.get("test", "") for c in element if isinstance(c.tag, str))
        named.update(_TEMPLATE.findall(context + " " + tests))
        if "ClinicalDocument" in context:
            codes.update(_DOC_CODE.findall(tests))
    named -= GENERIC_TEMPLATES
    models = {oid for oid in named if oid.startswith(ANS_MODEL_PREFIX)}
    return frozenset(models or named), frozenset(codes)


def _load(path: Path, root_dir: Path, seen: set[Path]) -> etree._Element:
    """The schema with its includes inlined; each inlined root remembers its folder
    (relative value-set paths are relative to the file that names them)."""
    root = parse_xml(path.read_bytes())
    root.set(BASE, str(path.parent))
    for include in list(root.iter(f"{{{SCH}}}include")):
        target = _find(path.parent, include.get("href", ""))
        parent = include.getparent()
        if parent is None:
            continue
        if not target.is_relative_to(root_dir) or not target.is_file():
            raise XmlError(f"include {include.get('href')!r} is missing or outside the schematron folder")
        if target in seen:
            parent.remove(include)
            continue
        seen.add(target)
        parent.replace(include, _load(target, root_dir, seen))
    return root


def _find(base: Path, href: str) -> Path:
    """``base/href`` resolved; when absent, the same path matched without regard to case
    (the official kits are written on case-insensitive file systems and some includes
    differ from the file names only by case)."""
    target = (base / href).resolve()
    if target.exists():
        return target
    current = base.resolve()
    for part in Path(href).parts:
        if part in ("", "."):
            continue
        if part == "..":
            current = current.parent
            continue
        exact = current / part
        if exact.exists():
            current = exact
            continue
        folded = [c for c in current.iterdir()] if current.is_dir() else []
        match = next((c for c in folded if c.name.lower() == part.lower()), None)
        if match is None:
            return target
        current = match
    return current


def _base(element: etree._Element, default: Path) -> Path:
    node: etree._Element | None = element
    while node is not None:
        if node.get(BASE):
            return Path(node.get(BASE, ""))
        node = node.getparent()
    return default


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


def _resolve(href: str, base: Path, cache_dir: Path) -> str | None:
    """Absolute URI of a referenced file: as found, or written from a shipped value set."""
    target = _find(base, href)
    if target.is_file():
        return target.as_uri()
    jdv = re.search(r"JDV_(J\d+)[_-]", Path(href).name + "_")
    svs = _svs(jdv.group(1)) if jdv else None
    if svs is None:
        return None
    cache_dir.mkdir(parents=True, exist_ok=True)
    local = cache_dir / f"shipped-{Path(href).name}"
    local.write_bytes(svs)
    return local.resolve().as_uri()


def _resolve_files(schema: etree._Element, default: Path, cache_dir: Path) -> tuple[set[str], list[str]]:
    """Rewrite value-set references (``let`` string literals naming an .xml file, and
    ``document('...')`` literals) to absolute URIs.  Returns the variables and literals
    that stay unresolved (their patterns are not run) and the missing file names."""
    unresolved: set[str] = set()
    missing: list[str] = []
    for let in schema.iter(f"{{{SCH}}}let"):
        match = _FILE_LITERAL.match(let.get("value", ""))
        if match is None:
            continue
        uri = _resolve(match.group(2), _base(let, default), cache_dir)
        if uri is None:
            unresolved.add("$" + let.get("name", ""))
            missing.append(match.group(2))
        else:
            let.set("value", f"'{uri}'")
    for element in schema.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("test", "value", "select", "context"):
            text = element.get(attribute)
            if not text or "document(" not in text:
                continue

            def replace(match: re.Match[str], element: etree._Element = element) -> str:
                uri = _resolve(match.group(2), _base(element, default), cache_dir)
                if uri is None:
                    unresolved.add(match.group(0))
                    missing.append(match.group(2))
                    return match.group(0)
                return f"document({match.group(1)}{uri}{match.group(1)}"

            element.set(attribute, _DOCUMENT.sub(replace, text))
    return unresolved, list(dict.fromkeys(missing))


def _uses(pattern: etree._Element, abstract: etree._Element | None, tokens: set[str]) -> bool:
    texts = [str(v) for e in pattern.iter() if isinstance(e.tag, str) for v in e.attrib.values()]
    if abstract is not None:
        texts += [str(v) for e in abstract.iter() if isinstance(e.tag, str) for v in e.attrib.values()]
    return any(token in text and (not token.startswith("$") or re.search(re.escape(token) + r"(?![\w.-])", text))
               for token in tokens for text in texts)


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


def _lets(element: etree._Element, sub: Any = lambda t: t) -> str:
    return "".join(
        f"<xsl:variable name={quoteattr(let.get('name', ''))} select={quoteattr(sub(let.get('value', '')))}/>"
        for let in element if isinstance(let.tag, str) and etree.QName(let).localname == "let")


def translate(schema: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    """An XSLT 3 stylesheet emitting <f> elements for failed asserts and fired reports."""
    namespaces = {ns.get("prefix", ""): ns.get("uri", "") for ns in schema.iter(f"{{{SCH}}}ns")}
    declarations = "".join(f" xmlns:{p}={quoteattr(u)}" for p, u in namespaces.items() if p)
    abstract_rules = {r.get("id"): r for r in schema.iter(f"{{{SCH}}}rule") if r.get("abstract") == "true"}
    abstract_patterns = {p.get("id"): p for p in schema.iter(f"{{{SCH}}}pattern") if p.get("abstract") == "true"}
    body: list[str] = []
    modes: list[str] = []
    concrete = [p for p in schema.iter(f"{{{SCH}}}pattern") if p.get("abstract") != "true"]
    for number, pattern in enumerate(concrete):
        if pattern.get("id", f"#{number}") in skip:
            continue
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
                f"priority=\"{len(rules) - index + 1}\">{_lets(rule, sub)}{''.join(checks)}"
                f"<xsl:apply-templates select=\"@*|node()\" mode=\"{mode}\"/></xsl:template>"
            )
        body.append(f"<xsl:template match=\"@*|node()\" mode=\"{mode}\" priority=\"-5\">"
                    f"<xsl:apply-templates select=\"@*|node()\" mode=\"{mode}\"/></xsl:template>")
    runs = "".join(f'<xsl:apply-templates select="/" mode="{m}"/>' for m in modes)
    # Schema- and pattern-level lets become global variables, as the ISO skeleton does
    # (the ANS kit declares its value-set paths in a "variables" pattern).
    seen: set[str] = set()
    global_lets = ""
    for holder in [schema, *concrete]:
        for let in holder:
            if isinstance(let.tag, str) and etree.QName(let).localname == "let" and let.get("name") not in seen:
                seen.add(let.get("name", ""))
                global_lets += (f"<xsl:variable name={quoteattr(let.get('name', ''))} "
                                f"select={quoteattr(let.get('value', ''))}/>")
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
    root_dir = directory.resolve()
    result = SchematronSet(str(directory), processor=processor, compiler=processor.new_xslt30_processor())
    for path in sorted(root_dir.glob("*.sch")):
        schema = Schematron(path.name)
        version = re.search(r"_(\d{4}\.\d{2})\.sch$", path.name)
        schema.version = version.group(1) if version else ""
        result.schemas.append(schema)
        try:
            tree = _load(path, root_dir, {path})
            unresolved, schema.missing = _resolve_files(tree, path.parent, cache_dir / "valuesets")
            abstract = {p.get("id"): p for p in tree.iter(f"{{{SCH}}}pattern") if p.get("abstract") == "true"}
            concrete = [p for p in tree.iter(f"{{{SCH}}}pattern") if p.get("abstract") != "true"]
            schema.templates, schema.codes = _scope(tree)
            schema.skipped = [
                p.get("id", f"#{n}") for n, p in enumerate(concrete)
                if unresolved and _uses(p, abstract.get(p.get("is-a")), unresolved)
            ]
            key = hashlib.sha256((COMPILER_VERSION + "\n".join(schema.skipped) + "\n"
                                  + etree.tostring(tree).decode()).encode()).hexdigest()
            cached = cache_dir / f"{path.stem}-{key[:16]}.xsl"
            if cached.is_file():
                xslt = cached.read_text(encoding="utf-8")
            else:
                xslt = translate(tree, frozenset(schema.skipped))
                cache_dir.mkdir(parents=True, exist_ok=True)
                cached.write_text(xslt, encoding="utf-8")
            schema.xslt = xslt
        except (OSError, XmlError, UnicodeDecodeError) as exc:
            schema.error = f"unreadable schematron: {exc}"[:300]
        except Exception as exc:  # saxonche raises PySaxonApiError on XPath errors
            schema.error = f"the schematron could not be compiled: {exc}"[:300]
        if schema.error and not schema.templates:
            # scope it from its own file, so its failure is reported on its documents only
            try:
                schema.templates, schema.codes = _scope(parse_xml(path.read_bytes()))
            except (OSError, XmlError):
                pass
    return result
