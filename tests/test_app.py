"""AppTest of the pages: they render without exception and show the model's numbers."""

from __future__ import annotations

import shutil

from conftest import DATA, ROOT
from streamlit.testing.v1 import AppTest

from scoring import EXAMPLE_TENDER, evaluate, load_tender


def frame_with(at: AppTest, column: str):
    """The first dataframe on the page that has ``column`` (AppTest does not expose keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)


def test_tender_page_shows_the_bundled_example_costs():
    at = app().run()
    assert not at.exception
    ev = evaluate(load_tender(EXAMPLE_TENDER))
    shown = frame_with(at, "TCO")
    for b in ev.to_dict()["bids"]:
        assert shown.loc[b["operator"], "TCO"] == b["tco"]
    assert at.title[0].value == ev.tender.name


def test_bad_tender_shows_the_error_table(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(DATA / "c1-sample", broken)
    (broken / "bids" / "azur.yaml").write_text("plans: [\n")
    at = app()
    at.session_state["tender_dir"] = str(broken)
    at.run()
    assert not at.exception
    errors = frame_with(at, "problem")
    assert list(errors.columns) == ["file", "field", "problem"]
    assert errors.iloc[0]["file"].endswith("bids/azur.yaml")
