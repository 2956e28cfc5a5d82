"""Predicates of the CDA rules (CDA-PARSE, -HEADER, -LEVEL1, -AUTHOR-ID, -VALUESET, -SCHEMATRON).

They judge the facts ``evidence/cda.py`` extracted; the schematron predicate uses the
compiled schematrons the CLI loaded (``ctx.resource('schematron')``) and never reads
the evidence file again: it re-serialises nothing, it runs on the bytes kept in the
facts' source... which the engine does not keep, so the schematron runs are done by
an analysis over the items that the loader prepared (see ``schematron.py``).
"""

from __future__ import annotations

import re
from typing import Any

from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, predicate
from ..evidence.cda import HEADER_ELEMENTS, INS_OIDS, LEVEL1_TEMPLATE, CdaFacts
from ..masking import mask_matricule
from ..valuesets import value_set

RPPS_ROOT = "1.2.250.1.71.4.2.1"


def cda_facts(subject: Subject) -> CdaFacts | None:
    value = subject.value
    if isinstance(value, CdaFacts):
        return value
    if subject.item is not None and isinstance(subject.item.facts, CdaFacts):
        return subject.item.facts
    return None


def _not_parsed(subject: Subject) -> Verdict:
    return Verdict.na(reason="document not parsed (see CDA-PARSE)")


@predicate("cda_parsed")
def cda_parsed(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """A ClinicalDocument was found in well-formed XML."""
    facts = cda_facts(subject)
    problems = "; ".join(p.message for p in subject.item.problems) if subject.item else ""
    if facts is None:
        return Verdict.fail(problem=problems or "no ClinicalDocument found")
    return Verdict.ok(facts.location, where=facts.location)


@predicate("cda_header_complete")
def cda_header_complete(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """Every element of the structuration minimale occurs as often as it must; lists
    every missing and every duplicated element in one verdict."""
    facts = cda_facts(subject)
    if facts is None:
        return _not_parsed(subject)
    missing: list[str] = []
    duplicated: list[str] = []
    for label, (low, high) in HEADER_ELEMENTS.items():
        count = facts.header_counts.get(label, 0)
        if count < low:
            missing.append(label)
        elif high is not None and count > high:
            duplicated.append(f"{label} (x{count})")
    return Verdict.check(
        not missing and not duplicated, facts.location,
        missing=", ".join(missing) or "-", duplicated=", ".join(duplicated) or "-",
    )


@predicate("cda_level1_body")
def cda_level1_body(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """Level 1: base64 PDF that decodes to a PDF; templateId 1.3.6.1.4.1.19376.1.2.20 and
    exactly three document templateIds."""
    facts = cda_facts(subject)
    if facts is None:
        return _not_parsed(subject)
    body = facts.level1
    if body is None:
        return Verdict.na(facts.location, reason=f"body is {facts.body or 'absent'}, not a nonXMLBody")
    defects: list[str] = []
    if body.media_type != "application/pdf":
        defects.append(f"mediaType is {body.media_type or 'absent'}, not application/pdf")
    if body.representation != "B64":
        defects.append(f"representation is {body.representation or 'absent'}, not B64")
    if body.defect:
        defects.append(body.defect)
    if LEVEL1_TEMPLATE not in facts.template_ids:
        defects.append(f"templateId {LEVEL1_TEMPLATE} is missing")
    if len(facts.template_ids) != 3:
        defects.append(f"{len(facts.template_ids)} templateIds instead of exactly 3")
    return Verdict.check(not defects, body.location, defects="; ".join(defects) or "-", pdf_bytes=body.size)


@predicate("cda_author_ids")
def cda_author_ids(
    subject: Subject, ctx: Context, *, roots: list[str] | None = None, id_pattern: str = "",
    patient_roots: list[str] | None = None, **_: Any,
) -> Verdict:
    """Authors and the legal authenticator carry a national health-professional id.

    ``patient_roots`` lists roots accepted for a legal authenticator who is a patient
    (self-declared documents such as the official VAC example, signed with an INS)."""
    facts = cda_facts(subject)
    if facts is None:
        return _not_parsed(subject)
    accepted = set(roots or [RPPS_ROOT])
    pattern = re.compile(id_pattern) if id_pattern else None
    bad: list[str] = []
    location = ""
    for person in facts.professionals:
        if person.role == "legalAuthenticator" and person.root in set(patient_roots or ()):
            continue
        wrong_root = person.root not in accepted
        wrong_form = pattern is not None and not pattern.fullmatch(person.extension)
        if wrong_root or wrong_form or not person.extension:
            shown = person.extension
            if person.root in INS_OIDS and not ctx.options.show_identities:
                shown = mask_matricule(shown)  # a patient's INS, never shown in full
            bad.append(f"{person.role} {person.root or '(no root)'}/{shown or '(no extension)'}")
            location = location or person.location
    return Verdict.check(not bad, location or facts.location, ids="; ".join(bad) or "-", count=len(facts.professionals))


@predicate("cda_codes_in_valuesets")
def cda_codes_in_valuesets(subject: Subject, ctx: Context, *, type_set: str = "J07",
                           confidentiality_set: str = "J08", **_: Any) -> Verdict:
    """Document code in J07 and confidentialityCode in J08 (the shipped copies)."""
    facts = cda_facts(subject)
    if facts is None:
        return _not_parsed(subject)
    types, confidentiality = value_set(type_set), value_set(confidentiality_set)
    if types is None or confidentiality is None:
        return Verdict.error(facts.location, error=f"value set {type_set} or {confidentiality_set} is not shipped")
    outside: list[str] = []
    if not types.contains(facts.code, facts.code_system):
        outside.append(f"code {facts.code}@{facts.code_system} not in {types.label()}")
    if not confidentiality.contains(facts.confidentiality_code, facts.confidentiality_system):
        outside.append(
            f"confidentialityCode {facts.confidentiality_code}@{facts.confidentiality_system} "
            f"not in {confidentiality.label()}"
        )
    return Verdict.check(not outside, facts.location, outside="; ".join(outside) or "-",
                         code=facts.code, confidentiality=facts.confidentiality_code)


@predicate("cda_schematron")
def cda_schematron(subject: Subject, ctx: Context, *, max_listed: int = 20, **_: Any) -> Verdict:
    """The user's schematrons (``--schematron DIR``) on the ClinicalDocument; not
    applicable without the option; one error when a schema cannot run."""
    schematrons = ctx.resource("schematron")
    if schematrons is None:
        return Verdict.na(reason="no --schematron folder given")
    facts = cda_facts(subject)
    if facts is None or not facts.document_xml:
        return _not_parsed(subject)
    document = facts.document_xml
    if facts.auto_presentable:  # validate the ClinicalDocument, not the stylesheet around it
        from lxml import etree

        from ..evidence.cda import find_clinical_document
        from ..evidence.xml import parse_xml

        found = find_clinical_document(parse_xml(document))
        document = etree.tostring(found) if found is not None else document
    failures, run_errors = schematrons.validate(document, facts.template_ids, facts.code, facts.template_versions)
    listed = "; ".join(f"[{f.schema}{' ' + f.id if f.id else ''}] {f.message} @ {f.location}"
                       for f in failures[:max_listed])
    more = f" (+{len(failures) - max_listed})" if len(failures) > max_listed else ""
    problems = schematrons.problems_for(facts.template_ids, facts.code, facts.template_versions) + run_errors
    if problems:  # one error naming what is missing, never a wall of failures caused by it
        return Verdict.error(facts.location, error="; ".join(problems)
                             + f"; {len(failures)} other assertion(s) failed" + (f": {listed}{more}" if failures else ""),
                             count=len(failures), failures=listed + more or "-")
    return Verdict.check(not failures, failures[0].location if failures else facts.location,
                         count=len(failures), failures=listed + more or "-")
