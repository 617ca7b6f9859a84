"""The whole app once in headless Chromium (Debian's `chromium`, driven by Playwright):
`streamlit run` on 127.0.0.1, every page in both languages, charts drawn, no "Deploy" button,
a tender uploaded through the page's file uploader, a scenario downloaded, screenshots saved
to tests/screenshots/ (git-ignored). The server writes to a log file (no pipe left open) and
every file the test opens is closed: it runs clean under `-W error::ResourceWarning`."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"
PAGES = {"": 1, "compare": 3, "costs": 4, "switching": 3, "what-if": 1, "award-split": 2, "summary": 3,
         "invoice-audit": 4, "service-review": 9}  # charts expected
TITLES = {"compare": ("Compare", "Comparer"), "costs": ("Costs", "Coûts"),
          "switching": ("Switching", "Changement d'opérateur"), "what-if": ("What-if", "Simulations"),
          "award-split": ("Award split", "Attribution partagée"),
          "summary": ("Decision summary", "Synthèse de décision"),
          "invoice-audit": ("Invoice audit", "Audit des factures"),
          "service-review": ("Service & review", "Service et revue")}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

playwright = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from live_server import Servers

    running = Servers(tmp_path_factory.mktemp("e2e"))
    try:
        yield running.start()[0]  # no secrets file: the gate is off whatever the developer's own
    finally:
        running.stop()


def _wait_for_app(page, charts: int) -> None:
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    if charts:
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
                               timeout=60_000)


def test_every_page_in_both_languages_and_a_scenario_download(server, tmp_path):
    from playwright.sync_api import sync_playwright

    from scoring.archive import files_of_folder, zip_of

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
        page = context.new_page()
        for lang in ("en", "fr"):
            for path, charts in PAGES.items():
                page.goto(f"{server}/{path}?lang={lang.upper()}")
                _wait_for_app(page, charts)
                assert page.locator("[data-testid='stException']").count() == 0, f"{path} ({lang}) shows an exception"
                assert page.get_by_text("Page not found").count() == 0, f"/{path} is not a page"
                assert page.locator("[data-testid='stAppDeployButton']").count() == 0, "a Deploy button shows"
                if path in TITLES:
                    expected = TITLES[path][0 if lang == "en" else 1]
                    assert page.locator("h1").first.inner_text().strip() == expected, f"{path} ({lang})"
                drawn = page.locator(".js-plotly-plot .main-svg").count()
                assert drawn >= charts, f"{path} ({lang}): {drawn} charts drawn, {charts} expected"
                page.screenshot(path=str(SHOTS / f"{lang}-{path or 'tender'}.png"), full_page=True)
        # A tender uploaded through the Tender page's file uploader (Streamlit's upload endpoint,
        # which takes files only from sessions the access gate has admitted) replaces the example.
        page.goto(f"{server}/?lang=EN")
        _wait_for_app(page, 1)
        files = files_of_folder(ROOT / "tenders" / "conseil-2027")
        spec = yaml.safe_load(files["tender.yaml"])
        spec["name"] = "Uploaded tender"
        files["tender.yaml"] = yaml.safe_dump(spec, allow_unicode=True).encode()
        upload = tmp_path / "uploaded.zip"
        upload.write_bytes(zip_of(files, "uploaded"))
        page.locator("[data-testid='stExpander'] summary").first.click()
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
        page.wait_for_selector("h1:has-text('Uploaded tender')", timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        # A what-if setting travels in the address, and the saved scenario carries it.
        page.goto(f"{server}/what-if?lang=EN&w_price=70")
        _wait_for_app(page, 1)
        with page.expect_download() as download:
            page.get_by_text("Save these settings as a scenario (YAML)").click()
        target = tmp_path / "whatif.yaml"
        download.value.save_as(target)
        scenario = yaml.safe_load(target.read_text())
        assert scenario["set"]["evaluation"]["price"]["weight"] == 70
        # The evaluation workbook and the management report are built on request.
        page.goto(f"{server}/compare?lang=EN")
        _wait_for_app(page, 1)
        with page.expect_download() as download:
            page.get_by_text("Download the evaluation workbook (Excel)").click()
        assert download.value.path().read_bytes()[:2] == b"PK"
        page.goto(f"{server}/summary?lang=FR")
        _wait_for_app(page, 1)
        with page.expect_download(timeout=120_000) as download:
            page.get_by_text("Télécharger le rapport de synthèse (PDF)").click()
        assert download.value.path().read_bytes()[:4] == b"%PDF"
        context.close()
        browser.close()
