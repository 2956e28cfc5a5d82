"""The readable terminal summary (rich): verdict, counts, then what to fix first."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..model import Report, Status

_VERDICT = {
    "ready": ("[bold green]PRÊT[/] / ready", "[bold green]READY[/]"),
    "not_ready": ("[bold red]PAS PRÊT[/] / not ready", "[bold red]NOT READY[/]"),
    "incomplete": ("[bold yellow]INCOMPLET[/] / incomplete", "[bold yellow]INCOMPLETE[/]"),
}
_SHOWN = (Status.FAIL, Status.ERROR, Status.WAIVED)


def print_summary(report: Report, console: Console, limit: int = 40) -> None:
    lang = report.lang
    fr = lang != "en"
    dossier = report.dossier
    verdict = _VERDICT[report.verdict][0 if fr else 1]
    console.print(
        f"[bold]segurcheck[/] {report.tool_version} · {dossier.software or '?'} {dossier.version} · "
        f"{dossier.sector or '?'} · {dossier.environment} · {dossier.as_of.isoformat()}"
    )
    counts = " · ".join(f"{k} {v}" for k, v in report.counts.items() if v)
    console.print(f"{verdict} — {'bloquants' if fr else 'blocking'}: {report.blocking} — {counts}")
    problems = sorted(
        (r for r in report.results if r.status in _SHOWN),
        key=lambda r: (r.status is not Status.FAIL, r.severity.rank, r.rule_id, r.evidence),
    )
    if not problems:
        return
    table = Table(show_lines=False, expand=True)
    table.add_column("sév." if fr else "sev.", no_wrap=True)
    table.add_column("règle" if fr else "rule", no_wrap=True)
    table.add_column("pièce" if fr else "evidence", overflow="fold")
    table.add_column("message", overflow="fold")
    for result in problems[:limit]:
        status = "" if result.status is Status.FAIL else f"[{result.status.value}] "
        table.add_row(result.severity.value, result.rule_id, result.evidence or "—", status + result.message.get(lang))
    console.print(table)
    if len(problems) > limit:
        more = len(problems) - limit
        console.print(f"… {more} {'autres : voir --json/--html' if fr else 'more: see --json/--html'}")
