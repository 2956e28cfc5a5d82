"""INS layout, key and OID functions (segurcheck/ins.py) on the worked values of
shared domain/ins.md, the Corsica rule and months 20-99."""

from __future__ import annotations

import pytest

from segurcheck import ins

WORKED = [
    ("297022A020778", 78),
    ("160012B020777", 13),
    ("180032B020401", 23),
    ("1090763220834", 89),
    ("2360663220836", 56),
    ("2751263220749", 74),
]


@pytest.mark.parametrize(("first13", "key"), WORKED)
def test_worked_keys(first13: str, key: int) -> None:
    assert ins.compute_key(first13) == key
    assert ins.key_verifies(first13 + f"{key:02d}")
    assert not ins.key_verifies(first13 + f"{(key % 97) + 1:02d}")


def test_corsica_is_not_read_as_plain_digits() -> None:
    # Reading 2A as 20 would give another key: the substitution must be 19 / 18.
    assert ins.compute_key("297022A020778") != 97 - int("2970220020778") % 97
    assert ins.expected_key("160012B02077700") == "13"
    assert ins.parse_layout("297022A02077878") is not None
    assert ins.parse_layout("297022A02077878").cog == "2A020"  # type: ignore[union-attr]


@pytest.mark.parametrize("month", ["20", "42", "99"])
def test_unknown_months_are_accepted(month: str) -> None:
    first13 = f"297{month}63220749"
    matricule = first13 + f"{ins.compute_key(first13):02d}"
    assert ins.layout_problem(matricule) == ""
    layout = ins.parse_layout(matricule)
    assert layout is not None and not layout.month_known


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("29702", "length"),
        ("797022A02077878", "provisional"),
        ("597022A02077878", "migrant"),
        ("297002A02077878", "month"),
        ("297152A02077878", "month"),
        ("29702XX02077878", "department"),
        ("2970263A2077878", "not numeric"),
    ],
)
def test_layout_problems(value: str, fragment: str) -> None:
    assert fragment in ins.layout_problem(value)


def test_oids() -> None:
    assert ins.oid_problem(ins.OID_NIR, "production") == ""
    assert ins.oid_problem(ins.OID_NIA, "production") == ""
    assert "test" in ins.oid_problem(ins.OID_NIR_TEST, "production")
    assert ins.oid_problem(ins.OID_NIR_TEST, "test") == ""
    assert ins.oid_problem(ins.OID_NIR_DEMO, "test") == ""
    assert "INS-C" in ins.oid_problem(ins.OID_INS_C, "test")
    assert ins.oid_problem("1.2.250.1.213.1.4.5", "test") == "not an INS OID"


def test_charset_and_normalisation() -> None:
    assert ins.insi_charset_problem("DE VINCI") == ""
    assert ins.insi_charset_problem("N'DIAYE--MARTIN") == ""
    assert ins.insi_charset_problem("Zoé")
    assert ins.insi_charset_problem("-ZOE")
    assert ins.insi_charset_problem("ZO---E")
    assert ins.normalise_name("Zoé  Cœur") == "ZOE COEUR"
    assert ins.normalise_name("pierre-alain") == "PIERRE-ALAIN"
    assert ins.normalise_date("19970226") == "1997-02-26"
    assert ins.parse_cx("162018885045327^^^&1.2.250.1.213.1.4.10&ISO^NH") == (
        "162018885045327",
        "1.2.250.1.213.1.4.10",
    )
