"""Small server-side SVG line charts (no JavaScript, nothing from a CDN, text escaped)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Chart size in CSS pixels and the margins that hold the axes' labels.
WIDTH, HEIGHT = 560, 180
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 46, 12, 18, 26
#: One colour per series, cycled (colour-blind-safe Okabe-Ito palette).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

#: Average width of a title character, pixels (11 px bold system font).
TITLE_CHAR_PX = 6.4


def fit(text: str, width_px: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width_px`` (the whole of it stays in the
    chart's <title>, the tooltip)."""
    room = max(4, int(width_px / TITLE_CHAR_PX))
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _x_value(x: float | dt.datetime) -> float:
    return x.timestamp() if isinstance(x, dt.datetime) else float(x)


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[float | dt.datetime, float | None]]]],
    *,
    title: str,
    y_label: str = "",
    y_range: tuple[float, float] | None = None,
    x_labels: str = "date",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """An SVG chart of one or more named series of (x, y) points (x: datetime or number).

    ``x_labels`` is ``date`` (first and last date under the axis) or ``index`` (call numbers).
    Points with ``y`` None are skipped. An empty chart says so.
    """
    pts = [
        (name, [(_x_value(x), float(y)) for x, y in data if y is not None]) for name, data in series
    ]
    allp = [p for _, d in pts for p in d]
    head = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<text x="{MARGIN_L}" y="12" class="chart-title">{escape(fit(title, width - MARGIN_L))}'
        "</text>"
    )
    if not allp:
        return Markup(
            head + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            'class="chart-empty">no data yet</text></svg>'
        )
    xs, ys = [p[0] for p in allp], [p[1] for p in allp]
    frame = _Frame.around(xs, y_range or (min(ys), max(ys)), width, height)
    out = [head, *_y_axis(frame, y_label)]
    out += _x_axis(frame, xs) if x_labels == "date" else _x_calls(frame, xs)
    out += _series(frame, pts)
    out.append("</svg>")
    return Markup("".join(out))


@dataclass(frozen=True)
class _Frame:
    """The plot area: data ranges mapped onto pixels inside the margins."""

    x0: float
    x1: float
    y0: float
    y1: float
    width: int
    height: int

    @classmethod
    def around(
        cls, xs: Sequence[float], y_range: tuple[float, float], width: int, height: int
    ) -> _Frame:
        """A frame over ``xs`` and ``y_range``, widened where a range is a single value."""
        x0, x1 = min(xs), max(xs)
        y0, y1 = y_range
        if y1 - y0 < 1e-9:
            y0, y1 = y0 - 1, y1 + 1
        if x1 - x0 < 1e-9:
            x0, x1 = x0 - 1, x1 + 1
        return cls(x0, x1, y0, y1, width, height)

    def sx(self, x: float) -> float:
        pw = self.width - MARGIN_L - MARGIN_R
        return MARGIN_L + pw * (x - self.x0) / (self.x1 - self.x0)

    def sy(self, y: float) -> float:
        ph = self.height - MARGIN_T - MARGIN_B
        return MARGIN_T + ph * (1 - (y - self.y0) / (self.y1 - self.y0))


def _y_axis(f: _Frame, y_label: str) -> list[str]:
    """Grid lines at the bottom, middle and top, their values, and the axis label."""
    out = []
    for frac in (0.0, 0.5, 1.0):
        yv = f.y0 + frac * (f.y1 - f.y0)
        out.append(
            f'<line x1="{MARGIN_L}" x2="{f.width - MARGIN_R}" y1="{f.sy(yv):.1f}" '
            f'y2="{f.sy(yv):.1f}" class="grid"/>'
            f'<text x="{MARGIN_L - 4}" y="{f.sy(yv) + 4:.1f}" text-anchor="end">{_fmt(yv)}</text>'
        )
    if y_label:
        mid = MARGIN_T + (f.height - MARGIN_T - MARGIN_B) / 2
        out.append(
            f'<text x="10" y="{mid:.0f}" transform="rotate(-90 10 {mid:.0f})" '
            f'text-anchor="middle">{escape(y_label)}</text>'
        )
    return out


def _x_axis(f: _Frame, xs: Sequence[float]) -> list[str]:
    """The first and last date under the axis (one date when they are the same)."""
    ends = [(min(xs), "start"), (max(xs), "end")] if max(xs) > min(xs) else [(xs[0], "middle")]
    return [
        f'<text x="{f.sx(xv):.1f}" y="{f.height - 6}" text-anchor="{anchor}">'
        f"{dt.datetime.fromtimestamp(xv, dt.UTC).strftime('%Y-%m-%d')}</text>"
        for xv, anchor in ends
    ]


def _x_calls(f: _Frame, xs: Sequence[float]) -> list[str]:
    """``call N`` under each call number."""
    return [
        f'<text x="{f.sx(xv):.1f}" y="{f.height - 6}" text-anchor="middle">call {int(xv)}</text>'
        for xv in sorted(set(xs))
    ]


def _series(f: _Frame, pts: Sequence[tuple[str, Sequence[tuple[float, float]]]]) -> list[str]:
    """Each series as a line with a dot (and a tooltip) per point, and a legend when there are
    several."""
    out = []
    for i, (name, data) in enumerate(pts):
        colour = COLOURS[i % len(COLOURS)]
        if len(data) > 1:
            path = " ".join(f"{f.sx(x):.1f},{f.sy(y):.1f}" for x, y in sorted(data))
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6"/>'
            )
        for x, y in data:
            out.append(
                f'<circle cx="{f.sx(x):.1f}" cy="{f.sy(y):.1f}" r="2.6" fill="{colour}">'
                f"<title>{escape(name)}: {_fmt(y)}</title></circle>"
            )
    if len(pts) > 1:
        lx: float = MARGIN_L + 120
        for i, (name, _) in enumerate(pts[:6]):
            colour = COLOURS[i % len(COLOURS)]
            out.append(
                f'<rect x="{lx}" y="4" width="8" height="8" fill="{colour}"/>'
                f'<text x="{lx + 11}" y="12" class="legend">{escape(name[:22])}</text>'
            )
            lx += 14 + 6.2 * min(len(name), 22)
    return out
