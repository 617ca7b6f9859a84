"""Plotly figures of an evaluation and its what-ifs, in English or French: the app's charts and
the PDF's, which are the same figures. Nothing here computes the model: the numbers come from
`scoring`/`scenarios`.

Files: `style` (colours, layout, names), `evaluation` (one evaluation's charts), `whatif`
(stay or switch, sensitivity, Monte Carlo).
"""

from .evaluation import (
    annual_chart,
    breakdown_chart,
    entity_chart,
    monthly_chart,
    profile_chart,
    radar_chart,
    ranking_chart,
    usage_chart,
    usage_decimals,
    usage_label,
    usage_unit,
)
from .style import (
    BILLED_FILL,
    BILLED_LINE,
    COMPONENT_COLORS,
    OKABE_ITO,
    PUBLISHED_COLOR,
    operator_colors,
)
from .whatif import (
    cumulative_chart,
    mc_rank_chart,
    mc_tco_chart,
    porting_risk_chart,
    tornado_chart,
    waterfall_chart,
    weight_stability_chart,
)

__all__ = [
    "BILLED_FILL", "BILLED_LINE", "COMPONENT_COLORS", "OKABE_ITO", "PUBLISHED_COLOR", "annual_chart", "breakdown_chart", "cumulative_chart", "entity_chart",
    "mc_rank_chart", "mc_tco_chart", "monthly_chart", "operator_colors", "porting_risk_chart", "profile_chart",
    "radar_chart", "ranking_chart", "tornado_chart", "usage_chart", "usage_decimals", "usage_label", "usage_unit",
    "waterfall_chart",
    "weight_stability_chart",
]

