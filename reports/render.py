"""The report's charts as PNG: the app's own plotly figures (`reports.charts`), rendered by
kaleido ≥ 1 with the system's Chromium (``BROWSER_PATH``, else ``chromium`` on the PATH), started
offline (`OFFLINE_FLAGS`); plotly.js comes from the plotly package and MathJax is off, so nothing
is fetched. Without plotly, kaleido or a browser the report is built with tables only."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import threading
from dataclasses import dataclass, field

from scoring.evaluate import Evaluation

from .document import t

# --------------------------------------------------------------------------- charts

CHART_WIDTH_PX = 800  # drawn 180 mm wide: 12 px text ≈ 7.6 pt
CHART_SCALE = 2
CHART_TIMEOUT_S = 120.0
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


# Chromium left to its defaults goes on the network even to draw a local page: it looks up
# Google and DuckDuckGo hosts (account list, component updates, search preconnect, network
# time) at start-up. The report's browser gets these flags on top of choreographer's own: the
# background services off, no host name ever resolved (every name maps to "not found", so no
# DNS query leaves the machine), and every request sent through a proxy on a closed loopback
# port (so not even an address written as an IP goes out). The page itself is a local file:
# plotly.js from the plotly package, MathJax off. tests/test_report_offline.py traces the
# browser and its children with strace.
OFFLINE_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-sync",
    "--no-pings",
    "--no-service-autorun",
    "--disable-search-engine-choice-screen",
    "--dns-prefetch-disable",
    "--disable-features=Translate,OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading,"
    "MediaRouter,DialMediaRouteProvider,CertificateTransparencyComponentUpdater,AutofillServerCommunication,"
    "NetworkTimeServiceQuerying,PreconnectToSearch",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)


def offline_browser_class():
    """choreographer's Chromium with `OFFLINE_FLAGS` added to its command line, for kaleido's
    ``browser_cls`` (passed through to ``choreographer.Browser``)."""
    from choreographer.browsers import Chromium

    class OfflineChromium(Chromium):
        def get_cli(self):
            return [*super().get_cli(), *OFFLINE_FLAGS]

    return OfflineChromium


def find_browser() -> str | None:
    """The browser kaleido drives: ``BROWSER_PATH`` (kaleido's and choreographer's own
    variable) if set, else the first Chromium/Chrome on the PATH (Debian's package installs
    ``/usr/bin/chromium``), else ``/usr/bin/chromium`` itself; None if there is none."""
    if env := os.environ.get("BROWSER_PATH"):
        return env if os.access(env, os.X_OK) else None
    for name in BROWSER_NAMES:
        if path := shutil.which(name):
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def charts_unavailable(lang: str = "en") -> str | None:
    """Why a report made here would have no charts (plotly, kaleido or a browser missing), in
    ``lang``; None when they can be drawn (rendering itself may still fail: the report says so).
    Cheap: nothing is imported or started."""
    for package, key in (("plotly", "charts.no_plotly"), ("kaleido", "charts.no_kaleido")):
        try:
            missing = importlib.util.find_spec(package) is None
        except ValueError:  # in sys.modules without a spec
            missing = False
        if missing:
            return t(key, lang)
    return t("charts.no_browser", lang) if find_browser() is None else None


def charts_note(lang: str = "en") -> str | None:
    """The sentence an app page shows beside the report's download when the PDF would have no
    charts here; None when they can be drawn."""
    reason = charts_unavailable(lang)
    return None if reason is None else t("charts.page_note", lang, reason=reason)


@dataclass
class Charts:
    images: dict[str, bytes]
    why: tuple[str, dict] | None  # why there are no charts: a text key and its fields (None: rendered)
    browser: str | None = None
    lang: str = "en"
    placed: set[str] = field(default_factory=set)  # charts already in the document

    def reason(self, lang: str | None = None) -> str | None:
        """Why there are no charts, in ``lang`` (default: the report's); None when rendered."""
        return None if self.why is None else t(self.why[0], lang or self.lang, **self.why[1])

    @property
    def skipped(self) -> str | None:
        return self.reason()

    def take(self, key: str) -> bytes | None:
        """The chart's PNG the first time it is asked for (None after, or without it)."""
        if key in self.placed:
            return None
        self.placed.add(key)
        return self.images.get(key)


def _run(coro):
    """Run a coroutine to completion, also from a thread whose event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def render_charts(figures: dict, lang: str, *, enabled: bool = True, browser: str | None = None,
                  timeout: float = CHART_TIMEOUT_S) -> Charts:
    """PNG bytes of each plotly figure, keyed as given, or why they could not be made.
    One browser is started for all of them."""
    if not enabled:
        return Charts({}, ("charts.off", {}), lang=lang)
    if not figures:
        return Charts({}, None, lang=lang)
    try:
        import kaleido
    except ImportError:
        return Charts({}, ("charts.no_kaleido", {}), lang=lang)
    browser = browser or find_browser()
    if browser is None or not os.access(browser, os.X_OK):
        return Charts({}, ("charts.no_browser", {}), lang=lang)

    async def draw() -> dict[str, bytes]:
        out = {}
        # mathjax=False: kaleido would load MathJax from a CDN; plotly.js comes from the plotly package.
        async with kaleido.Kaleido(path=browser, n=1, timeout=60, mathjax=False,
                                   browser_cls=offline_browser_class()) as k:
            for key, fig in figures.items():
                height = int(fig.layout.height or 450)
                out[key] = await k.calc_fig(fig, opts={"format": "png", "width": CHART_WIDTH_PX, "height": height,
                                                       "scale": CHART_SCALE})
        return out

    try:
        images = _run(asyncio.wait_for(draw(), timeout))
    except Exception as exc:  # noqa: BLE001 — any failure falls back to tables only
        error = " ".join(str(exc).split())[:200] or type(exc).__name__
        return Charts({}, ("charts.failed", {"error": error}), lang=lang)
    return Charts(images, None, browser, lang)


def chart_figures(ev: Evaluation, sos, sens, lang: str) -> dict:
    """The report's charts, made by the app's own figure functions."""
    from . import charts as figures  # plotly: imported only when charts are drawn

    out = {}
    ranked = sum(1 for b in ev.costs.bids if ev.ranking.rank.get(b))
    if ranked:  # else an empty chart: the table says every bid is out
        out["ranking"] = figures.ranking_chart(ev, lang)
        out["ranking"].update_layout(height=min(560, max(300, 150 + 55 * ranked)))  # as tall as the bids need
    if any(ev.costs.costed(b) for b in ev.costs.bids):
        out["breakdown"] = _legend_below(figures.breakdown_chart(ev, lang), per_row=2)
    if sos.challengers:
        out["cumulative"] = figures.cumulative_chart(sos, ev, lang)
    if sens.tornado:
        out["tornado"] = figures.tornado_chart(sens, lang, ev=ev)
    return out


def _legend_below(fig, per_row: int = 2):
    """Move a legend from the right of the plot to below it, ``per_row`` entries a row, so
    the plot gets the page's whole width (as the app does for charts in columns)."""
    if fig.layout.showlegend is False:
        return fig
    entries = sum(1 for trace in fig.data if trace.showlegend is not False and trace.name)
    rows = max(1, -(-entries // per_row))
    extra = 22 * rows + 20
    fig.update_layout(
        legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": 0.0, "yanchor": "bottom", "yref": "container",
                "entrywidth": 1 / per_row, "entrywidthmode": "fraction"},
        height=(fig.layout.height or 450) + extra,
        margin={"b": (fig.layout.margin.b or 10) + extra},
    )
    return fig

