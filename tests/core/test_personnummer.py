from datetime import date

import pytest

from tracker.core import personnummer as pnr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("19900101-0017", "199001010017"),
        ("199001010017", "199001010017"),
        ("900101-0017", "199001010017"),  # 10 digits, "-": under 100 years old
        ("900101+0017", "189001010017"),  # "+": 100 or older
        (" 19900101-0017 ", "199001010017"),
    ],
)
def test_valid_personnummer_is_normalised_to_12_digits(raw, expected):
    assert pnr.normalise(raw) == expected


def test_samordningsnummer_with_day_plus_60_is_accepted():
    assert pnr.normalise("19900161-0014") == "199001610014"
    assert pnr.is_coordination_number("199001610014")


@pytest.mark.parametrize("raw", ["19900101-0018", "199001010010"])
def test_wrong_check_digit_is_rejected_with_swedish_message(raw):
    with pytest.raises(pnr.InvalidPersonnummer, match="kontrollsiffra"):
        pnr.normalise(raw)


@pytest.mark.parametrize("raw", ["19900230-0010", "19901301-0016", "19900192-0011"])
def test_impossible_date_is_rejected(raw):
    assert not pnr.is_valid(raw)


@pytest.mark.parametrize("raw", ["", "abc", "1990-01-01", "19900101_0017", "1' OR 1=1 --", "1" * 40])
def test_malformed_input_is_rejected_without_echoing_it(raw):
    with pytest.raises(pnr.InvalidPersonnummer) as excinfo:
        pnr.normalise(raw)
    assert raw.strip() == "" or raw not in str(excinfo.value)


def test_display_form_has_hyphen():
    assert pnr.display("199001010017") == "19900101-0017"


@pytest.mark.parametrize(
    ("stored", "born"),
    [
        ("199001010017", date(1990, 1, 1)),
        ("199001610014", date(1990, 1, 1)),  # samordningsnummer: day + 60
        ("ANON7K2Q9XZB", None),  # an anonymised individual's placeholder
        ("199002300010", None),
    ],
)
def test_the_birth_date_is_read_from_a_stored_number_and_a_samordningsnummer_counts_day_minus_60(
    stored, born
):
    assert pnr.birth_date(stored) == born


def test_the_age_counts_completed_years():
    assert pnr.age_on(date(2000, 5, 17), date(2025, 5, 16)) == 24
    assert pnr.age_on(date(2000, 5, 17), date(2025, 5, 17)) == 25
