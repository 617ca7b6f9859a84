"""reports.text, reports.formats and reports.charts: every chart builds on the bundled example in both languages,
titles its axes with their units, names operators (never bid ids) and draws each operator
in the same colour everywhere."""

from __future__ import annotations

import dataclasses
import re
import string

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from reports import charts as F
from reports.formats import LANGS, money, number, percent, plotly_separators
from reports.text import TEXT as CATALOGUE
from reports.text import t
from reports.text.charts import CHART_TEXT as TEXT
from scenarios.montecarlo import monte_carlo
from scenarios.overlay import apply, scenario_from_dict
from scenarios.sensitivity import sensitivity
from scenarios.switch import stay_or_switch
from scoring import EXAMPLE_TENDER, evaluate, load_tender
from scoring.cost import COMPONENTS, K

# --------------------------------------------------------------------------- i18n


def test_every_label_exists_in_both_languages_with_the_same_placeholders():
    fields = string.Formatter()
    for key, labels in TEXT.items():
        assert set(labels) == set(LANGS), key
        assert all(labels[lang].strip() for lang in LANGS), key
        names = [{f for _, f, _, _ in fields.parse(labels[lang]) if f} for lang in LANGS]
        assert names[0] == names[1], key


def test_the_catalogue_is_bilingual_but_for_the_english_only_outputs():
    """One catalogue for the app, the PDF, the workbook and the CLI: every text in both
    languages with the same placeholders, except the workbook's and the command line's
    glossary, which are written in English only."""
    fields = string.Formatter()
    for key, labels in CATALOGUE.items():
        langs = ("en",) if key.startswith(("workbook.", "glossary.")) else LANGS
        assert set(labels) == set(langs), key
        assert all(labels[lang].strip() for lang in langs), key
        names = [{f for _, f, _, _ in fields.parse(labels[lang]) if f} for lang in langs]
        assert all(n == names[0] for n in names), key


def test_every_cost_component_has_a_label():
    for comp in COMPONENTS:
        assert t(f"component.{comp}", "en") and t(f"component.{comp}", "fr")
    assert t("component.subscriptions", "fr") == "Abonnements"
    assert t("component.pool_overage", "en") == "Pooled data overage"


def test_t_formats_and_rejects_unknown_keys_and_languages():
    assert t("label.rank", "fr", rank=2) == "Rang 2"
    with pytest.raises(KeyError):
        t("no.such.key", "en")
    with pytest.raises(KeyError):
        t("label.price", "de")


def test_money_in_both_languages():
    assert money(1234567, "fr") == "1\u202f234\u202f567\u00a0€"
    assert money(1234567, "en") == "€1,234,567"
    assert money(-1234.5, "en", decimals=2) == "\u2212€1,234.50"
    assert money(-1234.5, "fr", decimals=2) == "\u22121\u202f234,50\u00a0€"
    assert money(1234, "en", "USD") == "1,234 USD"
    assert money(1234, "fr", "USD") == "1\u202f234\u00a0USD"
    assert money(None, "en") == money(float("nan"), "fr") == "—"
    assert money(-0.2, "en") == "€0"  # no "−0"


def test_number_percent_and_separators():
    assert number(1234.56, "en", 1) == "1,234.6"
    assert number(1234.56, "fr", 1) == "1\u202f234,6"
    assert number(-3, "fr") == "\u22123"
    assert percent(0.12, "en") == "12%"
    assert percent(0.125, "fr", 1) == "12,5\u202f%"
    assert percent(None, "fr") == "—"
    assert plotly_separators("en") == ".,"
    assert plotly_separators("fr") == ",\u202f"


# --------------------------------------------------------------------------- figures


@pytest.fixture(scope="module")
def example():
    ev = evaluate(load_tender(EXAMPLE_TENDER))
    return {
        "ev": ev,
        "sos": stay_or_switch(ev),
        "sens": sensitivity(ev),
        "mc": monte_carlo(ev, 2000, 1).to_dict(),
    }


def build(name: str, ex: dict, lang: str) -> go.Figure:
    ev, sos, sens, mc = ex["ev"], ex["sos"], ex["sens"], ex["mc"]
    return {
        "ranking": lambda: F.ranking_chart(ev, lang),
        "breakdown": lambda: F.breakdown_chart(ev, lang),
        "radar": lambda: F.radar_chart(ev, lang),
        "annual": lambda: F.annual_chart(ev, lang),
        "monthly": lambda: F.monthly_chart(ev, lang),
        "entity": lambda: F.entity_chart(ev, lang),
        "profile": lambda: F.profile_chart(ev, lang),
        "cumulative": lambda: F.cumulative_chart(sos, ev, lang),
        "waterfall": lambda: F.waterfall_chart(sos.challengers[0], lang, ev=ev),
        "porting_risk": lambda: F.porting_risk_chart(sos, ev, lang),
        "tornado": lambda: F.tornado_chart(sens, lang, ev=ev),
        "weights": lambda: F.weight_stability_chart(sens, ev, lang),
        "mc_rank": lambda: F.mc_rank_chart(mc, ev, lang),
        "mc_tco": lambda: F.mc_tco_chart(mc, ev, lang),
    }[name]()


# Which unit each chart's value axis (or title, for the sunburst and the radar) carries.
UNITS = {
    "ranking": ("xaxis", "points"),
    "breakdown": ("yaxis", "EUR"),
    "radar": ("title", "%"),
    "annual": ("yaxis", "EUR"),
    "monthly": ("yaxis", "EUR"),
    "entity": ("title", "EUR"),
    "profile": ("yaxis", "EUR"),
    "cumulative": ("yaxis", "EUR"),
    "waterfall": ("yaxis", "EUR"),
    "porting_risk": ("yaxis", "EUR"),
    "tornado": ("xaxis", "points"),
    "weights": ("xaxis", "%"),
    "mc_rank": ("xaxis", "%"),
    "mc_tco": ("xaxis", "EUR"),
}
CHARTS = list(UNITS)

SWATCH = re.compile(r'<span style="color:(#[0-9A-Fa-f]{6})[^"]*">■</span> (?:\d+\. )?(.+)')


def visible_texts(fig: go.Figure) -> list[str]:
    """Everything a reader sees as words: titles, trace names, ticks, annotations, labels."""
    lay = fig.layout
    out = [lay.title.text or "", (lay.title.subtitle.text or "") if lay.title.subtitle else ""]
    out += [a.text or "" for a in lay.annotations]
    for axis in (lay.xaxis, lay.yaxis):
        out.append(axis.title.text or "")
        out += [str(v) for v in axis.ticktext or ()]
    for tr in fig.data:
        out.append(tr.name or "")
        for attr in ("x", "y", "labels", "theta", "text"):
            values = getattr(tr, attr, None)
            if values is not None and not isinstance(values, str):
                out += [v for v in values if isinstance(v, str)]
            elif isinstance(values, str):
                out.append(values)
    return out


def bid_colours(fig: go.Figure, ev) -> dict[str, str]:
    """Operator name → colour, from per-bid traces and from coloured category ticks;
    the same operator in two colours fails."""
    names = {b.operator for b in ev.tender.bids}
    seen: dict[str, str] = {}

    def note(name: str, colour) -> None:
        if name in names and isinstance(colour, str):
            assert seen.setdefault(name, colour.upper()) == colour.upper(), name

    for tr in fig.data:
        name = re.sub(r" \((knocked out|écartée)\)$", "", tr.name or "")
        if tr.type in ("bar", "scatter", "scatterpolar"):
            line = getattr(tr, "line", None)
            if tr.type == "bar":  # a range bar may be a tint outlined in the operator's colour
                colour = tr.marker.line.color or tr.marker.color
            else:
                colour = line.color if line and line.color else tr.marker.color
            note(name, colour)
        for attr in ("x", "y"):
            values = getattr(tr, attr, None)
            for v in () if values is None else values:
                if isinstance(v, str) and (m := SWATCH.match(v)):
                    label = m.group(2).replace("<br>", " ")
                    note(re.sub(r" \((knocked out|écartée)\)$", "", label).strip(), m.group(1))
    return seen


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_builds_in_both_languages(example, name, lang):
    fig = build(name, example, lang)
    assert isinstance(fig, go.Figure) and fig.data
    lay = fig.layout
    assert lay.template == pio.templates["plotly_white"]
    assert lay.separators == plotly_separators(lang)
    assert 400 <= lay.height <= 700
    assert lay.title.text
    where, unit = UNITS[name]
    text = lay.title.text if where == "title" else lay[where].title.text
    assert unit.lower() in text.lower(), (name, text)
    if name not in ("entity", "radar"):
        for axis in (lay.xaxis, lay.yaxis):
            assert axis.title.text, name
    raw = fig.to_json()
    assert "None" not in raw and "NaN" not in raw


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", CHARTS)
def test_no_bid_or_criterion_id_is_shown(example, name, lang):
    ev = example["ev"]
    # Component ids that are plain words ("usage", "devices") may appear in a sentence.
    ids = [b.id for b in ev.tender.bids] + [c.id for c in ev.tender.spec.evaluation.criteria]
    ids += [c for c in COMPONENTS if "_" in c]
    for text in visible_texts(build(name, example, lang)):
        plain = re.sub(r"<[^>]+>", " ", text)
        for i in ids:
            assert not re.search(rf"(?<![\w/]){re.escape(i)}(?![\w/])", plain), (name, i, text)


def test_each_operator_has_one_colour_across_every_chart(example):
    ev = example["ev"]
    expected = {ev.tender.bid(b).operator: c for b, c in F.operator_colors(sorted(ev.costs.bids)).items()}
    everywhere: dict[str, str] = {}
    for lang in LANGS:
        for name in CHARTS:
            for op, colour in bid_colours(build(name, example, lang), ev).items():
                assert colour == expected[op].upper(), (name, op)
                everywhere.setdefault(op, colour)
    # The four charts the pages put side by side show every bid they draw.
    for name in ("ranking", "breakdown", "annual", "monthly"):
        shown = bid_colours(build(name, example, "en"), ev)
        drawn = ({ev.tender.bid(b).operator for b, r in ev.ranking.rank.items() if r} if name == "ranking"
                 else {ev.tender.bid(b).operator for b in ev.costs.bids if ev.costs.costed(b)})
        assert set(shown) == drawn, name
    assert set(everywhere) == set(expected)


def test_operator_colors_follow_the_order_given_and_cycle():
    ids = [f"b{i}" for i in range(10)]
    colours = F.operator_colors(ids)
    assert colours["b0"] == "#0072B2" and colours["b1"] == "#E69F00" and colours["b7"] == "#000000"
    assert colours["b8"] == colours["b0"] and colours["b9"] == colours["b1"]
    assert F.operator_colors(["z", "a"]) == {"z": "#0072B2", "a": "#E69F00"}


# --------------------------------------------------------------------------- chart by chart


def test_ranking_stacks_the_points_and_names_the_knocked_out_bids(example):
    ev = example["ev"]
    fig = F.ranking_chart(ev, "en")
    ranked = sorted((b for b, r in ev.ranking.rank.items() if r), key=ev.ranking.rank.get)
    totals = np.sum([np.asarray(tr.x, float) for tr in fig.data], axis=0)
    assert np.allclose(totals, [ev.ranking.total[b] for b in ranked])
    assert fig.data[0].name == "Price"
    assert fig.layout.yaxis.autorange == "reversed"  # rank 1 on top
    assert ev.tender.bid(ranked[0]).operator in fig.data[0].y[0]
    assert "Knocked out: Mistral Mobile Pro" in fig.layout.title.subtitle.text
    assert [a.text for a in fig.layout.annotations][0] == f"<b>{number(ev.ranking.total[ranked[0]], 'en', 1)}</b>"
    assert "écartées" in F.ranking_chart(ev, "fr").layout.title.subtitle.text.lower()


def test_ranking_under_topsis_is_one_bar_of_the_total(example):
    ev = example["ev"]
    topsis = ev.rerank(ev.tender.spec.evaluation.model_copy(update={"method": "topsis"}))
    fig = F.ranking_chart(topsis, "en")
    assert len(fig.data) == 1
    ranked = sorted((b for b, r in topsis.ranking.rank.items() if r), key=topsis.ranking.rank.get)
    assert np.allclose(fig.data[0].x, [topsis.ranking.total[b] for b in ranked])
    colours = F.operator_colors(sorted(ev.costs.bids))
    assert list(fig.data[0].marker.color) == [colours[b] for b in ranked]


def test_breakdown_adds_up_to_the_tco_with_credits_below_zero(example):
    ev = example["ev"]
    fig = F.breakdown_chart(ev, "fr")
    assert fig.layout.barmode == "relative"
    stacked = np.sum([np.asarray(tr.y, float) for tr in fig.data], axis=0)
    costed = sorted((b for b in ev.costs.bids if ev.costs.costed(b)), key=lambda b: ev.figures[b].tco)
    assert np.allclose(stacked, [ev.figures[b].tco for b in costed])
    assert any(min(tr.y) < 0 for tr in fig.data)
    assert {tr.name for tr in fig.data} <= {t(f"component.{c}", "fr") for c in COMPONENTS}


def test_radar_dashes_the_knocked_out_bids(example):
    ev = example["ev"]
    fig = F.radar_chart(ev, "en")
    assert len(fig.data) == len(ev.tender.bids)
    for tr in fig.data:
        assert (tr.line.dash == "dash") == tr.name.endswith("(knocked out)")
        assert all(0 <= r <= 100 for r in tr.r)
    assert all(s.endswith("%") for s in fig.layout.polar.radialaxis.ticktext)


def test_annual_and_monthly_match_the_cost_table(example):
    ev = example["ev"]
    annual = F.annual_chart(ev, "en")
    monthly = F.monthly_chart(ev, "en")
    costed = [b for b in ev.costs.bids if ev.costs.costed(b)]
    for b, bars, line in zip(costed, annual.data, monthly.data):
        assert np.allclose(bars.y, ev.costs.annual()[ev.costs.index(b)])
        assert np.allclose(line.y, ev.costs.monthly()[ev.costs.index(b)])
    assert list(annual.data[0].x) == ["Year 1", "Year 2", "Year 3"]
    assert list(F.annual_chart(ev, "fr").data[0].x) == ["Année 1", "Année 2", "Année 3"]


def test_entity_sunburst_uses_entity_names_and_clips_negative_amounts(example):
    ev = example["ev"]
    fig = F.entity_chart(ev, "en")
    sun = fig.data[0]
    assert "Paris HQ (La<br>Défense)" in sun.labels or "Paris HQ (La Défense)" in sun.labels
    costed = [b for b in ev.costs.bids if ev.costs.costed(b)]
    for b in costed:
        assert np.isclose(sun.values[list(sun.ids).index(b)], ev.costs.by_entity()[ev.costs.index(b)].sum())
    # A credit larger than one entity's cost: drawn as 0, and the hover says so.
    cube = ev.costs.cube.copy()
    b0 = ev.costs.index(costed[0])
    cube[b0, 0, 0, 0, K["credits"]] -= 5e6
    bent = dataclasses.replace(ev, costs=dataclasses.replace(ev.costs, cube=cube, _cache={}))
    sun = F.entity_chart(bent, "en").data[0]
    k = list(sun.ids).index(f"{costed[0]}/{ev.costs.fleet.entities[0]}")
    assert sun.values[k] == 0
    assert "shown as 0" in sun.customdata[k][0]


def test_profile_chart_is_cost_per_line_per_month(example):
    ev = example["ev"]
    fig = F.profile_chart(ev, "en")
    fleet = ev.costs.fleet
    b = ev.costs.index("novacom")
    p = fleet.profiles.index("consultants")
    line_months = sum(fleet.months_in_year[y] * fleet.lines[y, p, :].sum() for y in range(fleet.years))
    trace = next(tr for tr in fig.data if tr.name == "Novacom Entreprises")
    assert np.isclose(trace.y[p], ev.costs.by_profile()[b, p] / line_months)
    assert 5 < trace.y[p] < 200  # euros per line per month


def test_stay_or_switch_charts(example):
    ev, sos = example["ev"], example["sos"]
    fig = F.cumulative_chart(sos, ev, "en")
    assert fig.data[0].name == "Stay with Orbis Télécom"
    lines = [s for s in fig.layout.shapes if s.line.dash == "dot"]
    assert sorted(s.x0 for s in lines) == sorted(c.break_even_month for c in sos.challengers if c.break_even_month)
    labels = [a.text for a in fig.layout.annotations]
    assert all(f"Break-even: month {c.break_even_month}" in labels for c in sos.challengers)

    ch = next(c for c in sos.challengers if c.id == "novacom")
    fall = F.waterfall_chart(ch, "fr", ev=ev).data[0]
    assert list(fall.measure) == ["relative"] * 5 + ["total", "relative", "total"]
    assert fall.y[5] == pytest.approx(ch.switching_cost)
    assert fall.y[-1] == pytest.approx(ch.switching_cost + ch.waterfall["portability_terms"])
    assert fall.x[0].replace("<br>", " ") == "Projet de migration"
    assert F.waterfall_chart(ch, "en").layout.title.text  # without ev: generic title

    risk = F.porting_risk_chart(sos, ev, "en")
    assert list(risk.data[0].x) == [float(r) for r in range(21)]
    stay = risk.data[-1]
    assert stay.name.startswith("Stay with Orbis Télécom") and set(stay.y) == {ev.figures["orbis"].tco}
    assert risk.layout.xaxis.ticksuffix == "%"
    assert F.porting_risk_chart(sos, ev, "fr").layout.xaxis.ticksuffix == "\u202f%"


def test_without_incumbent_and_with_a_bid_not_costed():
    base = load_tender(EXAMPLE_TENDER)
    scenario = scenario_from_dict({"name": "edge", "set": {"incumbent": None, "currency": "USD"},
                                   "bids": {"mistral": {"devices": {"prices": {"rugged": None}}}}})
    ev = evaluate(apply(base, scenario))
    assert not ev.costs.costed("mistral")
    sos = stay_or_switch(ev)
    mc = monte_carlo(ev, 200, 1).to_dict()
    for lang in LANGS:
        figs = [F.ranking_chart(ev, lang), F.breakdown_chart(ev, lang), F.radar_chart(ev, lang),
                F.annual_chart(ev, lang), F.monthly_chart(ev, lang), F.entity_chart(ev, lang),
                F.profile_chart(ev, lang), F.cumulative_chart(sos, ev, lang), F.porting_risk_chart(sos, ev, lang),
                F.mc_rank_chart(mc, ev, lang), F.mc_tco_chart(mc, ev, lang)]
        for fig in figs:
            assert "None" not in fig.to_json()
    fig = F.breakdown_chart(ev, "en")
    assert "Not costed: Mistral Mobile Pro" in fig.layout.title.subtitle.text
    assert "USD" in fig.layout.yaxis.title.text
    assert len(fig.layout.annotations) == 3
    assert "No incumbent" in F.cumulative_chart(sos, ev, "en").layout.annotations[0].text


def test_tornado_around_the_baseline_margin(example):
    ev, sens = example["ev"], example["sens"]
    fig = F.tornado_chart(sens, "en", ev=ev)
    low, high = fig.data
    rows = sens.tornado[:12]
    assert len(low.y) == len(rows)
    assert np.isclose(low.base, ev.explanation.margin)
    for k, row in enumerate(rows):
        if row["low"]["margin"] is not None:
            assert np.isclose(low.x[k] + low.base, row["low"]["margin"])
    assert low.y[0] == "Prices of Novacom Entreprises"
    assert "Novacom Entreprises" in fig.layout.title.text
    # Without the evaluation the chart still draws, around an estimated baseline.
    bare = F.tornado_chart(sens, "fr")
    assert bare.layout.xaxis.title.text == "Marge du lauréat (points)"
    assert abs(bare.data[0].base - ev.explanation.margin) < 0.5


def test_weight_stability_bars_and_labels(example):
    ev, sens = example["ev"], example["sens"]
    fig = F.weight_stability_chart(sens, ev, "en")
    bars, stated = fig.data
    price = sens.weights[0]
    assert bars.y[0] == "Price"
    assert bars.base[0] == pytest.approx(price["stable_from"])
    assert bars.x[0] + bars.base[0] == pytest.approx(price["stable_to"])
    assert stated.x[0] == price["stated"]
    assert "above: Telvia Business" in fig.layout.annotations[0].text
    assert bars.marker.line.color == F.operator_colors(sorted(ev.costs.bids))[ev.winner]


def test_monte_carlo_charts(example):
    ev, mc = example["ev"], example["mc"]
    fig = F.mc_rank_chart(mc, ev, "en")
    stacked = np.sum([np.asarray(tr.x, float) for tr in fig.data], axis=0)
    assert np.allclose(stacked, 100.0)
    assert "Novacom Entreprises" in fig.data[0].y[0]  # likeliest winner on top
    assert fig.data[-1].name == "Not compliant"
    tco = F.mc_tco_chart(mc, ev, "fr")
    bars = [tr for tr in tco.data if tr.type == "bar" and tr.x[0] is not None]
    by_name = {tr.name: tr for tr in bars}
    for d in mc["bids"]:
        bar = by_name[ev.tender.bid(d["id"]).operator]
        assert bar.base[0] == pytest.approx(d["tco_p5"])
        assert bar.base[0] + bar.x[0] == pytest.approx(d["tco_p95"])


# --------------------------------------------------------------------------- billing export


@pytest.fixture(scope="module")
def billed():
    from scoring.lines import usage_summary
    from scoring.load import measured_lines
    from scoring.model import usage_mean

    tender = load_tender(EXAMPLE_TENDER)
    lines = measured_lines(tender)
    published = {p.id: {c: usage_mean(u) for c, u in p.usage.items()} for p in tender.spec.profiles}
    return {"summary": usage_summary(lines), "names": {p.id: p.name or p.id for p in tender.spec.profiles},
            "published": published, "pseudonyms": list(lines.usage.line_ids)}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("component, unit", [("data_gb", {"en": "GB", "fr": "Go"}),
                                             ("voice_min", {"en": "minutes", "fr": "minutes"}),
                                             ("sms", {"en": "messages", "fr": "messages"})])
def test_usage_chart_draws_the_summary_and_the_published_means(billed, component, unit, lang):
    summary, names = billed["summary"], billed["names"]
    published = {p: u.get(component) for p, u in billed["published"].items()}
    fig = F.usage_chart(summary, component, lang, names=names, published=published)
    lay = fig.layout
    assert lay.template == pio.templates["plotly_white"] and lay.separators == plotly_separators(lang)
    assert unit[lang] in lay.yaxis.title.text and unit[lang] in lay.title.text
    assert lay.xaxis.title.text == t("axis.profile", lang)
    box, _, marks = fig.data
    rows = summary[summary["component"] == component]
    assert [x.replace("<br>", " ") for x in box.x] == [names[p] for p in rows["profile"]]
    for attr, column in (("q1", "p25"), ("median", "p50"), ("q3", "p75"), ("lowerfence", "p5"),
                         ("upperfence", "p95"), ("mean", "mean")):
        assert list(getattr(box, attr)) == list(rows[column]), attr
    assert box.fillcolor and box.line.color == F.BILLED_LINE
    shown = {x.replace("<br>", " "): y for x, y in zip(marks.x, marks.y)}
    assert shown == {names[p]: v for p, v in published.items() if v is not None and p in set(rows["profile"])}
    assert marks.marker.color == F.PUBLISHED_COLOR and marks.name == t("label.published_mean", lang)
    raw = fig.to_json()
    assert "None" not in raw and "NaN" not in raw
    assert not any(p in raw for p in billed["pseudonyms"][:200])  # aggregates only, never a line


def test_usage_chart_of_an_unknown_component_says_so(billed):
    fig = F.usage_chart(billed["summary"], "fax_pages", "en")
    assert fig.layout.annotations[0].text == t("label.no_data", "en")
    assert F.usage_unit("fax_pages", "en") is None and F.usage_label("fax_pages", "fr") == "fax_pages"
    assert F.usage_label("roam_eu_data_gb", "fr") == "Data en itinérance UE (Go)"
