"""AppTest of every page: renders without exception in both languages, shows the model's
numbers, re-ranks on a weight change, shows bad input in the error table, and restores a
saved scenario's settings."""

from __future__ import annotations

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from reports import formats as i18n
from scenarios.sensitivity import with_weight
from scoring import EXAMPLE_TENDER, evaluate, load_tender
from scoring.archive import files_of_folder
from scoring.rank import rank_bids
from ui.whatif_page import controls_from_scenario, scenario_from_controls

from conftest import DATA, ROOT

PAGES = ["tender_page", "compare_page", "costs_page", "switching_page", "whatif_page", "summary_page"]
EV = evaluate(load_tender(EXAMPLE_TENDER))


def run_page(module: str) -> None:
    import importlib

    importlib.import_module(f"ui.{module}").render()


def page(module: str, lang: str = "en", **state) -> AppTest:
    at = AppTest.from_function(run_page, args=(module,), default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [t.value for t in at.title]
    parts += [str(m.value) for m in at.metric] + [m.label for m in at.metric]
    parts += [i.value for i in at.info] + [s.value for s in at.success] + [w.value for w in at.warning]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("module", PAGES)
def test_every_page_renders(module, lang):
    at = page(module, lang).run()
    assert not at.exception, at.exception


def test_whole_app_routes_to_the_tender_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == EV.tender.name


def test_compare_page_shows_the_models_figures():
    at = page("compare_page").run()
    frame = next(d.value for d in at.dataframe if "TCO over the term" in d.value.index)
    for b in EV.costs.bids:
        expected = i18n.money(EV.figures[b].tco, "en")
        assert frame.loc["TCO over the term", EV.tender.bid(b).operator] == expected
        total = EV.ranking.total[b]
        shown = frame.loc["Total score", EV.tender.bid(b).operator]
        assert shown == ("—" if total is None else i18n.number(total, "en", 2))


def test_compare_page_lists_the_bids_by_rank_knocked_out_last():
    """Issue 12 §18: the columns were in bid-id order (the knocked-out bid first). Now by
    rank, knocked-out bids last, and the best value of each row is still marked on the right
    bid (the winner's rank and total score)."""
    import re

    at = page("compare_page").run()
    table = next(d for d in at.dataframe if "Rank" in d.value.index)
    ranked = sorted((b for b in EV.costs.bids if EV.ranking.rank[b]), key=lambda b: EV.ranking.rank[b])
    out = [b for b in EV.costs.bids if not EV.ranking.rank[b]]
    assert out and ranked + out != list(EV.costs.bids)  # the example tells the two orders apart
    assert list(table.value.columns) == [EV.tender.bid(b).operator for b in ranked + out]
    assert list(table.value.loc["Rank"]) == [str(i) for i in range(1, len(ranked) + 1)] + ["knocked out"] * len(out)
    marked = {(int(r), int(c)) for r, c in re.findall(r"_row(\d+)_col(\d+)", table.proto.arrow_data.styler.styles)}
    rows = list(table.value.index)
    assert (rows.index("Rank"), 0) in marked and (rows.index("Total score"), 0) in marked
    assert not any(c >= len(ranked) for _, c in marked)  # nothing marked on a knocked-out bid


def test_french_page_uses_french_number_formats():
    at = page("compare_page", "fr").run()
    frame = next(d.value for d in at.dataframe if "Coût total sur la durée" in d.value.index)
    winner = EV.tender.bid(EV.winner).operator
    assert frame.loc["Coût total sur la durée", winner] == i18n.money(EV.figures[EV.winner].tco, "fr")
    assert "\u202f" in frame.loc["Coût total sur la durée", winner] and frame.loc["Coût total sur la durée", winner].endswith("€")


def test_summary_shows_winner_margin_and_saving():
    at = page("summary_page").run()
    text = texts(at)
    assert EV.tender.bid(EV.winner).operator in text
    assert i18n.money(EV.figures[EV.winner].tco, "en") in text
    saving = EV.figures[EV.tender.spec.incumbent].tco - EV.figures[EV.winner].tco
    assert i18n.money(saving, "en") in text
    assert i18n.number(EV.explanation.margin, "en", 2) in text


def test_weight_change_reranks():
    """Price weight 100: the cheapest compliant bid wins — the same answer as ranking the
    model's costs with that weight."""
    at = page("whatif_page").run()
    at.slider(key="w_price").set_value(100.0).run()
    assert not at.exception
    expected = rank_bids(EV.tender, EV.figures, EV.criteria, EV.costs.knockouts,
                         with_weight(EV.tender.spec.evaluation, "price", 100.0))
    table = next(d.value for d in at.dataframe if "Rank" in d.value.columns)
    assert table.iloc[0]["Operator"] == EV.tender.bid(expected.winner).operator
    assert expected.winner != EV.winner  # the change matters on this tender


def test_bad_tender_shows_the_error_table():
    from ui.api import Source

    files = files_of_folder(EXAMPLE_TENDER)
    files["bids/orbis.yaml"] = b"plans: [\n"
    files["bids/telvia.yaml"] = files["bids/telvia.yaml"].replace(b"monthly_fee: 14.50", b"monthly_fee: -3")
    for module in PAGES:
        at = page(module, source=Source("broken", files)).run()
        assert not at.exception
        errors = next(d.value for d in at.dataframe if "problem" in d.value.columns)
        assert {"broken/bids/orbis.yaml", "broken/bids/telvia.yaml"} <= set(errors["file"])


def test_upload_of_yaml_files_and_zip(tmp_path):
    from scoring.archive import zip_of
    from ui.tender_page import files_from_upload

    class Up:
        def __init__(self, name, data):
            self.name, self._data = name, data

        def getvalue(self):
            return self._data

    files = files_of_folder(EXAMPLE_TENDER)
    loose = files_from_upload([Up("tender.yaml", files["tender.yaml"]), Up("orbis.yaml", files["bids/orbis.yaml"]),
                               Up("evaluations.yaml", files["evaluations.yaml"])])
    assert set(loose) == {"tender.yaml", "bids/orbis.yaml", "evaluations.yaml"}
    zipped = files_from_upload([Up("t.zip", zip_of(files, "conseil"))])
    assert zipped == files


def test_saved_scenario_restores_the_same_settings():
    """Settings → scenario YAML → loaded back: the same control values, the same ranking."""
    values = {"w_price": 40.0, "w_support_answer": 20.0, "lines": 1.2, "u_data_gb": 1.5, "p_orbis": -10.0,
              "porting": 6.0, "growth": 5.0}
    from ui.whatif_page import _defaults

    settings = {**_defaults(EV), **values}
    scenario = scenario_from_controls(EV, settings)
    saved = yaml.safe_dump(scenario)
    restored, extra = controls_from_scenario(EV, yaml.safe_load(saved))
    assert extra == {}
    for key, value in settings.items():
        assert restored[key] == pytest.approx(value), key
    assert scenario_from_controls(EV, restored) == scenario


def test_scenario_loaded_in_the_app_sets_the_sliders():
    from ui.api import Source

    files = files_of_folder(EXAMPLE_TENDER)
    at = page("whatif_page", source=Source(EXAMPLE_TENDER.name, files)).run()
    at.selectbox(key="scenario_pick").set_value("scenarios/quality-first.yaml").run()
    assert not at.exception
    assert at.slider(key="w_price").value == 40.0
    assert at.slider(key="w_technical_memo").value == 25.0
    at.selectbox(key="scenario_pick").set_value("scenarios/growth-30.yaml").run()
    assert at.slider(key="lines").value == pytest.approx(1.3)


def test_whatif_analyses_use_the_weights_in_use():
    """Monte Carlo and sensitivity on a re-weighted evaluation rank with those weights: at
    price weight 100 the cheapest compliant bid wins every draw without uncertainty."""
    from scenarios.montecarlo import monte_carlo
    from scenarios.sensitivity import weight_stability

    heavy = EV.rerank(with_weight(EV.tender.spec.evaluation, "price", 100.0))
    cheapest = min((b for b in EV.costs.bids if EV.ranking.compliant[b]), key=lambda b: EV.figures[b].tco)
    assert heavy.winner == cheapest
    from scoring.model import Uncertainty

    mc = {b["id"]: b for b in monte_carlo(heavy, 200, 1, uncertainty=Uncertainty()).to_dict()["bids"]}
    assert mc[cheapest]["rank_probabilities"][0] == 1.0
    price = next(w for w in weight_stability(heavy) if w["weight"] == "price")
    assert price["stated"] == 100.0 and price["winner"] == cheapest


def test_draws_offered_stay_within_the_deployment_limit(monkeypatch):
    """A deployment that sets FLEETBID_MAX_DRAWS to 3,000 is offered 1,000 and 2,000 draws
    (the choices above it would be refused by `monte_carlo`), and the default is the largest
    allowed; a limit under every choice is the only choice."""
    import scenarios.montecarlo

    monkeypatch.setattr(scenarios.montecarlo, "MAX_DRAWS", 3000)
    at = page("whatif_page").run()
    assert not at.exception
    slider = at.select_slider(key="mc_draws")
    assert list(slider.options) == ["1000", "2000"] and slider.value == 2000
    monkeypatch.setattr(scenarios.montecarlo, "MAX_DRAWS", 500)
    at = page("whatif_page").run()
    assert list(at.select_slider(key="mc_draws").options) == ["500"]


def test_a_bid_billed_as_a_lump_sum_is_flagged_beside_it_and_in_the_whatif_on_lines(tmp_path):
    """Contract v1.1's lump-sum warning in the app. c1-sample with Azur's account fee raised
    from 150 to 100,000 a month: 3,600,000 over the 36 months, far above half of Azur's
    recurring charges (its subscriptions and usage are some tens of thousands a year), so the
    model warns (`CostTable.lump_sums`). The Compare page flags Azur beside the other flags;
    the What-if page warns only when the number of lines is scaled (×1.2), naming Azur."""
    import shutil

    from ui.api import Source

    folder = tmp_path / "c1"
    shutil.copytree(DATA / "c1-sample", folder)
    bid = folder / "bids" / "azur.yaml"
    bid.write_text(bid.read_text().replace("account_monthly: 150", "account_monthly: 100000"))
    ev = evaluate(load_tender(folder))
    assert set(ev.costs.lump_sums()) == {"azur"}
    source = Source("c1", files_of_folder(folder))
    at = page("compare_page", source=source).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Flags" in d.value.index)
    azur = ev.tender.bid("azur").operator
    assert "billed mostly as a lump sum" in table.loc["Flags", azur]
    assert all("lump sum" not in table.loc["Flags", c] for c in table.columns if c != azur)
    at = page("whatif_page", source=source).run()
    assert not any("lump sums" in w.value for w in at.warning)
    at.slider(key="lines").set_value(1.2).run()
    assert not at.exception
    assert any("lump sums" in w.value and azur in w.value for w in at.warning)
