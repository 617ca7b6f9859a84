"""Server time of the app on the bundled example, measured with Streamlit's AppTest (the
script run in-process, as the server runs it; no browser).

- first render: the What-if and Compare pages with every cache cleared (load, costs,
  ranking, charts) — target under 3 s;
- weight change: moving the price weight on the What-if page with warm caches — target
  under 300 ms (it re-ranks the cached costs, it does not re-run the cost simulation).

Usage: python bench/bench_app.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402


def run_page(module: str) -> None:
    import importlib

    importlib.import_module(f"ui.{module}").render()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for module in ("compare_page", "whatif_page", "summary_page"):
        cold = []
        for _ in range(args.repeat):
            st.cache_resource.clear()
            at = AppTest.from_function(run_page, args=(module,), default_timeout=120)
            cold.append(timed(at.run))
            assert not at.exception, at.exception
        rows.append((f"first render, {module} (caches cleared)", cold, 3.0))
    at = AppTest.from_function(run_page, args=("whatif_page",), default_timeout=120)
    at.run()
    warm = []
    for i in range(args.repeat * 2):
        value = 30.0 + 5 * (i % 8)
        warm.append(timed(lambda v=value: at.slider(key="w_price").set_value(v).run()))
        assert not at.exception, at.exception
    rows.append(("weight change, whatif_page (warm)", warm, 0.3))
    print(f"Fleetbid app server time (AppTest, in-process), {args.repeat} runs each")
    print(f"{'measure':<48} {'median':>9} {'min':>9} {'max':>9}  target  met")
    ok = True
    for name, values, target in rows:
        med = statistics.median(values)
        ok &= med < target
        print(f"{name:<48} {med * 1000:>7.0f}ms {min(values) * 1000:>7.0f}ms {max(values) * 1000:>7.0f}ms  "
              f"<{target * 1000:.0f}ms {'yes' if med < target else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
