"""The time axis of the timeline page, laid out at build time: where each year, month, era and
entry sits along it, as percentages of its width. Templates only print these positions.

Dates map to positions linearly over each stretch of months with entries, from the first day
of its first month to the last day of its last. A stretch of more than ``MAX_EMPTY_MONTHS``
empty months between entries is drawn as a narrow gap instead, so the axis stays small however
far apart the dates are (one entry dated 0001 beside 2024 would otherwise draw 24,000 months).
Entries a few days apart share the axis by stacking in lanes; turning points are labelled, the
labels set in rows so that they do not overlap.
"""

from __future__ import annotations

import bisect
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
MAX_EMPTY_MONTHS = 12
"""A stretch of more empty months than this between entries is drawn as a gap."""
GAP_WIDTH, MAX_GAPS_WIDTH = 2.0, 20.0
"""Percent of the axis width a gap takes, and all gaps together at most."""
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
class AxisGap:
    """A stretch of time with no entries, drawn narrow."""

    left: float
    width: float
    label: str
    """How long it is: ``2 years``."""


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
    gaps: tuple[AxisGap, ...] = ()
    """Long stretches without entries, drawn narrow between the runs of months."""


def time_axis(timeline: Timeline, split: bool, era_links: dict) -> Axis | None:
    """The axis for ``timeline``; None when it has no entries. ``era_links`` maps each era that
    has entries to where its band is."""
    if not timeline.entries:
        return None
    scale = time_scale(timeline)
    at = scale.at
    counts = {(m.year, m.month): len(m.entries) for y in timeline.years for m in y.months}
    months, years = [], []
    for first, last in scale.runs:
        for index in range(first, last + 1):
            year, month = divmod(index, 12)
            month += 1
            count = counts.get((year, month), 0)
            link = (f"{year:04d}/{month:02d}/" if split else f"#m-{year:04d}-{month:02d}") if count else ""
            left = at(_month_start(index))
            months.append(AxisMonth(year, month, left, round(at(_month_start(index + 1)) - left, 3), count, link,
                                    month == 1 or index == first))
        for year in range(first // 12, last // 12 + 1):
            left = at(_month_start(max(first, year * 12)))
            years.append(AxisYear(year, left, round(at(_month_start(min(last + 1, year * 12 + 12))) - left, 3)))
    gaps = tuple(AxisGap(at(start), round(at(end) - at(start), 3), _span(end - start))
                 for start, end in scale.gaps)
    eras = tuple(AxisEra(era.name, i % ERA_COLOURS, at(era.start.toordinal()),
                         round(at(era.end.toordinal() + 1) - at(era.start.toordinal()), 3), era_links.get(era, ""))
                 for i, era in enumerate(timeline.eras)
                 if era.end.toordinal() >= scale.start and era.start.toordinal() < scale.end)
    marks = () if split or len(timeline.entries) > MARKS_UP_TO else _marks(timeline, at)
    return Axis(tuple(months), tuple(years), eras, marks, max((m.lane for m in marks), default=0) + 1,
                max((m.label_row + 1 for m in marks if m.label), default=0), gaps)


@dataclass(frozen=True)
class Scale:
    """Days (as ordinals) to percent of the axis: linear over each run of months, a fixed narrow
    width for each gap between runs."""

    runs: tuple[tuple[int, int], ...]
    """(first, last) month of each run, as ``year * 12 + month - 1``."""
    gaps: tuple[tuple[int, int], ...]
    """(first day, day after the last) of each gap, as ordinals."""
    knots: tuple[tuple[int, float], ...]
    """(ordinal, fraction of the axis) where each run and gap begins and ends, in order."""

    @property
    def start(self) -> int:
        return self.knots[0][0]

    @property
    def end(self) -> int:
        return self.knots[-1][0]

    def at(self, day: int | dt.date) -> float:
        """Where a day begins on the axis, in percent (days outside the range at its ends)."""
        return round(100 * self.fraction(day), 3)

    def fraction(self, day: int | dt.date) -> float:
        """Where a day begins, as a fraction of the axis's length."""
        day = day.toordinal() if isinstance(day, dt.date) else day
        if day <= self.start:
            return 0.0
        if day >= self.end:
            return 1.0
        i = bisect.bisect_right(self.knots, day, key=lambda knot: knot[0])
        (a, left), (b, right) = self.knots[i - 1], self.knots[i]
        return left + (right - left) * (day - a) / (b - a)


def time_scale(timeline: Timeline) -> Scale:
    """The scale of ``timeline``'s axis (it has entries): its runs of months and the gaps between."""
    occupied = sorted({e.date.year * 12 + e.date.month - 1 for e in timeline.entries})
    runs = [[occupied[0], occupied[0]]]
    for index in occupied[1:]:
        if index - runs[-1][1] - 1 > MAX_EMPTY_MONTHS:
            runs.append([index, index])
        else:
            runs[-1][1] = index
    spans = [(_month_start(first), _month_start(last + 1)) for first, last in runs]
    gap_width = min(GAP_WIDTH * (len(runs) - 1), MAX_GAPS_WIDTH) / max(len(runs) - 1, 1) / 100
    per_day = (1 - gap_width * (len(runs) - 1)) / sum(end - start for start, end in spans)
    knots, left = [], 0.0
    for n, (start, end) in enumerate(spans):
        knots.append((start, left))
        left += (end - start) * per_day
        knots.append((end, left if n + 1 < len(spans) else 1.0))
        left += gap_width
    return Scale(tuple(map(tuple, runs)), tuple((spans[n][1], spans[n + 1][0]) for n in range(len(spans) - 1)),
                 tuple(knots))


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


def _month_start(index: int) -> int:
    """The ordinal of the first day of month ``index`` (``year * 12 + month - 1``); for the month
    after December 9999, the day after 9999-12-31 (no date has it, but the ordinal exists)."""
    year, month = divmod(index, 12)
    if year > dt.MAXYEAR:
        return dt.date.max.toordinal() + 1
    return dt.date(year, month + 1, 1).toordinal()


def _span(days: int) -> str:
    """A gap's length in words: ``14 months``, ``2 years``, ``2,022 years``."""
    months = round(days / 30.44)
    if months < 24:
        return f"{months} months"
    return f"{round(days / 365.25):,} years"
