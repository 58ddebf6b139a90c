"""The call timeline: the one renderer of a call's picture (matplotlib, Agg backend).

It draws what the analysis measured (who spoke when, each turn a bar of its speech; overtalk;
the trainee's dead air; interruptions; backchannels; pitch and loudness over time) and the marks
a caller adds: ``scoring`` passes the moments that won or lost points, each silence as the
scorecard judged it, and the customer's intensity as a :class:`Track`. The same figure is
written as PNG and SVG files (:func:`render_timeline`) and given to pages as an interactive SVG
(:func:`timeline_svg`) in which every mark is a group with an id, ``class="marker <kind>"``,
``data-t`` (seconds) and a tooltip, for the page's script to seek its player there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .fileio import write_text_atomic
from .gaps import Silence
from .result import CallAnalysis

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Speakers' colours (the report's): trainee blue, customer orange.
COLORS = {"trainee": "#2f6fb3", "customer": "#d9822b"}
#: How marks of each kind look: colour, and for moments a matplotlib marker.
MARK_COLORS = {
    "won": "#1b7f3b",
    "lost": "#c0392b",
    "note": "#c9a227",
    "interruption": "#c0392b",
    "dead-air": "0.45",
    "silence": "0.7",
}
OVERTALK_COLOR = "#e74c3c"
TRACK_COLOR = "#8e44ad"
#: Lanes of the speech panel, bottom to top.
LANES = ("customer", "trainee", "points")
#: Figure width for files: about 12 s of call per inch, within these bounds (inches).
WIDTH_PER_S, MIN_WIDTH_IN, MAX_WIDTH_IN = 1 / 12.0, 8.0, 24.0
#: Raster resolution of the PNG, dots per inch.
PNG_DPI = 110
#: Panel heights (inches): the speakers' lanes, each track, pitch and loudness.
SPEECH_IN, POINTS_IN, TRACK_IN, PROSODY_IN = 1.5, 0.4, 0.95, 1.1


@dataclass(frozen=True)
class Mark:
    """Something at a time on the call timeline, added by a caller (or drawn from the analysis).

    Attributes
    ----------
    t_s : float
        When, seconds from the start of the recording.
    lane : str
        Where: ``"trainee"`` or ``"customer"`` (that speaker's lane), ``"points"`` (the row
        above the speakers), ``"call"`` (a span across every panel: a silence), or the name of
        a :class:`Track` (the mark is one of its steps).
    kind : str
        What it is: its look (:data:`MARK_COLORS`) and its CSS class in the interactive SVG
        (``won``, ``lost``, ``note``, ``dead-air``, ``silence``, ``interruption``...).
    label : str
        The tooltip, in words.
    id : str
        Its SVG id, unique in the page; ``""`` is given one.
    end_s : float or None
        The end of a span, seconds; None for a moment.
    value : float or None
        On a track: the level from ``t_s`` on.
    """

    t_s: float
    lane: str
    kind: str
    label: str
    id: str = ""
    end_s: float | None = None
    value: float | None = None


@dataclass(frozen=True)
class Track:
    """A stepped level over the call in a panel of its own (the customer's intensity, 0-10).

    Its steps are the marks whose ``lane`` is ``name``, each with a ``value``.
    """

    name: str
    label: str
    lo: float
    hi: float
    start: float
    """The level at the start of the call."""
    color: str = TRACK_COLOR


@dataclass
class _Drawing:
    """A figure and the marks drawn in it (each with its SVG id), and where time 0 and the end
    of the call fall across the figure (fractions of its width)."""

    fig: Figure
    marks: list[Mark] = field(default_factory=list)
    x0_frac: float = 0.0
    x1_frac: float = 1.0
    duration_s: float = 1.0


def render_timeline(
    analysis: CallAnalysis,
    path: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg"),
    title: str | None = None,
    marks: Sequence[Mark] = (),
    tracks: Sequence[Track] = (),
    dead_air: bool = True,
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
    marks, tracks : keyword-only
        What the caller adds (see :class:`Mark`, :class:`Track`).
    dead_air : bool, keyword-only
        Shade the analysis's dead air (leave it to the caller's marks when they judge silences).

    Returns
    -------
    list of Path
        The files written (each through a temp file and rename).
    """
    base = Path(path)
    if base.suffix.lstrip(".") in ("png", "svg"):
        formats, base = (base.suffix.lstrip("."),), base.with_suffix("")
    d = _draw(
        analysis,
        marks=marks,
        tracks=tracks,
        dead_air=dead_air,
        title=title or _name(analysis.source),
        width_in=float(np.clip(analysis.duration_s * WIDTH_PER_S, MIN_WIDTH_IN, MAX_WIDTH_IN)),
    )
    base.parent.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for fmt in formats:
        target = base.with_suffix(f".{fmt}")
        if fmt == "svg":
            write_text_atomic(target, _svg(d, interactive=False))
        else:
            tmp = target.with_name(f".{target.name}.tmp")
            d.fig.savefig(tmp, format=fmt, dpi=PNG_DPI)
            tmp.replace(target)
        out.append(target)
    return out


def timeline_svg(
    analysis: CallAnalysis,
    *,
    marks: Sequence[Mark] = (),
    tracks: Sequence[Track] = (),
    dead_air: bool = True,
    width_in: float = 11.0,
    id_prefix: str = "tl",
) -> str:
    """The timeline as an SVG element to put inside a page (no XML prolog, 100% wide).

    Every mark (the caller's, and each turn, interruption, backchannel and dead air of the
    analysis) is a ``<g id=... class="marker <kind>" data-t="<seconds>" tabindex="0"
    role="button" aria-label=...>`` with a ``<title>``. The root ``<svg id="timeline">``
    carries ``data-x0`` and ``data-x1``, the x of time 0 and of ``data-duration`` seconds in
    its own units, and the ``<g id="playhead">`` line stands at time 0: a page moves it with
    ``transform="translate(dx 0)"``. Text is text (searchable, scales with the page).
    """
    d = _draw(
        analysis,
        marks=marks,
        tracks=tracks,
        dead_air=dead_air,
        title=None,
        width_in=width_in,
        id_prefix=id_prefix,
        playhead=True,
    )
    return _svg(d, interactive=True)


# -- drawing ------------------------------------------------------------------------------------


def _draw(
    analysis: CallAnalysis,
    *,
    marks: Sequence[Mark],
    tracks: Sequence[Track],
    dead_air: bool,
    title: str | None,
    width_in: float,
    id_prefix: str = "tl",
    playhead: bool = False,
) -> _Drawing:
    """Build the figure: the speakers' lanes, then each track, then pitch and loudness."""
    # the object API, not pyplot: no global figure state, safe from a web server's threads, and
    # pyplot's import (0.2 s) is saved
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dur = max(
        analysis.duration_s,
        max((t.end_s for t in analysis.turns), default=0.0),
        max((m.end_s or m.t_s for m in marks), default=0.0),
        1e-3,
    )
    prosody = [r for r in ("trainee", "customer") if r in analysis.series]
    points = any(m.lane == "points" for m in marks)
    heights = [SPEECH_IN + (POINTS_IN if points else 0.0)] + [TRACK_IN] * len(tracks)
    heights += [PROSODY_IN, PROSODY_IN] if prosody else []
    fig = Figure(figsize=(width_in, sum(heights) + 0.9))
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(heights), 1, sharex=True, gridspec_kw={"height_ratios": heights})
    axes = list(np.atleast_1d(axes))
    d = _Drawing(fig, duration_s=dur)
    ids = iter(f"{id_prefix}-{i}" for i in range(1_000_000))

    def add(m: Mark) -> str:
        m = m if m.id else replace(m, id=next(ids))
        d.marks.append(m)
        return m.id

    speech_ax = axes[0]
    _speech(speech_ax, analysis, add, points=points)
    spans = [m for m in marks if m.lane == "call" and m.end_s is not None]
    if dead_air:
        spans = _dead_air_marks(analysis) + spans
    _spans(axes, spans, add)
    _overtalk(axes, analysis)
    _moments(speech_ax, analysis, [m for m in marks if m.lane in LANES], add)
    for ax, track in zip(axes[1 : 1 + len(tracks)], tracks, strict=True):
        _track(ax, track, [m for m in marks if m.lane == track.name], dur, add)
    if prosody:
        _prosody(axes[-2], axes[-1], analysis, prosody)
    speech_ax.set_xlim(0, dur)
    _legend(speech_ax, analysis, dead_air or bool(spans), points)
    for ax in axes:
        ax.grid(axis="x", color="0.92", lw=0.8)
        ax.set_axisbelow(True)
    axes[-1].xaxis.set_major_locator(_tick_step(dur))
    axes[-1].xaxis.set_major_formatter(_mmss_ticks())
    axes[-1].set_xlabel("time (m:ss)")
    if title:
        speech_ax.set_title(title, fontsize=9, loc="left", pad=14)
    fig.tight_layout(h_pad=0.4)
    box = speech_ax.get_position()
    d.x0_frac, d.x1_frac = box.x0, box.x1
    if playhead:
        _playhead(fig, axes, box.x0)
    return d


def _speech(ax: Axes, a: CallAnalysis, add: Any, *, points: bool) -> None:
    """Each turn as a bar of its speech segments, on its speaker's lane."""
    for t in a.turns:
        y = LANES.index(t.speaker)
        segs = [
            (max(s, t.start_s), min(e, t.end_s) - max(s, t.start_s))
            for s, e in a.speech.get(t.speaker, ())
            if e > t.start_s and s < t.end_s
        ] or [(t.start_s, t.end_s - t.start_s)]
        words = f": {_clip(t.text)}" if t.text.strip() else ""
        gid = add(Mark(t.start_s, t.speaker, "turn-bar", f"{t.speaker} {_mmss(t.start_s)}{words}"))
        bars = ax.broken_barh(segs, (y + 0.2, 0.6), color=COLORS[t.speaker], alpha=0.85, lw=0)
        bars.set_gid(gid)
    ax.set_yticks([0.5, 1.5] + ([2.5] if points else []))
    ax.set_yticklabels(["customer", "trainee"] + (["points"] if points else []))
    ax.set_ylim(0, 3 if points else 2.25)
    ax.tick_params(axis="y", length=0)


#: Whose a long silence is, by who spoke either side (see :class:`audio_analysis.Silence`).
_SILENCE_WORDS = {
    ("customer", "trainee"): "dead air",
    ("trainee", "customer"): "silence after the trainee's words (the customer's to break)",
    ("customer", "customer"): "the customer's own pause",
    ("trainee", "trainee"): "silence between the trainee's turns",
}


def _dead_air_marks(a: CallAnalysis) -> list[Mark]:
    """The analysis's long silences: its dead air dark, the others light."""
    quiet = a.silences or tuple(
        Silence("customer", "trainee", x.start_s, x.duration_s) for x in a.dead_air
    )
    return [
        Mark(
            x.start_s,
            "call",
            "dead-air" if x.is_dead_air else "silence",
            f"{_SILENCE_WORDS.get((x.from_speaker, x.to_speaker), 'silence')} "
            f"{x.duration_s:.1f} s at {_mmss(x.start_s)}",
            end_s=x.start_s + x.duration_s,
        )
        for x in quiet
    ]


def _spans(axes: list[Axes], spans: Sequence[Mark], add: Any) -> None:
    """Silences across every panel; the speech panel's shade is the clickable one."""
    for m in spans:
        assert m.end_s is not None
        dead = m.kind == "dead-air"
        color = MARK_COLORS.get(m.kind, MARK_COLORS["silence"])
        gid = add(m)
        for i, ax in enumerate(axes):
            patch = ax.axvspan(
                m.t_s,
                max(m.end_s, m.t_s + 0.05),
                color=color,
                alpha=0.35 if dead else 0.2,
                lw=0,
                hatch="//" if dead else None,
            )
            if i == 0:
                patch.set_gid(gid)


def _overtalk(axes: list[Axes], a: CallAnalysis) -> None:
    """Where both speakers hold a turn (backchannels are no turn: they are not overtalk)."""
    mine, theirs = a.turns_of("trainee"), a.turns_of("customer")
    for t in mine:
        for c in theirs:
            s, e = max(t.start_s, c.start_s), min(t.end_s, c.end_s)
            if e > s:
                for ax in axes:
                    ax.axvspan(s, e, color=OVERTALK_COLOR, alpha=0.22, lw=0)


def _moments(ax: Axes, a: CallAnalysis, marks: Sequence[Mark], add: Any) -> None:
    """Interruptions and backchannels from the analysis, and the caller's marks on the lanes."""
    for i in a.interruptions:
        ax.axvline(i.start_s, color="0.25", lw=0.8, ls="--", alpha=0.7)
        label = f"{i.by} interrupted {i.of} at {_mmss(i.start_s)} ({i.overlap_s:.1f} s overlap)"
        gid = add(Mark(i.start_s, i.by, "interruption", label))
        y = LANES.index(i.by) + 0.97
        (tri,) = ax.plot([i.start_s], [y], "v", color=MARK_COLORS["interruption"], ms=8)
        tri.set_gid(gid)
    for b, text in zip(a.backchannels, a.backchannel_text, strict=False):
        said = f' "{text.strip()}"' if text.strip() else ""
        gid = add(Mark(b.start_s, b.by, "backchannel", f"{b.by} backchannel{said}"))
        (dot,) = ax.plot(
            [b.start_s], [LANES.index(b.by) + 0.5], "o", color="white", mec="0.2", ms=5
        )
        dot.set_gid(gid)
    for m in marks:
        gid = add(m)
        y = LANES.index(m.lane) + (0.5 if m.lane == "points" else 0.97)
        color = MARK_COLORS.get(m.kind, "0.4")
        (dot,) = ax.plot([m.t_s], [y], "o", color=color, mec="white", mew=0.6, ms=7)
        dot.set_gid(gid)


def _track(ax: Axes, track: Track, steps: Sequence[Mark], dur: float, add: Any) -> None:
    """A stepped line through the track's levels, a dot at each move."""
    levels = sorted(((m.t_s, m.value, m) for m in steps if m.value is not None), key=lambda x: x[0])
    xs = [0.0] + [t for t, _, _ in levels] + [dur]
    ys = [track.start] + [v for _, v, _ in levels]
    ax.step(xs, ys + ys[-1:], where="post", color=track.color, lw=1.8)
    for t, v, m in levels:
        gid = add(m)
        (dot,) = ax.plot([t], [v], "o", color=track.color, mec="white", mew=0.6, ms=6)
        dot.set_gid(gid)
    pad = 0.06 * (track.hi - track.lo)
    ax.set_ylim(track.lo - pad, track.hi + pad)
    ax.set_ylabel(track.label, fontsize=8)


def _prosody(axp: Axes, axl: Axes, a: CallAnalysis, roles: Sequence[str]) -> None:
    """Pitch and loudness every ``hop_s`` (thin lines, broken where the speaker is silent: one
    path each keeps the SVG small) and per turn (bars: what the drift figures compare)."""
    for r in roles:
        ser = a.series[r]
        t = (np.arange(len(ser.pitch_hz)) + 0.5) * ser.hop_s
        p = np.array([np.nan if v is None else v for v in ser.pitch_hz], dtype=float)
        lv = np.array([np.nan if v is None else v for v in ser.loudness_dbfs], dtype=float)
        axp.plot(t, p, "-", lw=0.7, color=COLORS[r], alpha=0.45, label=r)
        axl.plot(t, lv, "-", lw=0.6, color=COLORS[r], alpha=0.35)
        for turn in a.turns_of(r):
            if turn.pitch_hz_median is not None:
                axp.hlines(turn.pitch_hz_median, turn.start_s, turn.end_s, color=COLORS[r], lw=2.5)
            if turn.loudness_dbfs is not None:
                axl.hlines(turn.loudness_dbfs, turn.start_s, turn.end_s, color=COLORS[r], lw=2.5)
    axp.set_ylabel("pitch (Hz)", fontsize=8)
    axl.set_ylabel("loudness (dBFS)", fontsize=8)


def _legend(ax: Axes, a: CallAnalysis, silences: bool, points: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [Patch(color=OVERTALK_COLOR, alpha=0.22, label="overtalk")]
    if silences:
        handles.append(Patch(facecolor="0.45", alpha=0.35, hatch="//", label="dead air"))
        handles.append(Patch(facecolor="0.7", alpha=0.2, label="other silence"))
    if a.interruptions:
        handles.append(
            Line2D([], [], marker="v", color=MARK_COLORS["lost"], ls="", label="interruption")
        )
    if a.backchannels:
        handles.append(
            Line2D([], [], marker="o", color="white", mec="0.2", ls="", label="backchannel")
        )
    if points:
        for kind, name in (("won", "points won"), ("lost", "points lost")):
            handles.append(Line2D([], [], marker="o", color=MARK_COLORS[kind], ls="", label=name))
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=7,
        ncol=len(handles),
        frameon=False,
        borderaxespad=0.1,
    )


def _playhead(fig: Figure, axes: list[Axes], x_frac: float) -> None:
    """A line over every panel at time 0, for a page to move."""
    from matplotlib.lines import Line2D

    top, bottom = axes[0].get_position().y1, axes[-1].get_position().y0
    line = Line2D([x_frac, x_frac], [bottom, top], transform=fig.transFigure, color="k", lw=1.4)
    line.set_gid("playhead")
    fig.add_artist(line)


# -- output ---------------------------------------------------------------------------------------


def _svg(d: _Drawing, *, interactive: bool) -> str:
    """The figure as SVG text, each mark's group with its class, time and tooltip;
    ``interactive``: as an element for a page (see :func:`timeline_svg`)."""
    import io

    from matplotlib import rc_context

    buf = io.StringIO()
    # text stays text (smaller, searchable); fixed ids and no date: the same call, the same file
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "voice-sim"}):
        d.fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    for m in d.marks:
        label = html.escape(m.label, quote=True)
        attrs = (
            f'id="{html.escape(m.id)}" class="marker {html.escape(m.kind)}" '
            f'data-t="{m.t_s:.3f}" tabindex="0" role="button" aria-label="{label}"'
        )
        svg = svg.replace(f'<g id="{m.id}">', f"<g {attrs}>\n<title>{label}</title>", 1)
    if not interactive:
        return svg
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg[svg.index("<svg") :], count=1, flags=re.S)
    head = re.match(r"<svg[^>]*>", svg)
    box = re.search(r'viewBox="([\d. ]+)"', head.group(0)) if head else None
    assert head is not None and box is not None
    width = float(box.group(1).split()[2])
    root = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'id="timeline" viewBox="{box.group(1)}" width="100%" role="img" '
        f'aria-label="Call timeline" data-x0="{d.x0_frac * width:.2f}" '
        f'data-x1="{d.x1_frac * width:.2f}" data-duration="{d.duration_s:.3f}">'
    )
    return root + svg[head.end() :]


#: Tick steps (s): the first that gives at most a dozen ticks.
TICK_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)


def _tick_step(duration_s: float) -> Any:
    from matplotlib.ticker import MultipleLocator

    return MultipleLocator(next((s for s in TICK_STEPS_S if duration_s / s <= 12), 7200))


def _mmss_ticks() -> Any:
    """Tick labels as m:ss."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: _mmss(x))


def _mmss(t_s: float) -> str:
    s = max(0, round(t_s))
    return f"{s // 60}:{s % 60:02d}"


def _clip(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _name(source: str) -> str:
    # a session's recording is named for its folder (every session has a recording.wav)
    src = Path(source)
    return f"{src.parent.name}/{src.name}" if src.name == "recording.wav" else src.name
