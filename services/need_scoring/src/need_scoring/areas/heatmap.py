"""What the heat map shows: a value and a colour class per area, and the legend.

With no category chosen the map shows the need index (0 to 1); with one, the number of
open cases in it. Withheld counts get their own hatched class, never a colour that
could be read as a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from civic.contracts.common import Category
from need_scoring.areas.need import AreaNeed

# ColorBrewer YlOrRd, 5 classes: sequential and readable with colour-blindness.
COLOURS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
WITHHELD = "withheld"


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    value: float | int | None
    shown: str  # the value as people read it
    colour_class: int | None  # index into COLOURS; None when withheld
    open_cases: int | None
    imd_decile: int


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str | None  # None: the hatched "withheld" swatch


def heatmap(needs: list[AreaNeed], category: Category | None, k: int
            ) -> tuple[list[MapArea], list[LegendEntry]]:
    values: dict[str, float | int | None] = {
        n.code: (n.by_category[category] if category else n.need_index) for n in needs}
    shown_values = [v for v in values.values() if v is not None]
    top = max(shown_values, default=0) or 1
    step = top / len(COLOURS)
    areas = [MapArea(
        code=n.code, name=n.name, value=values[n.code],
        shown=_shown(values[n.code], category, k),
        colour_class=None if values[n.code] is None
        else min(int(values[n.code] / step), len(COLOURS) - 1),  # type: ignore[operator]
        open_cases=n.open_cases, imd_decile=n.imd_decile) for n in needs]
    legend = [LegendEntry(_range(i * step, (i + 1) * step, category), colour)
              for i, colour in enumerate(COLOURS)]
    if category:
        legend.append(LegendEntry(f"Fewer than {k}, or withheld so totals cannot reveal "
                                  "a small number", None))
    return sorted(areas, key=lambda a: a.name), legend


def _shown(value: float | int | None, category: Category | None, k: int) -> str:
    if value is None:
        return f"fewer than {k} (withheld)"
    return f"{value:.2f}" if category is None else f"{value} open cases"


def _range(low: float, high: float, category: Category | None) -> str:
    if category is None:
        return f"{low:.2f} to {high:.2f}"
    return f"{low:.0f} to {high:.0f} open cases"
