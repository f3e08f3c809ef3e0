"""The worked example: every figure of the report typed out by hand."""

from datetime import date
from decimal import Decimal

from tracker.reports.registry import build_report
from tracker.reports.tables import Period

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
H1 = Period(date(2025, 1, 1), date(2025, 6, 30))
D = Decimal


def tables(project, period):
    return {t.key: t for s in build_report(project, period) for t in s.tables}


def values(table):
    return {row.label: [cell.value for cell in row.cells] for row in table.rows}


def test_participants_by_municipality_and_gender_with_row_and_column_percentages(example):
    t = tables(example.project, YEAR)
    assert t["deltagare_kon_kommun"].columns == ["Hemkommun", "Kvinna", "Man", "Annat", "Totalt"]
    assert values(t["deltagare_kon_kommun"]) == {
        "Enköping": [2, 0, 0, 2],
        "Tierp": [0, 1, 0, 1],
        "Uppsala": [1, 1, 1, 3],
        "Totalt": [3, 2, 1, 6],
    }
    # Uppsala 1/1/1: naive rounding gives 33.3 + 33.3 + 33.3 = 99.9; largest remainder gives 100.0.
    assert values(t["deltagare_kon_kommun_rad"]) == {
        "Enköping": [D(100), D(0), D(0), D(100)],
        "Tierp": [D(0), D(100), D(0), D(100)],
        "Uppsala": [D("33.4"), D("33.3"), D("33.3"), D(100)],
        "Totalt": [D(50), D("33.3"), D("16.7"), D(100)],
    }
    assert values(t["deltagare_kon_kommun_kolumn"]) == {
        "Enköping": [D("66.7"), D(0), D(0), D("33.3")],
        "Tierp": [D(0), D(50), D(0), D("16.7")],
        "Uppsala": [D("33.3"), D(50), D(100), D(50)],
        "Totalt": [D(100), D(100), D(100), D(100)],
    }


def test_already_and_newly_enrolled_count_the_period_edges(example):
    # Enrolled on the first and on the last day of the period count as new; discharged after the
    # period still counts as a participant; discharged before or enrolled after does not count.
    t = tables(example.project, YEAR)
    assert values(t["deltagare_nya"]) == {
        "Inskrivna före perioden": [2, D("33.3")],
        "Nyinskrivna under perioden": [4, D("66.7")],
        "Totalt": [6, D(100)],
    }


def test_discharges_by_reason_and_gender_with_length_and_income_before(example):
    t = tables(example.project, YEAR)
    assert values(t["utskrivna_orsak_kon"]) == {
        "Arbete": [0, 2, 2],
        "Studier": [1, 0, 1],
        "Totalt": [1, 2, 3],
    }
    assert values(t["inskrivningstid"]) == {
        "Median": [183],
        "Kortast": [59],
        "Längst": [227],
        "Antal utskrivna": [3],
    }
    # 1/1/1 again: 33.4 + 33.3 + 33.3 = 100.0 (the first row takes the extra tenth on a tie).
    assert values(t["forsorjning_fore"]) == {
        "Ekonomiskt bistånd": [1, D("33.4")],
        "Sjukpenning": [1, D("33.3")],
        "Ingen": [1, D("33.3")],
        "Totalt": [3, D(100)],
    }


def test_referrers_and_authority_combinations(example):
    t = tables(example.project, YEAR)
    assert values(t["remittenter"]) == {
        "Försäkringskassan": [1, D("33.3")],
        "Socialtjänst": [2, D("66.7")],
        "Totalt": [3, D(100)],
    }
    assert values(t["myndigheter"]) == {
        "FK + Region": [2, D("33.3")],
        "Kommun": [2, D("33.3")],
        "FK + Region + Kommun": [1, D("16.7")],
        "Ingen myndighet": [1, D("16.7")],
        "Totalt": [6, D(100)],
    }


def test_activities_count_consultations_groups_and_information_sessions(example):
    t = tables(example.project, YEAR)
    assert values(t["konsultationer"]) == {
        "Försäkringskassan": [1, D(50)],
        "Skola": [1, D(50)],
        "Totalt": [2, D(100)],
    }
    assert values(t["grupper"]) == {"Måndagsgruppen": [2, 3, 2], "Totalt": [2, 3, None]}
    assert values(t["informationstillfallen"]) == {"Genomförda tillfällen": [2], "Deltagare totalt": [25]}


def test_consents_of_participants_at_period_end(example):
    t = tables(example.project, YEAR)
    assert values(t["samtycken"]) == {
        "Giltiga": [1, D("33.4")],
        "Utgångna": [1, D("33.3")],
        "Återkallade": [1, D("33.3")],
        "Totalt": [3, D(100)],
    }


def test_hours_by_category_with_shares(example):
    t = tables(example.project, YEAR)
    assert values(t["timmar"]) == {
        "Patientarbete": [D("2.5"), D("47.6")],
        "Internt möte": [D("2.5"), D("47.6")],
        "Externt möte": [D(0), D(0)],
        "Information till kollegor/externa": [D(0), D(0)],
        "Administration": [D("0.25"), D("4.8")],
        "Totalt": [D("5.25"), D(100)],
    }


def test_invoice_split_across_a_key_change_adds_up_to_the_total(example):
    # Key A (33.33/33.33/33.34) until June: 2.5 h × 400 = 1000 kr.
    # Key B (50/30/20) from July: 2.5 h × 400 + 0.25 h × 850.30 = 1212.575 kr.
    # Total 2212.575 → 2213 kr; exact parts 939.77 / 697.21 / 576.03 → 940 / 697 / 576.
    t = tables(example.project, YEAR)
    assert values(t["fakturering"]) == {
        "Förbund A": [940, D("42.5")],
        "Förbund B": [697, D("31.5")],
        "Förbund C": [576, D("26.0")],
        "Totalt": [2213, D(100)],
    }


def test_invoice_split_where_naive_rounding_would_lose_a_krona(example):
    # 1000 kr by 33.33/33.33/33.34 = 333.3 + 333.3 + 333.4: naive rounding gives 999 kr.
    t = tables(example.project, H1)
    rows = values(t["fakturering"])
    assert [rows[name][0] for name in ("Förbund A", "Förbund B", "Förbund C", "Totalt")] == [
        333,
        333,
        334,
        1000,
    ]


def test_budget_is_prorated_to_the_period(example):
    t = tables(example.project, H1)
    # 36 500 kr a year × 181/365 days = 18 100 kr; outcome 333 kr = 1.8 %.
    assert values(t["budget"])["Förbund A"] == [D(18100), 333, D("1.8")]
