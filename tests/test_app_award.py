"""AppTest of the Award split page (docs/app.md, docs/award-split.md): it renders in both
languages; the figures it shows are the contract's (the conformance sample a1-award-split,
whose expected.json was computed independently of this code) and the facade's; the totals
reconcile; rules set on the page or in its address change the split; rules that clash give a
warning naming them; bad rules and a bad award block give the error table; the rules saved as
a scenario give the same split; a tender without an award block explains it and can try one."""

from __future__ import annotations

import json

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from reports import formats as i18n
from scenarios.api import Fleetbid
from scenarios.overlay import scenario_from_dict
from scoring import EXAMPLE_TENDER
from scoring.archive import files_of_folder
from ui.api import Source
from ui.award_page import base_rules, rules_from_scenario, scenario_from_rules

from conftest import DATA

A1 = DATA / "a1-award-split"
EXPECTED = json.loads((A1 / "expected.json").read_text())


def run_page() -> None:
    from ui import award_page

    award_page.render()


def page(folder=A1, lang: str = "en", files: dict | None = None, **state) -> AppTest:
    at = AppTest.from_function(run_page, default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["source"] = Source(folder.name, files if files is not None else files_of_folder(folder))
    for key, value in state.items():
        at.session_state[key] = value
    return at


def frame(at: AppTest, column: str):
    """The first table on the page with ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def without_award_block() -> dict[str, bytes]:
    """The bundled example with its award block removed (a tender that has none)."""
    files = files_of_folder(EXAMPLE_TENDER)
    data = yaml.safe_load(files["tender.yaml"])
    data.pop("award", None)
    files["tender.yaml"] = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()
    return files


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("folder", [A1, EXAMPLE_TENDER])
def test_award_page_renders(folder, lang):
    at = page(folder, lang).run()
    assert not at.exception, at.exception
    assert at.title[0].value == {"en": "Award split", "fr": "Attribution partagée"}[lang]


def test_the_split_is_the_conformance_samples():
    """a1-award-split (max_share 0.75, entities as units): Azur gets Rennes and Nice (160 + 90
    = 250 of 1,000 initial lines, 25.0 %), Boreal the rest (750, 75.0 %); every cost as in the
    sample's expected.json, the total row their sum (72,339.50 + 208,169.77 = 280,509.27)."""
    at = page().run()
    table = frame(at, "Operator")
    bids = EXPECTED["award"]["bids"]
    assert list(table["Operator"]) == ["Azur Mobile", "Boreal Telecom", "Total"]
    assert list(table["Units"][:2]) == ["Rennes, Nice", "Lille, Lyon, Nantes"]
    assert list(table["Initial lines"]) == ["250", "750", "1,000"]
    assert list(table["Share"]) == ["25.0%", "75.0%", "100.0%"]
    for i, b in enumerate(["azur", "boreal"]):
        assert table["Cost"][i] == i18n.money(bids[b]["cost"], "en")
        assert table["Bid cost"][i] == i18n.money(bids[b]["bid_cost"], "en")
        assert table["Switching cost"][i] == i18n.money(bids[b]["switching_cost"], "en")
    assert table["Cost"][2] == i18n.money(EXPECTED["award"]["cost"], "en") == "€280,509"
    shown = metrics(at)
    assert shown["Cost of the best split"] == i18n.money(EXPECTED["award"]["cost"], "en")
    assert shown["Best single award: Boreal Telecom"] == i18n.money(EXPECTED["single_award"]["cost"], "en")
    assert shown["Saving vs the best single award"] == i18n.money(EXPECTED["saving_vs_single"], "en") == "−€5,377"


def test_cost_per_entity_reconciles_to_the_splits_cost():
    """Each entity's row is its one operator's cost there (the other's is 0), the total row is
    each operator's cost, and the corner is the split's cost (expected.json's entity_costs)."""
    at = page().run()
    table = frame(at, "Entity")
    costs = {b: EXPECTED["award"]["bids"][b]["entity_costs"] for b in ("azur", "boreal")}
    assert list(table["Entity"]) == ["Lille", "Lyon", "Nantes", "Rennes", "Nice", "Total"]
    for i, e in enumerate(["lille", "lyon", "nantes", "rennes", "nice"]):
        assert table["Azur Mobile"][i] == i18n.money(costs["azur"][e], "en")
        assert table["Boreal Telecom"][i] == i18n.money(costs["boreal"][e], "en")
        assert table["Total"][i] == i18n.money(costs["azur"][e] + costs["boreal"][e], "en")
    assert table["Total"][5] == i18n.money(EXPECTED["award"]["cost"], "en")
    assert table["Boreal Telecom"][5] == i18n.money(EXPECTED["award"]["bids"]["boreal"]["cost"], "en")


def test_each_rule_costs_what_the_contract_says():
    at = page().run()
    table = frame(at, "Rule")
    rule = EXPECTED["rule_costs"][0]
    assert list(table["Rule"]) == ["no operator above 75% of the lines"]
    assert table["Best split without it"][0] == i18n.money(rule["cost_without"], "en")
    assert table["Cost of the rule"][0] == i18n.money(rule["difference"], "en") == "€5,377"


def test_share_curve_chart_has_the_contracts_points_and_a_readable_title():
    at = page().run()
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    curve = next(f for f in figures if "cap on each operator" in f["layout"]["title"]["text"])
    line = curve["data"][0]
    assert line["x"] == [p["max_share"] for p in reversed(EXPECTED["share_curve"])]
    assert line["y"] == pytest.approx([p["cost"] for p in reversed(EXPECTED["share_curve"])], abs=0.01)


def test_french_page_uses_french_formats():
    at = page(lang="fr").run()
    table = frame(at, "Opérateur")
    assert table["Coût"][2] == i18n.money(EXPECTED["award"]["cost"], "fr") == "280\u202f509\u00a0€"
    assert table["Part"][0] == "25,0\u202f%"


def test_rules_that_clash_give_a_warning_naming_them():
    """At most 2 operators and none above 40 %: two operators hold at most 800 of the 1,000
    lines, so no split exists; either rule alone can hold (three operators: 320 | 240 + 160 |
    190 + 90, each ≤ 400; two operators with no cap: any split). The warning names both."""
    at = page().run()
    at.slider(key="award_max_share").set_value(40.0).run()
    at.number_input(key="award_max_operators").set_value(2).run()
    assert not at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert "No split satisfies these rules together: at most 2 operators; no operator above 40% of the lines." in warning
    assert not [d for d in at.dataframe if "Operator" in d.value.columns]  # no split shown
    fr = page(lang="fr", award_max_share=40.0, award_max_operators=2).run()
    assert "au plus 2 opérateurs ; aucun opérateur au-delà de 40\u202f% des lignes" in fr.warning[0].value


def test_rules_from_the_page_address():
    """Opened from a shared address: the controls take its values (the fixed unit by the
    operator's name, as the page writes it) and the split follows: Nice fixed to Cirrus."""
    at = page()
    at.query_params["award_fix_nice"] = "Cirrus Networks"
    at.query_params["award_max_share"] = "80.0"
    at.run()
    assert not at.exception
    assert at.slider(key="award_max_share").value == 80.0
    assert at.selectbox(key="award_fix_nice").value == "cirrus"
    table = frame(at, "Operator")
    row = list(table["Operator"]).index("Cirrus Networks")
    assert table["Units"][row] == "Nice"


def test_bad_rules_show_the_error_table():
    at = page().run()
    at.slider(key="award_min_share").set_value(80.0).run()  # above max_share 75 %
    assert not at.exception
    assert "These rules cannot be used; nothing was optimised." in [e.value for e in at.error]
    errors = frame(at, "problem")
    assert list(errors["field"]) == ["set.award.min_share"]


def test_bad_award_block_shows_the_error_table():
    files = files_of_folder(A1)
    files["tender.yaml"] = files["tender.yaml"].replace(b"max_share: 0.75", b"max_share: 1.5")
    for lang in ("en", "fr"):
        at = page(files=files, lang=lang).run()
        assert not at.exception
        file, field = {"en": ("file", "field"), "fr": ("fichier", "champ")}[lang]
        errors = frame(at, field)
        assert list(errors[file]) == ["a1-award-split/tender.yaml"] and list(errors[field]) == ["award.max_share"]


def test_saved_rules_give_the_same_split():
    """The rules → scenario YAML → loaded back: the same rules, and the facade's split under
    that file is the one the page shows."""
    session = Fleetbid.open(A1)
    ev = session.evaluation()
    rules = {**base_rules(ev), "max_share": 0.9, "max_operators": 2, "fixed": {"nice": "cirrus"}}
    scenario = scenario_from_rules(ev, rules)
    saved = yaml.safe_load(yaml.safe_dump(scenario))
    assert rules_from_scenario(ev, saved) == rules
    assert scenario_from_rules(ev, base_rules(ev)) is None  # untouched: the tender as written
    result = session.award(scenario_from_dict(saved)).as_json()
    at = page(award_max_share=90.0, award_max_operators=2, award_fix_nice="cirrus").run()
    assert at.get("download_button")
    table = frame(at, "Operator")
    assert table["Cost"].iloc[-1] == i18n.money(result["award"]["cost"], "en")
    assert list(table["Operator"][:-1]) == [ev.tender.bid(b).operator for b in result["award"]["bids"]]


def test_bundled_example_shows_the_facades_figures():
    session = Fleetbid.open(EXAMPLE_TENDER)
    result = session.award().as_json()
    at = page(EXAMPLE_TENDER).run()
    table = frame(at, "Operator")
    for i, part in enumerate(result["award"]["bids"].values()):
        assert table["Cost"][i] == i18n.money(part["cost"], "en")
    assert table["Cost"].iloc[-1] == i18n.money(result["award"]["cost"], "en")
    assert metrics(at)["Saving vs the best single award"] == i18n.money(result["saving_vs_single"], "en")
    rules = frame(at, "Rule")
    assert list(rules["Cost of the rule"]) == [i18n.money(r["difference"], "en") for r in result["rule_costs"]]


def test_a_tender_without_an_award_block_explains_it_and_tries_one():
    files = without_award_block()
    at = page(EXAMPLE_TENDER, files=files).run()
    assert not at.exception
    assert "has no `award` block" in at.info[0].value
    assert not at.dataframe
    at.toggle(key="award_try").set_value(True).run()
    assert not at.exception
    source = Source(EXAMPLE_TENDER.name, files)
    expected = Fleetbid.open_files(source).award(
        scenario_from_dict({"name": "x", "set": {"award": {"unit": "entity"}}})).as_json()
    assert frame(at, "Operator")["Cost"].iloc[-1] == i18n.money(expected["award"]["cost"], "en")


def test_a_rule_that_cannot_hold_on_its_own_is_named_alone():
    """The example with no operator above 50 %: Paris HQ alone holds 95 + 620 + 230 + 60 =
    1,005 of the 2,000 initial lines (50.25 %), so no operator may take it whatever the other
    rules: the warning names that one rule."""
    for lang, text in (("en", "No split satisfies this rule, even on its own: no operator above 50% of the lines."),
                       ("fr", "Aucun partage ne respecte cette règle, même seule : aucun opérateur au-delà de "
                              "50\u202f% des lignes.")):
        at = page(EXAMPLE_TENDER, lang, award_max_share=50.0).run()
        assert not at.exception
        assert text in at.warning[0].value


def test_a_broken_bid_file_shows_the_error_table():
    files = files_of_folder(A1)
    files["bids/cirrus.yaml"] = b"plans: [\n"
    at = page(files=files).run()
    assert not at.exception
    assert "a1-award-split/bids/cirrus.yaml" in set(frame(at, "problem")["file"])
