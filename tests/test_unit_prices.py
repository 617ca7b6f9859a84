"""The unit-prices view (scoring/unit_prices.py, `Fleetbid.unit_prices`): each costed bid's cost
per line per month by profile, worked by hand on a tiny tender; the rows reconcile with the cost
table and the TCO to the cent on both conformance samples; the pool share is the per-line view's;
and the three outputs (command line, workbook, Compare page) show the model's figures."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import openpyxl
import pytest

from reports import formats as i18n
from scenarios.api import Fleetbid
from scenarios.overlay import scenario_from_dict
from scoring import EXAMPLE_TENDER, evaluate, load_tender
from scoring.components import COMPONENTS
from scoring.per_line import line_costs
from scoring.unit_prices import NOT_PER_LINE, PER_LINE, unit_prices

from conftest import DATA, ROOT, write_tender

CENT = 0.005
SAMPLES = [DATA / "c1-sample", DATA / "c2-real-offers"]


def hand_tender(folder):
    tender = {
        "name": "unit prices by hand", "term_months": 24, "incumbent": "alpha", "entities": [{"id": "hq"}],
        "profiles": [{"id": "a", "lines": {"hq": 10}, "line_growth": 0.5, "usage": {"data_gb": 4}},
                     {"id": "b", "lines": {"hq": 20}, "usage": {"data_gb": 1}}],
        "switching": {"project_eur": 1000},
        "evaluation": {"price": {"weight": 100}},
    }
    bids = {
        "alpha": {"operator": "Alpha", "offer": {"a": "s", "b": "s"},
                  "plans": [{"id": "s", "monthly_fee": 10, "allowances": {"data_gb": 2}, "rates": {"data_gb": 3}}],
                  "fees": {"account_monthly": 5, "per_line_activation": 6}},
        "beta": {"operator": "Beta", "offer": {"a": "p", "b": "p"},
                 "plans": [{"id": "p", "monthly_fee": 8, "allowances": {"data_gb": 2}}],
                 "pool": {"data_gb": {"overage_rate": 2}},
                 "fees": {"setup": 100, "per_line_activation": 1}, "discounts": {"welcome_credit": 50}},
    }
    return write_tender(folder, tender, bids)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    return evaluate(load_tender(hand_tender(tmp_path_factory.mktemp("hand") / "t")))


def test_unit_prices_worked_by_hand(hand):
    """One entity, two profiles, 24 months; Alpha is the incumbent, Beta pools its data.

    Profile a: 10 lines, +50 % lines a year → 15 in year 2; 4 GB a line a month.
    Profile b: 20 lines, no growth; 1 GB.
    Line-months (after growth): a = 10 × 12 + 15 × 12 = 300; b = 20 × 24 = 480.

    Alpha (incumbent): plan €10, 2 GB included, €3/GB beyond; account fee €5 a month;
    activation €6 per line, paid by the incumbent only for the 5 lines added in year 2.
      a: subscription 10.00; usage (4 − 2) × 3 = 6.00; activation 5 × 6 / 300 = 0.10;
         total 16.10 → × 300 = 4,830.
      b: subscription 10.00 (1 GB within 2) → × 480 = 4,800.
      not per line: account fees 5 × 24 = 120.            TCO 4,830 + 4,800 + 120 = 9,750.

    Beta (challenger): plan €8 with 2 GB a line into a pool, €2/GB beyond the pool; setup
    €100; activation €1 per line migrated or added; welcome credit €50; the buyer's switching
    (project) €1,000.
      Year 1: pool 30 × 2 = 60 GB, demand 10 × 4 + 20 × 1 = 60 → no overage.
      Year 2: pool 35 × 2 = 70 GB, demand 15 × 4 + 20 = 80 → 10 GB × €2 × 12 = 240, split by
      each profile's individual overage (a: 15 × (4 − 2) = 30 GB, b: none) → all to a.
      a: subscription 8.00; pool share 240 / 300 = 0.80; activation (10 + 5) × 1 / 300 = 0.05;
         total 8.85 → × 300 = 2,655.
      b: subscription 8.00; activation 20 / 480 = 0.041667; total 8.041667 → × 480 = 3,860.
      not per line: setup 100 − credit 50 + switching 1,000 = 1,050.
                                                    TCO 2,655 + 3,860 + 1,050 = 7,565.
    """
    up = Fleetbid.unit_prices(hand)
    assert up.columns == ("subscriptions", "usage", "pool_overage", "devices", "device_fund", "one_off_per_line")
    assert up.items == ("setup", "account_fees", "credits", "portability", "switching")
    expected = {  # (bid, profile): line-months, subscription, usage, pool share, activation, total, cost
        ("alpha", "a"): (300, 10, 6, 0, 0.10, 16.10, 4830),
        ("alpha", "b"): (480, 10, 0, 0, 0, 10, 4800),
        ("beta", "a"): (300, 8, 0, 0.80, 0.05, 8.85, 2655),
        ("beta", "b"): (480, 8, 0, 0, 20 / 480, 8 + 20 / 480, 3860),
    }
    for (bid, profile), values in expected.items():
        rows, _ = up.of(bid)
        r = rows.set_index("profile").loc[profile]
        got = (r["line_months"], r["subscriptions"], r["usage"], r["pool_overage"], r["one_off_per_line"],
               r["total"], r["cost"])
        assert got == pytest.approx(values, abs=1e-9), (bid, profile)
        assert r["devices"] == r["device_fund"] == 0
    _, alpha = up.of("alpha")
    _, beta = up.of("beta")
    assert dict(alpha[[*up.items, "total"]]) == pytest.approx(
        {"setup": 0, "account_fees": 120, "credits": 0, "portability": 0, "switching": 0, "total": 120})
    assert dict(beta[[*up.items, "total"]]) == pytest.approx(
        {"setup": 100, "account_fees": 0, "credits": -50, "portability": 0, "switching": 1000, "total": 1050})
    assert up.tco == pytest.approx({"alpha": 9750, "beta": 7565}, abs=1e-9)
    assert up.tco == pytest.approx({b: hand.figures[b].tco for b in up.bids}, abs=1e-9)


@pytest.mark.parametrize("folder", SAMPLES, ids=lambda p: p.name)
def test_rows_reconcile_with_the_cost_table_to_the_cent(folder):
    """For every costed bid of both conformance samples: column by column, Σ over profiles of unit
    × line-months is the cost table's figure for those components; the not-per-line items are the
    cost table's; and the profiles' costs plus the not-per-line total are the TCO — each to the
    cent. The tax (c2: 20 %) is split between the two without loss."""
    ev = evaluate(load_tender(folder))
    costs = ev.costs
    up = unit_prices(costs, ev.tender)
    by = costs.by_component()
    k = {c: i for i, c in enumerate(COMPONENTS[:costs.cube.shape[-1]])}
    costed = [b for b in costs.bids if costs.costed(b)]
    assert list(up.bids) == costed and costed
    for bid in costed:
        b = costs.index(bid)
        rows, other = up.of(bid)
        spend = {c: float((rows[c] * rows["line_months"]).sum()) for c in (*up.columns, "total")}
        for c in ("subscriptions", "usage", "pool_overage", "line_fees", "devices", "device_fund"):
            if c in up.columns:
                assert abs(spend[c] - by[b, k[c]]) < CENT, (bid, c)
        setup = ev.tender.bid(bid).spec.fees.setup
        assert abs(spend["one_off_per_line"] + setup - by[b, k["one_off_fees"]]) < CENT
        for c in ("account_fees", "minimum_spend", "credits", "portability", "switching"):
            if c in up.items:
                assert abs(other[c] - by[b, k[c]]) < CENT, (bid, c)
        assert other["setup"] == setup
        if "tax" in up.columns:
            assert abs(spend["tax"] + other["tax"] - by[b, k["tax"]]) < CENT
            assert abs(spend["tax"] - 0.2 * sum(spend[c] for c in up.columns if c != "tax")) < CENT
        assert abs(spend["total"] - rows["cost"].sum()) < CENT
        assert abs(spend["total"] + other["total"] - ev.figures[bid].tco) < CENT
        assert abs(rows["cost"].sum() + other["total"] - up.tco[bid]) < CENT
        assert np.allclose(rows[list(up.columns)].sum(axis=1), rows["total"], rtol=0, atol=1e-9)
    if folder.name == "c2-real-offers":  # every v1.1 column and item is shown
        assert up.columns == PER_LINE and up.items == NOT_PER_LINE


def test_pool_share_is_the_per_line_views():
    """The pool share is the cost table's split of the pooled overage, the same one the per-line
    view applies line by line: on the example evaluated line by line on its billing export (data
    doubled, so that Telvia's pool overflows), each profile's lines' pool shares, subscriptions,
    usage and devices (scoring.per_line) add up to unit price × line-months."""
    session = Fleetbid.open(EXAMPLE_TENDER)
    ev = session.evaluation(scenario_from_dict({"name": "lines, data doubled", "set": {"usage_file": {
        "evaluate_on": "lines", "usage_scale": {"data_gb": 2}}}}, "lines.yaml"))
    up = Fleetbid.unit_prices(ev)
    pooled = 0.0
    for bid in up.bids:
        lines = line_costs(ev.costs, ev.tender, bid)
        summed = lines.groupby("profile", observed=True)[["subscriptions", "usage", "pool_overage", "devices"]].sum()
        rows = up.of(bid)[0].set_index("profile")
        for c in summed.columns:
            np.testing.assert_allclose(summed[c], rows.loc[summed.index, c] * rows.loc[summed.index, "line_months"],
                                       rtol=0, atol=CENT)
        pooled += float(summed["pool_overage"].sum())
    assert pooled > 0  # a pool overflows in the example: the check is not vacuous


def test_the_facade_answers_from_the_evaluation():
    ev = evaluate(load_tender(EXAMPLE_TENDER))
    up = Fleetbid.open(EXAMPLE_TENDER).unit_prices(ev)
    direct = unit_prices(ev.costs, ev.tender)
    assert up.to_dict() == direct.to_dict()
    assert set(up.bids) == {b for b in ev.costs.bids if ev.costs.costed(b)}
    json.dumps(up.to_dict(), allow_nan=False)


# --------------------------------------------------------------------------- the command line


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_cli_unit_prices_section_and_json_key_only_with_the_flag(hand):
    """Without --unit-prices the outputs are today's (no section, no key); with it the text adds
    the section (the by-hand figures) and the JSON a ``unit_prices`` key, the rest unchanged."""
    folder = str(hand.tender.folder)
    plain, text = cli("evaluate", folder), cli("evaluate", folder, "--unit-prices")
    assert plain.returncode == text.returncode == 0, text.stderr
    assert "Unit prices" not in plain.stdout
    assert text.stdout.startswith(plain.stdout.rstrip("\n"))
    section = text.stdout[len(plain.stdout.rstrip("\n")):]
    assert "Unit prices: cost per line per month" in section and "EUR excl. VAT" in section
    assert "Alpha (alpha):" in section and "Beta (beta):" in section
    lines = section.splitlines()
    beta_a = next(line for line in lines[lines.index("Beta (beta):"):] if line.strip().startswith("a "))
    assert beta_a.split()[1:] == ["300", "8.00", "0.00", "0.80", "0.05", "8.85", "2,655"]  # devices/fund: none
    assert "Nothing for any bid: Device, Device fund." in section
    assert "Not per line (over the term): setup fee 100, credits -50, switching cost (buyer's) 1,000" in section
    plain_json, with_key = cli("evaluate", folder, "--json"), cli("evaluate", folder, "--json", "--unit-prices")
    base, extended = json.loads(plain_json.stdout), json.loads(with_key.stdout)
    assert "unit_prices" not in base
    assert {k: v for k, v in extended.items() if k != "unit_prices"} == base
    unit = extended["unit_prices"]
    assert unit["basis"] == "excl. VAT" and [b["id"] for b in unit["bids"]] == ["alpha", "beta"]
    beta = unit["bids"][1]
    assert beta["profiles"][0]["per_line_month"]["pool_overage"] == pytest.approx(0.80)
    assert beta["not_per_line"]["total"] == pytest.approx(1050) and beta["tco"] == pytest.approx(7565)


def test_cli_json_without_the_flag_is_the_evaluation_json():
    out = cli("evaluate", str(DATA / "c2-real-offers"), "--json")
    assert out.returncode == 0
    assert out.stdout == evaluate(load_tender(DATA / "c2-real-offers")).to_json() + "\n"


# --------------------------------------------------------------------------- the workbook


def test_workbook_sheet_shows_the_models_figures_and_adds_up():
    """The Unit prices sheet: one row per costed bid × profile with the model's unrounded figures
    under money formats, a not-per-line row per bid, and each bid's "cost over the term" cells
    adding up to its TCO; the second table's TCO column equals the bid's TCO."""
    from reports.workbook import write_evaluation_workbook

    ev = evaluate(load_tender(DATA / "c2-real-offers"))
    up = Fleetbid.unit_prices(ev)
    wb = openpyxl.load_workbook(io.BytesIO(write_evaluation_workbook(ev, io.BytesIO(), include_sensitivity=False)))
    assert "Unit prices" in wb.sheetnames
    assert wb.sheetnames.index("Unit prices") == wb.sheetnames.index("Costs by profile") + 1
    ws = wb["Unit prices"]
    assert ws.freeze_panes is not None and ws.auto_filter.ref
    cells = list(ws.iter_rows())
    header = next(i for i, r in enumerate(cells) if r[0].value == "Bid")
    head = [c.value for c in cells[header]]
    assert head[:5] == ["Bid", "Operator", "Profile", "Key", "Line-months"]
    assert head[-3:] == ["Tax", "Total", "Cost over the term"]
    term = {}
    for r in cells[header + 1:]:
        if r[0].value is None:
            break
        bid, key = r[0].value, r[3].value
        term[bid] = term.get(bid, 0.0) + r[len(head) - 1].value
        if key is None:
            assert r[2].value == "Not per line (over the term)"
            continue
        rows = up.of(bid)[0].set_index("profile")
        exact = {"rel": 1e-14, "abs": 1e-12}  # stored unrounded (Excel keeps 15-16 significant digits)
        assert r[4].value == pytest.approx(rows.loc[key, "line_months"], **exact)
        assert r[head.index("Total")].value == pytest.approx(rows.loc[key, "total"], **exact)
        assert r[head.index("Usage")].value == pytest.approx(rows.loc[key, "usage"], **exact)
        assert "€" in r[head.index("Total")].number_format
    assert set(term) == set(up.bids)
    for bid, total in term.items():
        assert abs(total - ev.figures[bid].tco) < CENT
    second = next(i for i, r in enumerate(cells) if i > header and r[0].value == "Bid")
    head2 = [c.value for c in cells[second]]
    for r in cells[second + 1:second + 1 + len(up.bids)]:
        assert abs(r[head2.index("TCO")].value - ev.figures[r[0].value].tco) < CENT


def test_workbook_sheet_keeps_hostile_names_as_text(tmp_path):
    """An operator named like a formula stays plain text on the Unit prices sheet."""
    import shutil

    import yaml

    from reports.workbook import write_evaluation_workbook

    folder = tmp_path / "c1"
    shutil.copytree(DATA / "c1-sample", folder)
    path = folder / "bids" / "azur.yaml"
    data = yaml.safe_load(path.read_text())
    data["operator"] = '=HYPERLINK("http://x")'
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    ev = evaluate(load_tender(folder))
    wb = openpyxl.load_workbook(io.BytesIO(write_evaluation_workbook(ev, io.BytesIO(), include_sensitivity=False)))
    found = [c for row in wb["Unit prices"].iter_rows() for c in row if c.value == '=HYPERLINK("http://x")']
    assert found and all(c.data_type == "s" for c in found)


# --------------------------------------------------------------------------- the Compare page


def test_compare_page_unit_prices_table_in_both_languages():
    """The Compare page's unit-prices table: profile × bid, the selected component per line per
    month (the total first), in the page's number format; a component chosen in the select
    shows its own figures; the second table adds up to each bid's TCO."""
    from test_app import page

    ev = evaluate(load_tender(EXAMPLE_TENDER))
    up = Fleetbid.unit_prices(ev)
    telvia = ev.tender.bid("telvia").operator
    rows = up.of("telvia")[0]
    executives = ev.tender.spec.profiles[0]
    assert executives.id == rows["profile"][0]
    for lang, line_months, tco in (("en", "Line-months", "TCO"), ("fr", "Lignes-mois", "Coût total")):
        at = page("compare_page", lang).run()
        assert not at.exception, at.exception
        select = at.selectbox(key="unit_component")
        assert select.value == "Total"  # the same word in both languages
        table = next(d.value for d in at.dataframe if line_months in d.value.columns)
        assert table.loc[executives.name, telvia] == i18n.money(rows["total"][0], lang, decimals=2)
        adds = next(d.value for d in at.dataframe if tco in d.value.index)
        assert adds.loc[tco, telvia] == i18n.money(ev.figures["telvia"].tco, lang)
        pool = "Pool share" if lang == "en" else "Part du pool"
        select.set_value(pool).run()
        assert not at.exception
        table = next(d.value for d in at.dataframe if line_months in d.value.columns)
        assert table.loc[executives.name, telvia] == i18n.money(rows["pool_overage"][0], lang, decimals=2)
        assert rows["pool_overage"][0] > 0  # Telvia's pool overflows: the select changed the figures


# --------------------------------------------------------------------------- no costed bid, bad input


def test_no_costed_bid_is_said_in_every_output(tmp_path):
    """Neither bid offers a plan for profile b: nothing is costed, and the three outputs say so
    (the JSON key is an empty list of bids) instead of showing empty or zero tables."""
    import yaml
    from test_app import page

    from reports.workbook import write_evaluation_workbook
    from scoring.archive import files_of_folder
    from ui.api import Source

    folder = hand_tender(tmp_path / "ko")
    for bid in ("alpha", "beta"):
        path = folder / "bids" / f"{bid}.yaml"
        data = yaml.safe_load(path.read_text())
        del data["offer"]["b"]
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    ev = evaluate(load_tender(folder))
    assert not any(ev.costs.costed(b) for b in ev.costs.bids)
    assert Fleetbid.unit_prices(ev).bids == ()
    text = cli("evaluate", str(folder), "--unit-prices")
    assert text.returncode == 0 and text.stdout.rstrip().endswith("No bid could be costed.")
    assert json.loads(cli("evaluate", str(folder), "--json", "--unit-prices").stdout)["unit_prices"]["bids"] == []
    wb = openpyxl.load_workbook(io.BytesIO(write_evaluation_workbook(ev, io.BytesIO(), include_sensitivity=False)))
    assert any(c.value == "No bid could be costed." for row in wb["Unit prices"].iter_rows() for c in row)
    at = page("compare_page", "fr", source=Source("ko", files_of_folder(folder))).run()
    assert not at.exception, at.exception
    assert any(i.value == "Aucune offre n'a pu être chiffrée." for i in at.info)


def test_bad_input_with_the_flag_is_one_error_line(tmp_path):
    folder = hand_tender(tmp_path / "bad")
    path = folder / "bids" / "beta.yaml"
    path.write_text(path.read_text().replace("monthly_fee: 8", "monthly_fee: -8"))
    out = cli("evaluate", str(folder), "--unit-prices", "--json")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("error: ") and "monthly_fee" in out.stderr and "Traceback" not in out.stderr


def test_cli_unit_prices_follow_the_tenders_locale(tmp_path):
    """A tender with ``locale: de-DE`` (contract: amounts grouped in the tender's locale): the
    section's amounts per line per month and over the term use its decimal comma and dot
    grouping, as the rest of the text (Beta, profile a: 8.85 and 2,655 of the by-hand example)."""
    folder = hand_tender(tmp_path / "de")
    with (folder / "tender.yaml").open("a") as f:
        f.write("locale: de-DE\n")
    out = cli("evaluate", str(folder), "--unit-prices")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    beta_a = next(line for line in lines[lines.index("Beta (beta):"):] if line.strip().startswith("a "))
    assert beta_a.split()[1:] == ["300", "8,00", "0,00", "0,80", "0,05", "8,85", "2.655"]
