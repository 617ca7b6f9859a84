"""The cost components of the cost table, declared once.

A cost component is one slot of the cost cube's last axis (scoring.cost): every euro of a
bid's cost sits in exactly one. Each is declared here with everything the outputs show of it:

- ``key``: its id (the cube's order is this module's order; JSON and workbook keys);
- ``label``: its name in each language of the app and the PDF (``{"en": …, "fr": …}``);
- ``workbook_label``: its (longer, English) row label in the evaluation workbook;
- ``colour``: its chart colour (Paul Tol's "muted" scheme, and for the v1.1 additions Tol's
  "bright" blue and two "dark" shades: colour-blind safe, none of the Okabe–Ito operator
  colours, so a component is never mistaken for a bid);
- ``rule``: the one-sentence cost rule of the PDF's methodology, in each language;
- ``optional``: a contract v1.1 addition (line fees, minimum spend, tax), declared after the v1
  components, in the cube only when the tender uses a v1.1 addition (`cube_keys`) and published
  only where the tender or a bid uses it (`shown`), so a v1 tender's outputs are unchanged.

Adding a cost component: declare it here (every field), compute it in the cost kernel
(scoring.cost) and add it to the worked-example test; the app, the PDF and the workbook take
their labels, colours and rules from here, so none of them can miss it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Component:
    key: str
    label: MappingProxyType  # language → label (app, PDF)
    workbook_label: str  # English, the evaluation workbook's row label
    colour: str  # chart colour, "#RRGGBB"
    rule: MappingProxyType  # language → the one-sentence cost rule (PDF methodology)
    optional: bool = False  # a contract v1.1 addition: published only where the tender or a bid uses it


def _component(key: str, *, label: dict[str, str], workbook_label: str, colour: str,
               rule: dict[str, str], optional: bool = False) -> Component:
    return Component(key, MappingProxyType(label), workbook_label, colour, MappingProxyType(rule), optional)


REGISTRY: tuple[Component, ...] = (
    _component(
        "subscriptions",
        label={"en": "Subscriptions", "fr": "Abonnements"},
        workbook_label="Subscriptions (plan fees, volume discount, indexation)",
        colour="#332288",
        rule={"en": "lines × monthly fee × indexation × (1 − volume discount), every month.",
              "fr": "lignes × abonnement mensuel × indexation × (1 − remise de volume), chaque mois."},
    ),
    _component(
        "usage",
        label={"en": "Usage beyond allowances", "fr": "Consommations hors forfait"},
        workbook_label="Usage beyond allowances",
        colour="#88CCEE",
        rule={"en": "per line, usage above the plan's allowance × rate × indexation (components not pooled).",
              "fr": "par ligne, consommation au-delà du forfait × tarif × indexation (composantes hors pool)."},
    ),
    _component(
        "pool_overage",
        label={"en": "Pooled data overage", "fr": "Dépassement du pool data"},
        workbook_label="Pooled overage",
        colour="#44AA99",
        rule={"en": "fleet-wide demand above the pooled allowances × overage rate × indexation.",
              "fr": "demande de toute la flotte au-delà du pool × tarif de dépassement × indexation."},
    ),
    _component(
        "account_fees",
        label={"en": "Account fees", "fr": "Frais de compte"},
        workbook_label="Account fees",
        colour="#117733",
        rule={"en": "the monthly account fee × indexation.",
              "fr": "frais de compte mensuels × indexation."},
    ),
    _component(
        "devices",
        label={"en": "Devices", "fr": "Terminaux"},
        workbook_label="Devices",
        colour="#999933",
        rule={"en": "lines × handset price ÷ refresh period, every month (amortised, not indexed).",
              "fr": "lignes × prix du terminal ÷ durée de renouvellement, chaque mois (amorti, non indexé)."},
    ),
    _component(
        "device_fund",
        label={"en": "Device fund", "fr": "Enveloppe terminaux"},
        workbook_label="Device fund used",
        colour="#DDCC77",
        rule={"en": "the operator's fund, set against device spend month by month until used up.",
              "fr": "l'enveloppe de l'opérateur, imputée sur les terminaux mois par mois jusqu'à épuisement."},
    ),
    _component(
        "one_off_fees",
        label={"en": "One-off fees (setup, activation, SIMs)",
               "fr": "Frais ponctuels (mise en service, activation, SIM)"},
        workbook_label="One-off fees (setup, activation, SIM cards)",
        colour="#CC6677",
        rule={"en": "setup in month 1; activation and SIM for each migrated line and each line added by growth.",
              "fr": "mise en service au mois 1 ; activation et SIM pour chaque ligne migrée et chaque ligne ajoutée "
                    "par la croissance."},
    ),
    _component(
        "credits",
        label={"en": "Credits", "fr": "Avoirs"},
        workbook_label="Credits (welcome credit)",
        colour="#882255",
        rule={"en": "the welcome credit, deducted in month 1.", "fr": "l'avoir de bienvenue, déduit au mois 1."},
    ),
    _component(
        "portability",
        label={"en": "Portability terms", "fr": "Conditions de portabilité"},
        workbook_label="Portability terms (in the bid)",
        colour="#AA4499",
        rule={"en": "the challenger's porting fees minus its exit-fee refund and migration credit, month 1.",
              "fr": "frais de portage du concurrent moins le remboursement des frais de résiliation et l'avoir de "
                    "migration, au mois 1."},
    ),
    _component(
        "switching",
        label={"en": "Switching cost (buyer's)", "fr": "Coût de changement (acheteur)"},
        workbook_label="Switching cost (buyer's own)",
        colour="#7F7F7F",
        rule={"en": "migration project + cost per line × lines + parallel running + incumbent exit fee + lost "
                    "numbers; challengers only, month 1.",
              "fr": "projet de migration + coût par ligne × lignes + double exploitation + frais de résiliation du "
                    "titulaire + numéros perdus ; concurrents seulement, au mois 1."},
    ),
    _component(
        "line_fees",
        label={"en": "Per-line fees", "fr": "Frais par ligne"},
        workbook_label="Per-line monthly fees (surcharges)",
        colour="#4477AA",
        rule={"en": "lines × per-line monthly fee × indexation, every month (no volume discount).",
              "fr": "lignes × frais mensuels par ligne × indexation, chaque mois (sans remise de volume)."},
        optional=True,
    ),
    _component(
        "minimum_spend",
        label={"en": "Minimum spend shortfall", "fr": "Complément de minimum de facturation"},
        workbook_label="Minimum monthly spend shortfall",
        colour="#225555",
        rule={"en": "each month, the minimum monthly spend × indexation minus the month's recurring charges "
                    "(subscriptions, usage, pool overage, account and per-line fees), when positive.",
              "fr": "chaque mois, le minimum de facturation mensuel × indexation moins les frais récurrents du mois "
                    "(abonnements, consommations, dépassement du pool, frais de compte et par ligne), s'il est positif."},
        optional=True,
    ),
    _component(
        "tax",
        label={"en": "Non-recoverable tax", "fr": "Taxe non récupérable"},
        workbook_label="Non-recoverable tax",
        colour="#663333",
        rule={"en": "the tender's non-recoverable tax rate × the month's bid cost (every operator charge, switching "
                    "excluded), every month.",
              "fr": "le taux de taxe non récupérable du dossier × le coût de l'offre du mois (tous les frais de "
                    "l'opérateur, hors coût de changement), chaque mois."},
        optional=True,
    ),
)

BY_KEY: MappingProxyType = MappingProxyType({c.key: c for c in REGISTRY})
COMPONENTS: tuple[str, ...] = tuple(c.key for c in REGISTRY)  # the cube's order
K: MappingProxyType = MappingProxyType({key: k for k, key in enumerate(COMPONENTS)})  # key → index in the cube


# The month's recurring charges the minimum monthly spend is measured against (contract v1.1).
RECURRING: tuple[str, ...] = ("subscriptions", "line_fees", "usage", "pool_overage", "account_fees")
# What is not the bid's cost: the buyer's own switching cost (and the tax, computed on the rest).
NOT_BID_COST: tuple[str, ...] = ("switching", "tax")


V1_COMPONENTS: tuple[str, ...] = tuple(c.key for c in REGISTRY if not c.optional)


def cube_keys(used) -> tuple[str, ...]:
    """The cube's component axis for a tender: the v1 components, then — only when the tender or
    a bid uses one (``used`` not empty) — every v1.1 addition. A v1 tender's cube is then the
    very array it always was, so every sum over it keeps its last bit."""
    return COMPONENTS if used else V1_COMPONENTS


def shown(used) -> tuple[str, ...]:
    """The components to publish, in the cube's order: every v1 component, and each v1.1
    addition whose key is in ``used`` (the tender or a bid uses it)."""
    return tuple(c.key for c in REGISTRY if not c.optional or c.key in used)


def label(key: str, lang: str) -> str:
    """The component's name in ``lang`` (KeyError for an unknown key or language)."""
    return BY_KEY[key].label[lang]


def rule(key: str, lang: str) -> str:
    """The component's one-sentence cost rule in ``lang`` (KeyError for an unknown key or language)."""
    return BY_KEY[key].rule[lang]


def colour(key: str) -> str:
    return BY_KEY[key].colour


def workbook_label(key: str) -> str:
    return BY_KEY[key].workbook_label


def colours() -> dict[str, str]:
    """key → chart colour, in the cube's order."""
    return {c.key: c.colour for c in REGISTRY}


def workbook_labels() -> dict[str, str]:
    """key → the workbook's English row label, in the cube's order."""
    return {c.key: c.workbook_label for c in REGISTRY}


def catalogue() -> dict[str, dict[str, str]]:
    """The components' entries for a text catalogue: ``component.<key>`` (label) and
    ``rule.<key>`` (cost rule), each ``{lang: text}`` — the keys the app and the PDF use today."""
    out: dict[str, dict[str, str]] = {}
    for c in REGISTRY:
        out[f"component.{c.key}"] = dict(c.label)
    for c in REGISTRY:
        out[f"rule.{c.key}"] = dict(c.rule)
    return out
