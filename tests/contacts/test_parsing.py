"""Values as Nordic spreadsheets write them: numbers, dates and languages (contacts/parsing.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts.parsing import ValueProblem, parse_date, parse_decimal, parse_language

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


# --- Numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,56", Decimal("1234.56")),
    ("1 234,56", Decimal("1234.56")),
    (f"1{NBSP}234,56", Decimal("1234.56")),
    (f"1{NARROW_NBSP}234,56", Decimal("1234.56")),
    ("1,234.56", Decimal("1234.56")),
    ("1234,5", Decimal("1234.5")),
    ("1234.5", Decimal("1234.5")),
    ("1.234", Decimal("1234")),
    ("1.234.567", Decimal("1234567")),
    ("1.234.567,89", Decimal("1234567.89")),
    ("DKK 1.234,00", Decimal("1234.00")),
    ("1.234,00 kr.", Decimal("1234.00")),
    ("kr. 1.234,00", Decimal("1234.00")),
    ("1.234,00 EUR", Decimal("1234.00")),
    ("€ 99,95", Decimal("99.95")),
    ("1.234,-", Decimal("1234")),
    ("-1.234,56", Decimal("-1234.56")),
    ("0,5", Decimal("0.5")),
    ("  42  ", Decimal("42")),
    ("12.5", Decimal("12.5")),
])
def test_parse_decimal_reads_the_ways_numbers_are_written(text, expected):
    value = parse_decimal(text)

    assert value == expected
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(("value", "expected"), [
    (1234, Decimal("1234")),
    (1234.5, Decimal("1234.5")),
    (Decimal("1234.56"), Decimal("1234.56")),
])
def test_parse_decimal_takes_spreadsheet_numbers_as_they_are(value, expected):
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("text", ["", "   ", "abc", "1,2,3", "12abc34", "one thousand", "1.2.3,4,5", "-", "kr.",
                                  "1,234,567"])
def test_parse_decimal_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueProblem):
        parse_decimal(text)


def _danish(value: Decimal) -> str:
    """`value` written with two decimals the Danish way: dot thousands, comma decimals."""
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def test_danish_formatter_used_by_the_property_test_writes_what_danes_write():
    assert _danish(Decimal("1234567.5")) == "1.234.567,50"
    assert _danish(Decimal("-0.25")) == "-0,25"
    assert _danish(Decimal("999")) == "999,00"


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2,
                   allow_nan=False, allow_infinity=False))
def test_a_danish_written_amount_reads_back_as_the_same_value(value):
    assert parse_decimal(_danish(value)) == value


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999.99"), places=2,
                   allow_nan=False, allow_infinity=False),
       st.sampled_from(["DKK ", "", "kr. "]), st.sampled_from(["", " kr.", " DKK"]))
def test_a_danish_amount_with_a_currency_reads_back_as_the_same_value(value, prefix, suffix):
    text = f"{prefix}{_danish(value).replace('.', NBSP)}{suffix}"
    assert parse_decimal(text) == value


# --- Dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["31-12-2025", "31.12.2025", "31/12/2025", "31/12/25", "31-12-25", "2025-12-31",
                                  "2025-12-31 00:00:00", "2025-12-31T10:30", " 31.12.2025 "])
def test_parse_date_reads_day_first_and_iso_dates(text):
    assert parse_date(text) == dt.date(2025, 12, 31)


def test_parse_date_reads_single_digit_days_and_months():
    assert parse_date("1.2.2024") == dt.date(2024, 2, 1)
    assert parse_date("2024-2-1") == dt.date(2024, 2, 1)


def test_parse_date_takes_spreadsheet_date_cells_as_they_are():
    assert parse_date(dt.datetime(2025, 12, 31, 13, 45)) == dt.date(2025, 12, 31)
    assert parse_date(dt.date(2025, 12, 31)) == dt.date(2025, 12, 31)


@pytest.mark.parametrize("text", ["2025-02-30", "30-02-2025", "31-13-2025", "tomorrow", "", "12/31/2025x",
                                  "2025/12", "31122025"])
def test_parse_date_refuses_impossible_or_unreadable_dates(text):
    with pytest.raises(ValueProblem):
        parse_date(text)


# --- Languages -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "code"), [
    ("da", "da"), ("DA", "da"), ("sv", "sv"), ("nb", "nb"), ("fi", "fi"), ("hr", "hr"), ("de", "de"), ("en", "en"),
    ("da-DK", "da"), ("en-GB", "en"),
    ("Dansk", "da"), ("svenska", "sv"), ("Norsk", "nb"), ("no", "nb"), ("Norsk bokmål", "nb"), ("Suomi", "fi"),
    ("Deutsch", "de"), ("English", "en"), ("Hrvatski", "hr"), ("dk", "da"), ("se", "sv"),
])
def test_parse_language_reads_codes_and_names(text, code):
    assert parse_language(text) == code


@pytest.mark.parametrize("text", ["klingon", "xx", "", "français", "es"])
def test_parse_language_refuses_unknown_languages_and_names_the_choices(text):
    with pytest.raises(ValueProblem) as problem:
        parse_language(text)
    assert "da, sv, nb, fi, hr, de or en" in str(problem.value)
