"""CI runs what the README says (issue 12 §18): `.ci/run` lints with ruff (configured in
pyproject.toml), checks the import contract with lint-imports (.importlinter, issue 13) and then
runs the test suite, and its command is the README's test command, word for word."""

from __future__ import annotations

from conftest import ROOT


def ci_command() -> str:
    return next(line for line in (ROOT / ".ci" / "run").read_text().splitlines() if "-m pytest" in line)


def test_ci_lints_with_ruff_before_the_tests():
    steps = [step.strip() for step in ci_command().split("&&")]
    assert ".venv/bin/ruff check ." in steps
    assert steps.index(".venv/bin/ruff check .") < steps.index(".venv/bin/python -m pytest")


def test_ci_checks_the_import_contract_before_the_tests():
    steps = [step.strip() for step in ci_command().split("&&")]
    assert ".venv/bin/lint-imports" in steps
    assert steps.index(".venv/bin/lint-imports") < steps.index(".venv/bin/python -m pytest")
    config = (ROOT / ".importlinter").read_text()
    assert "type = layers" in config and "type = acyclic_siblings" in config
    assert "import-linter" in (ROOT / "requirements-dev.txt").read_text()


def test_the_readme_gives_the_command_ci_runs():
    assert ci_command() in (ROOT / "README.md").read_text().splitlines()


def test_the_readme_starts_with_the_two_commands():
    """The README's first code block is exactly two commands: install and start the app on
    the bundled example, then install and run the whole test suite (CI's command)."""
    text = (ROOT / "README.md").read_text()
    first = text.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    before = text.split("```bash\n", 1)[0]
    assert before.strip() == "# Fleetbid"  # nothing a new user must read first
    assert len(first) == 2
    assert first[0].endswith(".venv/bin/streamlit run app.py")
    assert first[1] == ci_command()
