"""``segurcheck cert FILE...``: a quick analysis of certificates outside a dossier.

Every file given is read like bundle evidence (PEM bundles, DER, PKCS#7, CRLs; keys
are only detected).  Chains are built across all the files given plus ``--trust``,
so ``segurcheck cert my-cert.pem chain.p7b ca.crl`` checks the chain and revocation
too.  The checks are the very functions the PKI rules use (``pki.checks``).
Exit status: 0 nothing wrong, 1 a check failed or a file held a key or was
unreadable, 2 a file could not be opened.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..pki import checks
from ..pki.anchors import TrustAnchor, load_trust_dir
from ..pki.assess import PkiAssessment, build_assessment
from ..pki.certinfo import CertInfo, CrlInfo, key_labels, read_certificates, read_crls
from ..pki.describe import describe_crl, env_label
from ..pki.uses import eku_text, ku_text

_MAX_FILE = 64 << 20

_LABELS = {
    "fr": {
        "subject": "Sujet", "issuer": "Émetteur", "serial": "Série", "validity": "Validité", "env": "Environnement",
        "fingerprint": "Empreinte SHA-256", "key": "Clé / signature", "ku": "KeyUsage", "eku": "EKU",
        "chain": "Chaîne", "check": "Contrôle", "status": "Résultat", "detail": "Détail",
        "key_found": "contient une clé privée : retirez-la, considérez-la compromise",
        "unreadable": "illisible", "no_cert": "aucun certificat ni CRL",
        "pass": "conforme", "fail": "ÉCHEC", "not_applicable": "n/a",
    },
    "en": {
        "subject": "Subject", "issuer": "Issuer", "serial": "Serial", "validity": "Validity", "env": "Environment",
        "fingerprint": "SHA-256 fingerprint", "key": "Key / signature", "ku": "KeyUsage", "eku": "EKU",
        "chain": "Chain", "check": "Check", "status": "Result", "detail": "Detail",
        "key_found": "holds a private key: remove it and treat it as compromised",
        "unreadable": "unreadable", "no_cert": "no certificate or CRL",
        "pass": "ok", "fail": "FAIL", "not_applicable": "n/a",
    },
}


def _check_rows(info: CertInfo, a: PkiAssessment, as_of: dt.date) -> list[tuple[str, checks.Check, str]]:
    """(rule id, check, short detail) for each certificate-level check."""
    rows: list[tuple[str, checks.Check, str]] = []

    def add(rule: str, check: checks.Check, *keys: str) -> None:
        detail = "; ".join(check.values.get(k, "") for k in keys if check.values.get(k))
        rows.append((rule, check, detail))

    add("PKI-EXPIRED", checks.expired(info, a, as_of), "not_after")
    add("PKI-NOT-YET-VALID", checks.not_yet_valid(info, a, as_of), "not_before")
    add("PKI-EXPIRES-SOON", checks.expires_soon(info, a, as_of), "days_left", "reason")
    add("PKI-UNTRUSTED", checks.untrusted(info, a), "anchor", "reason")
    add("PKI-SIGNATURE", checks.signature(info, a), "signer", "reason")
    add("PKI-REVOKED", checks.revoked(info, a, as_of), "revoked_on", "reason")
    add("PKI-LEGACY-CA", checks.legacy(info, a))
    add("PKI-WEAK-CRYPTO", checks.weak_crypto(info, a), "weakness")
    add("PKI-STRUCTURE-ID", checks.structure_id(info, a), "structure_id", "reason")
    return rows


def _style(status: str) -> str:
    return {"pass": "green", "fail": "bold red"}.get(status, "dim")


def _read(files: list[Path], console: Console, text: dict[str, str]) -> tuple[
        list[tuple[Path, CertInfo]], list[CrlInfo], bool, bool]:
    certs: list[tuple[Path, CertInfo]] = []
    crls: list[CrlInfo] = []
    problem = missing = False
    for path in files:
        try:
            if path.stat().st_size > _MAX_FILE:
                raise OSError("file too large")
            data = path.read_bytes()
        except OSError as exc:
            console.print(f"[red]{path}[/]: {exc.strerror or exc}")
            missing = True
            continue
        labels = key_labels(data) if b"-----BEGIN " in data else ()
        if labels:
            console.print(f"[bold red]{path}[/]: {text['key_found']} ({', '.join(labels)})")
            problem = True
        found_crls, _ = read_crls(data) if (b"X509 CRL" in data or b"-----BEGIN " not in data) else ((), ())
        outcome = read_certificates(data) if b"-----BEGIN " in data or not found_crls else None
        crls.extend(found_crls)
        if outcome is not None:
            certs.extend((path, c) for c in outcome.certs)
            for message in outcome.problems:
                console.print(f"[yellow]{path}[/]: {message}")
                problem = True
        if not found_crls and (outcome is None or not outcome.certs) and not labels:
            console.print(f"[yellow]{path}[/]: {text['no_cert']}")
            problem = True
    return certs, crls, problem, missing


def cert_command(files: list[Path], as_of: dt.date | None, lang: str = "fr", trust_dir: Path | None = None) -> int:
    """Print the analysis of every certificate (and CRL) in ``files``; return the exit code."""
    console = Console(soft_wrap=True)
    text = _LABELS["en" if lang == "en" else "fr"]
    when = as_of or dt.date.today()
    anchors: tuple[TrustAnchor, ...] = load_trust_dir(trust_dir) if trust_dir is not None else ()
    certs, crls, problem, missing = _read(files, console, text)
    assessment = build_assessment((c for _, c in certs), crls, anchors)
    failed = problem
    seen: set[str] = set()
    for path, info in certs:
        if info.fingerprint in seen:
            continue
        seen.add(info.fingerprint)
        env = assessment.environment(info)
        chain = assessment.chain(info)
        head = Table(show_header=False, box=None, pad_edge=False, title=f"{path} · {info.subject_cn or info.subject}",
                     title_justify="left", title_style="bold")
        head.add_column(style="cyan")
        head.add_column()
        head.add_row(text["subject"], info.subject)
        head.add_row(text["issuer"], info.issuer)
        head.add_row(text["serial"], info.serial_hex)
        head.add_row(text["validity"], f"{info.not_before.isoformat()} → {info.not_after.isoformat()}")
        head.add_row(text["env"], f"{env_label(env.environment, lang)} ({env.signal})")
        head.add_row(text["fingerprint"], info.fingerprint)
        head.add_row(text["key"], f"{info.key_type} {info.key_bits} · {info.signature_hash or '?'}")
        head.add_row(text["ku"], ku_text(info))
        head.add_row(text["eku"], eku_text(info))
        head.add_row(text["chain"], " > ".join(c.subject_cn or c.subject for c in chain.path)
                     + (f"  [green]✓ {chain.anchor.name}[/]" if chain.anchor else f"  [red]✗ {chain.status}[/]"))
        console.print(head)
        table = Table(show_header=True, header_style="bold")
        table.add_column(text["check"])
        table.add_column(text["status"])
        table.add_column(text["detail"], overflow="fold")
        for rule, check, detail in _check_rows(info, assessment, when):
            failed = failed or check.status == checks.FAIL
            table.add_row(rule, f"[{_style(check.status)}]{text.get(check.status, check.status)}[/]", detail)
        console.print(table)
        console.print()
    for crl in crls:
        check = checks.crl_stale(crl, assessment, when)
        failed = failed or check.status == checks.FAIL
        status = text.get(check.status, check.status)
        console.print(f"[{_style(check.status)}]{status}[/] {describe_crl(crl)} · {check.values.get('signature', '')}"
                      + (f" · {check.values['problems']}" if check.values.get("problems") else ""))
    if missing:
        return 2
    return 1 if failed else 0
