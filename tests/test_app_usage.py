"""The billing export in the app (issue #7), with Streamlit's AppTest:

- the Tender page of the bundled example shows the export's usage per profile (a box chart
  and a table) whose numbers are `usage_summary`'s, checked against usage.csv read here with
  pandas;
- after loading `billed-usage.yaml` on the What-if page, the Costs page lists the most
  expensive lines: the head of `line_costs` under the same scenario, and its concentration
  figures;
- no raw phone number of usage.csv is in anything any page sends to the browser (every
  element's protobuf: text, tables' Arrow bytes, charts' JSON), in both languages;
- a broken usage.csv in an uploaded zip is a row of the error table naming it and the column;
- loose uploads obey the limits of a zip (file count, total size; exports have their own).
"""

from __future__ import annotations

import io
import re

import pandas as pd
import plotly.io as pio
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from reports import formats as i18n
from scenarios.overlay import apply, scenario_from_dict
from scoring import EXAMPLE_TENDER, archive, evaluate, load_tender
from scoring.archive import files_of_folder, zip_of
from scoring.cost import line_costs

from conftest import app_test, frame_with, go, protos

FILES = files_of_folder(EXAMPLE_TENDER)
BILLED = "scenarios/billed-usage.yaml"
PAGES = ["", "compare", "costs", "switching", "what-if", "summary"]  # "": the Tender page


app = app_test


def load_billed_usage(at: AppTest) -> AppTest:
    go(at, "what-if")
    at.selectbox(key="scenario_pick").set_value(BILLED).run()
    assert not at.exception, at.exception
    return at






@pytest.fixture(scope="module")
def usage_csv() -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(FILES["usage.csv"]), dtype={"msisdn": str})


@pytest.fixture(scope="module")
def billed_ev():
    return evaluate(apply(load_tender(EXAMPLE_TENDER), scenario_from_dict(yaml.safe_load(FILES[BILLED]))))


def test_tender_page_shows_the_billed_usage_per_profile(usage_csv):
    at = app()
    assert "Billed usage (billing export)" in [s.value for s in at.subheader]
    assert any(c.value.startswith("usage.csv: 2,000 lines × 12 months × 6 usage components") for c in at.caption)
    assert at.selectbox(key="billed_component_en").value == "data_gb"
    # Independently of the model: each line's mean over its months, then the consultants' median.
    per_line = (usage_csv.assign(gb=usage_csv["data_mb"] / 1000).groupby(["msisdn", "category"])["gb"].mean()
                .reset_index())
    consultants = per_line[per_line["category"] == "consultants"]["gb"]
    table = frame_with(at, "median (GB)")
    row = table.loc["Consultants (heavy data, tethering)"]
    assert row["median (GB)"] == i18n.number(consultants.median(), "en", 2)
    assert row["lines"] == i18n.number(len(consultants), "en", 0) == "1,050"
    assert row["max (GB)"] == i18n.number(consultants.max(), "en", 2)
    assert row["published mean (GB)"] == "20.00"
    [chart] = [p for p in protos(at._tree) if p.DESCRIPTOR.name == "PlotlyChart" and '"type":"box"' in p.spec]
    box = next(t for t in pio.from_json(chart.spec).data if t.type == "box")
    consultant = next(i for i, x in enumerate(box.x) if x.startswith("Consultants"))
    assert box.median[consultant] == pytest.approx(consultants.median(), rel=1e-12)
    assert box.upperfence[consultant] == pytest.approx(consultants.quantile(0.95), rel=1e-12)
    # Another component: the table follows, in its own unit.
    at.selectbox(key="billed_component_en").set_value("voice_min").run()
    assert "median (minutes)" in frame_with(at, "median (minutes)").columns


def test_costs_page_lists_the_most_expensive_lines_under_billed_usage(billed_ev):
    at = app()
    go(at, "costs")
    assert any("load the scenario “Billed usage, line by line” (billed-usage.yaml)" in c.value for c in at.caption)
    go(load_billed_usage(at), "costs")
    assert "Most expensive lines" in [s.value for s in at.subheader]
    bid = at.selectbox(key="lines_bid").value
    assert bid == billed_ev.winner
    expected = line_costs(billed_ev.costs, billed_ev.tender, bid)
    table = frame_with(at, "Line (pseudonym)")
    assert len(table) == 20
    head = expected.head(20)
    assert list(table["Line (pseudonym)"]) == list(head["line"])
    assert list(table["Total over the term"]) == [i18n.money(v, "en") for v in head["total"]]
    assert all(re.fullmatch(r"L-[0-9a-f]{16}", line) for line in table["Line (pseudonym)"])
    metrics = {m.label: m.value for m in at.metric}
    top = len(expected) // 100
    share = expected["total"].head(top).sum() / expected["total"].sum()
    assert metrics[f"Share of line costs carried by the 1% most expensive lines ({top} lines)"] == \
        i18n.percent(share, "en", 1)
    charges = (expected["usage"] + expected["pool_overage"]).sort_values(ascending=False)
    assert metrics[f"Share of usage charges carried by the 1% lines with the most ({top} lines)"] == \
        i18n.percent(charges.head(top).sum() / charges.sum(), "en", 1)
    # Another bid: its own lines.
    other = next(b for b in billed_ev.costs.bids if billed_ev.costs.costed(b) and b != bid)
    at.selectbox(key="lines_bid").set_value(other).run()
    expected = line_costs(billed_ev.costs, billed_ev.tender, other).head(20)
    assert list(frame_with(at, "Line (pseudonym)")["Total over the term"]) == \
        [i18n.money(v, "en") for v in expected["total"]]


def test_no_phone_number_reaches_the_browser(usage_csv):
    numbers = set(usage_csv["msisdn"].unique())
    assert len(numbers) == 2000 and all(n.startswith("+336") for n in numbers)
    forms = {form for n in numbers for form in (n, n[1:], "0" + n[3:])}  # +33639…, 33639…, 0639…
    token = re.compile(rb"(?<!\d)\+?\d{10,11}(?!\d)")
    assert {m.decode() for m in token.findall(FILES["usage.csv"][:2000])} & forms  # the scan finds them
    at = load_billed_usage(app())
    seen = 0
    for lang in ("EN", "FR"):
        at.segmented_control(key="lang").set_value(lang).run()
        for page in PAGES:
            go(at, page)
            for proto in protos(at._tree):
                sent = proto.SerializeToString()
                seen += len(sent)
                leaked = {m.decode() for m in token.findall(sent)} & forms
                assert not leaked, (lang, page, sorted(leaked)[:3])
            if page == "costs":
                assert at.dataframe[-1].value.iloc[0, 0].startswith("L-")
    assert seen > 100_000  # tables and charts were scanned, not just headings


def test_a_broken_export_in_a_zip_is_a_row_of_the_error_table():
    files = dict(FILES)
    rows = files["usage.csv"].split(b"\n")
    cells = rows[3].split(b",")
    cells[6] = b"abc"  # data_mb of the file's row 4
    rows[3] = b",".join(cells)
    files["usage.csv"] = b"\n".join(rows)
    at = app()
    at.file_uploader(key="upload").set_value(("conseil.zip", zip_of(files, "conseil"), "application/zip")).run()
    assert not at.exception, at.exception
    errors = frame_with(at, "problem")
    assert list(errors["file"]) == ["conseil/usage.csv"]
    assert list(errors["field"]) == ["row 4, column data_mb"]
    assert "'abc' is not a number" in errors["problem"][0]
    assert at.error[-1].value.startswith("The billing export has errors")


class Up:
    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def test_loose_files_are_placed_by_name_and_obey_the_limits_of_a_zip(monkeypatch):
    from scoring import TenderError
    from ui.tender_page import files_from_upload

    loose = files_from_upload([Up("tender.yaml", FILES["tender.yaml"]), Up("usage.csv", FILES["usage.csv"]),
                               Up("orbis.yaml", FILES["bids/orbis.yaml"])])
    assert set(loose) == {"tender.yaml", "usage.csv", "bids/orbis.yaml"}

    def refused(uploads) -> str:
        with pytest.raises(TenderError) as info:
            files_from_upload(uploads)
        [p] = info.value.problems
        return f"{p.file}: {p.field}: {p.message}"

    monkeypatch.setattr(archive, "MAX_FILES", 3)
    four = [Up(f"b{i}.yaml", b"x: 1\n") for i in range(4)]
    assert refused(four) == "b3.yaml: (file): 4 files: more than the 3 a tender may hold"
    zipped = Up("t.zip", zip_of({"tender.yaml": b"x: 1\n", "bids/a.yaml": b"x: 1\n"}, "t"))
    assert refused([zipped, *four[:2]]) == "b1.yaml: (file): 4 files: more than the 3 a tender may hold"
    monkeypatch.setattr(archive, "MAX_FILES", 500)
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 10)
    assert refused([Up("a.yaml", b"x: 1\n"), Up("b.yaml", b"y: 22\n")]) == \
        "b.yaml: (file): over the 10-byte limit of YAML and Excel files in all"
    # A billing export is not counted in the total; it has its own limit.
    assert set(files_from_upload([Up("a.yaml", b"x: 1\n"), Up("usage.csv", b"a,b\n" * 100)])) == \
        {"bids/a.yaml", "usage.csv"}
    monkeypatch.setattr(archive, "MAX_EXPORT_BYTES", 100)
    assert refused([Up("usage.csv", b"a,b\n" * 100)]) == "usage.csv: (file): 400 bytes: over the 100-byte limit"
    # ... and all the exports together have the same limit, loose or zipped.
    assert set(files_from_upload([Up("usage.csv", b"a,b\n" * 25)])) == {"usage.csv"}
    assert refused([Up("usage.csv", b"a,b\n" * 15), Up("old.csv", b"a,b\n" * 15)]) == \
        "old.csv: (file): over the 100-byte limit of billing exports in all"
    zipped_export = Up("t.zip", zip_of({"tender.yaml": b"x: 1\n", "usage.csv": b"a,b\n" * 15}, "t"))
    assert refused([zipped_export, Up("old.csv", b"a,b\n" * 15)]) == \
        "old.csv: (file): over the 100-byte limit of billing exports in all"


def test_a_loose_upload_over_the_file_count_is_refused_in_the_app(monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILES", 3)
    at = app()
    title = at.title[0].value
    uploads = [("tender.yaml", FILES["tender.yaml"], "application/x-yaml")]
    uploads += [(p.split("/")[-1], FILES[p], "application/x-yaml") for p in sorted(FILES) if p.startswith("bids/")]
    at.file_uploader(key="upload").set_value(uploads).run()
    assert not at.exception, at.exception
    errors = frame_with(at, "problem")
    assert list(errors["file"]) == [uploads[3][0]]
    assert list(errors["problem"]) == ["4 files: more than the 3 a tender may hold"]
    assert at.title[0].value == title  # the tender in use did not change
