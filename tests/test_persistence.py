"""No lost work and the same results every time, through the whole app (`app.py`, AppTest).

- A tender uploaded as a zip through the Tender page, What-if settings (weights, lines, a
  bid's prices, the Monte Carlo draws and switches), a language switch, visits to every other
  page and plain reruns: back on each page, the uploaded tender is still the one in use and
  every setting and every figure shown is the same.
- The tender downloaded from the Tender page (the zip, with `scenarios/whatif.yaml`, exactly
  the bytes the download button gives) and uploaded in a fresh session, with `whatif.yaml`
  picked on the What-if page, restores the same settings and the same results: the same
  ranking table, the same evaluation JSON byte for byte, and downloaded again, the same zip
  bytes.
- The app's cached evaluation gives the same JSON as a fresh evaluation of the same files.

Already covered elsewhere, not repeated here: evaluating twice gives byte-identical JSON
(tests/test_properties.py property 6, tests/test_cli.py), Monte Carlo's same seed gives the
same bytes (tests/test_montecarlo.py), the workbook and the PDF (tests/test_export.py,
tests/test_report.py), settings → scenario YAML → settings (tests/test_app.py).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from scenarios.overlay import apply, scenario_from_dict
from scoring import EXAMPLE_TENDER, evaluate
from scoring.archive import files_from_zip, files_of_folder, zip_of
from scoring.load import build_tender, read_files
from scoring.yamlio import parse_yaml_mapping

from conftest import app_test, go

FILES = files_of_folder(EXAMPLE_TENDER)


def uploaded_files() -> dict[str, bytes]:
    """The bundled example, made recognisable: another name, a cheaper Telvia plan."""
    files = dict(FILES)
    files["tender.yaml"] = files["tender.yaml"].replace(b"name: Example", b"name: Uploaded")
    files["bids/telvia.yaml"] = files["bids/telvia.yaml"].replace(b"monthly_fee: 14.50", b"monthly_fee: 13.50")
    assert files != FILES
    return files


FILES_NAME_UPLOADED = build_tender(read_files("mine", uploaded_files())).name
SETTINGS = {"w_price": 70.0, "w_technical_memo": 30.0, "lines": 1.2, "p_telvia": -5.0}


@pytest.fixture
def downloads(monkeypatch):
    """The data of every deferred download button (`data=` a callable), by file name: the
    bytes the user gets on a click, which AppTest cannot click."""
    made: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


app = app_test


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, "application/zip")).run()
    assert not at.exception, at.exception
    return at


def snapshot(at: AppTest) -> dict:
    """What the page shows: titles, captions, metrics, every table, every slider and toggle."""
    return {
        "title": [t.value for t in at.title],
        "caption": [c.value for c in at.caption],
        "metric": [(m.label, m.value) for m in at.metric],
        "tables": [d.value.to_json() for d in at.dataframe],
        "sliders": {s.key: s.value for s in at.slider},
        "select_sliders": {s.key: s.value for s in at.select_slider},
        "toggles": {t.key: t.value for t in at.toggle},
        "charts": len(at.get("plotly_chart")),
    }


def set_whatif(at: AppTest) -> None:
    for key, value in SETTINGS.items():
        at.slider(key=key).set_value(value).run()
    at.select_slider(key="mc_draws").set_value(1000).run()
    at.toggle(key="run_mc").set_value(True).run()
    assert not at.exception, at.exception


def test_upload_and_settings_survive_page_switches_reruns_and_language():
    at = app()
    upload(at, "mine.zip", zip_of(uploaded_files(), "mine"))
    tender_page = snapshot(at)
    assert tender_page["title"] == [FILES_NAME_UPLOADED]
    go(at, "compare")
    compare_page = snapshot(at)
    go(at, "what-if")
    set_whatif(at)
    whatif_page = snapshot(at)
    assert {k: whatif_page["sliders"][k] for k in SETTINGS} == SETTINGS
    assert whatif_page["select_sliders"]["mc_draws"] == 1000 and whatif_page["toggles"]["run_mc"]
    assert whatif_page["charts"] == 3  # the ranking and Monte Carlo's two
    assert snapshot(at.run()) == whatif_page  # a rerun changes nothing
    for url_path in ("costs", "switching", "summary", "", "compare"):
        go(at, url_path)
    assert snapshot(at) == compare_page  # the uploaded tender, as written
    go(at, "")
    assert snapshot(at) == tender_page
    go(at, "what-if")
    assert snapshot(at) == whatif_page  # every setting kept, the same results
    at.segmented_control(key="lang").set_value("FR").run()
    assert {k: at.slider(key=k).value for k in SETTINGS} == SETTINGS
    assert at.select_slider(key="mc_draws").value == 1000 and at.toggle(key="run_mc").value
    at.segmented_control(key="lang").set_value("EN").run()
    assert snapshot(at) == whatif_page


def test_downloaded_tender_restores_the_same_results_in_a_new_session(downloads):
    at = app()
    upload(at, "mine.zip", zip_of(uploaded_files(), "mine"))
    go(at, "what-if")
    set_whatif(at)
    ranking = [d.value.to_json() for d in at.dataframe]
    scenario = at.session_state["whatif_scenario"]
    go(at, "")
    zipped = downloads["mine.zip"]()
    assert zipped == downloads["mine.zip"]()  # the same files, the same bytes
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        assert "mine/scenarios/whatif.yaml" in z.namelist()

    fresh = app()
    upload(fresh, "mine.zip", zipped)
    assert fresh.title[0].value == FILES_NAME_UPLOADED
    go(fresh, "what-if")
    assert fresh.slider(key="w_price").value != SETTINGS["w_price"]  # an upload starts from the tender as written
    fresh.selectbox(key="scenario_pick").set_value("scenarios/whatif.yaml").run()
    assert not fresh.exception, fresh.exception
    assert [d.value.to_json() for d in fresh.dataframe] == ranking
    assert fresh.slider(key="w_price").value == SETTINGS["w_price"]
    assert fresh.slider(key="lines").value == SETTINGS["lines"]
    assert fresh.slider(key="p_telvia").value == SETTINGS["p_telvia"]
    assert fresh.session_state["whatif_scenario"] == scenario
    go(fresh, "")
    assert downloads["mine.zip"]() == zipped  # downloaded again: the same bytes

    # The same evaluation, byte for byte: the settings saved in the zip against those in use.
    files = files_from_zip(zipped)
    saved = parse_yaml_mapping(files["scenarios/whatif.yaml"], "whatif.yaml")
    before = evaluate(apply(build_tender(read_files("mine", uploaded_files())), scenario_from_dict(scenario)))
    after = evaluate(apply(build_tender(read_files("mine", files)), scenario_from_dict(saved)))
    assert after.to_json() == before.to_json()


def test_the_apps_cached_evaluation_is_a_fresh_evaluation():
    from ui import api

    at = app()
    upload(at, "mine.zip", zip_of(uploaded_files(), "mine"))
    source = at.session_state["source"]
    cached = api._evaluation(source.digest, api._tender(source.digest, source).value).value
    assert cached.to_json() == evaluate(build_tender(read_files("mine", uploaded_files()))).to_json()
