"""The whole analysis of one call, as a sequence of named steps:

1. :func:`speech_activity` - Silero per frame, bleed and noise removed -> speech segments;
2. :func:`conversation` - segments -> turns, backchannels, interruptions, gaps, dead air;
3. :func:`words_per_turn` - Whisper over each speaker's turns;
4. :func:`pitch_per_turn` - F0 inside each turn's speech;
5. :func:`assemble` - per-turn and per-speaker figures, drift and plot series
   -> a frozen :class:`~audio_analysis.result.CallAnalysis` (``analysis.json``).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._progress import progress_bar
from .drift import ToneDrift, tone_drift
from .errors import AnalysisError
from .gaps import DeadAir, Gap, Silence, dead_air_in, find_gaps, find_silences
from .levels import SILENT_DBFS, power_mean_dbfs
from .overlap import Backchannel, Interruption, classify_overlaps
from .prosody import PitchTracker, fold_octaves, make_pitch_tracker, robust_median_hz
from .recording import ONE_CHANNEL, Recording, from_array, open_pair, open_recording
from .result import CallAnalysis, Series, SpeakerStats, Turn
from .settings import ANALYSIS_RATE_HZ, AnalysisSettings
from .transcribe import Transcriber, WhisperTranscriber, Word, transcribe_spans
from .turns import Span, merge_turns
from .vad import (
    FRAME_S,
    segments_from_probabilities,
    segments_to_mask,
    speech_floor_dbfs,
    speech_probabilities,
    suppress_bleed,
)

#: Pitch is tracked on at most this much audio at once (bounds memory on long turns).
PITCH_PIECE_S = 30.0
#: Two channels whose frame levels agree within this (dB) almost everywhere carry the same audio.
SAME_AUDIO_DB = 1.0
#: ... on more than this share of the frames where either channel has sound ...
SAME_AUDIO_SHARE = 0.95
#: ... given at least this many such frames (a third of a second: fewer decide nothing).
SAME_AUDIO_MIN_FRAMES = 10


def analyze(
    y: np.ndarray,
    sr: int,
    *,
    trainee_channel: int = 0,
    settings: AnalysisSettings | None = None,
    transcriber: Transcriber | None = None,
    pitch_tracker: PitchTracker | None = None,
    progress: bool = False,
    source: str = "<array>",
) -> CallAnalysis:
    """Analyse a call held in memory.

    Parameters
    ----------
    y : ndarray, shape (n,) or (2, n)
        Samples in [-1, 1]; rows are channels (trainee and customer), a 1-D array is mono.
    sr : int
        Sample rate, Hz (8000 or more).
    trainee_channel : int, keyword-only
        Row of the trainee; the other row is the customer.
    settings : AnalysisSettings, optional
        Thresholds; defaults when omitted.
    transcriber : Transcriber, optional
        Word recogniser; Whisper tiny.en when omitted and ``settings.transcribe`` is true.
    pitch_tracker : PitchTracker, optional
        F0 tracker; ``settings.pitch_tracker`` when omitted.
    progress : bool, keyword-only
        Show a rich progress bar on stderr.
    source : str
        Name used in messages and ``analysis.json``.
    """
    rec = from_array(y, sr, trainee_channel=trainee_channel, source=source)
    return analyze_recording(
        rec,
        settings=settings,
        transcriber=transcriber,
        pitch_tracker=pitch_tracker,
        progress=progress,
    )


def analyze_file(
    path: str | Path,
    *,
    trainee_channel: int = 0,
    customer_channel: int | None = None,
    customer_path: str | Path | None = None,
    settings: AnalysisSettings | None = None,
    transcriber: Transcriber | None = None,
    pitch_tracker: PitchTracker | None = None,
    progress: bool = False,
) -> CallAnalysis:
    """Analyse a recording file, a session folder, or (with ``customer_path``) a pair of mono files.

    The file is streamed: memory stays bounded however long the call. See :func:`analyze` for the
    other parameters; :func:`audio_analysis.recording.open_recording` for the channel mapping.
    """
    if customer_path is not None:
        rec = open_pair(path, customer_path)
    else:
        rec = open_recording(
            path, trainee_channel=trainee_channel, customer_channel=customer_channel
        )
    with rec:
        return analyze_recording(
            rec,
            settings=settings,
            transcriber=transcriber,
            pitch_tracker=pitch_tracker,
            progress=progress,
        )


def analyze_recording(
    rec: Recording,
    *,
    settings: AnalysisSettings | None = None,
    transcriber: Transcriber | None = None,
    pitch_tracker: PitchTracker | None = None,
    progress: bool = False,
) -> CallAnalysis:
    """Analyse an opened :class:`~audio_analysis.recording.Recording` (see :func:`analyze`)."""
    st = settings or AnalysisSettings()
    if transcriber is None and st.transcribe:
        transcriber = WhisperTranscriber(
            beam_size=st.whisper_beam_size, compute_type=st.whisper_compute_type, threads=st.threads
        )
    tracker = pitch_tracker or make_pitch_tracker(
        st.pitch_tracker, threads=st.threads, voicing_threshold=st.voicing_threshold
    )
    timings: dict[str, float] = {}
    with progress_bar(progress) as bar:
        with _timed(timings, "speech_activity"):
            act = speech_activity(rec, st, bar)
        conv = conversation(act, st)
        with _timed(timings, "transcription"):
            words = words_per_turn(rec, conv, transcriber, st, bar)
        with _timed(timings, "pitch"):
            f0 = pitch_per_turn(rec, act, conv.turns, tracker, st, bar)
    models = {"vad": "silero (livekit-plugins-silero)", "pitch": getattr(tracker, "name", "custom")}
    if transcriber is not None:
        models["stt"] = getattr(transcriber, "name", "custom")
    return assemble(
        rec,
        act,
        conv,
        words,
        f0,
        st,
        transcribed=transcriber is not None,
        models=models,
        timings_s=timings,
    )


@contextlib.contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = time.perf_counter() - t0


# -- 1. speech activity ------------------------------------------------------------------------
@dataclass(frozen=True)
class Activity:
    """Step 1: who speaks in which 32 ms frame."""

    roles: tuple[str, ...]
    """Roles analysed (the customer is dropped when both channels carry the same audio)."""
    levels_dbfs: dict[str, np.ndarray]
    """Frame levels per role, dBFS, all of length ``n_frames``."""
    segments: dict[str, list[tuple[float, float]]]
    """Speech segments per role, seconds."""
    n_frames: int
    warnings: tuple[str, ...]

    @functools.cached_property
    def masks(self) -> dict[str, np.ndarray]:
        """Which frames are speech, per role (bool, length ``n_frames``)."""
        return {r: segments_to_mask(self.segments[r], self.n_frames) for r in self.roles}


def speech_activity(rec: Recording, st: AnalysisSettings, bar: Any) -> Activity:
    """Silero over each channel, streamed; bleed from the other channel and noise removed."""
    task = bar.add_task("speech activity", total=rec.duration_s * len(rec.roles))
    probs: dict[str, np.ndarray] = {}
    levels: dict[str, np.ndarray] = {}
    for role in rec.roles:
        blocks = rec.blocks(role, block_s=st.stream_block_s)
        probs[role], levels[role] = speech_probabilities(
            blocks, on_block=lambda n: bar.advance(task, n / ANALYSIS_RATE_HZ)
        )
    n = max(len(v) for v in probs.values())
    for role in rec.roles:
        pad = n - len(probs[role])
        probs[role] = np.pad(probs[role], (0, pad))
        levels[role] = np.pad(levels[role], (0, pad), constant_values=SILENT_DBFS)
    roles, warnings = _distinct_roles(rec, levels, st)
    segments = {r: _speech_segments(r, roles, probs, levels, st) for r in roles}
    if not any(segments.values()):
        raise AnalysisError(
            f"{rec.source}: no speech found (the recording is silent or only noise)"
        )
    return Activity(roles, levels, segments, n, warnings)


def _distinct_roles(
    rec: Recording, levels: dict[str, np.ndarray], st: AnalysisSettings
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roles to analyse: one, with a warning, when both channels carry the same audio."""
    roles = rec.roles
    if len(roles) == 2 and same_audio(levels["trainee"], levels["customer"], st.speech_floor_dbfs):
        return ("trainee",), (
            f"channels {rec.channels['trainee']} and {rec.channels['customer']} carry the same "
            f"audio (a mono recording saved as stereo): {ONE_CHANNEL}",
        )
    return roles, ()


def _speech_segments(
    role: str,
    roles: tuple[str, ...],
    probs: dict[str, np.ndarray],
    levels: dict[str, np.ndarray],
    st: AnalysisSettings,
) -> list[tuple[float, float]]:
    other = next((levels[r] for r in roles if r != role), None)
    floor = speech_floor_dbfs(
        levels[role],
        margin_db=st.noise_margin_db,
        range_db=st.speech_range_db,
        min_dbfs=st.speech_floor_dbfs,
        max_dbfs=st.speech_floor_max_dbfs,
    )
    p = suppress_bleed(
        probs[role], levels[role], other, margin_db=st.bleed_margin_db, floor_dbfs=floor
    )
    return segments_from_probabilities(p, settings=st)


def same_audio(a_dbfs: np.ndarray, b_dbfs: np.ndarray, floor_dbfs: float) -> bool:
    """Whether two channels' frame levels (dBFS) agree within :data:`SAME_AUDIO_DB` on more than
    :data:`SAME_AUDIO_SHARE` of the frames where either is above ``floor_dbfs``."""
    loud = (a_dbfs > floor_dbfs) | (b_dbfs > floor_dbfs)
    if loud.sum() < SAME_AUDIO_MIN_FRAMES:
        return False
    agree = np.abs(a_dbfs[loud] - b_dbfs[loud]) < SAME_AUDIO_DB
    return float(np.mean(agree)) > SAME_AUDIO_SHARE


# -- 2. turns, overlaps, gaps, dead air --------------------------------------------------------
@dataclass(frozen=True)
class Conversation:
    """Step 2: the call's structure."""

    turns: list[Span]
    """Turns in start order (backchannels removed)."""
    backchannels: list[Backchannel]
    interruptions: list[Interruption]
    overtalk_s: dict[str, float]
    gaps: list[Gap]
    silences: list[Silence]
    """Silences of both speakers longer than ``dead_air_s``, with who spoke either side."""
    dead_air: list[DeadAir]
    """The silences that are the trainee's dead air (none with one channel: whose is unknown)."""


def conversation(act: Activity, st: AnalysisSettings) -> Conversation:
    """Turns per speaker, then (with two speakers) backchannels, interruptions and gaps; the
    long silences and the trainee's dead air."""
    turns = [
        t
        for role in act.roles
        for t in merge_turns(act.segments[role], speaker=role, min_pause_s=st.min_pause_s)
    ]
    speech = [Span(r, s, e) for r in act.roles for s, e in act.segments[r]]
    if len(act.roles) < 2:
        silences = find_silences(speech, turns, longer_than_s=st.dead_air_s)
        return Conversation(sorted(turns, key=lambda t: t.start_s), [], [], {}, [], silences, [])
    ov = classify_overlaps(
        turns,
        backchannel_max_s=st.backchannel_max_s,
        interruption_min_s=st.interruption_min_s,
        overlap_tolerance_s=st.overlap_tolerance_s,
    )
    kept = list(ov.turns)
    silences = find_silences(speech, kept, longer_than_s=st.dead_air_s)
    return Conversation(
        kept,
        list(ov.backchannels),
        list(ov.interruptions),
        ov.overtalk_s,
        find_gaps(kept),
        silences,
        dead_air_in(silences),
    )


# -- 3. words ----------------------------------------------------------------------------------
def words_per_turn(
    rec: Recording,
    conv: Conversation,
    transcriber: Transcriber | None,
    st: AnalysisSettings,
    bar: Any,
) -> dict[tuple[str, float], list[Word]]:
    """Words of every turn and backchannel, keyed by (speaker, start_s); empty without STT."""
    if transcriber is None:
        return {}
    roles = sorted({t.speaker for t in conv.turns} | {b.by for b in conv.backchannels})
    spans_by_role = {
        r: sorted(
            [(t.start_s, t.end_s) for t in conv.turns if t.speaker == r]
            + [(b.start_s, b.start_s + b.duration_s) for b in conv.backchannels if b.by == r]
        )
        for r in roles
    }
    total = sum(e - s for spans in spans_by_role.values() for s, e in spans)
    task = bar.add_task("transcription", total=total)
    words: dict[tuple[str, float], list[Word]] = {}
    for role, spans in spans_by_role.items():
        found = transcribe_spans(
            functools.partial(rec.read, role),
            spans,
            transcriber,
            batch_s=st.transcribe_batch_s,
            join_s=st.transcribe_join_s,
            on_batch=lambda d: bar.advance(task, d),
        )
        for (s, _e), ws in zip(spans, found, strict=True):
            words[(role, s)] = ws
    return words


# -- 4. pitch ----------------------------------------------------------------------------------
#: Per turn (index into the conversation's turns): frame times (s) and F0 (Hz) inside speech.
PitchFrames = dict[int, tuple[np.ndarray, np.ndarray]]


def pitch_per_turn(
    rec: Recording,
    act: Activity,
    turns: list[Span],
    tracker: PitchTracker,
    st: AnalysisSettings,
    bar: Any,
) -> PitchFrames:
    """F0 of the speech inside each turn, read in bounded pieces (memory stays flat)."""
    task = bar.add_task("pitch", total=sum(t.duration_s for t in turns))
    seg_starts = {r: [s for s, _ in act.segments[r]] for r in act.roles}
    out: PitchFrames = {}
    for idx, t in enumerate(turns):
        times, f0 = _track_turn(rec, t, act.segments[t.speaker], seg_starts[t.speaker], tracker, st)
        fi = np.clip((times / FRAME_S).astype(int), 0, max(0, act.n_frames - 1))
        inside = act.masks[t.speaker][fi] if act.n_frames else np.zeros(len(times), bool)
        out[idx] = (times[inside], f0[inside])
        bar.advance(task, t.duration_s)
    return out


def _track_turn(
    rec: Recording,
    t: Span,
    segments: list[tuple[float, float]],
    seg_starts: list[float],
    tracker: PitchTracker,
    st: AnalysisSettings,
) -> tuple[np.ndarray, np.ndarray]:
    times: list[np.ndarray] = []
    f0s: list[np.ndarray] = []
    first = max(0, bisect.bisect_right(seg_starts, t.start_s) - 1)
    for s, e in segments[first:]:
        if s >= t.end_s:
            break
        a, b = max(s, t.start_s), min(e, t.end_s)
        while b - a > 1e-3:
            piece_end = min(b, a + PITCH_PIECE_S)
            y = rec.read(t.speaker, a, piece_end)
            tr = tracker.track(
                y, ANALYSIS_RATE_HZ, fmin_hz=st.pitch_fmin_hz, fmax_hz=st.pitch_fmax_hz
            )
            times.append(tr.times_s + a)
            f0s.append(tr.f0_hz)
            a = piece_end
    if not times:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(times), np.concatenate(f0s)


# -- 5. figures --------------------------------------------------------------------------------
def assemble(
    rec: Recording,
    act: Activity,
    conv: Conversation,
    words: dict[tuple[str, float], list[Word]],
    f0: PitchFrames,
    st: AnalysisSettings,
    *,
    transcribed: bool,
    models: dict[str, str],
    timings_s: dict[str, float] | None = None,
) -> CallAnalysis:
    """Per-turn and per-speaker figures, drift and plot series from steps 1-4."""
    ref_hz = {r: _call_median_hz(f0, conv.turns, r) for r in act.roles}
    turns = [
        _turn(t, words.get((t.speaker, t.start_s), []), f0[i][1], act, ref_hz, st, transcribed)
        for i, t in enumerate(conv.turns)
    ]
    speakers: dict[str, SpeakerStats | None] = {"trainee": None, "customer": None}
    drift: dict[str, ToneDrift | None] = {"trainee": None, "customer": None}
    for role in act.roles:
        mine = [t for t in turns if t.speaker == role]
        speakers[role] = _speaker(mine, conv.overtalk_s.get(role, 0.0), transcribed)
        drift[role] = tone_drift(
            [t.pitch_hz_median for t in mine],
            [t.loudness_dbfs for t in mine],
            [t.wpm for t in mine],
            fraction=st.drift_fraction,
        )
    series = {
        r: plot_series(
            [f0[i] for i, t in enumerate(conv.turns) if t.speaker == r],
            act.levels_dbfs[r],
            act.masks[r],
            ref_hz[r],
            duration_s=rec.duration_s,
            hop_s=st.series_hop_s,
            fold_st=st.octave_fold_st,
        )
        for r in act.roles
    }
    warnings = [*rec.warnings, *act.warnings]
    if not transcribed:
        warnings.append("transcription off: no words or wpm")
    return CallAnalysis(
        source=rec.source,
        duration_s=rec.duration_s,
        sample_rate=rec.sample_rate,
        channels={r: rec.channels[r] for r in act.roles},
        warnings=tuple(warnings),
        speakers=speakers,
        turns=tuple(turns),
        interruptions=tuple(conv.interruptions),
        backchannels=tuple(conv.backchannels),
        backchannel_text=tuple(
            " ".join(w.word for w in words.get((b.by, b.start_s), [])) for b in conv.backchannels
        ),
        gaps=tuple(conv.gaps),
        silences=tuple(conv.silences),
        dead_air=tuple(conv.dead_air),
        tone_drift=drift,
        series=series,
        speech={r: tuple(act.segments[r]) for r in act.roles},
        models=models,
        timings_s=timings_s or {},
    )


def _call_median_hz(f0: PitchFrames, turns: list[Span], role: str) -> float:
    """The speaker's median F0 over the call (the reference octave errors are folded to)."""
    parts = [f0[i][1] for i, t in enumerate(turns) if t.speaker == role]
    cat = np.concatenate(parts) if parts else np.zeros(0)
    cat = cat[np.isfinite(cat)]
    return float(np.median(cat)) if cat.size else float("nan")


def _turn(
    t: Span,
    ws: list[Word],
    f0_hz: np.ndarray,
    act: Activity,
    ref_hz: dict[str, float],
    st: AnalysisSettings,
    transcribed: bool,
) -> Turn:
    a, b = round(t.start_s / FRAME_S), round(t.end_s / FRAME_S)
    lv = act.levels_dbfs[t.speaker][a:b][act.masks[t.speaker][a:b]]
    pitch = robust_median_hz(f0_hz, reference_hz=ref_hz[t.speaker], fold_st=st.octave_fold_st)
    dur = t.duration_s
    return Turn(
        speaker=t.speaker,
        start_s=round(t.start_s, 3),
        end_s=round(t.end_s, 3),
        text=" ".join(w.word for w in ws),
        words=len(ws),
        word_times=tuple(ws),
        wpm=round(len(ws) / (dur / 60.0), 2) if transcribed and dur > 0 else None,
        pitch_hz_median=_finite_or_none(pitch),
        loudness_dbfs=_finite_or_none(power_mean_dbfs(lv)) if lv.size else None,
    )


def _speaker(turns: list[Turn], overtalk_s: float, transcribed: bool) -> SpeakerStats:
    talk = sum(t.duration_s for t in turns)
    nwords = sum(t.words for t in turns)
    pitches = [t.pitch_hz_median for t in turns if t.pitch_hz_median is not None]
    louds = [t.loudness_dbfs for t in turns if t.loudness_dbfs is not None]
    return SpeakerStats(
        talk_time_s=round(talk, 3),
        turns=len(turns),
        words=nwords,
        wpm=round(nwords / (talk / 60.0), 2) if transcribed and talk > 0 else None,
        pitch_hz_median=round(float(np.median(pitches)), 2) if pitches else None,
        loudness_dbfs_median=round(float(np.median(louds)), 2) if louds else None,
        overtalk_s=round(overtalk_s, 3),
    )


def _finite_or_none(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 3)


def plot_series(
    f0s: list[tuple[np.ndarray, np.ndarray]],
    levels: np.ndarray,
    mask: np.ndarray,
    ref_hz: float,
    *,
    duration_s: float,
    hop_s: float,
    fold_st: float,
) -> Series:
    """Pitch (median, Hz) and loudness (power mean, dBFS) of one speaker every ``hop_s``."""
    nb = max(1, math.ceil(duration_s / hop_s))
    pitch: list[float | None] = [None] * nb
    times = np.concatenate([f[0] for f in f0s]) if f0s else np.zeros(0)
    vals = np.concatenate([f[1] for f in f0s]) if f0s else np.zeros(0)
    ok = np.isfinite(vals)
    times, vals = times[ok], fold_octaves(vals[ok], ref_hz, fold_st=fold_st)
    bins = np.clip((times / hop_s).astype(int), 0, nb - 1)
    order = np.argsort(bins, kind="stable")
    bins, vals = bins[order], vals[order]
    starts = np.flatnonzero(np.diff(bins, prepend=-1))  # first frame of each occupied bin
    if bins.size:
        for b, group in zip(bins[starts], np.split(vals, starts[1:]), strict=True):
            pitch[int(b)] = round(float(np.median(group)), 1)
    loud: list[float | None] = [None] * nb
    ft = (np.arange(len(levels)) + 0.5) * FRAME_S
    lb = np.clip((ft / hop_s).astype(int), 0, nb - 1)
    power = np.where(mask, np.power(10.0, levels.astype(np.float64) / 10.0), 0.0)
    sums = np.bincount(lb, weights=power, minlength=nb)
    counts = np.bincount(lb, weights=mask.astype(np.float64), minlength=nb)
    for b in np.nonzero(counts)[0]:
        loud[int(b)] = round(float(10 * np.log10(sums[b] / counts[b])), 1)
    return Series(hop_s=hop_s, pitch_hz=tuple(pitch), loudness_dbfs=tuple(loud))
