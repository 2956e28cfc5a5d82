"""Trait comparison, the fictitious registry, the ledger and request/answer pairing."""

from __future__ import annotations

from segurcheck.claims import IdentityOccurrence, Traits
from segurcheck.identity.fictitious import registry
from segurcheck.identity.ledger import build_ledger
from segurcheck.identity.reveal import reveal
from segurcheck.identity.traits import compare, missing
from segurcheck.model import EvidenceItem, Kind
from segurcheck.predicates.insi import pair_messages

from .harness import build_items

INSI = Traits("ADRTROIS", "DOMINIQUE", "DOMINIQUE", "F", "1997-02-26", "2A020")


def test_case_and_accents_do_not_count_but_hyphens_do() -> None:
    assert compare(INSI, Traits("Adrtrois", "Dominique", "Dominique", "F", "19970226", "2A020")) == []
    assert compare(Traits(first_name="ZOE"), Traits(first_name="Zoé")) == []
    diffs = compare(Traits(first_name="PIERRE-ALAIN"), Traits(first_name="PIERRE ALAIN"))
    assert [d.trait for d in diffs] == ["first_name"]
    assert [d.trait for d in compare(INSI, Traits(sex="M", birth_place="2B020"))] == ["sex", "birth_place"]
    assert missing(Traits(birth_name="X")) == ["first_name", "given_list", "sex", "birth_date", "birth_place"]


def test_registry() -> None:
    reg = registry()
    assert reg.is_fictitious("297022A02077878")
    assert reg.is_fictitious("", Traits(birth_name="de vinci", birth_date="2014-02-01"))
    assert reg.is_fictitious("2090763220834")  # ECETINSI's former matricule
    assert not reg.is_fictitious("248056912345757")


def test_reveal() -> None:
    class Ctx:
        class options:
            show_identities = False

    assert reveal(Ctx, "248056912345757", False, "matricule") == "2480*********57"
    assert reveal(Ctx, "MARCHETTI", False) == "MAR******"
    assert reveal(Ctx, "MARCHETTI", True) == "MARCHETTI"


def _item(path: str, *occurrences: IdentityOccurrence) -> EvidenceItem:
    class Facts:
        identities = occurrences

    return EvidenceItem(path, Kind.CDA, 1, "", path, Facts())


def test_ledger_links_history_to_active() -> None:
    actif = IdentityOccurrence("109076322083489", "1.2.250.1.213.1.4.8", "/a", "insi-actif", INSI)
    histo = IdentityOccurrence("209076322083439", "1.2.250.1.213.1.4.8", "/h", "insi-histo", INSI)
    same = IdentityOccurrence("109076322083489", "1.2.250.1.213.1.4.8", "/h2", "insi-histo", INSI)
    doc = IdentityOccurrence("209076322083439", "1.2.250.1.213.1.4.8", "/d", "cda-recordTarget", INSI)
    ledger = build_ledger([_item("b.xml", doc), _item("a.xml", actif, histo, same)])
    assert set(ledger.historic) == {"2090763220834"}  # a history repeating the active one is ignored
    assert ledger.historic["2090763220834"].occurrence is actif
    [entry] = [e for e in ledger.entries if e.occurrence is doc]
    assert ledger.reference_for(entry).occurrence is actif  # type: ignore[union-attr]
    assert ledger.is_fictitious(entry)


def test_pairing_falls_back_to_folder_order() -> None:
    req = (
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        '<RECSANSVITALE xmlns="http://www.cnamts.fr/INSiRecSans"><NomNaissance>HOUILLES</NomNaissance>'
        "<Prenom>PIERRE</Prenom><Sexe>M</Sexe><DateNaissance>1980-01-01</DateNaissance></RECSANSVITALE>"
        "</soap:Body></soap:Envelope>"
    )
    cr01 = (
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>01</CodeCR>'
        "<LibelleCR>Aucune identite trouvee</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>"
    )
    items = build_items({"a/1-req.xml": req.encode(), "a/2-rep.xml": cr01.encode(), "b/3-rep.xml": cr01.encode()})
    requests = [i for i in items if i.kind is Kind.INSI_REQUEST]
    replies = [i for i in items if i.kind is Kind.INSI_RESPONSE]
    pairing = pair_messages(requests, replies)
    assert pairing.partner["a/1-req.xml"] == "a/2-rep.xml"
    assert pairing.method["a/2-rep.xml"] == "same folder, name order"
    assert "b/3-rep.xml" not in pairing.partner


def test_broken_messages_are_findings_not_crashes() -> None:
    items = build_items(
        {
            "x.xml": b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
            b'<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"/></soap:Body></soap:Envelope>',
            "y.xml": b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header>'
            b"<X509Certificate>!!notbase64</X509Certificate></soap:Header><soap:Body>"
            b'<RECVITALE xmlns="http://www.cnamts.fr/INSiRecVit"/></soap:Body></soap:Envelope>',
        }
    )
    by_path = {i.path: i for i in items}
    assert [i.part for i in by_path["x.xml"].facts.issues] == ["CR"]
    assert by_path["y.xml"].facts is not None
    assert any("base64" in p.message for p in by_path["y.xml"].problems)
