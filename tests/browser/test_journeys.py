"""The main user journeys, in a real browser, with accessibility checks."""

import re

import pytest

from tests.browser.conftest import axe_violations, login, logout

pytestmark = pytest.mark.browser


def _assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, violations


def test_rehabkoordinator_registers_an_individual_and_a_consent(page, live_server):
    login(page, live_server, "rehab1@demo.puls.example")
    _assert_accessible(page)
    page.get_by_role("link", name="Personer", exact=True).click()
    _assert_accessible(page)
    page.get_by_role("link", name="Registrera person").click()
    _assert_accessible(page)
    page.get_by_label("Personnummer eller samordningsnummer").fill("20000517-9809")
    page.get_by_label("Förnamn").fill("Webb")
    page.get_by_label("Efternamn").fill("Testsson")
    page.get_by_label("Kön").select_option("kvinna")
    page.get_by_label("Hemkommun").fill("Uppsala")
    page.get_by_label("Handläggare på Försäkringskassan").select_option(label="Frida Handläggare")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Webb Testsson").wait_for()
    assert "200005179809" not in page.url
    _assert_accessible(page)

    page.get_by_role("link", name="Registrera samtycke").click()
    _assert_accessible(page)
    page.get_by_label("Försäkringskassan").check()
    page.get_by_label("Informationsutbyte för rehabilitering").check()
    for label in ("Identitet och kontaktuppgifter", "Läkarutlåtanden", "Vårdplan och insatser"):
        page.get_by_label(label).check()
    page.get_by_label("Gäller från").fill("2026-01-01")
    page.get_by_label("Gäller till och med").fill("2030-12-31")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Samtycket är registrerat.").wait_for()
    assert page.locator("td.status-active").count() >= 1
    _assert_accessible(page)


def test_form_errors_are_shown_in_swedish_with_values_kept(page, live_server):
    login(page, live_server, "rehab2@demo.puls.example")
    page.goto(f"{live_server}/personer/ny")
    page.get_by_label("Personnummer eller samordningsnummer").fill("20000517-9808")
    page.get_by_label("Förnamn").fill("Fel")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("kontrollera datum och kontrollsiffra").first.wait_for()
    assert page.get_by_label("Förnamn").input_value() == "Fel"
    _assert_accessible(page)


def test_fk_handlaggare_sees_own_cases_but_healthcare_only_with_consent(page, live_server):
    login(page, live_server, "fk1@demo.puls.example")
    _assert_accessible(page)
    page.get_by_role("link", name="Personer", exact=True).click()
    page.locator("tbody a").first.click()
    page.get_by_role("heading", name="Din åtkomst i ärendet").wait_for()
    text = page.locator("ul.access").inner_text()
    assert "FK-beslut och bevakningar: visas" in text
    _assert_accessible(page)


def test_fk_handlaggare_checks_consent_without_seeing_the_case(page, live_server):
    login(page, live_server, "fk1@demo.puls.example")
    page.get_by_role("link", name="Samtyckeskontroll").click()
    page.get_by_label("Personnummer").fill("19900101-0017")
    page.get_by_role("button", name="Kontrollera").click()
    page.get_by_text("Nej – inget giltigt samtycke").wait_for()
    _assert_accessible(page)


def test_admin_pages_are_accessible(page, live_server):
    login(page, live_server, "admin@demo.puls.example")
    for name in ("Användare", "Organisationer", "Logg"):
        page.get_by_role("link", name=name, exact=True).click()
        _assert_accessible(page)
    logout(page)
    page.get_by_text("Du är utloggad.").wait_for()


def _tab_to(page, predicate: str, limit: int = 30) -> None:
    """Press Tab until `predicate` (JS over `el`, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"could not reach {predicate} with Tab")


def test_keyboard_only_login_and_search(page, live_server):
    page.goto(f"{live_server}/login")
    _tab_to(page, "el.name === 'email'")
    page.keyboard.type("rehab3@demo.puls.example")
    page.keyboard.press("Tab")
    page.keyboard.type("puls-demo-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    _tab_to(page, "el.textContent.trim() === 'Personer'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/personer/$"))
    _tab_to(page, "el.name === 'q'")
    page.keyboard.type("Rut")
    page.keyboard.press("Enter")
    page.get_by_role("table").wait_for()
    _assert_accessible(page)
