"""XML-DSig verification of enveloped signatures (VIHF SAML assertions).

Written on lxml's C14N and ``cryptography`` rather than signxml: the VIHF profile is
narrow (one same-document reference, enveloped-signature + exclusive C14N, RSA or
ECDSA with SHA-1/256/384/512), and signxml would refuse the expired or SHA-1 test
material real dossiers carry before we can say *why*.  Certificate trust is not judged
here: the signer certificate is handed to the PKI rules as a nested item.

Never raises on bad input: every outcome is a ``SignatureCheck``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

DSIG = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
SIGNATURES: dict[str, tuple[str, hashes.HashAlgorithm]] = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": ("rsa", hashes.SHA1()),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": ("rsa", hashes.SHA256()),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": ("rsa", hashes.SHA384()),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": ("rsa", hashes.SHA512()),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": ("ec", hashes.SHA256()),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": ("ec", hashes.SHA384()),
}


@dataclass(frozen=True)
class SignatureCheck:
    """``status``: valid | invalid | absent | unverifiable (e.g. redacted certificate)."""

    status: str
    reason: str = ""
    certificate_der: bytes = b""
    algorithm: str = ""
    location: str = ""


def _ds(element: etree._Element, name: str) -> etree._Element | None:
    return element.find(f"{{{DSIG}}}{name}")


def canonicalize(element: etree._Element, algorithm: str, inclusive_prefixes: list[str] | None = None) -> bytes:
    """C14N of ``element`` (a subtree, with inherited namespaces as the algorithm says)."""
    exclusive = algorithm in (EXC_C14N, EXC_C14N_COMMENTS)
    comments = algorithm in (EXC_C14N_COMMENTS, C14N_COMMENTS)
    if algorithm not in (EXC_C14N, EXC_C14N_COMMENTS, C14N, C14N_COMMENTS):
        raise ValueError(f"unsupported canonicalization {algorithm}")
    return etree.tostring(
        element, method="c14n", exclusive=exclusive, with_comments=comments,
        inclusive_ns_prefixes=inclusive_prefixes if exclusive else None,
    )


def _prefixes(transform: etree._Element) -> list[str] | None:
    for child in transform:
        if isinstance(child.tag, str) and child.tag.endswith("InclusiveNamespaces"):
            return (child.get("PrefixList") or "").split()
    return None


def _find_by_id(root: etree._Element, ref_id: str) -> etree._Element | None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("ID", "Id", "id", "AssertionID"):
            if element.get(attribute) == ref_id:
                return element
    return None


def _certificate(signature: etree._Element) -> tuple[bytes, str]:
    for cert in signature.iter(f"{{{DSIG}}}X509Certificate"):
        raw = "".join((cert.text or "").split())
        try:
            der = base64.b64decode(raw, validate=True)
            x509.load_der_x509_certificate(der)
        except (binascii.Error, ValueError):
            return b"", f"the embedded certificate is unreadable ({raw[:12] or 'empty'}...): redacted or corrupt"
        return der, ""
    return b"", "no X509Certificate in KeyInfo"


def verify_enveloped(signed: etree._Element) -> SignatureCheck:
    """Verify the ds:Signature that is a direct child of ``signed`` (e.g. a SAML Assertion)."""
    signature = _ds(signed, "Signature")
    if signature is None:
        return SignatureCheck("absent", "the element carries no ds:Signature")
    signed_info = _ds(signature, "SignedInfo")
    value_element = _ds(signature, "SignatureValue")
    if signed_info is None or value_element is None:
        return SignatureCheck("invalid", "ds:Signature lacks SignedInfo or SignatureValue")
    der, problem = _certificate(signature)
    c14n_method = _ds(signed_info, "CanonicalizationMethod")
    sig_method = _ds(signed_info, "SignatureMethod")
    c14n_alg = c14n_method.get("Algorithm", "") if c14n_method is not None else ""
    sig_alg = sig_method.get("Algorithm", "") if sig_method is not None else ""
    references = [r for r in signed_info if isinstance(r.tag, str) and r.tag == f"{{{DSIG}}}Reference"]
    if len(references) != 1:
        return SignatureCheck("invalid", f"{len(references)} references instead of one", der, sig_alg)
    reference = references[0]
    uri = reference.get("URI", "")
    target_id = uri[1:] if uri.startswith("#") else ""
    root = signed.getroottree().getroot()
    target = _find_by_id(root, target_id) if target_id else (root if uri == "" else None)
    if target is None:
        return SignatureCheck("invalid", f"reference {uri!r} does not point into the document", der, sig_alg)
    if target is not signed:
        return SignatureCheck("invalid", f"reference {uri!r} does not designate the signed assertion", der, sig_alg)
    try:
        digested = copy.deepcopy(target)
        algorithm, prefixes = EXC_C14N, None
        transforms = reference.find(f"{{{DSIG}}}Transforms")
        for transform in (transforms if transforms is not None else []):
            if not isinstance(transform.tag, str):
                continue
            name = transform.get("Algorithm", "")
            if name == ENVELOPED:
                inner = _ds(digested, "Signature")
                if inner is not None:
                    inner.getparent().remove(inner)  # type: ignore[union-attr]
            else:
                algorithm, prefixes = name, _prefixes(transform)
        digest_method = reference.find(f"{{{DSIG}}}DigestMethod")
        digest_name = DIGESTS.get(digest_method.get("Algorithm", "") if digest_method is not None else "")
        if digest_name is None:
            return SignatureCheck("invalid", "unsupported or missing DigestMethod", der, sig_alg)
        computed = hashlib.new(digest_name, canonicalize(digested, algorithm, prefixes)).digest()
        declared = base64.b64decode("".join((reference.findtext(f"{{{DSIG}}}DigestValue") or "").split()))
        if computed != declared:
            if not der:  # a redacted certificate usually comes with redacted attributes
                return SignatureCheck("unverifiable", f"{problem}; the assertion digest does not match either",
                                      der, sig_alg)
            return SignatureCheck("invalid", "the digest of the assertion does not match: its content was changed "
                                  "after signing", der, sig_alg)
        if sig_alg not in SIGNATURES:
            return SignatureCheck("invalid", f"unsupported SignatureMethod {sig_alg or '(none)'}", der, sig_alg)
        if not der:
            return SignatureCheck("unverifiable", problem, der, sig_alg)
        key_type, hash_algorithm = SIGNATURES[sig_alg]
        value = base64.b64decode("".join((value_element.text or "").split()))
        signed_bytes = canonicalize(signed_info, c14n_alg, _prefixes(c14n_method) if c14n_method is not None else None)
        public_key = x509.load_der_x509_certificate(der).public_key()
        if key_type == "rsa" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(value, signed_bytes, padding.PKCS1v15(), hash_algorithm)
        elif key_type == "ec" and isinstance(public_key, ec.EllipticCurvePublicKey):
            from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

            half = len(value) // 2
            der_sig = encode_dss_signature(int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"))
            public_key.verify(der_sig, signed_bytes, ec.ECDSA(hash_algorithm))
        else:
            return SignatureCheck("invalid", "the certificate key type does not fit the SignatureMethod", der, sig_alg)
    except InvalidSignature:
        return SignatureCheck("invalid", "the SignatureValue does not verify with the embedded certificate",
                              der, sig_alg)
    except (ValueError, TypeError, binascii.Error, etree.Error) as exc:
        return SignatureCheck("invalid", f"the signature cannot be processed: {exc}"[:200], der, sig_alg)
    return SignatureCheck("valid", "", der, sig_alg)
