"""What leaving the incumbent costs: the buyer's switching cost and the operator's
portability terms. Amounts in the tender's currency excl. VAT, all falling in month 1,
not indexed. Only challengers (every bid but the incumbent's) carry them.
"""

from __future__ import annotations

from .model import Bid, Switching, Tender


def is_challenger(tender: Tender, bid: Bid) -> bool:
    """Every bid but the incumbent's; without an incumbent every bid switches."""
    return bid.id != tender.spec.incumbent


def initial_lines(tender: Tender) -> float:
    return float(sum(sum(p.lines.values()) for p in tender.spec.profiles))


def _assumptions(tender: Tender) -> Switching:
    # Without a switching block the portability terms read the block's defaults.
    return tender.spec.switching or Switching()


def lost_numbers(ported, failure_rate, value):
    """The value of the numbers lost in the move: numbers ported × porting failure rate × value of a
    lost number (floats or arrays of draws)."""
    return ported * failure_rate * value


def ported_numbers(tender: Tender) -> float:
    """Numbers ported: the port share of the initial lines."""
    return _assumptions(tender).port_share * initial_lines(tender)


def parts_of(s, lines) -> dict:
    """The buyer's cost of leaving the incumbent by part, for switching assumptions ``s`` (a
    `Switching`, or any object with its fields as arrays of draws) and initial ``lines``."""
    ported = s.port_share * lines
    return {
        "project": s.project_eur,
        "staff_and_sims": s.per_line_eur * lines,
        "parallel_running": s.parallel_months * s.current_monthly_eur,
        "exit_fee": s.incumbent_exit_fee_eur,
        "lost_numbers": lost_numbers(ported, s.porting_failure_rate, s.lost_number_eur),
    }


def switching_parts(tender: Tender) -> dict[str, float]:
    """The buyer's cost of leaving the incumbent, by part (zero parts kept, for waterfalls)."""
    s = tender.spec.switching
    if s is None:
        return {}
    return parts_of(s, initial_lines(tender))


def switching_cost(tender: Tender, bid: Bid) -> float:
    """The buyer's own switching cost for this bid: 0 for the incumbent or without a block."""
    if not is_challenger(tender, bid):
        return 0.0
    return float(sum(switching_parts(tender).values()))


def portability_terms(tender: Tender, bid: Bid) -> float:
    """The operator's price elements for the move (may be negative: a buy-out)."""
    if not is_challenger(tender, bid):
        return 0.0
    return portability_of(bid.spec.portability, _assumptions(tender), initial_lines(tender))


def portability_of(p, s, lines):
    """The operator's portability terms (``p``: the bid's) under switching assumptions ``s`` (a
    `Switching`, or its fields as arrays of draws) and initial ``lines``: porting fees on the
    numbers ported, less the refund of the incumbent's exit fee and the migration credit."""
    ported = s.port_share * lines
    return ported * p.fee_per_number - p.exit_fee_refund * s.incumbent_exit_fee_eur - p.migration_credit
