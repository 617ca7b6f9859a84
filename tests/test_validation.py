"""Every defect the format contract lists ("Defaults and validation") is an error naming
the file and the exact dotted field path, with a message that says what is wrong.

Each case copies the conformance sample (tests/data/c1-sample, a valid tender) into
tmp_path, breaks one thing in one file and checks the `TenderError` it raises — at load
time, or at evaluation for the checks that need values (criterion value types, price basis).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from scoring.errors import TenderError
from scoring.evaluate import evaluate
from scoring.load import load_tender

from conftest import DATA, ROOT

SAMPLE = DATA / "c1-sample"

TENDER = "tender.yaml"
EVALS = "evaluations.yaml"
AZUR = "bids/azur.yaml"
BOREAL = "bids/boreal.yaml"
COBALT = "bids/cobalt.yaml"

# In the sample: profiles cadres (0), terrain (1), tablettes (2); entities siege, depots;
# criteria support (0, numeric), sim_swap (1, numeric), billing_split (2, yes/no, required),
# memo (3, evaluators, scale 5); azur plans pro, std, data; boreal offers cadres: [flex, max].


# --------------------------------------------------------------------------- helpers

Edit = Callable[[Any], Any]
_DELETE = object()


def _walk(data: Any, path: str) -> tuple[Any, Any]:
    """The container holding the last part of a dotted path, and that part (int for lists)."""
    parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = data
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def put(path: str, value: Any) -> Edit:
    def edit(data: Any) -> Any:
        node, key = _walk(data, path)
        if value is _DELETE:
            del node[key]
        else:
            node[key] = value
        return data

    return edit


def drop(path: str) -> Edit:
    return put(path, _DELETE)


def rename(path: str, new_key: str) -> Edit:
    """Rename a mapping key in place (keeping its position: a typo, not a reorder)."""

    def edit(data: Any) -> Any:
        node, key = _walk(data, path)
        items = [(new_key if k == key else k, v) for k, v in node.items()]
        node.clear()
        node.update(items)
        return data

    return edit


def replace(value: Any) -> Edit:
    return lambda data: value


def chain(*edits: Edit) -> Edit:
    def edit(data: Any) -> Any:
        for e in edits:
            data = e(data)
        return data

    return edit


def copy_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    return folder


def edit_yaml(folder: Path, rel: str, edit: Edit) -> None:
    path = folder / rel
    data = edit(yaml.safe_load(path.read_text(encoding="utf-8")))
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def load_error(folder: Path) -> TenderError:
    with pytest.raises(TenderError) as info:
        load_tender(folder)
    return info.value


def evaluate_error(folder: Path) -> TenderError:
    tender = load_tender(folder)  # the defect is only visible with the values in hand
    with pytest.raises(TenderError) as info:
        evaluate(tender)
    return info.value


def assert_problem(err: TenderError, file: str, field: str, *words: str) -> None:
    """Some problem is about `file` (path suffix) and exactly `field`, and its message
    contains every word (case-insensitive)."""
    listing = "\n".join(f"  {p.file!r} {p.field!r}: {p.message}" for p in err.problems)
    at = [p for p in err.problems if p.file.endswith(file) and p.field == field]
    assert at, f"no problem at {file} / {field!r}; got:\n{listing}"
    for p in at:
        if all(w.lower() in p.message.lower() for w in words):
            return
    raise AssertionError(f"no problem at {file} / {field!r} mentions {words}; got:\n{listing}")


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # the file edited, relative to the tender folder
    edit: Edit
    field: str  # the exact dotted path the error must name
    words: tuple[str, ...]  # what the message must say
    where: str | None = None  # the file the error names, when not the edited one


def case(id: str, file: str, edit: Edit, field: str, *words: str, where: str | None = None) -> Any:
    return pytest.param(Case(id, file, edit, field, words, where), id=id)


def check_load_case(tmp_path: Path, c: Case) -> None:
    folder = copy_sample(tmp_path)
    edit_yaml(folder, c.file, c.edit)
    assert_problem(load_error(folder), c.where or c.file, c.field, *c.words)


def test_the_unbroken_sample_loads_and_evaluates(tmp_path):
    folder = copy_sample(tmp_path)
    tender = load_tender(folder)
    assert [b.id for b in tender.bids] == ["azur", "boreal", "cobalt"]
    assert evaluate(tender).winner == "boreal"


# --------------------------------------------------------------------------- file level


def test_yaml_syntax_error_names_the_line(tmp_path):
    folder = copy_sample(tmp_path)
    (folder / AZUR).write_text("operator: Azur Mobile\nvalid_until: 2027-03-31: oops\nplans: []\n")
    err = load_error(folder)
    [problem] = [p for p in err.problems if p.file.endswith(AZUR)]
    assert problem.field.startswith("line 2,"), problem
    assert "YAML error" in problem.message


def test_yaml_unclosed_flow_mapping_is_a_syntax_error(tmp_path):
    folder = copy_sample(tmp_path)
    text = (folder / TENDER).read_text(encoding="utf-8")
    (folder / TENDER).write_text(text.replace("{siege: 120, depots: 30}", "{siege: 120, depots: 30"))
    err = load_error(folder)
    [problem] = err.problems
    assert problem.file.endswith(TENDER) and problem.field.startswith("line "), problem
    assert "YAML error" in problem.message


def test_duplicate_key_is_an_error_naming_key_and_line(tmp_path):
    folder = copy_sample(tmp_path)
    lines = (folder / COBALT).read_text(encoding="utf-8").splitlines()
    assert lines[6].startswith("fees:")
    lines.insert(7, "fees: {setup: 0}")  # a second `fees`, on line 8, must not silently win
    (folder / COBALT).write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = load_error(folder)
    assert_problem(err, COBALT, "line 8, column 1", "duplicate key", "fees")


def test_duplicate_key_inside_a_flow_mapping(tmp_path):
    folder = copy_sample(tmp_path)
    text = (folder / AZUR).read_text(encoding="utf-8")
    (folder / AZUR).write_text(text.replace("{id: std, monthly_fee: 12.5,", "{id: std, monthly_fee: 12.5, monthly_fee: 9,"))
    err = load_error(folder)
    [problem] = err.problems
    assert problem.file.endswith(AZUR) and problem.field.startswith("line 5,"), problem
    assert "duplicate key 'monthly_fee'" in problem.message


def test_yaml_merge_key_may_be_overridden_but_not_written_twice(tmp_path):
    folder = copy_sample(tmp_path)
    plans = (
        "plans:\n"
        "  - &base {id: all, monthly_fee: 17.9, allowances: {voice_min: unlimited, sms: unlimited, data_gb: 15,"
        " roam_eu_data_gb: 3, roam_world_voice_min: 20}, rates: {data_gb: 2.5}}\n"
        "  - {<<: *base, id: data, monthly_fee: 8.5, allowances: {data_gb: 10}, rates: {}}\n"
    )
    text = (folder / COBALT).read_text(encoding="utf-8").splitlines(keepends=True)
    text[2:5] = [plans]
    (folder / COBALT).write_text("".join(text), encoding="utf-8")
    plan = load_tender(folder).bid("cobalt").spec.plans[1]
    assert (plan.id, plan.monthly_fee, plan.allowances) == ("data", 8.5, {"data_gb": 10})
    (folder / COBALT).write_text("".join(text).replace("monthly_fee: 8.5,", "monthly_fee: 8.5, monthly_fee: 9,"))
    err = load_error(folder)
    assert_problem(err, COBALT, "line 5, column 45", "duplicate key 'monthly_fee'")


def test_yaml_key_that_reads_as_a_boolean(tmp_path):
    folder = copy_sample(tmp_path)
    text = (folder / COBALT).read_text(encoding="utf-8")
    (folder / COBALT).write_text(text.replace("service: {", "service: {on: true, "), encoding="utf-8")
    err = load_error(folder)
    [problem] = err.problems
    assert problem.file.endswith(COBALT) and problem.field == "line 11, column 11", problem
    assert "'on'" in problem.message and "quote" in problem.message


@pytest.mark.parametrize(
    "file, text, words",
    [
        pytest.param(TENDER, "", ("empty",), id="empty-tender"),
        pytest.param(COBALT, "# only a comment\n", ("empty",), id="empty-bid"),
        pytest.param(EVALS, "", ("empty",), id="empty-evaluations"),
        pytest.param(TENDER, "- name: a list\n- term_months: 36\n", ("mapping", "list"), id="tender-is-a-list"),
        pytest.param(BOREAL, "just some text\n", ("mapping", "str"), id="bid-is-a-scalar"),
        pytest.param(EVALS, "- claire\n- marc\n", ("mapping", "list"), id="evaluations-is-a-list"),
    ],
)
def test_file_that_is_not_a_mapping(tmp_path, file, text, words):
    folder = copy_sample(tmp_path)
    (folder / file).write_text(text)
    assert_problem(load_error(folder), file, "(top level)", *words)


def test_missing_tender_yaml(tmp_path):
    folder = copy_sample(tmp_path)
    (folder / TENDER).unlink()
    assert_problem(load_error(folder), TENDER, "(file)", "missing")


def test_missing_bids_folder(tmp_path):
    folder = copy_sample(tmp_path)
    shutil.rmtree(folder / "bids")
    assert_problem(load_error(folder), "bids", "(folder)", "missing")


def test_no_bid_files(tmp_path):
    folder = copy_sample(tmp_path)
    for path in (folder / "bids").iterdir():
        path.unlink()
    (folder / "bids" / "README.md").write_text("bids go here\n")  # not a bid file: said so, not skipped
    err = load_error(folder)
    assert_problem(err, "bids", "(folder)", "no bid files")
    assert_problem(err, "bids/README.md", "(file)", "not a bid file")
    assert len(err.problems) == 2, err  # not also one "unknown bid" per evaluations.yaml entry


def test_tender_folder_that_does_not_exist(tmp_path):
    err = load_error(tmp_path / "nowhere")
    assert err.problems[0].file.endswith("nowhere") and "not a folder" in err.problems[0].message


def test_bid_file_may_end_in_yml(tmp_path):
    folder = copy_sample(tmp_path)
    (folder / COBALT).rename(folder / "bids" / "cobalt.yml")
    assert [b.id for b in load_tender(folder).bids] == ["azur", "boreal", "cobalt"]


# --------------------------------------------------------------------------- wrong types

TYPE_CASES = [
    case("text-fee", AZUR, put("plans.0.monthly_fee", "24 EUR"), "plans.0.monthly_fee", "number", "24 EUR"),
    case("bool-fee", AZUR, put("plans.0.monthly_fee", True), "plans.0.monthly_fee", "number", "True"),
    case("text-rate", AZUR, put("plans.0.rates.data_gb", "4,00"), "plans.0.rates.data_gb", "number", "4,00"),
    case("bool-setup-fee", COBALT, put("fees.setup", False), "fees.setup", "number", "False"),
    case("text-lines", TENDER, put("profiles.0.lines.siege", "120 lines"), "profiles.0.lines.siege", "number"),
    case("bool-usage", TENDER, put("profiles.2.usage.data_gb", True), "profiles.2.usage.data_gb", "number"),
    case("text-weight", TENDER, put("evaluation.price.weight", "55%"), "evaluation.price.weight", "number", "55%"),
    case("text-term", TENDER, put("term_months", "36 months"), "term_months", "integer"),
    case("fractional-term", TENDER, put("term_months", 36.5), "term_months", "integer", "36.5"),
    case("text-required", TENDER, put("evaluation.criteria.2.required", "yes"),
         "evaluation.criteria.2.required", "bool", "yes"),
    case("number-operator", BOREAL, put("operator", 42), "operator", "string", "42", "quotes"),
    case("list-offer", AZUR, put("offer", ["pro", "std"]), "offer", "dictionary"),
    case("mapping-plans", AZUR, put("plans", {"pro": {"monthly_fee": 24}}), "plans", "list"),
    case("scalar-entities", TENDER, put("entities", "siege"), "entities", "list"),
    case("plan-not-mapping", AZUR, put("plans.1", "std"), "plans.1", "dictionary"),
    case("offer-plan-is-number", COBALT, put("offer.tablettes", 3), "offer.tablettes", "plan id", "3"),
    case("text-share", BOREAL, put("portability.exit_fee_refund", "half"), "portability.exit_fee_refund", "number"),
    case("text-score", EVALS, put("claire.azur.memo", "good"), "claire.azur.memo", "number", "good"),
    case("bool-score", EVALS, put("marc.boreal.memo", True), "marc.boreal.memo", "number", "True"),
    case("evaluator-not-mapping", EVALS, put("claire", [3, 4]), "claire", "mapping"),
    case("scores-not-mapping", EVALS, put("claire.azur", 3), "claire.azur", "mapping"),
]


@pytest.mark.parametrize("c", TYPE_CASES)
def test_wrong_type(tmp_path, c):
    check_load_case(tmp_path, c)


# --------------------------------------------------------------------------- missing fields and null

MISSING_CASES = [
    case("fee-null", AZUR, put("plans.0.monthly_fee", None), "plans.0.monthly_fee", "required", "missing"),
    case("fee-absent", AZUR, drop("plans.1.monthly_fee"), "plans.1.monthly_fee", "required", "missing"),
    case("plan-id", BOREAL, drop("plans.2.id"), "plans.2.id", "missing"),
    case("term-months", TENDER, drop("term_months"), "term_months", "missing"),
    case("entities", TENDER, drop("entities"), "entities", "missing"),
    case("profiles", TENDER, drop("profiles"), "profiles", "missing"),
    case("profile-lines", TENDER, drop("profiles.1.lines"), "profiles.1.lines", "missing"),
    case("profile-usage", TENDER, put("profiles.2.usage", None), "profiles.2.usage", "missing"),
    case("device-tier", TENDER, drop("profiles.0.device.tier"), "profiles.0.device.tier", "missing"),
    case("device-refresh", TENDER, drop("profiles.1.device.refresh_months"), "profiles.1.device.refresh_months", "missing"),
    case("evaluation", TENDER, drop("evaluation"), "evaluation", "missing"),
    case("price", TENDER, drop("evaluation.price"), "evaluation.price", "missing"),
    case("price-weight", TENDER, drop("evaluation.price.weight"), "evaluation.price.weight", "missing"),
    case("criterion-id", TENDER, drop("evaluation.criteria.1.id"), "evaluation.criteria.1.id", "missing"),
    case("criterion-weight", TENDER, drop("evaluation.criteria.1.weight"), "evaluation.criteria.1.weight", "missing"),
    case("criterion-from", TENDER, drop("evaluation.criteria.2.from"), "evaluation.criteria.2.from", "missing"),
    case("tier-min-lines", BOREAL, drop("discounts.volume.1.min_lines"), "discounts.volume.1.min_lines", "missing"),
    case("tier-percent", BOREAL, drop("discounts.volume.0.percent"), "discounts.volume.0.percent", "missing"),
    case("pool-overage-rate", BOREAL, put("pool.data_gb", {}), "pool.data_gb.overage_rate", "missing"),
]


@pytest.mark.parametrize("c", MISSING_CASES)
def test_missing_required_field(tmp_path, c):
    check_load_case(tmp_path, c)


def test_null_switching_means_no_switching_block(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, put("switching", None))
    assert load_tender(folder).spec.switching is None


def test_empty_switching_block_has_every_default(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, put("switching", {}))
    switching = load_tender(folder).spec.switching
    assert switching is not None and switching.port_share == 1 and switching.project_eur == 0


def test_null_optional_fields_are_absent(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, chain(put("discount_rate", None), put("profiles.0.usage_growth", None),
                                    put("evaluation.abnormally_low", None)))
    edit_yaml(folder, AZUR, chain(put("plans.2.rates", None), put("devices.fund", None), put("valid_until", None)))
    tender = load_tender(folder)
    assert tender.spec.discount_rate is None and tender.spec.evaluation.abnormally_low is None
    azur = tender.bid("azur").spec
    assert azur.plans[2].rates == {} and azur.devices.fund == 0 and azur.valid_until is None


# --------------------------------------------------------------------------- ranges

RANGE_CASES = [
    # negative money
    case("negative-monthly-fee", AZUR, put("plans.1.monthly_fee", -12.5), "plans.1.monthly_fee", "greater than or equal to 0", "-12.5"),
    case("negative-setup", COBALT, put("fees.setup", -1500), "fees.setup", "greater than or equal to 0", "-1500"),
    case("negative-rate", AZUR, put("plans.0.rates.data_gb", -4), "plans.0.rates.data_gb", "0", "-4"),
    case("negative-allowance", AZUR, put("plans.0.allowances.data_gb", -10), "plans.0.allowances.data_gb", "≥ 0", "-10"),
    case("negative-welcome-credit", BOREAL, put("discounts.welcome_credit", -8000), "discounts.welcome_credit", "0", "-8000"),
    case("negative-device-price", AZUR, put("devices.prices.rugged", -310), "devices.prices.rugged", "0", "-310"),
    case("negative-pool-rate", BOREAL, put("pool.data_gb.overage_rate", -1.6), "pool.data_gb.overage_rate", "0", "-1.6"),
    case("negative-switching-project", TENDER, put("switching.project_eur", -18000), "switching.project_eur", "0", "-18000"),
    case("negative-migration-credit", BOREAL, put("portability.migration_credit", -6000), "portability.migration_credit", "0"),
    # negative lines, usage, weights
    case("negative-lines", TENDER, put("profiles.1.lines.depots", -420), "profiles.1.lines.depots", "0", "-420"),
    case("negative-usage", TENDER, put("profiles.0.usage.sms", -80), "profiles.0.usage.sms", "0", "-80"),
    case("negative-criterion-weight", TENDER, put("evaluation.criteria.0.weight", -10), "evaluation.criteria.0.weight", "0", "-10"),
    case("negative-price-weight", TENDER, put("evaluation.price.weight", -55), "evaluation.price.weight", "0", "-55"),
    case("negative-min-lines", BOREAL, put("discounts.volume.0.min_lines", -500), "discounts.volume.0.min_lines", "0"),
    # discount percent outside 0..100
    case("discount-percent-above-100", BOREAL, put("discounts.volume.1.percent", 110), "discounts.volume.1.percent", "100", "110"),
    case("discount-percent-negative", BOREAL, put("discounts.volume.0.percent", -6), "discounts.volume.0.percent", "0", "-6"),
    # indexation_percent outside (-100, 100]
    case("indexation-minus-100", COBALT, put("indexation_percent", -100), "indexation_percent", "-100"),
    case("indexation-below-minus-100", COBALT, put("indexation_percent", -150), "indexation_percent", "-150"),
    case("indexation-above-100", AZUR, put("indexation_percent", 100.5), "indexation_percent", "100", "100.5"),
    # shares outside 0..1
    case("exit-fee-refund-above-1", BOREAL, put("portability.exit_fee_refund", 1.5), "portability.exit_fee_refund", "1", "1.5"),
    case("port-share-negative", TENDER, put("switching.port_share", -0.1), "switching.port_share", "0", "-0.1"),
    case("port-share-above-1", TENDER, put("switching.port_share", 85), "switching.port_share", "1", "85"),
    case("porting-failure-above-1", TENDER, put("switching.porting_failure_rate", 1.5), "switching.porting_failure_rate", "1", "1.5"),
    case("abnormally-low-above-1", TENDER, put("evaluation.abnormally_low", 20), "evaluation.abnormally_low", "1", "20"),
    case("abnormally-low-negative", TENDER, put("evaluation.abnormally_low", -0.2), "evaluation.abnormally_low", "0", "-0.2"),
    # growth below -1
    case("line-growth-below-minus-1", TENDER, put("profiles.1.line_growth", -1.5), "profiles.1.line_growth", "-1", "-1.5"),
    case("usage-growth-below-minus-1", TENDER, put("profiles.0.usage_growth.data_gb", -2), "profiles.0.usage_growth.data_gb", "-1", "-2"),
    # discount_rate <= -1
    case("discount-rate-minus-1", TENDER, put("discount_rate", -1), "discount_rate", "-1"),
    case("discount-rate-below-minus-1", TENDER, put("discount_rate", -3), "discount_rate", "-1", "-3"),
    # refresh_months, scale, term_months <= 0
    case("refresh-months-zero", TENDER, put("profiles.0.device.refresh_months", 0), "profiles.0.device.refresh_months", "greater than 0"),
    case("refresh-months-negative", TENDER, put("profiles.1.device.refresh_months", -48), "profiles.1.device.refresh_months", "0", "-48"),
    case("scale-zero", TENDER, put("evaluation.criteria.3.scale", 0), "evaluation.criteria.3.scale", "greater than 0"),
    case("scale-negative", TENDER, put("evaluation.criteria.3.scale", -5), "evaluation.criteria.3.scale", "0", "-5"),
    case("term-months-zero", TENDER, put("term_months", 0), "term_months", "greater than 0"),
    case("term-months-absurd", TENDER, put("term_months", 10**20), "term_months", "1200"),
    # parallel_months and price bounds below 0
    case("parallel-months-negative", TENDER, put("switching.parallel_months", -1), "switching.parallel_months", "0", "-1"),
    case("bounds-negative", TENDER, put("evaluation.price", {"weight": 55, "formula": "bounded", "bounds": {"best": -100, "worst": 900000}}),
         "evaluation.price.bounds.best", "0", "-100"),
    # not numbers at all
    case("infinite-fee", AZUR, put("plans.0.monthly_fee", float("inf")), "plans.0.monthly_fee", "finite"),
    case("nan-usage", TENDER, put("profiles.0.usage.voice_min", float("nan")), "profiles.0.usage.voice_min", "finite"),
]


@pytest.mark.parametrize("c", RANGE_CASES)
def test_value_out_of_range(tmp_path, c):
    check_load_case(tmp_path, c)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(put("indexation_percent", 100), id="indexation-100"),
        pytest.param(put("indexation_percent", -99.5), id="indexation-minus-99.5"),
        pytest.param(put("portability.exit_fee_refund", 1), id="share-1"),
    ],
)
def test_range_edges_that_are_allowed(tmp_path, edit):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, BOREAL, edit)
    load_tender(folder)


@pytest.mark.parametrize("weight", [20.01, 19.99, 20.005])
def test_weights_within_tolerance_load(tmp_path, weight):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, put("evaluation.criteria.3.weight", weight))
    load_tender(folder)


def test_growth_of_minus_1_and_discount_rate_above_minus_1_load(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, chain(put("profiles.1.line_growth", -1), put("discount_rate", -0.5)))
    load_tender(folder)


# --------------------------------------------------------------------------- unknown fields and ids

UNKNOWN_CASES = [
    case("tender-field", TENDER, rename("currency", "curency"), "curency", "unknown field"),
    case("bid-field", COBALT, rename("service", "services"), "services", "unknown field"),
    case("plan-field", AZUR, rename("plans.0.monthly_fee", "monthly_fees"), "plans.0.monthly_fees", "unknown field"),
    case("plan-field-leaves-fee-missing", AZUR, rename("plans.0.monthly_fee", "monthly_fees"), "plans.0.monthly_fee", "missing"),
    case("switching-field", TENDER, rename("switching.project_eur", "project_euros"), "switching.project_euros", "unknown field"),
    case("criterion-field", TENDER, rename("evaluation.criteria.0.better", "beter"), "evaluation.criteria.0.beter", "unknown field"),
    case("profile-field", TENDER, rename("profiles.1.line_growth", "lines_growth"), "profiles.1.lines_growth", "unknown field"),
    case("entity-field", TENDER, put("entities.0.city", "Lyon"), "entities.0.city", "unknown field"),
    case("device-field", TENDER, put("profiles.0.device.model", "x"), "profiles.0.device.model", "unknown field"),
    case("evaluation-field", TENDER, put("evaluation.tie_break", "tco"), "evaluation.tie_break", "unknown field"),
    case("price-field", TENDER, put("evaluation.price.formulae", "linear"), "evaluation.price.formulae", "unknown field"),
    case("fees-field", AZUR, rename("fees.account_monthly", "account_fee"), "fees.account_fee", "unknown field"),
    case("discounts-field", BOREAL, put("discounts.loyalty", 5), "discounts.loyalty", "unknown field"),
    case("tier-field", BOREAL, put("discounts.volume.0.max_lines", 999), "discounts.volume.0.max_lines", "unknown field"),
    case("devices-field", AZUR, put("devices.leasing", True), "devices.leasing", "unknown field"),
    case("portability-field", BOREAL, put("portability.refund", 0.5), "portability.refund", "unknown field"),
    case("pool-field", BOREAL, put("pool.data_gb.rate", 1.6), "pool.data_gb.rate", "unknown field"),
    case("bounds-field", TENDER, put("evaluation.price", {"weight": 55, "formula": "bounded", "bounds": {"best": 1, "worst": 2, "mid": 1.5}}),
         "evaluation.price.bounds.mid", "unknown field"),
    # unknown ids
    case("entity-in-lines", TENDER, put("profiles.1.lines.nowhere", 10), "profiles.1.lines.nowhere", "unknown entity", "nowhere"),
    case("profile-in-offer", COBALT, put("offer.managers", "all"), "offer.managers", "unknown profile", "managers"),
    case("plan-in-offer", AZUR, put("offer.terrain", "standard"), "offer.terrain", "unknown plan", "standard"),
    case("plan-in-offer-list", BOREAL, put("offer.cadres", ["flex", "maxi"]), "offer.cadres.1", "unknown plan", "maxi"),
    case("same-plan-twice-in-offer", BOREAL, put("offer.terrain", ["flex", "max", "flex"]), "offer.terrain.2", "twice", "flex"),
    case("bid-in-evaluations", EVALS, put("marc.dorado", {"memo": 3}), "marc.dorado", "unknown bid", "dorado"),
    case("criterion-in-evaluations", EVALS, put("claire.boreal.mem", 4), "claire.boreal.mem", "unknown criterion", "mem"),
    case("non-evaluator-criterion-in-evaluations", EVALS, put("claire.boreal.support", 4), "claire.boreal.support",
         "not scored by evaluators", "support"),
    case("usage-growth-component-not-in-usage", TENDER, put("profiles.2.usage_growth", {"voice_min": 0.1}),
         "profiles.2.usage_growth.voice_min", "usage", "voice_min"),
]


@pytest.mark.parametrize("c", UNKNOWN_CASES)
def test_unknown_field_or_id(tmp_path, c):
    check_load_case(tmp_path, c)


def test_unknown_incumbent_is_only_a_warning(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, put("incumbent", "orange"))
    assert any("orange" in w for w in load_tender(folder).warnings)


# --------------------------------------------------------------------------- evaluator scores

SCORE_CASES = [
    case("score-above-scale", EVALS, put("claire.boreal.memo", 6), "claire.boreal.memo", "outside", "0..5", "6"),
    case("score-negative", EVALS, put("marc.azur.memo", -1), "marc.azur.memo", "outside", "0..5", "-1"),
]


@pytest.mark.parametrize("c", SCORE_CASES)
def test_evaluator_score_outside_scale(tmp_path, c):
    check_load_case(tmp_path, c)


def test_evaluator_scores_at_the_edges_and_free_text_names_load(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, EVALS, chain(put("claire.azur.memo", 0), put("marc.boreal.memo", 5),
                                   rename("marc", "Marc Dupont (DSI)")))
    assert load_tender(folder).evaluations["Marc Dupont (DSI)"]["boreal"]["memo"] == 5


# --------------------------------------------------------------------------- duplicate ids

DUPLICATE_CASES = [
    case("entity", TENDER, put("entities.1.id", "siege"), "entities.1.id", "siege", "twice"),
    case("profile", TENDER, put("profiles.2.id", "cadres"), "profiles.2.id", "cadres", "twice"),
    case("plan", AZUR, put("plans.2.id", "std"), "plans.2.id", "std", "twice"),
    case("criterion", TENDER, put("evaluation.criteria.1.id", "support"), "evaluation.criteria.1.id", "support", "twice"),
]


@pytest.mark.parametrize("c", DUPLICATE_CASES)
def test_duplicate_id(tmp_path, c):
    check_load_case(tmp_path, c)


def test_duplicate_bid_id_across_two_files(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, COBALT, put("id", "boreal"))  # boreal.yaml's id is its stem, boreal
    err = load_error(folder)
    assert_problem(err, COBALT, "id", "boreal", "boreal.yaml")


def test_bid_id_may_differ_from_the_file_stem(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, COBALT, put("id", "cobalt-networks"))
    edit_yaml(folder, EVALS, chain(rename("claire.cobalt", "cobalt-networks"), rename("marc.cobalt", "cobalt-networks")))
    assert [b.id for b in load_tender(folder).bids] == ["azur", "boreal", "cobalt-networks"]


# --------------------------------------------------------------------------- id syntax

ID_CASES = [
    case("bid-id-field", BOREAL, put("id", "Boreal"), "id", "Boreal", "[a-z0-9_-]+"),
    case("bid-id-with-space", BOREAL, put("id", "boreal telecom"), "id", "boreal telecom", "[a-z0-9_-]+"),
    case("bid-id-number", BOREAL, put("id", 7), "id", "7"),
    case("entity", TENDER, put("entities.1.id", "Depots"), "entities.1.id", "Depots", "[a-z0-9_-]+"),
    case("entity-key-in-lines", TENDER, rename("profiles.0.lines.depots", "Depots"), "profiles.0.lines.Depots", "Depots", "[a-z0-9_-]+"),
    case("profile", TENDER, put("profiles.0.id", "Cadres"), "profiles.0.id", "Cadres", "[a-z0-9_-]+"),
    case("usage-component", TENDER, rename("profiles.0.usage.data_gb", "Data_GB"), "profiles.0.usage.Data_GB", "Data_GB", "[a-z0-9_-]+"),
    case("usage-growth-component", TENDER, put("profiles.0.usage_growth", {"data gb": 0.2}),
         "profiles.0.usage_growth.data gb", "data gb", "[a-z0-9_-]+"),
    case("allowance-component", AZUR, rename("plans.0.allowances.data_gb", "Data"), "plans.0.allowances.Data", "Data", "[a-z0-9_-]+"),
    case("rate-component", AZUR, rename("plans.0.rates.data_gb", "data.gb"), "plans.0.rates.data.gb", "data.gb", "[a-z0-9_-]+"),
    case("pool-component", BOREAL, rename("pool.data_gb", "DATA"), "pool.DATA", "DATA", "[a-z0-9_-]+"),
    case("device-tier", TENDER, put("profiles.0.device.tier", "Premium"), "profiles.0.device.tier", "Premium", "[a-z0-9_-]+"),
    case("device-price-tier", AZUR, rename("devices.prices.premium", "Premium"), "devices.prices.Premium", "Premium", "[a-z0-9_-]+"),
    case("incumbent", TENDER, put("incumbent", "Azur"), "incumbent", "Azur", "[a-z0-9_-]+"),
    case("plan", AZUR, put("plans.2.id", "Data"), "plans.2.id", "Data", "[a-z0-9_-]+"),
    case("plan-in-offer", AZUR, put("offer.tablettes", "Data"), "offer.tablettes", "Data"),
    case("criterion", TENDER, put("evaluation.criteria.1.id", "SIM swap"), "evaluation.criteria.1.id", "SIM swap", "[a-z0-9_-]+"),
]


@pytest.mark.parametrize("c", ID_CASES)
def test_id_not_matching_the_pattern(tmp_path, c):
    check_load_case(tmp_path, c)


def test_bid_id_from_a_file_stem_with_capitals(tmp_path):
    folder = copy_sample(tmp_path)
    (folder / BOREAL).rename(folder / "bids" / "Boreal.yaml")
    err = load_error(folder)
    assert_problem(err, "bids/Boreal.yaml", "(file name)", "Boreal", "[a-z0-9_-]+")


# --------------------------------------------------------------------------- evaluation rules

EVALUATION_CASES = [
    case("weights-below-100", TENDER, put("evaluation.price.weight", 50), "evaluation", "100", "95"),
    case("weights-above-100", TENDER, put("evaluation.criteria.3.weight", 20.5), "evaluation", "100", "100.5"),
    case("weights-just-outside-tolerance", TENDER, put("evaluation.criteria.3.weight", 20.02), "evaluation", "100.02"),
    case("unknown-formula", TENDER, put("evaluation.price.formula", "proportional"), "evaluation.price.formula", "proportional", "ratio"),
    case("unknown-method", TENDER, put("evaluation.method", "ahp"), "evaluation.method", "ahp", "topsis"),
    case("unknown-basis", TENDER, put("evaluation.price.basis", "cost"), "evaluation.price.basis", "cost", "tco"),
    case("unknown-reference", TENDER, put("evaluation.price.reference", "everyone"), "evaluation.price.reference", "everyone", "compliant"),
    case("bounded-without-bounds", TENDER, put("evaluation.price.formula", "bounded"), "evaluation.price.bounds", "bounded", "bounds"),
    case("bounds-best-above-worst", TENDER, put("evaluation.price", {"weight": 55, "formula": "bounded", "bounds": {"best": 1500000, "worst": 900000}}),
         "evaluation.price.bounds", "best", "below", "worst"),
    case("bounds-best-equals-worst", TENDER, put("evaluation.price", {"weight": 55, "formula": "bounded", "bounds": {"best": 900000, "worst": 900000}}),
         "evaluation.price.bounds", "best", "below", "worst"),
    case("npv-without-discount-rate", TENDER, chain(drop("discount_rate"), put("evaluation.price.basis", "npv")),
         "discount_rate", "npv"),
    # criterion fields that do not fit its kind
    case("better-contradicts-best-worst", TENDER, put("evaluation.criteria.0.better", "higher"),
         "evaluation.criteria.0.better", "higher", "contradicts"),
    case("better-without-best-worst", TENDER, put("evaluation.criteria.2.better", "higher"),
         "evaluation.criteria.2.better", "best", "worst"),
    case("unknown-better", TENDER, put("evaluation.criteria.1.better", "smaller"), "evaluation.criteria.1.better", "lower", "higher"),
    case("limit-on-yes-no", TENDER, put("evaluation.criteria.2.limit", 1), "evaluation.criteria.2.limit", "numeric"),
    case("limit-on-evaluator", TENDER, put("evaluation.criteria.3.limit", 2), "evaluation.criteria.3.limit", "numeric"),
    case("scale-on-numeric", TENDER, put("evaluation.criteria.0.scale", 5), "evaluation.criteria.0.scale", "evaluator"),
    case("scale-on-yes-no", TENDER, put("evaluation.criteria.2.scale", 5), "evaluation.criteria.2.scale", "evaluator"),
    case("best-on-evaluator", TENDER, put("evaluation.criteria.3.best", 5), "evaluation.criteria.3.best", "evaluator"),
    case("worst-on-evaluator", TENDER, put("evaluation.criteria.3.worst", 0), "evaluation.criteria.3.worst", "evaluator"),
    case("better-on-evaluator", TENDER, put("evaluation.criteria.3.better", "higher"), "evaluation.criteria.3.better", "evaluator"),
    case("evaluator-without-scale", TENDER, drop("evaluation.criteria.3.scale"), "evaluation.criteria.3.scale", "scale"),
    case("best-equals-worst", TENDER, put("evaluation.criteria.1.worst", 1), "evaluation.criteria.1.worst", "differ"),
    case("best-without-worst", TENDER, drop("evaluation.criteria.1.worst"), "evaluation.criteria.1.worst", "best", "worst"),
    case("worst-without-best", TENDER, drop("evaluation.criteria.0.best"), "evaluation.criteria.0.best", "best", "worst"),
    # the fleet
    case("zero-initial-lines", TENDER, chain(*(put(f"profiles.{i}.lines", {"siege": 0, "depots": 0}) for i in range(3))),
         "profiles", "no initial line"),
    case("no-profiles", TENDER, put("profiles", []), "profiles", "profile"),
]


@pytest.mark.parametrize("c", EVALUATION_CASES)
def test_evaluation_rules(tmp_path, c):
    check_load_case(tmp_path, c)


def test_topsis_needs_no_bounds(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, chain(put("evaluation.method", "topsis"), put("evaluation.price.formula", "bounded")))
    load_tender(folder)


# --------------------------------------------------------------------------- allowances and dates

MISC_CASES = [
    case("unlimited-capitalised", AZUR, put("plans.1.allowances.voice_min", "Unlimited"),
         "plans.1.allowances.voice_min", "unlimited", "'Unlimited'"),
    case("unlimited-in-french", COBALT, put("plans.0.allowances.sms", "illimité"), "plans.0.allowances.sms", "unlimited", "illimité"),
    case("unlimited-as-bool", COBALT, put("plans.0.allowances.sms", True), "plans.0.allowances.sms", "unlimited", "True"),
    case("date-day-first", TENDER, put("award_date", "15/01/2027"), "award_date", "YYYY-MM-DD", "15/01/2027"),
    case("date-without-padding", BOREAL, put("valid_until", "2027-2-28"), "valid_until", "YYYY-MM-DD", "2027-2-28"),
    case("date-that-does-not-exist", BOREAL, put("valid_until", "2027-02-30"), "valid_until", "2027-02-30"),
    case("date-as-number", AZUR, put("valid_until", 20270331), "valid_until", "YYYY-MM-DD", "20270331"),
    # Ten digits in a row are hidden as a possible phone number (scoring.errors.redact).
    case("date-as-unix-midnight", AZUR, put("valid_until", 1806451200), "valid_until", "YYYY-MM-DD"),
    case("date-with-time", COBALT, put("valid_until", datetime.datetime(2026, 12, 31, 18, 0)),
         "valid_until", "YYYY-MM-DD", "2026-12-31T18:00:00"),
    case("date-with-midnight", COBALT, put("valid_until", datetime.datetime(2026, 12, 31)), "valid_until", "YYYY-MM-DD"),
]


@pytest.mark.parametrize("c", MISC_CASES)
def test_allowance_and_date_spelling(tmp_path, c):
    check_load_case(tmp_path, c)


def test_quoted_and_unquoted_iso_dates_load(tmp_path):
    folder = copy_sample(tmp_path)
    text = (folder / TENDER).read_text(encoding="utf-8")
    (folder / TENDER).write_text(text.replace("award_date: 2027-01-15", 'award_date: "2027-01-15"'), encoding="utf-8")
    tender = load_tender(folder)
    assert str(tender.spec.award_date) == "2027-01-15"
    assert str(tender.bid("azur").spec.valid_until) == "2027-03-31"


# --------------------------------------------------------------------------- checks at evaluation


@pytest.mark.parametrize(
    "edit, field, words",
    [
        pytest.param(put("service.support_answer_minutes", "five"), "service.support_answer_minutes",
                     ("support", "number", "'five'"), id="text-for-number"),
        pytest.param(put("service.sim_replacement_days", True), "service.sim_replacement_days",
                     ("sim_swap", "number", "True"), id="bool-for-number"),
        pytest.param(put("service.cost_centre_billing", 1), "service.cost_centre_billing",
                     ("billing_split", "yes/no", "1"), id="number-for-yes-no"),
        pytest.param(put("service.cost_centre_billing", "oui"), "service.cost_centre_billing",
                     ("billing_split", "yes/no", "oui"), id="text-for-yes-no"),
    ],
)
def test_criterion_value_of_the_wrong_type(tmp_path, edit, field, words):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, COBALT, edit)
    assert_problem(evaluate_error(folder), COBALT, field, *words)


@pytest.mark.parametrize("formula", ["ratio", "deviation"])
def test_price_basis_not_above_zero_for_ratio_or_deviation(tmp_path, formula):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, chain(put("evaluation.price.basis", "bid"), put("evaluation.price.formula", formula)))
    edit_yaml(folder, BOREAL, put("portability.migration_credit", 10_000_000))  # the operator pays the buyer
    err = evaluate_error(folder)
    assert_problem(err, TENDER, "evaluation.price.formula", "'boreal'", "linear", "bounded")


def test_price_basis_not_above_zero_is_fine_for_linear_or_outside_the_pool(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, put("evaluation.price.basis", "bid"))
    edit_yaml(folder, BOREAL, chain(put("discounts.welcome_credit", 10_000_000),
                                    put("service.cost_centre_billing", False)))  # knocked out: not in the pool
    result = evaluate(load_tender(folder))
    assert result.winner is not None and result.ranking.rank["boreal"] is None
    edit_yaml(folder, TENDER, put("evaluation.price.formula", "linear"))
    edit_yaml(folder, BOREAL, put("service.cost_centre_billing", True))
    assert evaluate(load_tender(folder)).winner == "boreal"


# --------------------------------------------------------------------------- every defect at once


def test_defects_in_several_files_are_reported_together(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, put("evaluation.price.weight", 50))
    edit_yaml(folder, AZUR, put("plans.0.monthly_fee", "cheap"))
    edit_yaml(folder, COBALT, put("fees.setup", -1))
    (folder / BOREAL).write_text("operator: [unclosed\n")
    err = load_error(folder)
    assert {p.file.rsplit("/", 1)[-1] for p in err.problems} >= {"tender.yaml", "azur.yaml", "cobalt.yaml", "boreal.yaml"}


# --------------------------------------------------------------------------- the command line


def _run_cli(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scoring", "evaluate", str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )


def _assert_clean_failure(proc: subprocess.CompletedProcess[str], files: set[str]) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines
    for line in lines:
        assert line.startswith("error: "), line
        assert any(f in line for f in files), line


def test_cli_broken_tender_exits_2_with_one_line_per_problem(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, TENDER, put("evaluation.price.weight", 50))
    edit_yaml(folder, AZUR, rename("plans.0.monthly_fee", "monthly_fees"))
    (folder / BOREAL).write_text("operator: Boreal\nplans: [\n")
    proc = _run_cli(folder)
    _assert_clean_failure(proc, {"tender.yaml", "bids/azur.yaml", "bids/boreal.yaml"})
    assert any("bids/azur.yaml: plans.0.monthly_fees: unknown field" in line for line in proc.stderr.splitlines())
    assert any("tender.yaml: evaluation: weights add up to 95" in line for line in proc.stderr.splitlines())


def test_cli_error_found_at_evaluation_exits_2(tmp_path):
    folder = copy_sample(tmp_path)
    edit_yaml(folder, COBALT, put("service.support_answer_minutes", "five"))
    proc = _run_cli(folder)
    _assert_clean_failure(proc, {"bids/cobalt.yaml"})
    assert "service.support_answer_minutes" in proc.stderr


def test_cli_missing_folder_exits_2(tmp_path):
    _assert_clean_failure(_run_cli(tmp_path / "nowhere"), {"nowhere"})


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    """"Billion laughs": nine levels of nine aliases stand for 9^9 values; refused in well
    under a second instead of being expanded by everything that walks the document."""
    import time

    folder = tmp_path / "bomb"
    shutil.copytree(SAMPLE, folder)
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    (folder / "tender.yaml").write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    with pytest.raises(TenderError) as err:
        load_tender(folder)
    assert time.perf_counter() - start < 1.0
    assert err.value.problems[0].file.endswith("tender.yaml") and "alias" in err.value.problems[0].message


def test_deeply_nested_yaml_is_a_clean_error(tmp_path):
    folder = tmp_path / "deep"
    shutil.copytree(SAMPLE, folder)
    (folder / "tender.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(TenderError) as err:
        load_tender(folder)
    assert "nesting depth" in err.value.problems[0].message
