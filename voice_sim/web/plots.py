"""Small server-side SVG line charts (no JavaScript, nothing from a CDN, text escaped)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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
    x0, x1 = min(xs), max(xs)
    y0, y1 = y_range if y_range else (min(ys), max(ys))
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 1, y1 + 1
    if x1 - x0 < 1e-9:
        x0, x1 = x0 - 1, x1 + 1
    pw, ph = width - MARGIN_L - MARGIN_R, height - MARGIN_T - MARGIN_B

    def sx(x: float) -> float:
        return MARGIN_L + pw * (x - x0) / (x1 - x0)

    def sy(y: float) -> float:
        return MARGIN_T + ph * (1 - (y - y0) / (y1 - y0))

    out = [head]
    for frac in (0.0, 0.5, 1.0):
        yv = y0 + frac * (y1 - y0)
        out.append(
            f'<line x1="{MARGIN_L}" x2="{width - MARGIN_R}" y1="{sy(yv):.1f}" y2="{sy(yv):.1f}" '
            'class="grid"/>'
            f'<text x="{MARGIN_L - 4}" y="{sy(yv) + 4:.1f}" text-anchor="end">{_fmt(yv)}</text>'
        )
    if y_label:
        out.append(
            f'<text x="10" y="{MARGIN_T + ph / 2:.0f}" transform="rotate(-90 10 '
            f'{MARGIN_T + ph / 2:.0f})" text-anchor="middle">{escape(y_label)}</text>'
        )
    if x_labels == "date":
        ends = [(min(xs), "start"), (max(xs), "end")] if max(xs) > min(xs) else [(xs[0], "middle")]
        for xv, anchor in ends:
            label = dt.datetime.fromtimestamp(xv, dt.UTC).strftime("%Y-%m-%d")
            out.append(
                f'<text x="{sx(xv):.1f}" y="{height - 6}" text-anchor="{anchor}">{label}</text>'
            )
    else:
        for xv in sorted(set(xs)):
            out.append(
                f'<text x="{sx(xv):.1f}" y="{height - 6}" text-anchor="middle">'
                f"call {int(xv)}</text>"
            )
    for i, (name, data) in enumerate(pts):
        colour = COLOURS[i % len(COLOURS)]
        if len(data) > 1:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in sorted(data))
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6"/>'
            )
        for x, y in data:
            out.append(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.6" fill="{colour}">'
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
    out.append("</svg>")
    return Markup("".join(out))
