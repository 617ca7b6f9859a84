"""Appendix B of the report, the audit trail: the SHA-256 of every input file, the versions of
Fleetbid and its libraries, the date, the language, the scenario and the model's warnings."""

from __future__ import annotations

import hashlib
import platform
import tomllib
from importlib import metadata
from pathlib import Path

from scoring.evaluate import Evaluation

from .document import SMALL_PT, TABLE_PT, Document, t
from .formats import number
from .names import warning_text
from .render import Charts

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- input files and versions


def input_files(folder: str | Path, scenario: str | Path | None = None) -> dict[str, bytes]:
    """The raw bytes of a tender's input files on disk, keyed by their path in the folder:
    tender.yaml, bids/*.yaml and *.xlsx, evaluations.yaml, consensus.yaml, and the scenario file if
    any (keyed by its path in the folder, else its file name) — what `build_report`'s
    ``sources`` expects."""
    root = Path(folder)
    out: dict[str, bytes] = {}
    for name in ("tender.yaml", "evaluations.yaml", "consensus.yaml"):
        if (root / name).is_file():
            out[name] = (root / name).read_bytes()
    if (root / "bids").is_dir():
        for p in sorted((root / "bids").iterdir()):
            if p.is_file() and p.suffix in (".yaml", ".yml", ".xlsx"):
                out[f"bids/{p.name}"] = p.read_bytes()
    if scenario is not None:
        path = Path(scenario)
        try:
            key = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            key = path.name
        out[key] = path.read_bytes()
    return out


def fleetbid_version() -> str:
    try:
        with (ROOT / "pyproject.toml").open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        return metadata.version("fleetbid")
    except metadata.PackageNotFoundError:
        return "unknown"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _audit(pdf: Document, ev: Evaluation, lang: str, sources: dict[str, bytes] | None, scenario_name: str | None,
           generated: str, charts: Charts) -> None:
    pdf.add_page()
    pdf.h1(t("section.audit", lang))
    pdf.h2(t("audit.files", lang))
    if sources:
        pdf.intro(t("audit.files_intro", lang))
        rows = [[name, hashlib.sha256(data).hexdigest(), number(len(data), lang)] for name, data in sorted(sources.items())]
        pdf.table([t("audit.file", lang), "SHA-256", t("audit.bytes", lang)], rows, [52, 112, 16],
                  align=["LEFT", "LEFT", "RIGHT"], mono_cols=[1], size=TABLE_PT - 0.5)
    else:
        pdf.para(t("audit.no_files", lang))
    pdf.h2(t("audit.run", lang))
    libs = [f"{d} {v}" for d in ("fpdf2", "plotly", "kaleido", "numpy", "scipy", "pydantic") if (v := _version(d))]
    charts_text = (t("charts.included", lang, kaleido=_version("kaleido") or "?", browser=charts.browser or "?")
                   if not charts.skipped else t("charts.skipped_short", lang, reason=charts.skipped))
    rows = [
        [t("audit.tender", lang), ev.tender.name],
        [t("audit.scenario", lang), scenario_name or t("audit.baseline", lang)],
        [t("audit.fleetbid", lang), fleetbid_version()],
        [t("audit.python", lang), f"{platform.python_version()} ({platform.python_implementation()})"],
        [t("audit.libraries", lang), ", ".join(libs)],
        [t("audit.generated", lang), generated],
        [t("audit.language", lang), t("audit.language_value", lang)],
        [t("audit.charts", lang), charts_text],
    ]
    pdf.table([t("audit.item", lang), t("switching.value", lang)], rows, [45, 135], align=["LEFT", "LEFT"])
    pdf.h2(t("audit.warnings", lang))
    if ev.warnings:
        pdf.bullets([warning_text(ev.tender, w) for w in ev.warnings], size=SMALL_PT + 0.5)
    else:
        pdf.para(t("audit.warnings_none", lang))


# --------------------------------------------------------------------------- entry point
