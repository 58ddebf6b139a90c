"""The whole analysis of one call: speech activity -> turns -> overlaps, gaps -> words, pitch,
loudness -> drift, as a frozen :class:`CallAnalysis` that serialises to ``analysis.json``."""

from __future__ import annotations

import bisect
import functools
import json
import math
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._progress import progress_bar
from .drift import ToneDrift, tone_drift
from .errors import AnalysisError
from .gaps import DeadAir, Gap, find_dead_air, find_gaps
from .overlap import Backchannel, Interruption, classify_overlaps
from .prosody import PitchTracker, make_pitch_tracker, power_mean_dbfs, robust_median_hz
from .recording import Recording, from_array, open_pair, open_recording
from .settings import ANALYSIS_RATE_HZ, AnalysisSettings
from .transcribe import Transcriber, WhisperTranscriber, Word, transcribe_spans
from .turns import Span, merge_turns
from .vad import (
    FRAME_S,
    SileroStream,
    segments_from_probabilities,
    segments_to_mask,
    speech_floor_dbfs,
    suppress_bleed,
)

SCHEMA_VERSION = 1
#: Pitch is tracked on at most this much audio at once (bounds memory on long turns).
PITCH_PIECE_S = 30.0


@dataclass(frozen=True)
class Turn:
    """One speaker's turn.

    Attributes
    ----------
    speaker : str
    start_s, end_s : float
        Seconds from the start of the recording.
    text : str
        Words recognised in the turn ("" without transcription).
    words : int
        Word count.
    word_times : tuple of Word
        Each word with its start and end, seconds.
    wpm : float or None
        Words per minute of the turn's duration.
    pitch_hz_median : float or None
        Octave-robust median F0 over voiced frames, Hz.
    loudness_dbfs : float or None
        RMS level over the turn's speech frames, dBFS.
    """

    speaker: str
    start_s: float
    end_s: float
    text: str
    words: int
    word_times: tuple[Word, ...]
    wpm: float | None
    pitch_hz_median: float | None
    loudness_dbfs: float | None

    @property
    def duration_s(self) -> float:
        """Turn length, seconds."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class SpeakerStats:
    """One speaker over the call (seconds, words, Hz, dBFS)."""

    talk_time_s: float
    turns: int
    words: int
    wpm: float | None
    pitch_hz_median: float | None
    loudness_dbfs_median: float | None
    overtalk_s: float


@dataclass(frozen=True)
class Series:
    """Pitch (Hz) and loudness (dBFS) every ``hop_s`` seconds; None where the speaker is silent."""

    hop_s: float
    pitch_hz: tuple[float | None, ...]
    loudness_dbfs: tuple[float | None, ...]


@dataclass(frozen=True)
class CallAnalysis:
    """Everything measured in one call; :meth:`to_dict` gives ``analysis.json``."""

    source: str
    duration_s: float
    sample_rate: int
    channels: Mapping[str, int]
    warnings: tuple[str, ...]
    speakers: Mapping[str, SpeakerStats | None]
    turns: tuple[Turn, ...]
    interruptions: tuple[Interruption, ...]
    backchannels: tuple[Backchannel, ...]
    backchannel_text: tuple[str, ...]
    gaps: tuple[Gap, ...]
    dead_air: tuple[DeadAir, ...]
    tone_drift: Mapping[str, ToneDrift | None]
    series: Mapping[str, Series]
    speech: Mapping[str, tuple[tuple[float, float], ...]]
    models: Mapping[str, str]
    timings_s: Mapping[str, float] = field(default_factory=dict)

    def turns_of(self, speaker: str) -> list[Turn]:
        """The speaker's turns in order."""
        return [t for t in self.turns if t.speaker == speaker]

    def to_dict(self) -> dict[str, Any]:
        """The ``analysis.json`` object (schema_version 1); NaN becomes null."""
        roles = ("trainee", "customer")

        def stats(s: SpeakerStats | None) -> dict[str, Any] | None:
            return None if s is None else _clean(s.__dict__)

        def drift(d: ToneDrift | None) -> dict[str, Any] | None:
            return None if d is None else _clean(d.__dict__)

        return {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "duration_s": round(self.duration_s, 3),
            "sample_rate": self.sample_rate,
            "channels": dict(self.channels),
            "warnings": list(self.warnings),
            "models": dict(self.models),
            "speakers": {r: stats(self.speakers.get(r)) for r in roles},
            "turns": [
                _clean(
                    {
                        "speaker": t.speaker,
                        "start_s": t.start_s,
                        "end_s": t.end_s,
                        "text": t.text,
                        "words": t.words,
                        "word_times": [
                            {"word": w.word, "start_s": w.start_s, "end_s": w.end_s}
                            for w in t.word_times
                        ],
                        "wpm": t.wpm,
                        "pitch_hz_median": t.pitch_hz_median,
                        "loudness_dbfs": t.loudness_dbfs,
                    }
                )
                for t in self.turns
            ],
            "interruptions": [
                {"by": i.by, "of": i.of, "start_s": i.start_s, "overlap_s": i.overlap_s}
                for i in self.interruptions
            ],
            "backchannels": [
                {
                    "by": b.by,
                    "of": b.of,
                    "start_s": b.start_s,
                    "duration_s": b.duration_s,
                    "text": txt,
                }
                for b, txt in zip(self.backchannels, self.backchannel_text, strict=True)
            ],
            "gaps": [
                {
                    "from": g.from_speaker,
                    "to": g.to_speaker,
                    "start_s": g.start_s,
                    "duration_s": g.duration_s,
                }
                for g in self.gaps
            ],
            "dead_air": [{"start_s": d.start_s, "duration_s": d.duration_s} for d in self.dead_air],
            "tone_drift": {r: drift(self.tone_drift.get(r)) for r in roles},
            "speech": {r: [list(s) for s in segs] for r, segs in self.speech.items()},
            "series": {
                r: {
                    "hop_s": s.hop_s,
                    "pitch_hz": list(s.pitch_hz),
                    "loudness_dbfs": list(s.loudness_dbfs),
                }
                for r, s in self.series.items()
            },
            "timings_s": {k: round(v, 3) for k, v in self.timings_s.items()},
        }


def _num(x: Any, nd: int = 3) -> Any:
    if isinstance(x, float | np.floating):
        return None if not math.isfinite(float(x)) else round(float(x), nd)
    return x


def _clean(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _num(v) for k, v in d.items()}


def _opt(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 3)


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
    roles = rec.roles
    timings: dict[str, float] = {}
    if transcriber is None and st.transcribe:
        transcriber = WhisperTranscriber(
            beam_size=st.whisper_beam_size, compute_type=st.whisper_compute_type, threads=st.threads
        )
    tracker = pitch_tracker or make_pitch_tracker(
        st.pitch_tracker, threads=st.threads, voicing_threshold=st.voicing_threshold
    )
    with progress_bar(progress) as bar:
        # 1. speech activity, streamed
        t0 = time.perf_counter()
        probs: dict[str, np.ndarray] = {}
        levels: dict[str, np.ndarray] = {}
        task = bar.add_task("speech activity", total=rec.duration_s * len(roles))
        for role in roles:
            stream = SileroStream(threads=1)
            ps, ls = [], []
            for block in rec.blocks(role, block_s=st.stream_block_s):
                p, lv = stream.push(block)
                ps.append(p)
                ls.append(lv)
                bar.advance(task, len(block) / ANALYSIS_RATE_HZ)
            probs[role] = np.concatenate(ps) if ps else np.zeros(0, np.float32)
            levels[role] = np.concatenate(ls) if ls else np.zeros(0, np.float32)
        n = max(len(v) for v in probs.values())
        for role in roles:
            pad = n - len(probs[role])
            probs[role] = np.pad(probs[role], (0, pad))
            levels[role] = np.pad(levels[role], (0, pad), constant_values=-120.0)
        extra_warnings: list[str] = []
        if len(roles) == 2 and _same_audio(
            levels["trainee"], levels["customer"], st.speech_floor_dbfs
        ):
            extra_warnings.append(
                f"channels {rec.channels['trainee']} and {rec.channels['customer']} carry the same "
                "audio (a mono recording saved as stereo): analysed as one channel; interruptions, "
                "backchannels, overtalk, gaps and the customer's figures need two channels"
            )
            roles = ("trainee",)
        segments: dict[str, list[tuple[float, float]]] = {}
        for role in roles:
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
            segments[role] = segments_from_probabilities(p, settings=st)
        timings["speech_activity"] = time.perf_counter() - t0
        if not any(segments.values()):
            raise AnalysisError(
                f"{rec.source}: no speech found (the recording is silent or only noise)"
            )

        # 2. turns, overlaps, gaps, dead air
        all_turns: list[Span] = []
        for role in roles:
            all_turns += merge_turns(segments[role], speaker=role, min_pause_s=st.min_pause_s)
        if len(roles) == 2:
            ov = classify_overlaps(
                all_turns,
                backchannel_max_s=st.backchannel_max_s,
                interruption_min_s=st.interruption_min_s,
                overlap_tolerance_s=st.overlap_tolerance_s,
            )
            kept, backs, inters, overtalk = (
                list(ov.turns),
                list(ov.backchannels),
                list(ov.interruptions),
                ov.overtalk_s,
            )
            gaps = find_gaps(kept)
        else:
            kept, backs, inters, overtalk, gaps = (
                sorted(all_turns, key=lambda t: t.start_s),
                [],
                [],
                {},
                [],
            )
        dead = find_dead_air([s for r in roles for s in segments[r]], dead_air_s=st.dead_air_s)

        # 3. words
        t0 = time.perf_counter()
        words_of: dict[tuple[str, float], list[Word]] = {}
        if transcriber is not None:
            spans_by_role = {
                r: sorted(
                    [(t.start_s, t.end_s) for t in kept if t.speaker == r]
                    + [(b.start_s, b.start_s + b.duration_s) for b in backs if b.by == r]
                )
                for r in roles
            }
            task = bar.add_task(
                "transcription", total=sum(e - s for sp in spans_by_role.values() for s, e in sp)
            )
            for role in roles:
                spans = spans_by_role[role]
                res = transcribe_spans(
                    functools.partial(rec.read, role),
                    spans,
                    transcriber,
                    batch_s=st.transcribe_batch_s,
                    join_s=st.transcribe_join_s,
                    on_batch=lambda d: bar.advance(task, d),
                )
                for (s, _e), ws in zip(spans, res, strict=True):
                    words_of[(role, s)] = ws
        timings["transcription"] = time.perf_counter() - t0

        # 4. pitch and loudness per turn
        t0 = time.perf_counter()
        task = bar.add_task("pitch", total=sum(t.duration_s for t in kept))
        masks = {r: segments_to_mask(segments[r], n) for r in roles}
        f0_of: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        seg_starts = {r: [s for s, _ in segments[r]] for r in roles}
        for idx, t in enumerate(kept):
            ts_parts, f0_parts = [], []
            # only the speech inside the turn, in bounded pieces: memory stays flat on long turns
            first = max(0, bisect.bisect_right(seg_starts[t.speaker], t.start_s) - 1)
            for s, e in segments[t.speaker][first:]:
                if s >= t.end_s:
                    break
                a, b = max(s, t.start_s), min(e, t.end_s)
                while b - a > 1e-3:
                    piece_end = min(b, a + PITCH_PIECE_S)
                    y = rec.read(t.speaker, a, piece_end)
                    tr = tracker.track(
                        y, ANALYSIS_RATE_HZ, fmin_hz=st.pitch_fmin_hz, fmax_hz=st.pitch_fmax_hz
                    )
                    ts_parts.append(tr.times_s + a)
                    f0_parts.append(tr.f0_hz)
                    a = piece_end
            times = np.concatenate(ts_parts) if ts_parts else np.zeros(0)
            f0 = np.concatenate(f0_parts) if f0_parts else np.zeros(0)
            fi = np.clip((times / FRAME_S).astype(int), 0, max(0, n - 1))
            inside = masks[t.speaker][fi] if n else np.zeros(len(times), bool)
            f0_of[idx] = (times[inside], f0[inside])
            bar.advance(task, t.duration_s)
        timings["pitch"] = time.perf_counter() - t0

    ref: dict[str, float] = {}
    for role in roles:
        allf = [f0_of[i][1] for i, t in enumerate(kept) if t.speaker == role]
        cat = np.concatenate(allf) if allf else np.zeros(0)
        cat = cat[np.isfinite(cat)]
        ref[role] = float(np.median(cat)) if cat.size else float("nan")

    turns_out: list[Turn] = []
    for idx, t in enumerate(kept):
        ws = words_of.get((t.speaker, t.start_s), [])
        a, b = round(t.start_s / FRAME_S), round(t.end_s / FRAME_S)
        lv = levels[t.speaker][a:b][masks[t.speaker][a:b]]
        pitch = robust_median_hz(
            f0_of[idx][1], reference_hz=ref[t.speaker], fold_st=st.octave_fold_st
        )
        dur = t.duration_s
        turns_out.append(
            Turn(
                speaker=t.speaker,
                start_s=round(t.start_s, 3),
                end_s=round(t.end_s, 3),
                text=" ".join(w.word for w in ws),
                words=len(ws),
                word_times=tuple(ws),
                wpm=round(len(ws) / (dur / 60.0), 2)
                if transcriber is not None and dur > 0
                else None,
                pitch_hz_median=_opt(pitch),
                loudness_dbfs=_opt(power_mean_dbfs(lv)) if lv.size else None,
            )
        )
    back_text = tuple(" ".join(w.word for w in words_of.get((b.by, b.start_s), [])) for b in backs)

    speakers: dict[str, SpeakerStats | None] = {"trainee": None, "customer": None}
    drift: dict[str, ToneDrift | None] = {"trainee": None, "customer": None}
    for role in roles:
        mine = [t for t in turns_out if t.speaker == role]
        talk = sum(t.duration_s for t in mine)
        nwords = sum(t.words for t in mine)
        pitches = [t.pitch_hz_median for t in mine if t.pitch_hz_median is not None]
        louds = [t.loudness_dbfs for t in mine if t.loudness_dbfs is not None]
        speakers[role] = SpeakerStats(
            talk_time_s=round(talk, 3),
            turns=len(mine),
            words=nwords,
            wpm=round(nwords / (talk / 60.0), 2) if transcriber is not None and talk > 0 else None,
            pitch_hz_median=round(float(np.median(pitches)), 2) if pitches else None,
            loudness_dbfs_median=round(float(np.median(louds)), 2) if louds else None,
            overtalk_s=round(overtalk.get(role, 0.0), 3),
        )
        drift[role] = tone_drift(
            [t.pitch_hz_median for t in mine],
            [t.loudness_dbfs for t in mine],
            [t.wpm for t in mine],
            fraction=st.drift_fraction,
        )

    series = {
        r: _series(
            [f0_of[i] for i, t in enumerate(kept) if t.speaker == r],
            levels[r],
            masks[r],
            ref[r],
            duration_s=rec.duration_s,
            hop_s=st.series_hop_s,
            fold_st=st.octave_fold_st,
        )
        for r in roles
    }
    models = {"vad": "silero (livekit-plugins-silero)", "pitch": getattr(tracker, "name", "custom")}
    if transcriber is not None:
        models["stt"] = getattr(transcriber, "name", "custom")
    return CallAnalysis(
        source=rec.source,
        duration_s=rec.duration_s,
        sample_rate=rec.sample_rate,
        channels={r: rec.channels[r] for r in roles},
        warnings=tuple(
            rec.warnings
            + extra_warnings
            + ([] if transcriber is not None else ["transcription off: no words or wpm"])
        ),
        speakers=speakers,
        turns=tuple(turns_out),
        interruptions=tuple(inters),
        backchannels=tuple(backs),
        backchannel_text=back_text,
        gaps=tuple(gaps),
        dead_air=tuple(dead),
        tone_drift=drift,
        series=series,
        speech={r: tuple(segments[r]) for r in roles},
        models=models,
        timings_s=timings,
    )


def _same_audio(a_dbfs: np.ndarray, b_dbfs: np.ndarray, floor_dbfs: float) -> bool:
    """True when two channels' frame levels agree within 1 dB almost everywhere there is sound."""
    loud = (a_dbfs > floor_dbfs) | (b_dbfs > floor_dbfs)
    if loud.sum() < 10:
        return False
    return float(np.mean(np.abs(a_dbfs[loud] - b_dbfs[loud]) < 1.0)) > 0.95


def _series(
    f0s: list[tuple[np.ndarray, np.ndarray]],
    levels: np.ndarray,
    mask: np.ndarray,
    ref_hz: float,
    *,
    duration_s: float,
    hop_s: float,
    fold_st: float,
) -> Series:
    from .prosody import fold_octaves

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


def write_json_atomic(obj: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``obj`` as JSON to ``path`` through a temp file and rename (nothing half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=1, allow_nan=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_analysis(analysis: CallAnalysis, path: str | Path) -> Path:
    """Write ``analysis.json`` atomically; ``path`` may be the file or its folder."""
    path = Path(path)
    if path.suffix != ".json":
        path = path / "analysis.json"
    return write_json_atomic(analysis.to_dict(), path)
