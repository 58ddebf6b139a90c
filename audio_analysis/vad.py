"""Speech activity: Silero VAD probabilities and frame levels, bleed suppression, speech segments.

Silero runs through onnxruntime on the ONNX model bundled in ``livekit-plugins-silero``; nothing
is downloaded.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .errors import AnalysisError
from .levels import frame_levels_dbfs
from .settings import ANALYSIS_RATE_HZ, VAD_FRAME_SAMPLES, AnalysisSettings

#: Duration of one speech-activity frame, seconds (Silero's 512-sample window at 16 kHz).
FRAME_S = VAD_FRAME_SAMPLES / ANALYSIS_RATE_HZ
#: Silero v5 looks at the last 64 samples of the previous window as context.
_CONTEXT = 64
#: Hiss sits 25-35 dB under speech on a phone line; a 5th percentile closer than this to the
#: 90th is quiet speech, not noise.
NOISE_MODE_DB = 15.0


def silero_model_path() -> Path:
    """Path of the Silero VAD ONNX model bundled in ``livekit-plugins-silero``.

    Found through the package's location, without importing it: importing the plugin imports
    livekit-agents (0.7 s), which the analysis does not need.
    """
    try:
        spec = importlib.util.find_spec("livekit.plugins.silero")
    except (ImportError, ValueError):
        spec = None
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    path = next(
        (p for p in (Path(r) / "resources" / "silero_vad.onnx" for r in roots) if p.is_file()),
        Path("/nonexistent"),
    )
    if not path.is_file():
        raise AnalysisError(
            "Silero VAD model not found: install the package livekit-plugins-silero "
            "(it bundles silero_vad.onnx)"
        )
    return path


@functools.lru_cache(maxsize=2)
def _session(threads: int) -> object:
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(
        str(silero_model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
    )


class SileroStream:
    """Stateful Silero VAD over a 16 kHz stream: push samples, get one probability per frame."""

    def __init__(self, *, threads: int = 1) -> None:
        self._sess = _session(threads)
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._sr = np.array(ANALYSIS_RATE_HZ, dtype=np.int64)
        self._buf = np.zeros((1, _CONTEXT + VAD_FRAME_SAMPLES), dtype=np.float32)

    def push(self, y16: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feed 16 kHz samples.

        Returns
        -------
        prob : ndarray, shape (k,)
            Speech probability (0-1) of each completed 32 ms frame.
        level_dbfs : ndarray, shape (k,)
            RMS level of each of those frames, dBFS (full-scale square wave = 0 dBFS).
        """
        data = np.concatenate([self._pending, np.asarray(y16, dtype=np.float32)])
        k = len(data) // VAD_FRAME_SAMPLES
        self._pending = data[k * VAD_FRAME_SAMPLES :]
        frames = data[: k * VAD_FRAME_SAMPLES].reshape(k, VAD_FRAME_SAMPLES)
        probs = np.empty(k, dtype=np.float32)
        run = self._sess.run  # type: ignore[attr-defined]
        for i in range(k):
            self._buf[0, :_CONTEXT] = self._context
            self._buf[0, _CONTEXT:] = frames[i]
            out, self._state = run(None, {"input": self._buf, "state": self._state, "sr": self._sr})
            self._context = frames[i, -_CONTEXT:].copy()
            probs[i] = float(out.item())
        return probs, frame_levels_dbfs(frames)


def speech_probabilities(
    blocks: Iterable[np.ndarray],
    *,
    threads: int = 1,
    on_block: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run Silero over a stream of 16 kHz blocks.

    Returns
    -------
    prob : ndarray, shape (k,)
        Speech probability (0-1) per 32 ms frame.
    level_dbfs : ndarray, shape (k,)
        RMS level per frame, dBFS.

    ``on_block(n)`` is called with the number of samples of each block once it is done.
    """
    stream = SileroStream(threads=threads)
    probs: list[np.ndarray] = []
    levels: list[np.ndarray] = []
    for block in blocks:
        p, lv = stream.push(block)
        probs.append(p)
        levels.append(lv)
        if on_block is not None:
            on_block(len(block))
    if not probs:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    return np.concatenate(probs), np.concatenate(levels)


def suppress_bleed(
    prob: np.ndarray,
    level_dbfs: np.ndarray,
    other_level_dbfs: np.ndarray | None,
    *,
    margin_db: float,
    floor_dbfs: float,
) -> np.ndarray:
    """Zero the speech probability of frames that are bleed from the other channel or too quiet.

    Parameters
    ----------
    prob, level_dbfs : ndarray, shape (k,)
        This channel's Silero probability and frame level (dBFS).
    other_level_dbfs : ndarray, shape (k,) or None
        The other channel's frame level (dBFS); None for a mono recording.
    margin_db : float
        A frame more than this many dB below the other channel is bleed.
    floor_dbfs : float
        Frames below this level are never speech.
    """
    out = np.array(prob, dtype=np.float32, copy=True)
    out[level_dbfs < floor_dbfs] = 0.0
    if other_level_dbfs is not None:
        n = min(len(out), len(other_level_dbfs))
        bleed = level_dbfs[:n] < other_level_dbfs[:n] - margin_db
        out[:n][bleed] = 0.0
    return out


def speech_floor_dbfs(
    level_dbfs: np.ndarray,
    *,
    margin_db: float,
    range_db: float,
    min_dbfs: float,
    max_dbfs: float,
) -> float:
    """Level (dBFS) under which a channel's frames are never speech.

    The higher of the channel's noise floor (5th percentile of its frame levels, digital
    silence below -100 dBFS left out) plus ``margin_db`` and its loud frames (90th percentile)
    minus ``range_db``, kept within [``min_dbfs``, ``max_dbfs``]. The noise floor only counts
    when it lies at least ``NOISE_MODE_DB`` under the loud frames: a channel whose only quiet
    parts are digital silence has no noise to learn from.
    """
    lv = np.asarray(level_dbfs, dtype=np.float64)
    lv = lv[lv > -100.0]
    if lv.size == 0:
        return min_dbfs
    p5, p90 = np.percentile(lv, [5, 90])
    noise = p5 + margin_db if p90 - p5 >= NOISE_MODE_DB else -np.inf
    return float(np.clip(max(noise, p90 - range_db), min_dbfs, max_dbfs))


def segments_from_probabilities(
    prob: np.ndarray, *, settings: AnalysisSettings, frame_s: float = FRAME_S
) -> list[tuple[float, float]]:
    """Turn per-frame speech probabilities into speech segments (seconds).

    Hysteresis (speech opens at ``vad_threshold``, closes below ``vad_neg_threshold``), then
    silences shorter than ``min_silence_s`` are bridged, speech shorter than ``min_speech_s``
    dropped, and ``speech_pad_s`` added each side (clamped to the signal).
    """
    segs: list[list[float]] = []
    active = False
    start = 0
    for i, p in enumerate(prob):
        if not active and p >= settings.vad_threshold:
            active, start = True, i
        elif active and p < settings.vad_neg_threshold:
            active = False
            segs.append([start * frame_s, i * frame_s])
    if active:
        segs.append([start * frame_s, len(prob) * frame_s])
    merged: list[list[float]] = []
    for s in segs:
        if merged and s[0] - merged[-1][1] < settings.min_silence_s:
            merged[-1][1] = s[1]
        else:
            merged.append(s)
    kept = [s for s in merged if s[1] - s[0] >= settings.min_speech_s]
    total = len(prob) * frame_s
    padded: list[list[float]] = []
    for seg in kept:
        a = max(0.0, seg[0] - settings.speech_pad_s)
        b = min(total, seg[1] + settings.speech_pad_s)
        if padded and a <= padded[-1][1]:
            padded[-1][1] = max(padded[-1][1], b)
        else:
            padded.append([a, b])
    return [(round(a, 4), round(b, 4)) for a, b in padded]


def segments_to_mask(
    segments: Iterable[tuple[float, float]], n: int, frame_s: float = FRAME_S
) -> np.ndarray:
    """Boolean frame mask (shape (n,)) of the frames whose centre lies inside a segment."""
    mask = np.zeros(n, dtype=bool)
    for s, e in segments:
        a = max(0, int(np.ceil(s / frame_s - 0.5)))
        b = min(n, int(np.ceil(e / frame_s - 0.5)))
        if b > a:
            mask[a:b] = True
    return mask
