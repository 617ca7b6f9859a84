"""The `award` blocks of the award-split contract (docs/award-split.md): tender.yaml's rules for
splitting the fleet across operators (`AwardSpec`) and a bid's own condition (`BidAward`,
``min_lines``), as frozen, strict pydantic classes, with every check the contract lists.

Checks on the block alone are pydantic's (shares in 0..1, operator counts ≥ 1, the unit, the
objective, the regime, ``min_share ≤ max_share``, ``min_operators ≤ max_operators``,
``min_lines ≥ 0``). Checks that need the rest of tender.yaml (``objective: npv`` without a
``discount_rate``: `tender_award_check`) or other files (a unit or bid id in ``fixed`` that is
not one, a bid's ``min_lines`` under ``regime: public_fr``: `award_problems`) name the field
in the file to fix. Units and their ids are `units_of` (the optimiser's, scenarios.award, too).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .errors import Problem
from .model_base import MAX_AMOUNT, FieldError, Share, Strict, Text
from .quote import printable, quote

UNIT_KINDS = ("entity", "profile", "cell")
# The rules of the block, in the order the output lists them (their defaults: `RULE_DEFAULTS`).
RULES = ("max_operators", "min_operators", "max_share", "min_share", "incumbent_min_share", "fixed",
         "min_total_score", "min_lines")

OperatorCount = Annotated[int, Field(ge=1, le=10_000, strict=True)]
Score = Annotated[float, Field(ge=0, le=100, strict=True, allow_inf_nan=False)]
MinLines = Annotated[float, Field(ge=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)]


class AwardSpec(Strict):
    """tender.yaml's ``award`` block: what goes wholly to one operator (``unit``) and the rules
    an award must satisfy. ``max_operators`` None means the number of eligible bids."""

    unit: Literal["entity", "profile", "cell"]
    max_operators: OperatorCount | None = None
    min_operators: OperatorCount = 1
    max_share: Share = 1.0
    min_share: Share = 0.0
    incumbent_min_share: Share = 0.0
    fixed: dict[Text, Text] = {}
    objective: Literal["tco", "npv"] = "tco"
    regime: Literal["private", "public_fr"] = "private"
    min_total_score: Score | None = None

    @model_validator(mode="after")
    def _bounds_ordered(self) -> AwardSpec:
        if self.min_share > self.max_share:
            raise FieldError("min_share", f"min_share ({self.min_share:g}) is above max_share ({self.max_share:g})")
        if self.max_operators is not None and self.min_operators > self.max_operators:
            raise FieldError("min_operators", f"min_operators ({self.min_operators}) is above max_operators "
                                              f"({self.max_operators})")
        return self


class BidAward(Strict):
    """A bid's ``award`` block: its prices hold only if it is awarded at least ``min_lines``
    initial lines (or none)."""

    min_lines: MinLines = 0.0


def tender_award_check(spec: Any) -> None:
    """The award block against the rest of tender.yaml (a `scoring.model.TenderFile`)."""
    award = spec.award
    if award is not None and award.objective == "npv" and spec.discount_rate is None:
        raise FieldError("award.objective", "`objective: npv` needs a discount_rate in tender.yaml")


def units_of(spec: Any) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The award units of a tender (a `TenderFile` whose profiles have their lines): (unit id,
    its (profile id, entity id) cells with initial lines > 0), in tender order (cells: entity
    first, then profile). A unit with no initial line is not a unit."""
    award = spec.award
    entities = [e.id for e in spec.entities]
    cells = [(p.id, e) for e in entities for p in spec.profiles if (p.lines or {}).get(e, 0.0) > 0]
    if award.unit == "entity":
        groups = [(e, tuple(c for c in cells if c[1] == e)) for e in entities]
    elif award.unit == "profile":
        groups = [(p.id, tuple(c for c in cells if c[0] == p.id)) for p in spec.profiles]
    else:
        groups = [(f"{e}.{p}", ((p, e),)) for p, e in cells]
    return tuple((uid, members) for uid, members in groups if members)


def award_problems(spec: Any, bids: tuple, tender_file: str) -> list[Problem]:
    """What the award block and the bids' award blocks get wrong across files: unknown unit or
    bid ids in ``fixed`` (tender.yaml), ``min_lines`` in a bid under ``regime: public_fr`` (the
    bid's file). ``bids`` are `scoring.model.Bid`; none when the tender has none yet (the
    price-schedule template), then bids are not checked."""
    problems: list[Problem] = []
    award = spec.award
    if award is None:
        return problems
    if all(p.lines is not None for p in spec.profiles):
        units = {uid for uid, _ in units_of(spec)}
        for uid in award.fixed:
            if uid not in units:
                problems.append(Problem(tender_file, printable(f"award.fixed.{uid}"),
                                        f"unknown {award.unit} unit {quote(uid)} (the units are the "
                                        f"{award.unit} ids with initial lines"
                                        + (", written <entity>.<profile>)" if award.unit == "cell" else ")")))
    ids = {b.id for b in bids}
    if ids:
        for uid, bid_id in award.fixed.items():
            if bid_id not in ids:
                problems.append(Problem(tender_file, printable(f"award.fixed.{uid}"), f"unknown bid {quote(bid_id)}"))
    if award.regime == "public_fr":
        for bid in bids:
            if bid.spec.award is not None and "min_lines" in bid.spec.award.model_fields_set:
                problems.append(Problem(bid.file, "award.min_lines", (
                    "not allowed under `regime: public_fr` (tender.yaml's award block): an offer may not vary with "
                    "what it wins (CCP L2151-1); remove min_lines")))
    return problems


__all__ = ["RULES", "UNIT_KINDS", "AwardSpec", "BidAward", "award_problems", "tender_award_check", "units_of"]
