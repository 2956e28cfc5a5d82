"""PKI benchmark: 1,000 certificates and 10 CRLs of 10,000 entries each.

Run: ``python bench/bench_pki.py`` (from the checkout).  Data are generated once
under ``bench/data/pki`` (10 CAs, 100 IGC-Santé-shaped end-entities each, one CRL per
CA).  Every figure is measured in the same run and reported as a ratio to the
*floor*: loading the same certificates and CRLs with ``cryptography`` alone.

* parse      — our parsers (facts of every certificate, CRLs read);
* analysis   — parse + chains with every signature verified + CRL signatures and
               index + every PKI check on every certificate (what the rules compute);
* engine     — the whole ``check`` pipeline restricted to the PKI rules (bundle walk,
               sniffing, 15 rules x 1,000 certificates, results with messages);
* pkilint    — pkilint's RFC 5280 certificate validator on the same certificates, when
               a separate venv holds it (``PKILINT_PYTHON``, default /work/venv-pkilint).

Revocation look-ups go through a dict built once per CRL, so their cost does not
grow with CRL size; the benchmark also times 1,000 look-ups against 10-entry and
10,000-entry CRLs to show it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

DATA = ROOT / "bench" / "data" / "pki"
BUNDLE = DATA / "bundle"
TRUST = DATA / "trust"
N_CA, PER_CA, CRL_ENTRIES, REVOKED_PER_CA = 10, 100, 10_000, 5
UTC = dt.UTC
AS_OF = dt.date(2026, 6, 1)


def _name(cn: str, ou: str, test: bool = True) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ASIP-SANTE" if ou.startswith("IGC") else "CLINIQUE BENCH"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def generate() -> None:
    """Write the bench bundle (skipped when already there)."""
    if (DATA / ".complete").exists():
        return
    print("generating bench data (once)...", file=sys.stderr)
    for folder in (BUNDLE / "ca", BUNDLE / "certs", BUNDLE / "crl", TRUST):
        folder.mkdir(parents=True, exist_ok=True)
    ee_keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(10)]
    start = dt.datetime(2025, 3, 1, tzinfo=UTC)
    for c in range(N_CA):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = _name(f"TEST AC BENCH {c:02d}", "IGC-SANTE TEST")
        ca = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1000 + c).not_valid_before(dt.datetime(2013, 6, 25, tzinfo=UTC))
            .not_valid_after(dt.datetime(2033, 6, 25, tzinfo=UTC))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        pem = ca.public_bytes(serialization.Encoding.PEM)
        (BUNDLE / "ca" / f"ca{c:02d}.pem").write_bytes(pem)
        (TRUST / f"ca{c:02d}.pem").write_bytes(pem)
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
        serials = []
        for i in range(PER_CA):
            serial = (c << 96) | (0x1D5DE25E3DC14BDE << 32) | i
            serials.append(serial)
            ee_key = ee_keys[i % len(ee_keys)]
            cert = (
                x509.CertificateBuilder()
                .subject_name(_name(f"service-{c}-{i}.bench.example", "340000000012345"))
                .issuer_name(name).public_key(ee_key.public_key()).serial_number(serial)
                .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3 * 365))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False),
                               critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                      ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(ee_key.public_key()), critical=False)
                .add_extension(aki, critical=False)
                .add_extension(x509.CertificatePolicies([x509.PolicyInformation(
                    x509.ObjectIdentifier("1.2.250.1.213.1.7.2.1.1.1.1"),
                    ["http://igc-sante.esante.gouv.fr/PC%20TEST"])]), critical=False)
                .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                    [x509.UniformResourceIdentifier(f"http://igc-sante.esante.gouv.fr/CRL/BENCH-{c}-TEST.crl")],
                    None, None, None)]), critical=False)
                .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.250.1.71.1.2.5"),
                                                          b"\x04\x01\x83"), critical=False)
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"service-{c}-{i}.bench.example")]),
                               critical=False)
                .sign(key, hashes.SHA256())
            )
            (BUNDLE / "certs" / f"c{c:02d}-{i:03d}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        builder = (x509.CertificateRevocationListBuilder().issuer_name(name)
                   .last_update(dt.datetime(2026, 5, 30, tzinfo=UTC)).next_update(dt.datetime(2026, 6, 5, tzinfo=UTC))
                   .add_extension(x509.CRLNumber(c + 1), critical=False).add_extension(aki, critical=False))
        revoked_at = dt.datetime(2026, 1, 15, tzinfo=UTC)
        for j in range(CRL_ENTRIES - REVOKED_PER_CA):
            builder = builder.add_revoked_certificate(x509.RevokedCertificateBuilder()
                                                      .serial_number((0x7E57 << 100) | (c << 40) | j)
                                                      .revocation_date(revoked_at).build())
        for serial in serials[:REVOKED_PER_CA]:
            builder = builder.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                                      .revocation_date(revoked_at).build())
        crl = builder.sign(key, hashes.SHA256())
        (BUNDLE / "crl" / f"ca{c:02d}.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))
    (DATA / ".complete").write_text("ok\n")


def best(fn: Callable[[], object], runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - t0)
    return min(timings)


def main() -> int:
    generate()
    from segurcheck.evidence.base import Source
    from segurcheck.evidence.pki import CertificateFacts, CrlFacts, parse_certificate, parse_crl
    from segurcheck.pki import checks
    from segurcheck.pki.anchors import load_trust_dir
    from segurcheck.pki.assess import build_assessment
    from segurcheck.pki.certinfo import CertInfo, CrlInfo

    cert_files = [(p.name, p.read_bytes()) for p in sorted((BUNDLE / "certs").glob("*.pem"))]
    crl_files = [(p.name, p.read_bytes()) for p in sorted((BUNDLE / "crl").glob("*.crl"))]
    ca_files = [(p.name, p.read_bytes()) for p in sorted((BUNDLE / "ca").glob("*.pem"))]
    anchors = load_trust_dir(TRUST)
    n = len(cert_files)

    def floor_certs() -> None:
        for _, data in cert_files + ca_files:
            x509.load_pem_x509_certificate(data)

    def floor_all() -> None:
        floor_certs()
        for _, data in crl_files:
            x509.load_der_x509_crl(data)

    def floor_enumerate() -> None:
        floor_all()
        for _, data in crl_files:
            {entry.serial_number for entry in x509.load_der_x509_crl(data)}

    def parse() -> tuple[list[CertInfo], list[CrlInfo]]:
        certs: list[CertInfo] = []
        crls: list[CrlInfo] = []
        for name, data in cert_files + ca_files:
            facts = parse_certificate(Source(name, data)).facts
            assert isinstance(facts, CertificateFacts)
            certs.extend(facts.certs)
        for name, data in crl_files:
            crl_facts = parse_crl(Source(name, data)).facts
            assert isinstance(crl_facts, CrlFacts)
            crls.extend(crl_facts.crls)
        return certs, crls

    revoked_seen: list[int] = []

    def analysis() -> None:
        certs, crls = parse()
        a = build_assessment(certs, crls, anchors)
        revoked = 0
        for info in certs:
            checks.expired(info, a, AS_OF)
            checks.not_yet_valid(info, a, AS_OF)
            checks.expires_soon(info, a, AS_OF)
            assert checks.untrusted(info, a).status == checks.PASS
            checks.signature(info, a)
            revoked += checks.revoked(info, a, AS_OF).status == checks.FAIL
            checks.env_mismatch(info, a, "test")
            checks.legacy(info, a)
            checks.weak_crypto(info, a)
            checks.structure_id(info, a)
        for crl in crls:
            checks.crl_stale(crl, a, AS_OF)
        revoked_seen.append(revoked)

    def engine() -> None:
        from segurcheck.engine.rules import load_pack
        from segurcheck.pipeline import CheckOptions, run_check

        pack = load_pack()
        ids = tuple(r.id for r in pack.rules if r.area == "pki")
        report = run_check(BUNDLE, CheckOptions(today=AS_OF, rule_ids=ids, resources={"trust_anchors": anchors}),
                           pack)
        assert sum(1 for r in report.results if r.rule_id == "PKI-REVOKED" and r.status.value == "fail") == 50

    t_floor_certs = best(floor_certs)
    t_floor = best(floor_all)
    t_floor_enum = best(floor_enumerate, runs=3)
    t_parse = best(parse)
    t_analysis = best(analysis)
    assert revoked_seen[-1] == N_CA * REVOKED_PER_CA, revoked_seen
    t_engine = best(engine, runs=2)

    # Look-up cost vs CRL size: the same 1,000 look-ups against a small and a large index.
    certs, crls = parse()
    a = build_assessment(certs, crls, anchors)
    issuer = a.chain(certs[0]).issuer
    assert issuer is not None
    t_lookup = best(lambda: [a.crls.lookup(issuer, s) for s in range(1000)])
    from segurcheck.pki.chain import verify_signature

    pairs = [(c, a.chain(c).issuer) for c in certs]
    t_verify = best(lambda: [verify_signature(c, i) for c, i in pairs if i is not None], runs=3)

    pkilint = run_pkilint(cert_files)
    per = 1e6 / n
    rows = [
        ("floor: cryptography load (certs)", t_floor_certs),
        ("floor: cryptography load (certs + CRLs)", t_floor),
        ("floor + cryptography CRL enumeration (revoked serials)", t_floor_enum),
        ("segurcheck parse", t_parse),
        ("segurcheck analysis (parse + chains + CRLs + checks)", t_analysis),
        ("  of which: signature verification alone (RSA-2048)", t_verify),
        ("segurcheck engine, PKI rules (whole pipeline)", t_engine),
    ]
    if pkilint is not None:
        rows.append(("pkilint RFC 5280 validator (same certs)", pkilint))
    print(f"PKI bench: {n} certificates, {len(crl_files)} CRLs x {CRL_ENTRIES} entries "
          f"({N_CA * REVOKED_PER_CA} revoked found)")
    print(f"{'measure':55s} {'total ms':>9s} {'µs/cert':>9s} {'x floor':>8s}")
    for label, seconds in rows:
        print(f"{label:55s} {seconds * 1e3:9.1f} {seconds * per:9.1f} {seconds / t_floor:8.2f}")
    print(f"1,000 revocation look-ups: {t_lookup * 1e3:.2f} ms (dict; independent of CRL size)")
    ratio = t_analysis / t_floor
    print(f"analysis / floor = {ratio:.2f} (target <= 3); analysis / (floor + CRL enumeration) = "
          f"{t_analysis / t_floor_enum:.2f}")
    if pkilint is None:
        print("pkilint: not measured (set PKILINT_PYTHON to a venv python with pkilint installed)")
    return 0


PKILINT_SCRIPT = r"""
import json, sys, time
from pkilint import loader
from pkilint.pkix import certificate, name, extension
paths = json.loads(sys.stdin.read())
texts = [open(p).read() for p in paths]
validator = certificate.create_pkix_certificate_validator_container(
    certificate.create_decoding_validators(name.ATTRIBUTE_TYPE_MAPPINGS, extension.EXTENSION_MAPPINGS),
    [certificate.create_issuer_validator_container([]), certificate.create_validity_validator_container(),
     certificate.create_subject_validator_container([]), certificate.create_extensions_validator_container([])])
best = None
for _ in range(2):
    t0 = time.perf_counter()
    for i, text in enumerate(texts):
        doc = loader.load_pem_certificate(text, str(i))
        validator.validate(doc.root)
    elapsed = time.perf_counter() - t0
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"seconds": best}))
"""


def run_pkilint(cert_files: list[tuple[str, bytes]]) -> float | None:
    python = os.environ.get("PKILINT_PYTHON", "/work/venv-pkilint/bin/python")
    if not Path(python).exists():
        return None
    paths = [str(BUNDLE / "certs" / name) for name, _ in cert_files]
    try:
        done = subprocess.run([python, "-c", PKILINT_SCRIPT], input=json.dumps(paths), capture_output=True,
                              text=True, timeout=900, check=True)
        return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])
    except (subprocess.SubprocessError, ValueError, KeyError, IndexError) as exc:
        print(f"pkilint: failed ({type(exc).__name__}); not measured", file=sys.stderr)
        return None


if __name__ == "__main__":
    raise SystemExit(main())
