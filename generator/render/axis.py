"""The time axis of the timeline page, laid out at build time: where each year, month, era and
entry sits along it, as percentages of its width. Templates only print these positions.

Dates map to positions linearly, from the first day of the first entry's month to the last day
of the last entry's month. Entries a few days apart share the axis by stacking in lanes;
turning points are labelled, the labels set in rows so that they do not overlap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.model import Entry, Timeline

MARK_GAP = 0.6
"""Percent of the axis width below which two marks stack instead of sitting side by side."""
LANES = 4
"""Stacked marks beyond this many share the top lane."""
LABEL_ROWS = 4
LABEL_CHAR = 0.62
"""Percent of the axis width one character of a label takes at the axis's smallest width."""
ERA_COLOURS = 8
"""The stylesheet's era colours (``ov-era-0`` … ``ov-era-7``), used in turn."""
MARKS_UP_TO = 500
"""A longer timeline draws months only (each links to its own page): 10,000 marks would weigh
more than the rest of the page."""


@dataclass(frozen=True)
class AxisMonth:
    year: int
    month: int
    left: float
    width: float
    count: int
    link: str
    """Where the month links: its section (``#m-2024-03``), its page on a split timeline
    (``2024/03/``), or '' when it has no entries."""
    starts_year: bool

    @property
    def anchor(self) -> str:
        """The id of the month's section on an unsplit timeline page."""
        return f"m-{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class AxisYear:
    year: int
    left: float
    width: float


@dataclass(frozen=True)
class AxisEra:
    name: str
    colour: int
    left: float
    width: float
    link: str


@dataclass(frozen=True)
class AxisMark:
    entry: Entry
    left: float
    lane: int
    colour: int
    """Index of the entry's era, -1 outside every era."""
    label: str
    """A turning point's label ('' for other entries)."""
    label_row: int
    label_flipped: bool
    """The label ends at the mark instead of starting there (near the axis's right end)."""


@dataclass(frozen=True)
class Axis:
    months: tuple[AxisMonth, ...]
    years: tuple[AxisYear, ...]
    eras: tuple[AxisEra, ...]
    marks: tuple[AxisMark, ...]
    lanes: int
    """How many lanes the marks use (for the axis's height)."""
    label_rows: int = 0
    """How many rows the turning points' labels use."""


def time_axis(timeline: Timeline, split: bool, era_links: dict) -> Axis | None:
    """The axis for ``timeline``; None when it has no entries. ``era_links`` maps each era that
    has entries to where its band is."""
    if not timeline.entries:
        return None
    first, last = timeline.entries[0].date, timeline.entries[-1].date
    start, end = first.replace(day=1), _month_end(last)
    days = (end - start).days + 1

    def at(day: dt.date) -> float:
        """Where a day begins on the axis, in percent (days outside the range at its ends)."""
        return round(100 * min(max((day - start).days, 0), days) / days, 3)

    counts = {(m.year, m.month): len(m.entries) for y in timeline.years for m in y.months}
    months = []
    day = start
    while day <= end:
        following = _month_end(day) + dt.timedelta(days=1)
        count = counts.get((day.year, day.month), 0)
        link = (f"{day.year:04d}/{day.month:02d}/" if split else f"#m-{day.year:04d}-{day.month:02d}") if count else ""
        months.append(AxisMonth(day.year, day.month, at(day), round(at(following) - at(day), 3), count, link,
                                day.month == 1 or day == start))
        day = following
    years = tuple(AxisYear(year, at(max(start, dt.date(year, 1, 1))),
                           round(at(dt.date(year + 1, 1, 1)) - at(max(start, dt.date(year, 1, 1))), 3))
                  for year in range(start.year, end.year + 1))
    eras = tuple(AxisEra(era.name, i % ERA_COLOURS, at(era.start), round(at(era.end + dt.timedelta(days=1)) - at(era.start), 3),
                         era_links.get(era, ""))
                 for i, era in enumerate(timeline.eras) if era.end >= start and era.start <= end)
    marks = () if split or len(timeline.entries) > MARKS_UP_TO else _marks(timeline, at)
    return Axis(tuple(months), years, eras, marks, max((m.lane for m in marks), default=0) + 1,
                max((m.label_row + 1 for m in marks if m.label), default=0))


def _marks(timeline: Timeline, at) -> tuple[AxisMark, ...]:
    """Each entry's mark: stacked in the lowest free lane; turning points labelled in free rows."""
    lane_ends = [-100.0] * LANES
    row_ends = [-100.0] * LABEL_ROWS
    marks = []
    for entry in timeline.entries:
        left = at(entry.date)
        lane = next((i for i, end in enumerate(lane_ends) if left - end >= MARK_GAP), LANES - 1)
        lane_ends[lane] = left
        colour = next((i % ERA_COLOURS for i, era in enumerate(timeline.eras) if era.contains(entry.date)), -1)
        label, row, flipped = "", 0, False
        if entry.milestone:
            label = entry.milestone_label or _shortened(entry.title)
            row, flipped, end = _label_place(left, LABEL_CHAR * len(label) + 1, row_ends)
            row_ends[row] = end
        marks.append(AxisMark(entry, left, lane, colour, label, row, flipped))
    return tuple(marks)


def _label_place(left: float, width: float, row_ends: list[float]) -> tuple[int, bool, float]:
    """(row, flipped, where the label ends) for a label at ``left``: the first row where it fits
    to the right of its mark, else to the left (ending at the mark), else the row free earliest."""
    for flipped, start, end in ((False, left, left + width), (True, left - width, left)):
        for row, taken in enumerate(row_ends):
            if start >= taken and 0 <= start and end <= 100:
                return row, flipped, end
    row = min(range(len(row_ends)), key=row_ends.__getitem__)
    return row, left + width > 100, max(left, row_ends[row]) + width


def _shortened(title: str, limit: int = 30) -> str:
    """A title cut at a word to fit the axis, when the entry gives no label of its own."""
    if len(title) <= limit:
        return title
    cut = title[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)
