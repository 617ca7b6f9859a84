"""Errors raised for bad tender input.

Every defect is a `Problem` naming the file, the field path inside it (dotted, list
indices as numbers: ``plans.0.monthly_fee``) and what is wrong. A `TenderError` carries
one or more problems, so a user sees every defect of a file at once.
"""

from __future__ import annotations

from dataclasses import dataclass

WHOLE_FILE = "(file)"  # the field of a problem with a whole file (missing, unreadable, too large)


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __post_init__(self) -> None:
        if not self.field:  # every problem names a field, so every line reads FILE: FIELD: MESSAGE
            object.__setattr__(self, "field", WHOLE_FILE)

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class TenderError(Exception):
    """Bad input: one or more problems, each naming file and field."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, file: str, field: str, message: str) -> TenderError:
        return cls(Problem(file, field, message))
