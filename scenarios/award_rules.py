"""The buyer's rules of an award split (`Rules`, each at its default unless set) and an award
(`Solution`), shared by the solvers of scenarios.award and scenarios.award_milp."""

from __future__ import annotations

from dataclasses import dataclass, replace

from scoring.award_spec import AwardSpec

EPS = 1e-9  # bounds are inclusive: a share computed as 0.7000000000000001 is within max_share 0.7


@dataclass(frozen=True)
class Rules:
    """The buyer's rules (defaults: no rule). ``max_operators`` None: the number of eligible bids;
    ``fixed`` (unit id, bid id) pairs; ``min_lines``: the bids' own ``min_lines`` apply."""

    max_operators: int | None = None
    min_operators: int = 1
    max_share: float = 1.0
    min_share: float = 0.0
    incumbent_min_share: float = 0.0
    fixed: tuple[tuple[str, str], ...] = ()
    min_total_score: float | None = None
    min_lines: bool = False

    @classmethod
    def of(cls, spec: AwardSpec, min_lines: bool) -> Rules:
        return cls(spec.max_operators, spec.min_operators, spec.max_share, spec.min_share, spec.incumbent_min_share,
                   tuple(spec.fixed.items()), spec.min_total_score, min_lines)

    def reset(self, rule: str) -> Rules:
        """These rules with ``rule`` back to its default."""
        return replace(self, **{rule: getattr(Rules(), rule)})

    def only(self, rules: set[str] | frozenset[str]) -> Rules:
        """Every rule but ``rules`` at its default."""
        out = Rules()
        for rule in rules:
            out = replace(out, **{rule: getattr(self, rule)})
        return out


@dataclass(frozen=True)
class Solution:
    """An award: the bid of each unit (tender order), and its cost by the objective."""

    owner: tuple[str, ...]
    cost: float


__all__ = ["EPS", "Rules", "Solution"]
