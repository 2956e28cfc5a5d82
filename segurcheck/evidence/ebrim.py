"""ebRIM 3.0 submission metadata (IHE XDS.b / XDM): DocumentEntry, SubmissionSet, Association.

Shared by the ITI-41 parser (``xds.py``) and the XDM ``METADATA.XML`` parser: both carry
the same ``SubmitObjectsRequest``.  ``read_submission(root)`` is the stable entry point;
it never raises on odd input, it records what it could not make sense of in
``SubmissionMetadata.problems``.

Classification and identifier schemes are the IHE ITI TF-3 §4.2.5 UUIDs; they are
mapped to the attribute names used everywhere else in the tool (``typeCode``,
``patientId``...), so rules never see UUIDs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from .xml import children, local_name, path_of

# Classification schemes (IHE ITI TF-3 table 4.2.5-1/2).
ENTRY_SCHEMES: Mapping[str, str] = {
    "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a": "classCode",
    "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f": "confidentialityCode",
    "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d": "formatCode",
    "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1": "healthcareFacilityTypeCode",
    "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead": "practiceSettingCode",
    "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983": "typeCode",
    "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4": "eventCodeList",
}
SET_SCHEMES: Mapping[str, str] = {
    "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500": "contentTypeCode",
}
AUTHOR_SCHEMES = frozenset({
    "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d",  # DocumentEntry.author
    "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d",  # SubmissionSet.author
})
IDENTIFIER_SCHEMES: Mapping[str, str] = {
    "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427": "patientId",  # DocumentEntry
    "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab": "uniqueId",  # DocumentEntry
    "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446": "patientId",  # SubmissionSet
    "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8": "uniqueId",  # SubmissionSet
    "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832": "sourceId",  # SubmissionSet
}
SUBMISSION_SET_NODE = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
STABLE_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
ON_DEMAND_ENTRY = "urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248"


@dataclass(frozen=True)
class Coded:
    """One coded classification: ``nodeRepresentation`` + codingScheme slot + display name."""

    code: str
    scheme: str
    display: str
    location: str


@dataclass(frozen=True)
class Author:
    person: str = ""
    institutions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    location: str = ""


@dataclass(frozen=True)
class RegistryObject:
    """What DocumentEntry and SubmissionSet share: slots, codes, authors, identifiers."""

    id: str
    location: str
    slots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    codes: Mapping[str, tuple[Coded, ...]] = field(default_factory=dict)
    authors: tuple[Author, ...] = ()
    identifiers: Mapping[str, str] = field(default_factory=dict)
    title: str = ""

    def slot(self, name: str) -> str:
        """First value of a slot ('' when absent)."""
        values = self.slots.get(name, ())
        return values[0] if values else ""

    def code(self, name: str) -> Coded | None:
        found = self.codes.get(name, ())
        return found[0] if found else None

    @property
    def patient_id(self) -> str:
        return self.identifiers.get("patientId", "")

    @property
    def unique_id(self) -> str:
        return self.identifiers.get("uniqueId", "")


@dataclass(frozen=True)
class DocumentEntry(RegistryObject):
    mime_type: str = ""
    object_type: str = ""


@dataclass(frozen=True)
class SubmissionSet(RegistryObject):
    @property
    def source_id(self) -> str:
        return self.identifiers.get("sourceId", "")


@dataclass(frozen=True)
class Association:
    type: str
    source: str
    target: str
    location: str
    slots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmissionMetadata:
    """Everything a SubmitObjectsRequest says about the documents it submits."""

    submission_sets: tuple[SubmissionSet, ...] = ()
    entries: tuple[DocumentEntry, ...] = ()
    associations: tuple[Association, ...] = ()
    problems: tuple[str, ...] = ()

    def entry(self, entry_id: str) -> DocumentEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)


def _slots(element: etree._Element) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for slot in children(element, "Slot"):
        name = slot.get("name", "")
        values = found.setdefault(name, [])
        for value_list in children(slot, "ValueList"):
            values.extend((v.text or "").strip() for v in children(value_list, "Value"))
    return {k: tuple(v) for k, v in found.items()}


def _localized(element: etree._Element) -> str:
    for name in children(element, "Name"):
        for string in children(name, "LocalizedString"):
            return string.get("value", "")
    return ""


def _author(classification: etree._Element) -> Author:
    slots = _slots(classification)
    person = slots.get("authorPerson", ("",))
    return Author(
        person=person[0] if person else "",
        institutions=slots.get("authorInstitution", ()),
        roles=slots.get("authorRole", ()),
        specialties=slots.get("authorSpecialty", ()),
        location=path_of(classification),
    )


def _read_object(element: etree._Element, schemes: Mapping[str, str], problems: list[str]) -> dict[str, object]:
    object_id = element.get("id", "")
    codes: dict[str, list[Coded]] = {}
    authors: list[Author] = []
    identifiers: dict[str, str] = {}
    for classification in children(element, "Classification"):
        scheme = classification.get("classificationScheme", "")
        if scheme in AUTHOR_SCHEMES:
            authors.append(_author(classification))
        elif scheme in schemes:
            coding = _slots(classification).get("codingScheme", ("",))
            codes.setdefault(schemes[scheme], []).append(
                Coded(
                    code=classification.get("nodeRepresentation", ""),
                    scheme=coding[0] if coding else "",
                    display=_localized(classification),
                    location=path_of(classification),
                )
            )
    for ident in children(element, "ExternalIdentifier"):
        scheme = ident.get("identificationScheme", "")
        name = IDENTIFIER_SCHEMES.get(scheme)
        if name is None:
            problems.append(
                f"{object_id}: ExternalIdentifier {ident.get('id', '')!r} has an unknown identificationScheme "
                f"{scheme!r} ({_localized(ident) or 'unnamed'})"
            )
            continue
        identifiers[name] = ident.get("value", "").strip()
    return {
        "id": object_id,
        "location": path_of(element),
        "slots": _slots(element),
        "codes": {k: tuple(v) for k, v in codes.items()},
        "authors": tuple(authors),
        "identifiers": identifiers,
        "title": _localized(element),
    }


def find_request(root: etree._Element) -> etree._Element | None:
    """The SubmitObjectsRequest at or below ``root``."""
    if local_name(root) == "SubmitObjectsRequest":
        return root
    return next(
        (e for e in root.iter() if isinstance(e.tag, str) and local_name(e) == "SubmitObjectsRequest"), None
    )


def read_submission(root: etree._Element) -> SubmissionMetadata:
    """Read the ebRIM metadata of a submission.

    ``root`` may be the SubmitObjectsRequest itself or any ancestor (a SOAP envelope, a
    ProvideAndRegisterDocumentSetRequest, a wrapper added to repair a fragment).
    """
    request = find_request(root)
    if request is None:
        return SubmissionMetadata(problems=("no SubmitObjectsRequest found",))
    problems: list[str] = []
    object_lists = children(request, "RegistryObjectList") or [request]
    packages: list[etree._Element] = []
    extrinsics: list[etree._Element] = []
    associations: list[Association] = []
    set_ids: set[str] = set()
    for object_list in object_lists:
        for element in object_list:
            name = local_name(element)
            if name == "RegistryPackage":
                packages.append(element)
            elif name == "ExtrinsicObject":
                extrinsics.append(element)
            elif name == "Association":
                associations.append(
                    Association(
                        type=element.get("associationType", ""),
                        source=element.get("sourceObject", ""),
                        target=element.get("targetObject", ""),
                        location=path_of(element),
                        slots=_slots(element),
                    )
                )
            elif name == "Classification" and element.get("classificationNode") == SUBMISSION_SET_NODE:
                set_ids.add(element.get("classifiedObject", ""))
    sets: list[SubmissionSet] = []
    for package in packages:
        inner = [c for c in children(package, "Classification") if c.get("classificationNode") == SUBMISSION_SET_NODE]
        if inner or package.get("id", "") in set_ids or len(packages) == 1:
            sets.append(SubmissionSet(**_read_object(package, SET_SCHEMES, problems)))  # type: ignore[arg-type]
    entries: list[DocumentEntry] = []
    for extrinsic in extrinsics:
        fields = _read_object(extrinsic, ENTRY_SCHEMES, problems)
        entries.append(
            DocumentEntry(
                **fields,  # type: ignore[arg-type]
                mime_type=extrinsic.get("mimeType", ""),
                object_type=extrinsic.get("objectType", ""),
            )
        )
    if not sets:
        problems.append("no SubmissionSet (RegistryPackage) in the request")
    return SubmissionMetadata(tuple(sets), tuple(entries), tuple(associations), tuple(problems))
