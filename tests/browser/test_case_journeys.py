"""Journeys across the AE workflow, meetings and reports (issue 8), with axe checks."""

from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, axe_violations, login
from tracker.demo import _luhn_digit

pytestmark = pytest.mark.browser


def _assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, violations


def _pnr(born: str, serial: str) -> str:
    return f"{born}-{serial}{_luhn_digit(born[2:] + serial)}"


def _access_line(page, label: str) -> str:
    return page.locator("ul.access li", has_text=label).inner_text()


def test_certificate_decision_plan_and_fk_sees_plan_only_after_consent(browser, live_server):
    rehab = browser.new_context(bypass_csp=True, locale="sv-SE").new_page()
    fk = browser.new_context(bypass_csp=True, locale="sv-SE").new_page()
    try:
        login(rehab, live_server, "rehab1@demo.puls.example")
        rehab.goto(f"{live_server}/personer/ny")
        rehab.get_by_label("Personnummer eller samordningsnummer").fill(_pnr("19990101", "985"))
        rehab.get_by_label("Förnamn").fill("Journey")
        rehab.get_by_label("Efternamn").fill("Planström")
        rehab.get_by_label("Hemkommun").fill("Uppsala")
        rehab.get_by_label("Handläggare på Försäkringskassan").select_option(label="Frida Handläggare")
        rehab.get_by_role("button", name="Spara").click()
        rehab.get_by_role("heading", name="Journey Planström").wait_for()
        person_url = rehab.url

        rehab.get_by_role("link", name="Registrera läkarutlåtande").click()
        rehab.get_by_label("Utfärdat").fill("2026-03-02")
        rehab.get_by_role("button", name="Spara").click()
        rehab.wait_for_url(person_url)

        rehab.get_by_role("link", name="Registrera FK-beslut").click()
        _assert_accessible(rehab)
        rehab.get_by_label("Utfall").select_option(label="Beviljad")
        rehab.get_by_label("Beslutsdatum").fill("2026-03-10")
        rehab.get_by_label("Nivå").select_option(label="Hel")
        rehab.get_by_label("Periodens början").fill("2026-04-01")
        rehab.get_by_label("Periodens slut").fill("2027-03-31")
        rehab.get_by_label("Ansvarig handläggare").select_option(label="Frida Handläggare")
        rehab.get_by_role("button", name="Spara").click()
        rehab.wait_for_url(person_url)

        rehab.get_by_role("link", name="Lägg bevakning").click()
        rehab.get_by_label("Ägare (handläggare)").select_option(label="Frida Handläggare")
        rehab.get_by_label("Förfallodag").fill("2026-03-20")
        rehab.get_by_role("button", name="Spara").click()
        rehab.wait_for_url(person_url)

        rehab.get_by_role("link", name="Upprätta vårdplan").click()
        rehab.get_by_label("Upprättad").fill("2026-03-12")
        rehab.get_by_label("Mål").fill("Komma tillbaka till studier under hösten.")
        rehab.get_by_role("button", name="Spara").click()
        rehab.wait_for_url(person_url)
        rehab.get_by_text("Komma tillbaka till studier under hösten.").wait_for()
        _assert_accessible(rehab)

        # FK: the worklist shows the bevakning; the case shows the decision but not the plan.
        login(fk, live_server, "fk1@demo.puls.example")
        fk.get_by_role("link", name="Planström, Journey").first.wait_for()
        _assert_accessible(fk)
        fk.goto(person_url)
        assert "visas" in _access_line(fk, "FK-beslut och bevakningar")
        assert "ingen åtkomst" in _access_line(fk, "Vårdplan och insatser")
        fk.get_by_text("Beviljad").first.wait_for()
        assert fk.get_by_text("Komma tillbaka till studier under hösten.").count() == 0

        # The rehabkoordinator registers a consent covering FK and the plan ...
        rehab.get_by_role("link", name="Registrera samtycke").click()
        rehab.get_by_label("Försäkringskassan").check()
        rehab.get_by_label("Informationsutbyte för rehabilitering").check()
        for label in ("Identitet och kontaktuppgifter", "Läkarutlåtanden", "Vårdplan och insatser"):
            rehab.get_by_label(label).check()
        rehab.get_by_label("Gäller från").fill("2026-03-16")
        rehab.get_by_role("button", name="Spara").click()
        rehab.get_by_text("Samtycket är registrerat.").wait_for()

        # ... and now FK sees the plan.
        fk.reload()
        assert "visas" in _access_line(fk, "Vårdplan och insatser")
        fk.get_by_text("Komma tillbaka till studier under hösten.").wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        fk.screenshot(path=str(ARTIFACTS / "fk_sees_plan_after_consent.png"), full_page=True)
    finally:
        rehab.context.close()
        fk.context.close()


def test_pulsmote_is_created_and_its_ics_downloaded_without_personal_data(page, live_server):
    login(page, live_server, "rehab1@demo.puls.example")
    page.goto(f"{live_server}/moten/")
    _assert_accessible(page)
    page.goto(f"{live_server}/moten/nytt")
    _assert_accessible(page)
    page.get_by_label("Rubrik").fill("Pulsmöte journey")
    page.get_by_label("Typ av möte").select_option(label="Pulsmöte")
    page.locator("#day").fill("2026-04-09")
    page.get_by_label("Starttid").fill("10:00")
    page.get_by_label("Sluttid").fill("11:00")
    page.get_by_label("Mötesform").select_option(index=0)
    page.get_by_label("Möteslänk").fill("https://meet.example/journey")
    page.get_by_label("Adress").fill("Mottagningen, Storgatan 1")
    page.get_by_label("Inbjudna organisationer").select_option(label="Försäkringskassan Lokalkontor Uppsala")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Pulsmöte journey").wait_for()
    _assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Lägg till i kalendern (.ics)").click()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"BEGIN:VCALENDAR") and b"\r\n" in content
    assert b"Pulsm" in content and b"DTSTART;TZID=Europe/Stockholm:20260409T100000" in content
    assert b"Rebecka" not in content and b"@demo.puls.example" not in content


def test_report_is_opened_and_exported(page, live_server):
    login(page, live_server, "ledning@demo.puls.example")
    page.goto(f"{live_server}/rapporter/")
    _assert_accessible(page)
    page.locator("main a[href^='/rapporter/']").first.click()
    page.get_by_role("link", name="XLSX", exact=True).wait_for()
    _assert_accessible(page)
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="XLSX", exact=True).click()
    assert Path(xlsx.value.path()).read_bytes()[:2] == b"PK"
    with page.expect_download() as csv:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert Path(csv.value.path()).read_bytes()[:3] == b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("rehab1@demo.puls.example", "/formaner/larm"),
        ("rehab1@demo.puls.example", "/formaner/lakarutlatanden"),
        ("rehab1@demo.puls.example", "/moten/manad"),
        ("rehab1@demo.puls.example", "/samtycken/utgaende"),
        ("rehab1@demo.puls.example", "/import/"),
        ("fk1@demo.puls.example", "/formaner/bevakningar"),
        ("samordnare@demo.puls.example", "/tid/vecka"),
        ("samordnare@demo.puls.example", "/insatser/"),
        ("admin@demo.puls.example", "/admin/logg/"),
        ("admin@demo.puls.example", "/api-dokumentation"),
    ],
)
def test_main_pages_have_no_serious_accessibility_violations(page, live_server, email, path):
    login(page, live_server, email)
    response = page.goto(f"{live_server}{path}")
    assert response.status == 200, path
    _assert_accessible(page)
