"""Service levels (docs/service-levels.md), with every figure computed by hand in the
docstrings: statistics (numpy's linear percentiles), working days on the French calendar across
a public holiday and a weekend, share_within, credit tiers and the cap, a period with no record;
then a whole contract folder (a copy of tests/data/m1-contract with a hand-written ticket log)
through `monitoring.service_levels.service_levels`, and bad logs through the command line: one
error each, naming file, row and column.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from monitoring.contract import KpiSpec
from monitoring.service_levels import capped_credits, credit_percent, judge, service_levels, statistic
from monitoring.workdays import working_days_after

from conftest import DATA, ROOT

SAMPLE = DATA / "m1-contract"
HEADER = "N° ticket,Catégorie,Centre de coût,Ligne,Ouvert le,Première réponse,Résolu le\n"


def kpi(**kw) -> KpiSpec:
    base = {"id": "k", "source": "tickets", "measure": "answer_minutes", "statistic": "mean", "target": 1,
            "better": "lower"}
    return KpiSpec.model_validate({**base, **kw})


def test_statistics():
    """Values 1, 2, 3, 4, 10: mean 20/5 = 4; max 10; p90 at position 0.9 × 4 = 3.6 between 4
    and 10: 4 + 0.6 × 6 = 7.6; p95 at 3.8: 4 + 0.8 × 6 = 8.8."""
    values = np.array([1.0, 2, 3, 4, 10])
    assert statistic(values, kpi(statistic="mean")) == pytest.approx(4.0)
    assert statistic(values, kpi(statistic="max")) == 10.0
    assert statistic(values, kpi(statistic="p90")) == pytest.approx(7.6)
    assert statistic(values, kpi(statistic="p95")) == pytest.approx(8.8)


def test_share_within():
    """Values 0, 1, 2, 3, 5 within 2: lower → ≤ 2: 0, 1, 2 = 3/5 = 0.6; higher → ≥ 2: 2, 3, 5
    = 0.6 too; within 3 lower: 4/5 = 0.8. A share is met when ≥ the target whatever `better`:
    0.6 vs 0.8 missed by 0.2 / 0.8 = 0.25; 0.8 vs 0.8 met."""
    values = np.array([0.0, 1, 2, 3, 5])
    low = kpi(statistic="share_within", within=2, target=0.8)
    high = kpi(statistic="share_within", within=2, target=0.8, better="higher")
    assert statistic(values, low) == pytest.approx(0.6)
    assert statistic(values, high) == pytest.approx(0.6)
    three = kpi(statistic="share_within", within=3, target=0.8)
    assert statistic(values, three) == pytest.approx(0.8)
    assert judge(0.6, 0.8, low) == (False, pytest.approx(0.25))
    assert judge(0.8, 0.8, three) == (True, None)


def test_met_and_miss():
    """lower, target 4: 6.8 missed by 2.8 / 4 = 0.7; 4 met; higher, target 0.97: 0.96 missed by
    0.01 / 0.97; target 0 missed: miss 1."""
    assert judge(6.8, 4.0, kpi()) == (False, pytest.approx(0.7))
    assert judge(4.0, 4.0, kpi()) == (True, None)
    assert judge(0.96, 0.97, kpi(better="higher")) == (False, pytest.approx(0.01 / 0.97))
    assert judge(2.0, 0.0, kpi()) == (False, 1.0)


def test_working_days_across_a_holiday_and_a_weekend():
    """Days d with opened < d ≤ resolved, Monday–Friday minus French public holidays:
    Tue 13 Jul 2027 → Mon 19 Jul: 14 (Bastille Day), 15 Thu, 16 Fri, 17–18 weekend, 19 Mon → 3;
    Wed 5 May → Fri 7 May: 6 (Ascension), 7 → 1; Fri 7 May → Mon 10 May: 8 (Sat, also Victory
    Day), 9 Sun, 10 → 1; the same day → 0; Fri 24 Dec → Mon 27 Dec: 25–26 weekend (Christmas
    on the Saturday), 27 → 1."""
    start = np.array(["2027-07-13", "2027-05-05", "2027-05-07", "2027-04-09", "2027-12-24"], "datetime64[D]")
    end = np.array(["2027-07-19", "2027-05-07", "2027-05-10", "2027-04-09", "2027-12-27"], "datetime64[D]")
    assert working_days_after(start, end, "FR").tolist() == [3, 1, 1, 0, 1]


def test_credit_tiers_and_cap():
    """Tiers miss 0 → 3 %, miss 0.5 → 6 %: a miss of 0.25 takes 3 %, 0.5 (the boundary: ≤) and
    0.7 take 6 %; met: 0. Tiers from miss 0.1: a miss of 0.05 earns nothing. On a base of 1000
    with a 5 % cap (50): credits 60 + 30 = 90 → 50, capped; 40 → 40, not capped; no cap: 90."""
    k = kpi(credit=[{"miss": 0, "percent": 3}, {"miss": 0.5, "percent": 6}])
    assert [credit_percent(m, k) for m in (0.25, 0.5, 0.7, None)] == [3, 6, 6, 0]
    assert credit_percent(0.05, kpi(credit=[{"miss": 0.1, "percent": 2}])) == 0
    assert credit_percent(0.9, kpi()) == 0  # no tiers: no credit
    assert capped_credits(90.0, 1000.0, 5) == (50.0, True)
    assert capped_credits(40.0, 1000.0, 5) == (40.0, False)
    assert capped_credits(90.0, 1000.0, None) == (90.0, False)


def test_no_record_no_value():
    """A period with no record: no value, neither met nor missed, no credit."""
    k = kpi(credit=[{"miss": 0, "percent": 3}])
    assert statistic(np.array([]), k) is None
    assert judge(None, 4.0, k) == (None, None)
    assert credit_percent(None, k) == 0


# --------------------------------------------------------------------------- a contract folder


def contract_copy(tmp_path, tickets: str, kpis: list[dict] | None = None, cap: float | None = 5,
                  columns: dict | None = None):
    folder = tmp_path / "c"
    shutil.copytree(SAMPLE, folder)
    (folder / "tickets.csv").write_text(tickets, encoding="utf-8")
    spec = yaml.safe_load((folder / "contract.yaml").read_text(encoding="utf-8"))
    if kpis is not None:
        spec["service_levels"]["kpis"] = kpis
    spec["service_levels"]["credit_cap_percent"] = cap
    if columns:
        spec["tickets_file"]["columns"].update(columns)
    (folder / "contract.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


TICKETS = HEADER + (
    "T1,Incident,siege,0601000001,2027-07-13T09:00,2027-07-13T09:10,2027-07-19T10:00\n"
    "T2,Incident,siege,,2027-07-15T16:00,2027-07-15T16:04,2027-07-15T18:00\n"
    "T3,Incident,depots,,2027-08-02T08:00,2027-08-02T08:30,\n"
    "T4,Demande,siege,,2027-07-01T10:00,2027-07-01T11:00,2027-07-02T10:00\n")
KPIS = [
    {"id": "answer_p90", "source": "tickets", "measure": "answer_minutes", "filter": {"type": "Incident"},
     "statistic": "p90", "target": 20, "better": "lower",
     "credit": [{"miss": 0, "percent": 3}, {"miss": 0.5, "percent": 6}]},
    {"id": "fix_2d", "source": "tickets", "measure": "resolution_working_days", "filter": {"type": "Incident"},
     "statistic": "share_within", "within": 2, "target": 0.8, "better": "lower", "credit": [{"miss": 0, "percent": 2}]},
    {"id": "sim_days", "source": "tickets", "measure": "resolution_working_days", "filter": {"type": "Incident"},
     "statistic": "mean", "commitment": "service.sim_replacement_days", "better": "lower",
     "credit": [{"miss": 0, "percent": 1}]},
]


def test_contract_folder(tmp_path):
    """Incidents, all opened in 2027Q3 (T4, a request, is filtered out):
    T1 answered in 10 min, resolved Tue 13 Jul → Mon 19 Jul = 3 working days (14 July, weekend);
    T2 4 min, resolved the same day = 0; T3 30 min, not resolved (open).
    answer_p90: [4, 10, 30], position 0.9 × 2 = 1.8: 10 + 0.8 × 20 = 26 vs 20 → miss 0.3, 3 %.
    fix_2d: ≤ 2 days among [3, 0] = 1/2 = 0.5 vs 0.8 → miss 0.375, 2 %; 1 open.
    sim_days: mean (3 + 0) / 2 = 1.5 vs the bid's commitment sim_replacement_days = 1 → miss
    0.5, 1 %. Base 2027Q3 = 2652.83 (the sample's billed subscriptions): credits 3 % + 2 % + 1 %
    = 6 % = 159.1698 > the 5 % cap = 132.6415 → capped. 2027Q2 and 2027Q4 have no ticket: no
    value, no credit. Credits received are the sample's sla_credit rows (0, 150.52, 79.58)."""
    result = service_levels(contract_copy(tmp_path, TICKETS, KPIS))
    assert result.periods == ("2027Q2", "2027Q3", "2027Q4")
    q3 = {k.id: k for k in result.kpis if k.period == "2027Q3"}
    assert q3["answer_p90"].value == pytest.approx(26.0)
    assert (q3["answer_p90"].n, q3["answer_p90"].open, q3["answer_p90"].met) == (3, 0, False)
    assert q3["answer_p90"].miss == pytest.approx(0.3)
    assert q3["answer_p90"].credit_due == pytest.approx(0.03 * 2652.83)
    assert (q3["fix_2d"].n, q3["fix_2d"].open) == (2, 1)
    assert q3["fix_2d"].value == pytest.approx(0.5)
    assert q3["fix_2d"].miss == pytest.approx(0.375)
    assert q3["sim_days"].target == 1.0
    assert q3["sim_days"].value == pytest.approx(1.5)
    assert q3["sim_days"].credit_due == pytest.approx(0.01 * 2652.83)
    for k in result.kpis:
        if k.period != "2027Q3":
            assert (k.n, k.value, k.met, k.miss, k.credit_due) == (0, None, None, None, 0.0), k
    p = result.by_period
    assert p["2027Q3"].base == pytest.approx(2652.83)
    assert p["2027Q3"].kpi_credits == pytest.approx(0.06 * 2652.83)
    assert (p["2027Q3"].credit_due, p["2027Q3"].capped) == (pytest.approx(132.6415), True)
    assert (p["2027Q2"].credit_due, p["2027Q2"].capped) == (0.0, False)
    assert [p[q].credit_received for q in result.periods] == pytest.approx([0.0, 150.52, 79.58])
    assert result.as_json()["kpis"][0].keys() == {"id", "period", "n", "open", "value", "target", "met", "miss",
                                                  "credit_due"}


def _errors(folder) -> list[str]:
    run = subprocess.run([sys.executable, "-m", "monitoring", "sla", str(folder), "--json"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr, run.stderr
    return run.stderr.splitlines()


@pytest.mark.parametrize(("row", "column", "words"), [
    ("T1,Incident,siege,,2027-07-13T09:00,2027-07-13T09:10,2027-07-12T10:00", "Résolu le",
     "resolved at 2027-07-12T10:00, before it was opened at 2027-07-13T09:00"),
    ("T1,Incident,siege,,2027-07-13T09:00,2027-07-13T08:10,", "Première réponse", "answered at 2027-07-13T08:10, before it was opened at 2027-07-13T09:00"),
    ("T1,Incident,siege,,13/07/2027 09:00,2027-07-13T09:10,", "Ouvert le", "is not a timestamp"),
    ("T1,Incident,siege,,2027-13-02T09:00,2027-07-13T09:10,", "Ouvert le", "is not a timestamp"),
])
def test_bad_ticket_one_error(tmp_path, row, column, words):
    folder = contract_copy(tmp_path, HEADER + "T0,Incident,siege,,2027-07-01T09:00,,\n" + row + "\n")
    (line,) = _errors(folder)
    assert line.startswith(f"error: {folder}/tickets.csv: row 3, column {column}: ") and words in line, line


def test_unknown_column_one_error(tmp_path):
    """The contract maps `resolved` to a header the log does not have: named as row 1 (the
    header) and the column."""
    folder = contract_copy(tmp_path, TICKETS, columns={"resolved": "Clôturé le"})
    (line,) = _errors(folder)
    assert line.startswith(f"error: {folder}/tickets.csv: row 1, column Clôturé le: ") and "header" in line, line


def test_bad_port_one_error(tmp_path):
    folder = contract_copy(tmp_path, TICKETS)
    ports = (folder / "ports.csv").read_text(encoding="utf-8").splitlines()
    ports[3] = "0601183763,04-E-DL3L38-2UB,2027-04-05,2027-04-02,ported,"
    (folder / "ports.csv").write_text("\n".join(ports) + "\n", encoding="utf-8")
    (line,) = _errors(folder)
    assert line == (f"error: {folder}/ports.csv: row 4, column Porté le: ported on 2027-04-02, before it was "
                    "requested on 2027-04-05")
    assert "0601183763" not in line


def test_contract_yaml_is_strict(tmp_path):
    """share_within without `within`, and a commitment the bid does not have: errors naming the
    field of contract.yaml."""
    bad = [dict(KPIS[1], within=None), dict(KPIS[2], commitment="service.nowhere")]
    (line,) = _errors(contract_copy(tmp_path, TICKETS, [bad[0]]))
    assert "contract.yaml: service_levels.kpis.0.within: " in line, line
    (line,) = _errors(contract_copy(tmp_path / "2", TICKETS, [bad[1]]))
    assert "contract.yaml: service_levels.kpis.0.commitment: " in line and "service.nowhere" in line, line


def test_monthly_periods(tmp_path):
    """`period: month`: the months with an invoice, 2027-04 … 2027-12. Incidents of 2027-07:
    T1 10 min and T2 4 min → p90 of [4, 10] = 4 + 0.9 × 6 = 9.4 ≤ 20, met; 2027-08: T3 30 min
    → miss 10 / 20 = 0.5 → the 6 % tier × the month's billed subscriptions (summed here from
    the invoice file itself)."""
    folder = contract_copy(tmp_path, TICKETS, KPIS[:1], cap=None)
    spec = yaml.safe_load((folder / "contract.yaml").read_text(encoding="utf-8"))
    spec["service_levels"]["period"] = "month"
    (folder / "contract.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = service_levels(folder)
    assert result.periods == tuple(f"2027-{m:02d}" for m in range(4, 13))
    by = {k.period: k for k in result.kpis}
    assert by["2027-07"].value == pytest.approx(9.4) and by["2027-07"].met is True
    assert by["2027-08"].miss == pytest.approx(0.5)
    labels = [k for k, v in spec["invoice_file"]["charges"].items() if v == "subscription"]
    rows = pd.concat([pd.read_csv(f, sep=";", decimal=",", dtype={"Période facturée": str})
                      for f in sorted((folder / "invoices").glob("*.csv"))])
    base = rows[rows["Libellé"].isin(labels) & (rows["Période facturée"] == "2027-08")]["Montant HT"].sum()
    assert result.by_period["2027-08"].base == pytest.approx(base)
    assert by["2027-08"].credit_due == pytest.approx(0.06 * base)
    assert by["2027-04"].value is None and by["2027-04"].credit_due == 0.0


def test_porting_funnel_and_actions():
    """The sample's port log counted independently (pandas, by the quarter of the request
    date) against `ServiceLevels.porting`; the action log open first (a2, a3, a4), a1 done."""
    result = service_levels(SAMPLE)
    ports = pd.read_csv(SAMPLE / "ports.csv", dtype=str)
    quarter = pd.PeriodIndex(pd.to_datetime(ports["Demandé le"]), freq="Q").astype(str)
    for p in result.porting:
        here = ports[quarter == p.period]
        status = here["Statut"].value_counts()
        assert (p.requested, p.ported, p.rejected, p.lost, p.pending) == (
            len(here), status.get("ported", 0), status.get("rejected", 0), status.get("lost", 0),
            status.get("pending", 0)), p.period
        failed = here[here["Statut"].isin(["rejected", "lost"])]
        assert p.reasons == failed["Motif"].fillna("").value_counts().to_dict(), p.period
    assert sum(p.requested for p in result.porting) == len(ports)
    assert [(a.id, a.status) for a in result.actions] == [("a2", "open"), ("a3", "open"), ("a4", "open"),
                                                          ("a1", "done")]
