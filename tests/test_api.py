"""The facade (scenarios/api.py): it opens a tender folder and uploaded files alike, raises
TenderError on bad input (or keeps it in an Outcome), evaluates exactly as `scoring.evaluate`
does, applies a scenario exactly as the overlay does, and answers the pages' and the
command lines' questions from the same evaluation."""

from __future__ import annotations

import re

import pytest

from scenarios.api import Fleetbid, Outcome, TenderFiles, cost_key, on_lines
from scenarios.montecarlo import monte_carlo
from scenarios.overlay import apply, evaluate_scenario, load_scenario, scenario_from_dict
from scenarios.sensitivity import sensitivity
from scenarios.switch import stay_or_switch
from scoring import EXAMPLE_TENDER, TenderError, evaluate, load_tender
from scoring.archive import files_of_folder, zip_of
from scoring.load import build_tender, read_files, read_folder

from conftest import ROOT

EV = evaluate(load_tender(EXAMPLE_TENDER))
BILLED = EXAMPLE_TENDER / "scenarios" / "billed-usage.yaml"


@pytest.fixture(scope="module")
def session() -> Fleetbid:
    return Fleetbid.open(EXAMPLE_TENDER)


def test_a_folder_evaluates_as_scoring_evaluate(session):
    assert session.evaluation().to_json() == EV.to_json()
    assert session.evaluation() is session.evaluation()  # evaluated once


def test_uploaded_files_evaluate_as_the_same_files_read_by_the_model():
    files = files_of_folder(EXAMPLE_TENDER)
    src = TenderFiles.of_uploads([("mine.zip", zip_of(files, "mine"))])
    assert (src.name, src.files) == ("mine", files)
    expected = evaluate(build_tender(read_files("mine", files))).to_json()
    assert Fleetbid.open_files(src).evaluation().to_json() == expected
    loose = TenderFiles.of_uploads([("tender.yaml", files["tender.yaml"]), ("orbis.yaml", files["bids/orbis.yaml"])])
    assert loose.name == "upload" and set(loose.files) == {"tender.yaml", "bids/orbis.yaml"}
    assert TenderFiles("a", files).digest == TenderFiles("b", dict(files)).digest != TenderFiles("a", loose.files).digest


def test_bad_input_raises_tender_error_naming_file_and_field(tmp_path):
    files = files_of_folder(EXAMPLE_TENDER)
    files["bids/telvia.yaml"] = files["bids/telvia.yaml"].replace(b"monthly_fee: 14.50", b"monthly_fee: -3")
    src = TenderFiles("broken", files)
    with pytest.raises(TenderError) as info:
        Fleetbid.open_files(src)
    assert any(p.file == "broken/bids/telvia.yaml" and p.field.endswith("monthly_fee") for p in info.value.problems)
    session = Fleetbid.read_files(src)  # parsing is fine: validation waits for the first question
    with pytest.raises(TenderError):
        session.evaluation()
    with pytest.raises(TenderError, match="not a folder"):
        Fleetbid.read(tmp_path / "nowhere")
    with pytest.raises(TenderError, match="file is missing"):
        TenderFiles.of_uploads([("notes.yaml", b"a: 1\n")]) and Fleetbid.open_files(TenderFiles("x", {}))


def test_outcome_keeps_the_problems_and_raises_them_again():
    bad = Outcome.of(Fleetbid.open_files, TenderFiles("x", {}))
    assert not bad.ok and bad.value is None
    assert [str(p) for p in bad.problems] == ["x/tender.yaml: (file): file is missing"]
    assert bad.then(lambda s: Outcome(s.evaluation())) == bad
    with pytest.raises(TenderError) as info:
        bad.get()
    assert tuple(info.value.problems) == bad.problems
    good = Outcome.of(Fleetbid.open, EXAMPLE_TENDER)
    assert good.ok and good.then(lambda s: Outcome(s.evaluation().winner)).get() == EV.winner


def test_a_scenario_evaluates_as_the_overlay(session):
    scenario = load_scenario(EXAMPLE_TENDER / "scenarios" / "data-doubles.yaml")
    expected = evaluate(apply(load_tender(EXAMPLE_TENDER), scenario)).to_json()
    assert session.evaluation(scenario).to_json() == expected
    assert evaluate_scenario(read_folder(EXAMPLE_TENDER), scenario).to_json() == expected


def test_a_scenario_on_a_broken_tender_names_the_scenario_file(tmp_path):
    from shutil import copytree

    folder = copytree(EXAMPLE_TENDER, tmp_path / "t")
    path = folder / "bids" / "telvia.yaml"
    path.write_text(path.read_text().replace("monthly_fee: 14.50", "monthly_fee: -3"))
    with pytest.raises(TenderError) as info:  # read, not validated: the scenario's result is
        Fleetbid.read(folder).evaluation(load_scenario(folder / "scenarios" / "growth-30.yaml"))
    assert all(p.file.endswith("growth-30.yaml") for p in info.value.problems)


def test_whatif_reranks_the_costs_of_the_cost_part(session):
    spec = EV.tender.spec.evaluation
    rest = sum(c.weight for c in spec.criteria)
    weights = {"price": {"weight": 40}, "criteria": [{"id": c.id, "weight": c.weight * 60 / rest} for c in spec.criteria]}
    scenario = {"name": "w", "set": {"evaluation": weights}, "scale": {"lines": 1.2}}
    assert cost_key({"name": "w", "set": {"evaluation": weights}}) == ""
    assert cost_key(scenario) == '{"name": "w", "scale": {"lines": 1.2}, "set": {}}'
    asked = []

    def cache(key):
        asked.append(key)
        return session.costs_under(key)

    ev = session.whatif(scenario, cache)
    assert asked == [cost_key(scenario)]
    expected = evaluate(apply(session.tender, scenario_from_dict(scenario)))
    assert ev.to_json() == expected.to_json()
    assert session.whatif({"name": "none"}) is session.evaluation()
    with pytest.raises(TenderError):
        session.whatif({"name": "w", "set": {"evaluation": {"price": {"weight": 140}}}})


def test_costs_per_line_under_the_billed_usage_scenario(session):
    assert session.lines_scenario() == ("scenarios/billed-usage.yaml", "Billed usage, line by line")
    assert on_lines({"set": {"usage_file": {"evaluate_on": "lines"}}}) and not on_lines({"set": []})
    with pytest.raises(TenderError, match="costs are not per line"):
        session.line_costs(session.evaluation(), EV.winner)
    ev = session.evaluation(load_scenario(BILLED))
    view = session.line_costs(ev, ev.winner, top=5)
    assert len(view.top) == 5 and view.lines == ev.tender.lines.n
    assert list(view.top["total"]) == sorted(view.top["total"], reverse=True)
    assert view.top["total"].iloc[-1] >= view.median and 0 < view.top_share < 1


def test_the_analyses_are_the_what_if_packages(session):
    ev = session.evaluation()
    assert session.stay_or_switch(ev).to_dict() == stay_or_switch(ev).to_dict()
    assert session.sensitivity(ev).to_dict() == sensitivity(ev).to_dict()
    assert session.monte_carlo(ev, 200, 1).to_dict() == monte_carlo(ev, 200, 1).to_dict()
    assert [r["id"] for r in session.dqe(ev)] == sorted(r["id"] for r in session.dqe(ev))


def test_the_billing_export_summary_and_the_template(session):
    view = session.usage()
    assert view is not None and view.file == "usage.csv" and view.lines > 0 and view.months == 12
    assert set(view.summary["component"]) == set(view.components)
    assert session.template_bytes()[:2] == b"PK"
    assert set(session.scenario_files()) == {f"scenarios/{p.name}" for p in session.scenario_paths()}


def test_the_app_asks_only_the_facade():
    """ui/ holds no union of answers and error tables: no page checks a DataFrame's type."""
    for path in sorted((ROOT / "ui").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"isinstance\([^)]*DataFrame", text), path
        assert "session_state[\"" not in text and "session_state.get(\"whatif" not in text, path
