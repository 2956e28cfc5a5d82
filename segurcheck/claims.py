"""Facts that several evidence kinds carry and cross-evidence rules compare.

Each parser exposes them on its facts object as ``identities`` (a tuple of
``IdentityOccurrence``) and ``software`` (a tuple of ``SoftwareClaim``); the identity
ledger (INS rules) and DOSSIER-VERSION collect them from every item, whatever its kind.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Traits:
    """Strict identity traits as carried by one piece of evidence ('' when absent)."""

    birth_name: str = ""
    first_name: str = ""  # first birth first name
    given_list: str = ""  # list of birth first names, space separated
    sex: str = ""  # M | F | U as carried (CDA 'M'/'F', INSi 'M'/'F')
    birth_date: str = ""  # YYYY-MM-DD
    birth_place: str = ""  # INSEE COG, 5 characters


@dataclass(frozen=True)
class IdentityOccurrence:
    """One place an INS (or identity traits) occurs in the evidence.

    ``source`` says which place: ``insi-actif``, ``insi-histo``, ``insi-request``,
    ``cda-recordTarget``, ``xds-patientId``, ``xds-sourcePatientId``,
    ``xds-sourcePatientInfo``, ``vihf-resource-id``, ``xdm-patientId``, ``mss-address``.
    ``matricule`` is the 15-character value as found (13 + key), ``oid`` the assigning
    authority ('' when the place carries none).
    """

    matricule: str
    oid: str
    location: str
    source: str
    traits: Traits | None = None
    identity_status: str = ""  # QUAL | VALI | RECUP | PROV when the evidence says it


@dataclass(frozen=True)
class SoftwareClaim:
    """Software name and/or version named by a piece of evidence (ContexteLPS, VIHF
    LPS_Nom/LPS_Version, X-Mailer...), compared with the manifest by DOSSIER-VERSION."""

    name: str
    version: str
    location: str
    source: str
