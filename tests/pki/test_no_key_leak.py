"""No output format ever carries private key material.

The bundle holds a PEM key file, a PEM file with a certificate *and* its key, and the
same key DER-encoded; every output (terminal, JSON, SARIF, JUnit) is searched for any
48-character run of the key's base64 or hex, and for its raw DER."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from fixtures.gen.testpki import test_pki as make_test_pki

BUNDLE = "pki-private-key"


def _needles(der: bytes) -> list[bytes]:
    b64 = base64.b64encode(der)
    hexed = der.hex().encode()
    chunks = [b64[i : i + 48] for i in range(0, len(b64) - 48, 48)]
    chunks += [hexed[i : i + 48] for i in range(0, len(hexed) - 48, 96)]
    chunks += [hexed[i : i + 48].upper() for i in range(0, len(hexed) - 48, 96)]
    return chunks


def test_no_output_contains_key_material(
    bundles: Path, tmp_path: Path, cli: Callable[..., tuple[int, str]]
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(bundles / BUNDLE, bundle)
    issued = make_test_pki().issue("INSI-AUTO", profile="auth-client", serial=0x3101)
    key_der = issued.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    (bundle / "keys" / "both.pem").write_bytes(issued.cert_pem + issued.key_pem)
    (bundle / "keys" / "key.der").write_bytes(key_der)
    assert (bundle / "keys" / "insi-auto.key").read_bytes() == issued.key_pem  # the fixture's key is this one

    out = tmp_path / "out"
    out.mkdir()
    code, terminal = cli("check", bundle, "--trust", bundles / "_trust", "--lang", "en",
                         "--json", out / "r.json", "--sarif", out / "r.sarif", "--junit", out / "r.xml")
    assert code == 1
    _code, text = cli("check", bundle, "--trust", bundles / "_trust")
    outputs = {"terminal": terminal.encode() + text.encode()}
    for name in ("r.json", "r.sarif", "r.xml"):
        outputs[name] = (out / name).read_bytes()
    json_text = outputs["r.json"].decode()
    # The three key files are reported...
    for key_file in ("keys/insi-auto.key", "keys/both.pem", "keys/key.der"):
        assert key_file in json_text
    assert json_text.count('"PKI-PRIVATE-KEY"') >= 3
    # ...and not one piece of the key is in any output.
    needles = _needles(key_der)
    assert len(needles) > 30
    for name, content in outputs.items():
        assert key_der not in content, name
        leaked = [n for n in needles if n in content]
        assert not leaked, f"{name} contains key material"


def test_private_key_parser_keeps_no_key_bytes(bundles: Path) -> None:
    from segurcheck.evidence.base import Source
    from segurcheck.evidence.pki import parse_private_key

    data = (bundles / BUNDLE / "keys" / "insi-auto.key").read_bytes()
    parsed = parse_private_key(Source("k.pem", data))
    text = repr(parsed.facts) + repr(parsed.problems) + str(parsed.identity)
    body = b"".join(data.split(b"\n")[1:-2])
    assert parsed.facts is not None and parsed.facts.form == "PEM PRIVATE KEY"
    assert not any(body[i : i + 24].decode() in text for i in range(0, len(body) - 24, 24))
