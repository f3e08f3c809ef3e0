"""Reading files as Swedish Excel writes them: encodings, delimiters, XLSX, limits."""

import codecs

import pytest

from tests.imports.conftest import xlsx_bytes
from tracker.imports.reader import FileProblem, decode, read_table, sniff_delimiter

LIMITS = {"max_rows": 100, "max_bytes": 100_000}


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("Förnamn;Ort\r\nÅsa;Växjö\r\n".encode("cp1252"), "windows-1252"),
        ("Förnamn;Ort\r\nÅsa;Växjö\r\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "Förnamn;Ort\r\nÅsa;Växjö\r\n".encode(), "utf-8-sig"),
        ("Förnamn\tOrt\r\nÅsa\tVäxjö\r\n".encode("utf-16"), "utf-16"),
    ],
)
def test_utf8_with_or_without_bom_and_windows_1252_are_read(content, encoding):
    table = read_table(content, **LIMITS)
    assert table.encoding == encoding
    assert table.headers == ["Förnamn", "Ort"] and table.rows == [(2, ["Åsa", "Växjö"])]


def test_the_delimiter_is_taken_from_the_header_line():
    assert sniff_delimiter('Datum;Projekt;Timmar\n2026-03-02;"A, B";1,5') == ";"
    assert sniff_delimiter("Datum,Projekt,Timmar\n2026-03-02,A;B,1.5") == ","
    assert sniff_delimiter("Datum\n2026-03-02") == ";"
    table = read_table(b'Parter;Form\r\n"FK;Region";Skriftligt\r\n', **LIMITS)
    assert table.delimiter == ";" and table.rows[0][1] == ["FK;Region", "Skriftligt"]


def test_row_numbers_are_excel_rows_and_blank_lines_are_skipped():
    table = read_table(b"A;B\r\n1;2\r\n;\r\n\r\n3;4\r\n", **LIMITS)
    assert [number for number, _ in table.rows] == [2, 5]


def test_xlsx_rows_keep_their_sheet_row_numbers_and_types():
    from datetime import datetime

    table = read_table(
        xlsx_bytes([["Datum", "Timmar"], [datetime(2026, 3, 2), 1.5], [None, None], ["x", 2]]), **LIMITS
    )
    assert table.file_type == "xlsx"
    assert [(n, cells[:2]) for n, cells in table.rows] == [(2, [datetime(2026, 3, 2), 1.5]), (4, ["x", 2])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen är tom."),
        (b"A;B\r\n", "inga rader under rubrikraden"),
        (b"\xd0\xcf\x11\xe0rest", ".xls"),
        (b"PK\x03\x04not really a zip", "Excel-fil"),
        (b"A;B\r\n\x81\x8d\x8f;\x90\r\n", "kunde inte läsas som text"),
        (b"A;B\x00\r\n", "varken en CSV- eller en XLSX-fil"),
        (b"x" * 100_001, "för stor"),
        (b"A\r\n" + b"1\r\n" * 101, "fler än 100 rader"),
    ],
)
def test_unreadable_files_get_a_swedish_explanation(content, message):
    with pytest.raises(FileProblem) as problem:
        read_table(content, **LIMITS)
    assert message in str(problem.value)


def test_windows_1252_is_only_tried_when_utf8_fails():
    assert decode("Å".encode())[1] == "utf-8"
    assert decode("Å".encode("cp1252"))[1] == "windows-1252"


def test_an_xlsx_that_would_unpack_too_large_is_refused(monkeypatch):
    from tracker.imports import reader

    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(FileProblem, match="för stor uppackad"):
        read_table(xlsx_bytes([["A"], [1]]), **LIMITS)
