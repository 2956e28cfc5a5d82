"""JUnit XML view: one test suite per area, one test case per rule x evidence.

CI servers show failures, errors and skips natively: a ``fail`` is a <failure>, an
``error`` an <error>, and ``manual``, ``waived`` and ``not_applicable`` are skipped
with the reason, so waived findings stay visible.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from lxml import etree

from ..model import Report, Result, Status


def _case_name(result: Result) -> str:
    where = result.evidence or "(dossier)"
    if result.location:
        where = f"{where} @ {result.location}"
    return f"{result.rule_id} {where}"


def report_to_junit(report: Report) -> bytes:
    lang = report.lang
    by_area: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_area[result.area].append(result)
    suites = etree.Element("testsuites", name="segurcheck", tests=str(len(report.results)),
                           failures=str(report.count(Status.FAIL)), errors=str(report.count(Status.ERROR)))
    for area in sorted(by_area):
        results = by_area[area]
        suite = etree.SubElement(
            suites, "testsuite", name=f"segurcheck.{area}", tests=str(len(results)),
            failures=str(sum(r.status is Status.FAIL for r in results)),
            errors=str(sum(r.status is Status.ERROR for r in results)),
            skipped=str(sum(r.status in (Status.MANUAL, Status.WAIVED, Status.NOT_APPLICABLE) for r in results)),
        )
        for result in results:
            case = etree.SubElement(suite, "testcase", name=_case_name(result), classname=f"segurcheck.{area}.{result.rule_id}")
            message = result.message.get(lang)
            detail = f"{message}\n{result.remediation.get(lang)}\n{', '.join(result.requirements)}\nfingerprint {result.fingerprint}"
            if result.status is Status.FAIL:
                node = etree.SubElement(case, "failure", message=message, type=result.severity.value)
                node.text = detail
            elif result.status is Status.ERROR:
                node = etree.SubElement(case, "error", message=message, type="error")
                node.text = detail
            elif result.status is Status.WAIVED:
                reason = result.waiver.reason if result.waiver else ""
                etree.SubElement(case, "skipped", message=f"waived: {reason} | {message}")
            elif result.status in (Status.MANUAL, Status.NOT_APPLICABLE):
                etree.SubElement(case, "skipped", message=f"{result.status.value}: {message}")
    return etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_junit(report: Report, path: Path) -> None:
    path.write_bytes(report_to_junit(report))
