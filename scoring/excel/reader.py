"""Reading a filled price schedule back into the mapping a bid YAML file gives
(docs/tender-format.md), so that an Excel bid evaluates like its YAML twin (`read_bid_xlsx`).

The package is checked before openpyxl opens it (`scoring.excel.package`), each sheet's
cells are read as a person sees them (`scoring.excel.cells`); here a hidden sheet that is
read, two columns of one header and a value under a header the schedule does not have are
refused, each naming its sheet or cell. Sheets, columns and fields are those of
`scoring.excel.schema`, cell kinds those of `scoring.excel.kinds`.
"""

from __future__ import annotations

import io
import warnings
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from ..errors import Problem, TenderError
from ..inputs import pydantic_problems
from ..model import BidFile
from ..quote import quote
from .cells import Cells
from .kinds import cell_value
from .package import check_package
from .schema import (
    BID_FIELDS,
    COLUMNS,
    COMPONENT_HEADER,
    COMPONENT_TERMS,
    DEVICE_FUND_AT,
    DEVICES,
    FEE_PATHS,
    FEE_TIERS,
    KEY_VALUE,
    OFFER,
    PLANS,
    POOL,
    READ_SHEETS,
    REQUIRED_SHEETS,
    SERVICE,
    SHEETS,
    WORKBOOK,
    fee_fields,
    portability_fields,
    position,
    row_kind,
    wanted,
)


class _Reader:
    """Turns a workbook's cells into a bid mapping; every defect becomes a Problem."""

    def __init__(self, sheets: dict[str, Cells], shown: str, problems: list[Problem]):
        self.sheets, self.shown, self.problems = sheets, shown, problems
        self.where: dict[str, str] = {}  # bid field path -> the cell it was read from (`model_problems`)

    def bad(self, cells: Cells, row: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.shown, cells.at(row, col), message))

    def value(self, cells: Cells, row: int, col: int, kind: str, what: str) -> Any:
        """A cell's value as the bid format wants it, or None (empty or reported)."""
        v = cells.get(row, col)
        if v is None:
            return None
        try:
            return cell_value(v, kind, what)
        except ValueError as exc:
            self.bad(cells, row, col, str(exc))
            return None

    def columns(self, cells: Cells, wanted: dict[str, str], row: int = 1) -> dict[str, int]:
        """Columns by header stem (the header text before its unit), the first of each."""
        found: dict[str, int] = {}
        for col, stem in cells.headers(row).items():
            key = wanted.get(stem)
            if key is not None:
                found.setdefault(key, col)
        return found

    def stray(self, cells: Cells) -> None:
        """Values the sheet's reader does not take would otherwise be silently ignored: a
        value in a column without a header, under a header the schedule does not have (a
        "Monthly fee 2" column), or in a second column of one header (a second "Monthly fee"
        column, only the first of which would be read)."""
        headers = cells.headers()
        known = COLUMNS.get(cells.title, ())
        first: dict[str, int] = {}
        for col, stem in sorted(headers.items()):
            if stem in first:
                self.bad(cells, 1, col, f"a second {quote(stem)} column (the first is "
                                        f"{get_column_letter(first[stem])}): a bid has one column of each; "
                                        "delete one")
                continue
            first[stem] = col
            if stem not in known and not (cells.title == "Plans" and COMPONENT_HEADER.fullmatch(stem)):
                filled = [r for (r, c) in sorted(cells.values) if c == col and r >= 2]
                if filled:
                    self.bad(cells, 1, col, f"column {quote(stem)} is not a column of the buyer's schedule, so its "
                                            f"{len(filled)} value{'s' if len(filled) > 1 else ''} would not be read: "
                                            "move them to their column or delete it")
        for (r, c) in sorted(cells.values):
            if r >= 2 and c not in headers:
                self.bad(cells, r, c, "value outside the schedule's columns (no header above it): "
                                      "move it to its column or delete it")

    def key_values(self, cells: Cells, fields, paths: dict[str, tuple[str, ...]]) -> dict[str, Any]:
        """Single values by format key (column A), value in column C; ``paths`` gives each
        key's field in the bid (for `where`)."""
        kinds = {key: (kind, what) for key, _, kind, what in fields}
        kc, vc = position(KEY_VALUE, "field"), position(KEY_VALUE, "value")
        out: dict[str, Any] = {}
        for r in cells.rows():
            key, value = cells.get(r, kc), cells.get(r, vc)
            if value is None:
                continue
            if key not in kinds:
                self.bad(cells, r, vc, f"value in a row without a known field ({quote(key)} in column "
                                       f"{get_column_letter(kc)})")
                continue
            if key in out:
                self.bad(cells, r, kc, f"field {quote(key)} is given twice")
                continue
            kind, what = kinds[key]
            converted = self.value(cells, r, vc, kind, what)
            if converted is not None:
                out[key] = converted
                self.where[".".join(paths[key])] = cells.at(r, vc)
        return out

    def amounts(self, cells: Cells, columns, id_key: str, amount_key: str, amount: str, label: str,
                verb: str, path: str) -> dict[str, Any]:
        """``{id: amount}`` from a table of one amount per id (Pool, Devices). A row with an
        amount needs its id, an id is given once; a row without an amount is not read. The
        id column's header (its stem) names it in messages: "device tier is missing for the
        price in this row", "device tier 'x' is priced twice", "x handset price must be…".
        ``path`` is the amount's field in the bid, ``{}`` standing for the id (for `where`)."""
        ic, ac = position(columns, id_key), position(columns, amount_key)
        name = columns[ic - 1].stem
        found: dict[str, Any] = {}
        for r in cells.rows():
            if cells.get(r, ac) is None:
                continue
            key = self.value(cells, r, ic, "id", name)
            if key is None:
                if cells.missing(r, ic):
                    self.bad(cells, r, ic, f"{name} is missing for the {amount} in this row")
                continue
            v = self.value(cells, r, ac, "money", f"{key} {label}")
            if key in found:
                self.bad(cells, r, ic, f"{name} {quote(key)} is {verb} twice")
            elif v is not None:
                found[key] = v
                self.where[path.format(key)] = cells.at(r, ac)
        return found

    def model_problems(self, bid: dict[str, Any]) -> list[Problem]:
        """What the bid model (`scoring.model.BidFile`) refuses in a bid read without cell
        problems — a cap on a block rate, on a pooled component or without a rate, an amount
        beyond its bound —, with the message a YAML bid gets, each at the cell its field was
        read from (`where`; the nearest enclosing field's cell, else the field path)."""
        try:
            BidFile.model_validate(bid)
        except ValidationError as exc:
            found = []
            for problem in pydantic_problems(exc, self.shown):
                parts = problem.field.split(".")
                while parts and ".".join(parts) not in self.where:
                    parts.pop()
                found.append(Problem(self.shown, self.where[".".join(parts)] if parts else problem.field,
                                     problem.message))
            return found
        return []

    # ---- sheets

    def bid(self, out: dict[str, Any]) -> None:
        cells = self.sheets["Bid"]
        out.update(self.key_values(cells, BID_FIELDS, {key: (key,) for key, *_ in BID_FIELDS}))
        self.stray(cells)

    def plans(self, out: dict[str, Any]) -> set[str]:
        cells = self.sheets["Plans"]
        cols = self.columns(cells, wanted(PLANS))
        components: dict[str, dict[str, int]] = {}  # component -> term -> column (the first of each)
        for col, stem in sorted(cells.headers().items()):
            m = COMPONENT_HEADER.fullmatch(stem)
            if m:  # a second column of one term is reported by `stray`
                components.setdefault(m.group(1), {}).setdefault(m.group(2), col)
        component_columns = [col for terms in components.values() for col in terms.values()]
        for key in ("id", "monthly_fee"):
            if key not in cols:
                self.problems.append(Problem(self.shown, "Plans!1:1", f"no {key.replace('_', ' ')} column: "
                                                                    "use the buyer's template"))
                return set()
        plans, seen = [], {}
        for r in cells.rows():
            if not any(cells.get(r, c) is not None for c in [*cols.values(), *component_columns]):
                continue
            plan: dict[str, Any] = {}
            at = f"plans.{len(plans)}"
            plan_id = self.value(cells, r, cols["id"], "id", "plan id")
            self.where[at] = cells.at(r, cols["id"])
            if cells.missing(r, cols["id"]):
                self.bad(cells, r, cols["id"], "plan id is missing")
            elif plan_id is not None:
                if plan_id in seen:
                    self.bad(cells, r, cols["id"], f"plan id {quote(plan_id)} is used twice (also {seen[plan_id]})")
                seen.setdefault(plan_id, cells.at(r, cols["id"]))
                plan["id"] = plan_id
                self.where[f"{at}.id"] = cells.at(r, cols["id"])
            if "name" in cols:
                name = self.value(cells, r, cols["name"], "text", "plan name")
                if name is not None:
                    plan["name"] = name
                    self.where[f"{at}.name"] = cells.at(r, cols["name"])
            fee = self.value(cells, r, cols["monthly_fee"], "money", "monthly fee")
            if cells.missing(r, cols["monthly_fee"]):
                self.bad(cells, r, cols["monthly_fee"], "monthly fee is missing")
            elif fee is not None:
                plan["monthly_fee"] = fee
                self.where[f"{at}.monthly_fee"] = cells.at(r, cols["monthly_fee"])
            for component, terms in components.items():
                self.component(cells, r, f"{at}.{{}}.{component}", plan, component, terms)
            plans.append({key: plan[key] for key in ("id", "name", "monthly_fee", "allowances", "rates", "caps")
                          if key in plan})
        if plans:
            out["plans"] = plans
        self.stray(cells)
        return set(seen)

    def component(self, cells: Cells, r: int, path: str, plan: dict[str, Any], component: str,
                  terms: dict[str, int]) -> None:
        """One usage component's cells of a plan row (`COMPONENT_TERMS`) into the plan's
        `allowances`, `rates` and `caps`: a rate with a block size is the block rate ``{block,
        price}`` of contract v1.1. ``path`` is the bid field with ``{}`` for the block's key."""
        got = {term: self.value(cells, r, col, COMPONENT_TERMS[term], f"{component} {term}")
               for term, col in terms.items()}

        def put(key: str, value: Any, term: str) -> None:
            plan.setdefault(key, {})[component] = value
            self.where[path.format(key)] = cells.at(r, terms[term])

        if got.get("allowance") is not None:
            put("allowances", got["allowance"], "allowance")
        rate, block = got.get("rate"), got.get("block")
        if block is not None:
            if rate is not None:
                put("rates", {"block": block, "price": rate}, "rate")
                self.where[path.format("rates") + ".price"] = cells.at(r, terms["rate"])
                self.where[path.format("rates") + ".block"] = cells.at(r, terms["block"])
            elif "rate" not in terms or cells.missing(r, terms["rate"]):
                # YAML refuses a block rate without its price (`plans.<i>.rates.<c>.price`).
                self.bad(cells, r, terms.get("rate", terms["block"]),
                         f"{component} rate is missing: a block size ({cells.at(r, terms['block'])}) needs its "
                         "price per block in the rate column")
        elif rate is not None and ("block" not in terms or cells.missing(r, terms["block"])):
            put("rates", rate, "rate")
        if got.get("cap") is not None:
            put("caps", got["cap"], "cap")

    def offer(self, out: dict[str, Any], plan_ids: set[str]) -> None:
        cells = self.sheets["Offer"]
        cols = self.columns(cells, wanted(OFFER))
        if "profile" not in cols or "plans" not in cols:
            self.problems.append(Problem(self.shown, "Offer!1:1", "no profile id or plan id column: "
                                                                "use the buyer's template"))
            return
        offer: dict[str, Any] = {}
        pc, oc = cols["profile"], cols["plans"]
        for r in cells.rows():
            raw = cells.get(r, oc)
            if raw is None:
                continue
            profile = self.value(cells, r, pc, "id", "profile id")
            if profile is None:
                if cells.missing(r, pc):
                    self.bad(cells, r, pc, "profile id is missing for the plan offered in this row")
                continue
            if profile in offer:
                self.bad(cells, r, pc, f"profile {quote(profile)} is offered twice")
                continue
            try:
                offered = cell_value(raw, "offer", "plan id(s)")
            except ValueError as exc:
                self.bad(cells, r, oc, str(exc))
                continue
            listed = offered if isinstance(offered, list) else [offered]
            unknown = [p for p in listed if p not in plan_ids]
            if unknown:
                self.bad(cells, r, oc, f"unknown plan {', '.join(map(repr, unknown))}: not a plan id of the Plans sheet")
                continue
            offer[profile] = offered
            self.where[f"offer.{profile}"] = cells.at(r, oc)
        if offer:
            out["offer"] = offer
        self.stray(cells)

    def fees(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Fees")
        if cells is None:
            return
        fields = fee_fields("")
        for key, value in self.key_values(cells, fields, FEE_PATHS).items():
            path = FEE_PATHS[key]
            node = out
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = value
        cols = {}
        for col, stem in sorted(cells.headers().items()):  # the first of each (`stray` reports a second)
            for column in FEE_TIERS:
                if stem.startswith(column.stem):
                    cols.setdefault(column.key, col)
                    break
        tiers = []
        if len(cols) == 2:
            for r in cells.rows():
                lo, pct = cells.get(r, cols["min_lines"]), cells.get(r, cols["percent"])
                if lo is None and pct is None:
                    continue
                tier = {}
                for key, kind, what in (("min_lines", "money", "volume tier lines"),
                                        ("percent", "percent", "volume tier discount")):
                    if cells.missing(r, cols[key]):
                        self.bad(cells, r, cols[key], f"{what} is missing (a tier needs lines and a discount)")
                        continue
                    v = self.value(cells, r, cols[key], kind, what)
                    if v is not None:
                        tier[key] = v
                        self.where[f"discounts.volume.{len(tiers)}.{key}"] = cells.at(r, cols[key])
                tiers.append(tier)
        if tiers:
            out.setdefault("discounts", {})["volume"] = tiers
        self.stray(cells)

    def pool(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Pool")
        if cells is None:
            return
        rates = self.amounts(cells, POOL, "component", "overage_rate", "overage rate", "overage rate", "pooled",
                             "pool.{}.overage_rate")
        pool = {component: {"overage_rate": rate} for component, rate in rates.items()}
        if pool:
            out["pool"] = pool
        self.stray(cells)

    def devices(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Devices")
        if cells is None:
            return
        devices: dict[str, Any] = {}
        prices = self.amounts(cells, DEVICES, "tier", "price", "price", "handset price", "priced", "devices.prices.{}")
        if prices:
            devices["prices"] = prices
        fund = self.value(cells, *DEVICE_FUND_AT, "money", "device fund")
        if fund is not None:
            devices["fund"] = fund
            self.where["devices.fund"] = cells.at(*DEVICE_FUND_AT)
        if devices:
            out["devices"] = devices
        self.stray(cells)

    def portability(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Portability")
        if cells is None:
            return
        fields = portability_fields("")
        values = self.key_values(cells, fields, {key: ("portability", key) for key, *_ in fields})
        if values:
            out["portability"] = values
        self.stray(cells)

    def service(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Service")
        if cells is None:
            return
        cols = self.columns(cells, wanted(SERVICE))
        if "path" not in cols or "value" not in cols:
            if cells.rows():
                self.problems.append(Problem(self.shown, "Service!1:1", "no path or value column: "
                                                                      "use the buyer's template"))
            return
        service: dict[str, Any] = {}
        where: dict[str, str] = {}
        for r in cells.rows():
            raw = cells.get(r, cols["value"])
            if raw is None:
                continue
            path = cells.get(r, cols["path"])
            if not isinstance(path, str) or not path.startswith("service.") or path.endswith("."):
                self.bad(cells, r, cols["path"], f"path must be service.<name>, got {quote(path)}")
                continue
            kind = row_kind(cells.get(r, cols.get("expected", 0)))
            what = path[len("service."):]
            v = self.value(cells, r, cols["value"], {"number": "number", "yes_no": "yesno"}.get(kind, "any"), what)
            if v is None:
                continue
            parts = path.split(".")[1:]
            node = service
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    break
            if not isinstance(node, dict) or isinstance(node.get(parts[-1]), dict):
                self.bad(cells, r, cols["path"], f"{path} is both a value and a block")
                continue
            if parts[-1] in node and node[parts[-1]] != v:
                self.bad(cells, r, cols["value"], f"{path} is also given in {where[path]} with another value")
                continue
            node[parts[-1]] = v
            where[path] = self.where[path] = cells.at(r, cols["value"])
        if service:
            out["service"] = service
        self.stray(cells)


def read_bid_xlsx(data: bytes, shown: str) -> dict[str, Any]:
    """Read a filled price schedule into the mapping a bid YAML file gives.

    Keys are those of the bid format; empty cells are absent keys, `unlimited` stays text,
    yes/no become booleans, dates become dates. Raises `TenderError` with one problem per
    defect, each naming the cell (``Plans!D7``)."""
    lower = shown.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlam")):
        raise TenderError.at(shown, WORKBOOK, "a macro-enabled workbook is not accepted: save it as .xlsx (Excel Workbook)")
    if lower.endswith(".xls"):
        raise TenderError.at(shown, WORKBOOK, "the old .xls format is not read: save it as .xlsx (Excel Workbook)")
    check_package(data, shown)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Data Validation extension is not supported"
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise TenderError.at(shown, WORKBOOK, f"not a readable Excel workbook ({type(exc).__name__}: "
                                              f"{quote(str(exc), 200)[1:-1]})") from None
    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sheets = {}
            for ws in wb.worksheets:
                if ws.title not in SHEETS:
                    continue
                sheets[ws.title] = cells = Cells(ws, shown, problems)
                if ws.title in READ_SHEETS:
                    if ws.sheet_state != "visible":
                        # A hidden sheet is read while a visible one (a decoy) shows other prices.
                        problems.append(Problem(shown, ws.title, f"the sheet {ws.title} is hidden ({ws.sheet_state}) "
                                                                 "but it is what is evaluated: unhide it (a bid must "
                                                                 "show what is evaluated)"))
                    cells.hidden_data(ws, shown, problems)
    except ElementTree.ParseError as exc:
        raise TenderError.at(shown, WORKBOOK, f"not a readable Excel workbook (damaged sheet XML: {exc})") from None
    except Exception as exc:  # noqa: BLE001
        raise TenderError.at(shown, WORKBOOK, f"not a readable Excel workbook ({type(exc).__name__}: "
                                              f"{quote(str(exc), 200)[1:-1]})") from None
    finally:
        wb.close()
    missing = [name for name in REQUIRED_SHEETS if name not in sheets]
    if missing:
        what = f"sheet {missing[0]} is" if len(missing) == 1 else f"sheets {', '.join(missing)} are"
        problems.append(Problem(shown, WORKBOOK, f"{what} missing: fill in the buyer's template "
                                           f"(sheets {', '.join(SHEETS)})"))
        raise TenderError(problems)
    reader = _Reader(sheets, shown, problems)
    out: dict[str, Any] = {}
    reader.bid(out)
    plan_ids = reader.plans(out)
    reader.offer(out, plan_ids)
    reader.pool(out)
    reader.fees(out)
    reader.devices(out)
    reader.portability(out)
    reader.service(out)
    if problems:
        raise TenderError(problems)
    order = ("operator", "id", "valid_until", "plans", "offer", "pool", "fees", "discounts",
             "indexation_percent", "devices", "portability", "service")
    bid = {key: out[key] for key in order if key in out}
    problems = reader.model_problems(bid)
    if problems:
        raise TenderError(problems)
    return bid
