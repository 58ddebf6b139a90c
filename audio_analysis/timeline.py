"""The timeline figure of one call: who spoke when, overtalk, dead air, interruptions, pitch and
loudness over time (matplotlib, Agg backend; PNG and/or SVG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .result import CallAnalysis

_COLORS = {"trainee": "#1f77b4", "customer": "#d62728"}


def render_timeline(
    analysis: CallAnalysis,
    path: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg"),
    title: str | None = None,
) -> list[Path]:
    """Draw the call's timeline and save it.

    Parameters
    ----------
    analysis : CallAnalysis
    path : str or Path
        Output path without or with suffix (``timeline`` -> ``timeline.png`` and ``timeline.svg``).
    formats : sequence of str, keyword-only
        File types to write.
    title : str, optional
        Figure title; the source name when omitted.

    Returns
    -------
    list of Path
        The files written (each through a temp file and rename).
    """
    # the object API, not pyplot: no global figure state, safe from a web server's threads, and
    # pyplot's import (0.2 s) is saved
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    roles = [r for r in ("trainee", "customer") if r in analysis.speech]
    dur = max(analysis.duration_s, 1e-3)
    width = float(np.clip(dur / 12.0, 8.0, 24.0))
    fig = Figure(figsize=(width, 6.5))
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1.3, 1, 1]})
    ax, axp, axl = axes
    # speech lanes
    lanes = {r: i for i, r in enumerate(reversed(roles))}
    for r in roles:
        yb = lanes[r]
        segs = analysis.speech[r]
        ax.broken_barh(
            [(s, e - s) for s, e in segs], (yb + 0.15, 0.7), color=_COLORS[r], alpha=0.85
        )
    if len(roles) == 2:
        a, b = analysis.speech["trainee"], analysis.speech["customer"]
        over = [
            (max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b if min(e1, e2) > max(s1, s2)
        ]
        for s, e in over:
            for x in axes:
                x.axvspan(s, e, color="orange", alpha=0.35, lw=0)
    for d in analysis.dead_air:
        for x in axes:
            x.axvspan(d.start_s, d.start_s + d.duration_s, color="0.6", alpha=0.3, hatch="//", lw=0)
    for i in analysis.interruptions:
        # a line across both lanes at the moment the interrupter (triangle) cut in
        yb = lanes.get(i.by, 0)
        ax.axvline(i.start_s, color="black", lw=0.8, ls="--", alpha=0.7)
        ax.plot([i.start_s], [yb + 0.92], marker="v", color="black", ms=7)
    for bc in analysis.backchannels:
        ax.plot(
            [bc.start_s], [lanes.get(bc.by, 0) + 0.5], marker="o", color="white", mec="black", ms=4
        )
    ax.set_yticks([lanes[r] + 0.5 for r in roles], roles)
    ax.set_ylim(0, len(roles) + 0.4)
    ax.legend(
        handles=[
            Patch(color="orange", alpha=0.35, label="overtalk"),
            Patch(facecolor="0.6", alpha=0.3, hatch="//", label="dead air"),
            Line2D([], [], marker="v", color="black", ls="", label="interruption"),
            Line2D([], [], marker="o", color="white", mec="black", ls="", label="backchannel"),
        ],
        loc="upper right",
        fontsize=7,
        ncol=4,
        framealpha=0.8,
    )
    for r in roles:
        ser = analysis.series[r]
        t = (np.arange(len(ser.pitch_hz)) + 0.5) * ser.hop_s
        p = np.array([np.nan if v is None else v for v in ser.pitch_hz], dtype=float)
        lv = np.array([np.nan if v is None else v for v in ser.loudness_dbfs], dtype=float)
        axp.plot(
            t, p, ".", ms=2, color=_COLORS[r], alpha=0.5, label=f"{r} (dots: every {ser.hop_s} s)"
        )
        axl.plot(t, lv, "-", lw=0.6, color=_COLORS[r], alpha=0.35)
        # per-turn medians (bars) are what the drift figures compare
        for turn in analysis.turns_of(r):
            if turn.pitch_hz_median is not None:
                axp.hlines(turn.pitch_hz_median, turn.start_s, turn.end_s, color=_COLORS[r], lw=2.5)
            if turn.loudness_dbfs is not None:
                axl.hlines(turn.loudness_dbfs, turn.start_s, turn.end_s, color=_COLORS[r], lw=2.5)
    axp.set_ylabel("pitch (Hz)")
    axl.set_ylabel("loudness (dBFS)")
    axl.set_xlabel("time (s)")
    axp.legend(loc="upper right", fontsize=7)
    ax.set_xlim(0, dur)
    src = Path(analysis.source)
    # a session's recording is named for its folder (every session has a recording.wav)
    name = f"{src.parent.name}/{src.name}" if src.name == "recording.wav" else src.name
    ax.set_title(title or name, fontsize=10)
    fig.tight_layout()
    base = Path(path)
    if base.suffix.lstrip(".") in ("png", "svg"):
        formats, base = (base.suffix.lstrip("."),), base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for fmt in formats:
        target = base.with_suffix(f".{fmt}")
        tmp = target.with_name(f".{target.name}.tmp")
        fig.savefig(tmp, format=fmt, dpi=110)
        tmp.replace(target)
        out.append(target)
    return out
