"""Self-contained HTML reports: ``report.html`` for a call, ``session_report.html`` for a session.

Everything (styles, script, timeline, and the recording up to a size limit) is inside the one
file, so it opens offline by double-click. Timeline markers, evidence times and transcript turns
carry ``data-t`` (seconds); clicking one seeks the audio player there.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from audio_analysis.fileio import write_json_atomic, write_text_atomic
from audio_analysis.timeline import Mark, Track, timeline_svg

from .inputs import CallInputs, Turn
from .rules import judged_silences, mmss
from .scorecard import (
    SCORECARD_FILE,
    SESSION_SCORECARD_FILE,
    Evidence,
    ItemScore,
    JudgedSilence,
    Scorecard,
    SessionScorecard,
)
from .settings import ScoringSettings

_CSS = """
:root{--won:#1b7f3b;--lost:#c0392b;--trainee:#2f6fb3;--customer:#d9822b;--ink:#222;--muted:#666}
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);
 max-width:1100px;margin:0 auto;padding:1.2rem}
h1{margin:.2rem 0}h2{margin-top:1.8rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.overall{font-size:2.6rem;font-weight:700}.muted{color:var(--muted)}
.summary{font-size:1.05rem;background:#f6f7f9;padding:.8rem 1rem;border-radius:6px}
audio{width:100%;margin:.5rem 0}
svg.chart text{font:11px system-ui,sans-serif;fill:#444}
#timeline{display:block;margin:.3rem 0}#timeline .marker{cursor:pointer;outline:none}
#timeline .marker:hover path,#timeline .marker:focus path{stroke:#000!important;
 stroke-width:1.2px!important;stroke-opacity:1!important}
.turn{display:grid;grid-template-columns:4.5rem 6rem 1fr;gap:.5rem;padding:.25rem .3rem;
 border-radius:4px}
.turn.now{background:#fff7d6}.turn .who{font-weight:600}
.turn.trainee .who{color:var(--trainee)}.turn.customer .who{color:var(--customer)}
button.t{font:inherit;font-size:.85rem;border:1px solid #ccc;background:#fff;border-radius:4px;
 cursor:pointer;padding:0 .35rem}
mark.won{background:#c9f0d4;border-bottom:2px solid var(--won)}
mark.lost{background:#f9d0cb;border-bottom:2px solid var(--lost)}
mark.note{background:#fdf1c5;border-bottom:2px solid #c9a227}
.item{border:1px solid #e2e2e2;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0}
.item h3{margin:0;display:flex;justify-content:space-between;font-size:1.02rem}
.bar{height:8px;background:#eee;border-radius:4px;margin:.35rem 0}
.bar>span{display:block;height:100%;border-radius:4px;background:var(--won)}
.item.na{opacity:.6}
.ev{margin:.2rem 0;padding-left:1.2rem}.ev li.won::marker{content:"+ ";color:var(--won)}
.ev li.lost::marker{content:"\\2212  ";color:var(--lost)}.ev li.note::marker{content:"\\2022  "}
.tip{color:#444;font-style:italic}.warn{color:#8a5a00}
table{border-collapse:collapse}td,th{padding:.25rem .6rem;border-bottom:1px solid #eee;
 text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
pre.note{white-space:pre-wrap;font:inherit;background:#f6f7f9;padding:.8rem 1rem;border-radius:6px}
.ending{font-size:1rem}.flag{background:#fde2dd;color:#8a1c0f;border-radius:4px;padding:.1rem .4rem;
 font-weight:600}tr.flagged td{background:#fff1ee}
"""

_JS = """
(function(){
  var player = document.getElementById('player');
  function seek(t){
    document.body.setAttribute('data-last-seek', String(t));
    if(!player) return;
    player.currentTime = t;
    var p = player.play(); if(p && p.catch){ p.catch(function(){}); }
  }
  document.querySelectorAll('[data-t]').forEach(function(el){
    function go(ev){ ev.preventDefault(); seek(parseFloat(el.getAttribute('data-t'))); }
    el.addEventListener('click', go);
    el.addEventListener('keydown', function(ev){
      if(ev.key==='Enter' || ev.key===' '){ go(ev); }
    });
  });
  if(!player) return;
  var head = document.getElementById('playhead');
  var svg = document.getElementById('timeline');
  var turns = Array.prototype.slice.call(document.querySelectorAll('.turn'));
  function num(name){ return svg ? parseFloat(svg.getAttribute(name)) || 0 : 0; }
  var x0 = num('data-x0'), x1 = num('data-x1'), dur = num('data-duration') || 1;
  player.addEventListener('timeupdate', function(){
    var t = player.currentTime;
    if(head){
      var dx = (x1 - x0) * Math.min(Math.max(t/dur, 0), 1);
      head.setAttribute('transform', 'translate(' + dx.toFixed(2) + ' 0)');
    }
    turns.forEach(function(el){
      var a = parseFloat(el.getAttribute('data-t')), b = parseFloat(el.getAttribute('data-end'));
      el.classList.toggle('now', t >= a && t < b);
    });
  });
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


#: What each silence is, as the scorecard judged it (``rules.dead_air_verdicts``).
_SILENCE_NAMES = {
    "dead_air": "dead air",
    "hold_overrun": "dead air (a hold past what the notice bought)",
    "held": "silence announced with a hold notice",
    "patient": "silence the customer waited through",
    "theirs": "pause after the trainee's words",
    "pressure": "the customer's pressure pause",
}
#: The customer's intensity (0-10) as a track of the timeline.
INTENSITY = "intensity"


def timeline_marks(
    call: CallInputs, card: Scorecard | None = None
) -> tuple[list[Mark], list[Track]]:
    """What scoring adds to the call's timeline (``audio_analysis.timeline``): each silence as
    the scorecard judged it (only the trainee's dead air drawn as such), the customer's
    intensity as a track with a mark at each move, and the moments that won or lost points."""
    judged: Sequence[JudgedSilence] = (
        card.silences
        if card is not None and card.silences is not None
        else judged_silences(call, ScoringSettings())
    )
    marks = [
        Mark(
            v.start_s,
            "call",
            "dead-air" if v.dead else "silence",
            f"{_SILENCE_NAMES.get(v.verdict, 'silence')} {v.duration_s:.1f} s at {mmss(v.start_s)}",
            end_s=v.start_s + v.duration_s,
        )
        for v in judged
    ]
    tracks: list[Track] = []
    if call.start_intensity is not None:
        tracks.append(Track(INTENSITY, "customer\nintensity", 0.0, 10.0, call.start_intensity))
        for e in call.intensity:
            was = f"{e.previous:g}" if e.previous is not None else "-"
            reason = f" ({e.reason})" if e.reason else ""
            label = f"intensity {was} -> {e.level:g} at {mmss(e.t_s)}{reason}"
            marks.append(Mark(e.t_s, INTENSITY, "intensity", label, value=e.level))
    for it in card.items if card is not None else ():
        for ev in it.evidence:
            if ev.start_s is not None and ev.effect != "note":
                label = f"{it.label}: {ev.quote or ev.figure or ''}"
                marks.append(Mark(ev.start_s, "points", ev.effect, label))
    return marks, tracks


def _timeline(call: CallInputs, card: Scorecard) -> str:
    """The report's interactive timeline: the analysis's picture of the call (with our own
    customer's exact words on its turns) and scoring's marks."""
    marks, tracks = timeline_marks(call, card)
    assert call.analysis is not None
    analysis = replace(call.analysis, turns=call.turns)
    return timeline_svg(analysis, marks=marks, tracks=tracks, dead_air=False)


def _highlights(turn: Turn, card: Scorecard) -> list[tuple[int, int, str, str]]:
    spans: list[tuple[int, int, str, str]] = []
    low = turn.text.lower()
    for it in card.items:
        for ev in it.evidence:
            if ev.quote is None or ev.start_s is None or ev.speaker != turn.speaker:
                continue
            if not turn.start_s - 0.6 <= ev.start_s <= turn.end_s + 0.6:
                continue
            # A clipped quote is context for a whole turn, not a phrase: leave it unmarked.
            q = ev.quote.strip().lower()
            if not q or q.endswith("\u2026"):
                continue
            pos = low.find(q)
            if pos < 0:
                continue
            effect = ev.effect
            spans.append((pos, pos + len(q), effect, it.label))
    # Shorter phrases win over whole-sentence quotes when they overlap.
    spans.sort(key=lambda s: (s[1] - s[0], s[0]))
    chosen: list[tuple[int, int, str, str]] = []
    for s in spans:
        if all(s[1] <= c[0] or s[0] >= c[1] for c in chosen):
            chosen.append(s)
    return sorted(chosen)


def _turn_html(turn: Turn, card: Scorecard) -> str:
    parts, pos = [], 0
    for a, b, effect, label in _highlights(turn, card):
        parts.append(_e(turn.text[pos:a]))
        parts.append(f'<mark class="{effect}" title="{_e(label)}">{_e(turn.text[a:b])}</mark>')
        pos = b
    parts.append(_e(turn.text[pos:]))
    text = "".join(parts) or '<span class="muted">(no words transcribed)</span>'
    return (
        f'<div class="turn {turn.speaker}" data-t="{turn.start_s:.3f}" data-end="{turn.end_s:.3f}">'
        f'<button class="t" data-t="{turn.start_s:.3f}">{mmss(turn.start_s)}</button>'
        f'<span class="who">{turn.speaker}</span><span class="text">{text}</span></div>'
    )


def _evidence_html(ev: Evidence) -> str:
    t = (
        f'<button class="t" data-t="{ev.start_s:.3f}">{mmss(ev.start_s)}</button> '
        if ev.start_s is not None
        else ""
    )
    bits = []
    if ev.quote:
        bits.append(f"\u201c{_e(ev.quote)}\u201d")
    if ev.figure:
        bits.append(_e(ev.figure))
    sep = " \u2014 "
    return f'<li class="{ev.effect}">{t}{sep.join(bits)}</li>'


def _items_html(items: Sequence[ItemScore]) -> str:
    out = []
    for it in items:
        pct = 100.0 * it.score / it.max if it.max else 0.0
        na = "" if it.applicable else " na"
        score = f"{it.score:.1f} / {it.max:g}" if it.applicable else "not applicable"
        tip = (
            f'<p class="tip">Tip: {_e(it.tip)}</p>'
            if it.tip and it.applicable and it.score < it.max
            else ""
        )
        out.append(
            f'<div class="item{na}" id="item-{_e(it.id)}"><h3><span>{_e(it.label)}</span>'
            f"<span>{score}</span></h3>"
            f'<div class="bar"><span style="width:{pct:.0f}%"></span></div>'
            f'<ul class="ev">{"".join(_evidence_html(e) for e in it.evidence)}</ul>{tip}</div>'
        )
    return "\n".join(out)


def _vorbis(recording: Path, limit_bytes: int) -> bytes | None:
    """The recording re-encoded as Ogg Vorbis (about a tenth of PCM), block by block so memory
    stays bounded; ``None`` if it cannot be read or would still exceed ``limit_bytes``."""
    import io

    import soundfile as sf

    buf = io.BytesIO()
    try:
        with (
            sf.SoundFile(recording) as src,
            sf.SoundFile(
                buf,
                "w",
                samplerate=src.samplerate,
                channels=src.channels,
                format="OGG",
                subtype="VORBIS",
            ) as dst,
        ):
            for block in src.blocks(blocksize=src.samplerate * 30, dtype="float32"):
                dst.write(block)
                if buf.tell() > limit_bytes:
                    return None
    except (RuntimeError, ValueError, sf.LibsndfileError):
        return None
    data = buf.getvalue()
    return data if len(data) <= limit_bytes else None


#: What the report's player may embed: audio it can decode, by suffix and MIME type.
PLAYABLE = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
}


def playable_recording(recording: Path | None, *, next_to: Sequence[Path]) -> Path | None:
    """``recording`` if the report may play it, else None.

    Only a file in one of the ``next_to`` folders (the input's folder, the report's folder) with
    an audio suffix that decodes as audio: never whatever another path names (an
    ``analysis.json`` whose ``source`` is ``/etc/passwd`` must not put that file in a report).
    """
    import soundfile as sf

    if recording is None or not recording.is_file():
        return None
    if recording.suffix.lower() not in PLAYABLE:
        return None
    folder = recording.resolve().parent
    if not any(folder == d.resolve() for d in next_to):
        return None
    try:
        info = sf.info(str(recording))
    except (RuntimeError, sf.LibsndfileError):
        return None
    return recording if info.frames > 0 and info.channels > 0 else None


def _audio_src(recording: Path | None, out_dir: Path, settings: ScoringSettings) -> str | None:
    """The player's ``src``: the recording embedded (as is, or as Ogg Vorbis when the PCM file
    is over the embedding limit), else a path relative to the report. ``recording`` must have
    passed :func:`playable_recording`."""
    if recording is None:
        return None
    size = recording.stat().st_size
    limit = settings.embed_audio_max_bytes
    if size <= limit:
        mime = PLAYABLE[recording.suffix.lower()]
        return f"data:{mime};base64," + base64.b64encode(recording.read_bytes()).decode("ascii")
    if recording.suffix.lower() in (".wav", ".flac") and limit > 0:
        ogg = _vorbis(recording, limit)
        if ogg is not None:
            return "data:audio/ogg;base64," + base64.b64encode(ogg).decode("ascii")
    return Path(os.path.relpath(recording.resolve(), out_dir.resolve())).as_posix()


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}<script>{_JS}</script></body></html>\n"
    )


def render_report(
    card: Scorecard, call: CallInputs, out_dir: Path, settings: ScoringSettings | None = None
) -> str:
    """The call report as one HTML string (see ``write_report``)."""
    settings = settings or ScoringSettings()
    next_to = [out_dir] + ([Path(call.source).parent] if Path(call.source).exists() else [])
    recording = playable_recording(call.recording, next_to=next_to)
    src = _audio_src(recording, out_dir, settings)
    if src:
        player = f'<audio id="player" controls preload="auto" src="{_e(src)}"></audio>'
    elif call.recording is not None:
        player = (
            f'<p class="muted" id="no-audio">Recording not embedded: {_e(call.recording.name)} is '
            "not a decodable audio file next to the input. Markers show times only.</p>"
        )
    else:
        player = '<p class="muted">No recording found: markers show times only.</p>'
    warnings = "".join(f'<p class="warn">Warning: {_e(w)}</p>' for w in card.warnings)
    persona = f" \u00b7 persona {_e(card.persona)}" if card.persona else ""
    ending = _ending_html(card.ended, card.end_intensity, card.end_warning)
    note = (
        f'<h2>Case note</h2><pre class="note" id="case-note">{_e(call.case_note)}</pre>'
        if call.case_note
        else ""
    )
    body = f"""
<header><p class="muted">voice-sim scorecard \u00b7 {_e(card.name)}{persona} \u00b7
{mmss(card.duration_s)} \u00b7 judge {_e(card.judge)} \u00b7 rubric {_e(card.rubric)}</p>
<h1>De-escalation score <span class="overall" id="overall">{card.overall:.0f}</span>
<span class="muted">/ 100</span></h1>{ending}
<p class="summary" id="summary">{_e(card.summary)}</p>{warnings}</header>
{player}
<h2>Timeline</h2>
<p class="muted">Each bar is a turn (blue: trainee, orange: customer; pink where both talk),
grey: dead air (light grey: other silences, as judged), red triangles: interruptions, purple: the
customer's intensity (0-10), dots on the points row: moments that won (green) or lost (red)
points; below, pitch and loudness (bars: each turn's). Click any mark to play from there.</p>
{_timeline(call, card)}
<h2>Items</h2>
{_items_html(card.items)}
{note}
<h2>Transcript</h2>
<p class="muted"><mark class="won">green</mark> phrases won points,
<mark class="lost">red</mark> ones lost them, <mark class="note">yellow</mark> marks what the
customer said that an item looked at (hover for the item).</p>
<div id="transcript">{"".join(_turn_html(t, card) for t in call.turns)}</div>
"""
    return _page(f"Scorecard \u2013 {card.name}", body)


def _ending_html(ended: str | None, level: float | None, warning: str | None) -> str:
    """How the call ended, with a flag a coach sees at a glance when it did not end well."""
    if ended is None:
        return ""
    at = f"; customer at {level:g}/10" if level is not None else ""
    flag = f' <span class="flag">\u26a0 {_e(warning)}</span>' if warning else ""
    return f'<p class="ending" id="ending">Call ended: {_e(ended)}{at}.{flag}</p>'


def write_report(
    card: Scorecard,
    call: CallInputs,
    out_dir: str | Path,
    settings: ScoringSettings | None = None,
) -> Path:
    """Write ``scorecard.json`` and ``report.html`` (its timeline inline) into ``out_dir``.

    Returns
    -------
    Path
        The ``report.html`` written.
    """
    out = Path(out_dir)
    write_json_atomic(out / SCORECARD_FILE, card.to_dict())
    path = out / "report.html"
    write_text_atomic(path, render_report(card, call, out, settings))
    return path


#: Smallest axis span per unit: about what a listener would notice between two calls.
_MIN_SPAN = {"0-100": 20.0, "Hz": 20.0, "dBFS": 6.0, "wpm": 30.0, "count": 2.0, "s": 1.0}


def _tick(v: float, span: float) -> str:
    digits = 0 if span >= 10 else (1 if span >= 1 else 2)
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _line_chart(title: str, names: Sequence[str], values: Sequence[float | None], unit: str) -> str:
    w, h, x0, y0, pw, ph = 320, 180, 45, 20, 255, 120
    vals = [v for v in values if v is not None and not math.isnan(v)]
    out = [
        f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" role="img" '
        f'aria-label="{_e(title)}"><text x="{w / 2}" y="13" text-anchor="middle" '
        f'font-weight="600">{_e(title)}</text>'
    ]
    if vals:
        lo, hi = min(vals), max(vals)
        # A floor on the axis span keeps a negligible change from looking like a cliff.
        span = max(hi - lo, _MIN_SPAN.get(unit, 1.0))
        mid = (hi + lo) / 2.0
        lo, hi = mid - 0.6 * span, mid + 0.6 * span
        if unit in ("0-100", "count", "s"):
            lo = max(lo, 0.0)
        if unit == "0-100":
            hi = min(hi, 100.0)
        n = max(len(names) - 1, 1)

        def xy(i: int, v: float) -> tuple[float, float]:
            return x0 + pw * i / n, y0 + ph * (1 - (v - lo) / (hi - lo))

        out.append(f'<line x1="{x0}" y1="{y0 + ph}" x2="{x0 + pw}" y2="{y0 + ph}" stroke="#999"/>')
        out.append(
            f'<text x="{x0 - 4}" y="{y0 + 8}" text-anchor="end">{_tick(hi, hi - lo)}</text>'
            f'<text x="{x0 - 4}" y="{y0 + ph}" text-anchor="end">{_tick(lo, hi - lo)}</text>'
        )
        pts = [xy(i, v) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
        out.append(
            '<polyline fill="none" stroke="#2f6fb3" stroke-width="2" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            + '"/>'
        )
        for i, v in enumerate(values):
            if v is None or math.isnan(v):
                continue
            x, y = xy(i, v)
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#2f6fb3">'
                f"<title>{_e(names[i])}: {v:.1f} {unit}</title></circle>"
            )
        for i, _name in enumerate(names):
            x, _ = xy(i, lo)
            out.append(f'<text x="{x:.1f}" y="{y0 + ph + 16}" text-anchor="middle">{i + 1}</text>')
        out.append(
            f'<text x="{x0 + pw / 2}" y="{h - 4}" text-anchor="middle">call ({_e(unit)})</text>'
        )
    else:
        out.append(f'<text x="{w / 2}" y="{h / 2}" text-anchor="middle">no data</text>')
    out.append("</svg>")
    return "".join(out)


def render_session_report(session: SessionScorecard) -> str:
    """The session report as one HTML string (see ``write_session_report``)."""
    names = [c.name for c in session.calls]
    rows = []
    for i, c in enumerate(session.calls):
        link = f'<a href="{_e(c.report)}">{_e(c.name)}</a>' if c.report else _e(c.name)
        lat = c.response_latency_s_median
        lat_s = "" if lat is None else f"{lat:.2f} s"
        mood = ""
        if c.end_intensity is not None:
            begin = "?" if c.start_intensity is None else f"{c.start_intensity:g}"
            mood = f"{begin} \u2192 {c.end_intensity:g}"
        flag = f'<span class="flag">\u26a0 {_e(c.warning)}</span>' if c.warning else ""
        rows.append(
            f'<tr class="{"flagged" if c.warning else ""}"><td>{i + 1}</td><td>{link}</td>'
            f"<td>{c.overall:.0f}</td><td>{mood}</td><td>{_e(c.ended or '')} {flag}</td>"
            f"<td>{c.interruptions}</td><td>{lat_s}</td></tr>"
        )
    charts = "".join(
        _line_chart(title, names, vals, unit)
        for title, vals, unit in (
            ("Call score", [c.overall for c in session.calls], "0-100"),
            ("Trainee pitch", [c.pitch_hz_median for c in session.calls], "Hz"),
            ("Trainee loudness", [c.loudness_dbfs_median for c in session.calls], "dBFS"),
            ("Trainee pace", [c.wpm for c in session.calls], "wpm"),
            ("Interruptions", [float(c.interruptions) for c in session.calls], "count"),
            ("Response latency", [c.response_latency_s_median for c in session.calls], "s"),
        )
    )
    mix = (
        f" ({session.calls_mean:.0f} for the calls, {session.patience_score:.0f} for patience)"
        if session.calls_mean is not None and session.patience_score is not None
        else ""
    )
    body = f"""
<header><p class="muted">voice-sim session scorecard \u00b7 {len(session.calls)} calls</p>
<h1>Session score <span class="overall" id="overall">{session.overall:.0f}</span>
<span class="muted">/ 100</span></h1>
<p class="summary" id="summary">{_e(session.summary)}</p>
<p class="muted" id="weighting">How the session score is made: {_e(session.weighting)}{mix}.</p>
</header>
<h2>Calls</h2>
<table><tr><th>#</th><th>call</th><th>score</th><th>customer intensity (start \u2192 end)</th>
<th>ended</th><th>interruptions</th><th>median response</th></tr>{"".join(rows)}</table>
<h2>Drift across calls</h2>
<div class="charts" id="drift">{charts}</div>
<h2>Patience</h2>
{_items_html(session.patience)}
"""
    return _page("Session scorecard", body)


def write_session_report(session: SessionScorecard, out_dir: str | Path) -> Path:
    """Write ``session_scorecard.json`` and ``session_report.html`` into ``out_dir``."""
    out = Path(out_dir)
    write_json_atomic(out / SESSION_SCORECARD_FILE, session.to_dict())
    path = out / "session_report.html"
    write_text_atomic(path, render_session_report(session))
    return path


__all__ = [
    "render_report",
    "render_session_report",
    "timeline_marks",
    "write_report",
    "write_session_report",
]
