"""Key figures over time: each figure the config defines, as the points of a step chart laid
out at build time (SVG coordinates) and the rows of the data table that is its accessible form.

A ``total`` figure's value at an entry is the figure as of that date; a ``count`` is what
happened that day, and the chart draws its running sum. The chart spans the time axis's dates, on its scale (long gaps narrow).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Entry, Figure, Timeline
from generator.render.axis import time_scale

WIDTH, HEIGHT, TOP = 300.0, 100.0, 8.0
"""The chart's SVG box; the highest value sits ``TOP`` below its top edge."""


@dataclass(frozen=True)
class FigurePoint:
    entry: Entry
    given: int
    """The value the entry gives (for a count: that day's number)."""
    value: int
    """The figure as of the entry's date (for a count: the running sum)."""
    x: float
    y: float


@dataclass(frozen=True)
class FigureChart:
    figure: Figure
    points: tuple[FigurePoint, ...]
    peak: int
    line: str
    """The step line as an SVG path."""


def figure_charts(timeline: Timeline) -> tuple[FigureChart, ...]:
    """A chart for each defined figure that some entry reports, in the config's order."""
    if not timeline.entries:
        return ()
    scale = time_scale(timeline)
    charts = []
    for figure in timeline.figures:
        reported = [(entry, dict(entry.figures)[figure.id]) for entry in timeline.entries
                    if figure.id in dict(entry.figures)]
        if not reported:
            continue
        running, values = 0, []
        for _, given in reported:
            running = running + given if figure.kind == "count" else given
            values.append(running)
        peak = max(max(values), 1)
        points = tuple(FigurePoint(entry, given, value, round(WIDTH * scale.fraction(entry.date), 2),
                                   round(HEIGHT - (HEIGHT - TOP) * value / peak, 2))
                       for (entry, given), value in zip(reported, values))
        charts.append(FigureChart(figure, points, max(values), _step_line(points)))
    return tuple(charts)


def _step_line(points: tuple[FigurePoint, ...]) -> str:
    """From the first point, level until the next date, then up or down to its value; on to the end."""
    path = [f"M{points[0].x:g} {points[0].y:g}"]
    for point in points[1:]:
        path.append(f"H{point.x:g}V{point.y:g}")
    path.append(f"H{WIDTH:g}")
    return "".join(path)
