"""Open a call recording (file, session folder, file pair or array) and stream it at 16 kHz.

Long recordings are never held whole in memory: the speech-activity pass reads blocks of
``stream_block_s`` and the later passes read only the spans they need.
"""

from __future__ import annotations

import contextlib
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import soxr

from .errors import AnalysisError
from .settings import ANALYSIS_RATE_HZ

#: Below this, speech loses the band (300-3400 Hz) every phone line carries.
MIN_RATE_HZ = 8_000
ROLES = ("trainee", "customer")
#: What a user is told can be read: libsndfile's formats, then anything ffmpeg (PyAV) decodes.
READABLE = "WAV, FLAC, OGG/Opus, MP3, M4A/AAC, WebM and other formats ffmpeg decodes"
#: What one channel holds and what it cannot give: said whenever only one channel is analysed.
ONE_CHANNEL = (
    "analysed as one channel (speech, turns, pace, pitch, loudness); interruptions, "
    "backchannels, overtalk, response gaps, dead air and the customer's figures need two "
    "channels (trainee and customer)"
)


def unreadable(path: Path | str) -> AnalysisError:
    """The error for a file that is not audio we can decode (no codec numbers or library text)."""
    return AnalysisError(f"{path}: not audio voice-sim can read (it reads {READABLE})")


@dataclass
class _Channel:
    """One speaker's audio: a channel of a file, or an in-memory 16 kHz array."""

    path: Path | None
    channel: int
    rate_hz: int
    frames: int
    array: np.ndarray | None = None  # 16 kHz float32 when in memory


@dataclass
class Recording:
    """A call's audio, one source per role, read at 16 kHz.

    Attributes
    ----------
    source : str
        What was opened (path or ``"<array>"``), used in messages.
    channels : dict
        Role -> channel index in the source (``{"trainee": 0, "customer": 1}``).
    sample_rate : int
        Native sample rate of the source, Hz.
    duration_s : float
        Length of the longest channel, seconds.
    warnings : list of str
        Things the analysis could not do with this input.
    """

    source: str
    channels: dict[str, int]
    sample_rate: int
    duration_s: float
    warnings: list[str] = field(default_factory=list)
    _roles: dict[str, _Channel] = field(default_factory=dict, repr=False)
    _tmpdirs: list[Path] = field(default_factory=list, repr=False)

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles present, trainee first."""
        return tuple(r for r in ROLES if r in self._roles)

    def blocks(self, role: str, *, block_s: float) -> Iterator[np.ndarray]:
        """Yield the role's audio as 16 kHz float32 mono blocks of about ``block_s`` seconds."""
        ch = self._roles[role]
        if ch.array is not None:
            step = max(1, int(block_s * ANALYSIS_RATE_HZ))
            for i in range(0, len(ch.array), step):
                yield ch.array[i : i + step]
            return
        assert ch.path is not None
        resampler = (
            soxr.ResampleStream(ch.rate_hz, ANALYSIS_RATE_HZ, 1, dtype="float32")
            if ch.rate_hz != ANALYSIS_RATE_HZ
            else None
        )
        step = max(1, int(block_s * ch.rate_hz))
        try:
            with sf.SoundFile(str(ch.path)) as fh:
                while True:
                    data = fh.read(step, dtype="float32", always_2d=True)
                    last = len(data) < step
                    mono = (
                        np.ascontiguousarray(data[:, ch.channel])
                        if len(data)
                        else np.zeros(0, np.float32)
                    )
                    if resampler is not None:
                        mono = resampler.resample_chunk(mono, last=last)
                    if len(mono):
                        yield mono
                    if last:
                        break
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AnalysisError(f"{ch.path}: audio unreadable part-way through ({exc})") from None

    def read(self, role: str, start_s: float, end_s: float) -> np.ndarray:
        """The role's audio from ``start_s`` to ``end_s`` (seconds) as 16 kHz float32 mono."""
        ch = self._roles[role]
        start_s = max(0.0, start_s)
        if ch.array is not None:
            a = round(start_s * ANALYSIS_RATE_HZ)
            b = round(end_s * ANALYSIS_RATE_HZ)
            return ch.array[a:b]
        assert ch.path is not None
        a = round(start_s * ch.rate_hz)
        b = min(ch.frames, round(end_s * ch.rate_hz))
        if b <= a:
            return np.zeros(0, np.float32)
        try:
            data = sf.read(str(ch.path), start=a, stop=b, dtype="float32", always_2d=True)[0]
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AnalysisError(f"{ch.path}: audio unreadable part-way through ({exc})") from None
        mono = np.ascontiguousarray(data[:, ch.channel])
        if ch.rate_hz != ANALYSIS_RATE_HZ:
            mono = soxr.resample(mono, ch.rate_hz, ANALYSIS_RATE_HZ).astype(np.float32)
        return mono

    def close(self) -> None:
        """Remove the temporary decoded copies, if any."""
        _remove(self._tmpdirs)

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _wav_truncation(path: Path) -> str | None:
    """For a RIFF/WAVE file, say whether the data chunk is shorter than its header claims."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] not in (b"RIFF",) or head[8:12] != b"WAVE":
                return None
            size = path.stat().st_size
            pos = 12
            while pos + 8 <= size:
                fh.seek(pos)
                hdr = fh.read(8)
                if len(hdr) < 8:
                    return None
                cid, clen = hdr[:4], struct.unpack("<I", hdr[4:])[0]
                if cid == b"data":
                    have = size - pos - 8
                    if clen != 0xFFFFFFFF and have < clen:
                        return (
                            f"truncated: header promises {clen} bytes of audio, file holds {have}"
                        )
                    return None
                pos += 8 + clen + (clen & 1)
    except OSError:
        return None
    return None


def _decode_with_av(path: Path, tmpdir: Path) -> Path:
    """Decode a format libsndfile cannot read (e.g. AAC) to a temporary WAV, streaming."""
    try:
        import av
    except ImportError:  # pragma: no cover - av is a dependency of faster-whisper
        raise unreadable(path) from None
    out = tmpdir / "decoded.wav"
    try:
        with av.open(str(path)) as container:
            stream: Any = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise AnalysisError(f"{path}: holds no audio stream (it reads {READABLE})")
            rate = stream.rate or ANALYSIS_RATE_HZ
            nch = stream.channels or 1
            with sf.SoundFile(str(out), "w", samplerate=rate, channels=nch, subtype="PCM_16") as w:
                frame: Any
                for frame in container.decode(stream):
                    arr = frame.to_ndarray()
                    if arr.dtype.kind in "iu":
                        arr = arr.astype(np.float32) / float(np.iinfo(arr.dtype).max)
                    arr = arr.T if frame.format.is_planar else arr.reshape(-1, nch)
                    w.write(arr.astype(np.float32))
    except AnalysisError:
        raise
    except Exception:  # ffmpeg's own words ("[Errno 1094995529] Invalid data...") help nobody
        raise unreadable(path) from None
    return out


def _remove(dirs: list[Path]) -> None:
    while dirs:
        shutil.rmtree(dirs.pop(), ignore_errors=True)


@contextlib.contextmanager
def _removed_on_error(dirs: list[Path]) -> Iterator[None]:
    """Temp folders made while opening are removed if opening fails (the caller owns them after)."""
    try:
        yield
    except BaseException:
        _remove(dirs)
        raise


def _open_file(path: Path, tmpdir_holder: list[Path]) -> tuple[Path, sf._SoundFileInfo]:
    if not path.exists():
        raise AnalysisError(f"{path}: file not found")
    if path.is_dir():
        raise AnalysisError(f"{path}: is a folder without recording.wav")
    if path.stat().st_size == 0:
        raise AnalysisError(f"{path}: empty file (0 bytes)")
    trunc = _wav_truncation(path)
    if trunc:
        raise AnalysisError(f"{path}: {trunc}")
    readable = path
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        tmp = Path(tempfile.mkdtemp(prefix="audio_analysis_"))
        tmpdir_holder.append(tmp)
        readable = _decode_with_av(path, tmp)
        info = sf.info(str(readable))
    if info.samplerate < MIN_RATE_HZ:
        raise AnalysisError(
            f"{path}: sample rate {info.samplerate} Hz is below {MIN_RATE_HZ} Hz "
            "(too little bandwidth for speech)"
        )
    if info.frames <= 0:
        raise AnalysisError(f"{path}: zero-length recording (no audio samples)")
    return readable, info


def resolve_input(path: Path) -> Path:
    """A session folder means its ``recording.wav``; anything else is taken as an audio file."""
    if path.is_dir():
        rec = path / "recording.wav"
        if not rec.exists():
            raise AnalysisError(f"{path}: session folder has no recording.wav")
        return rec
    return path


def open_recording(
    path: str | Path,
    *,
    trainee_channel: int = 0,
    customer_channel: int | None = None,
) -> Recording:
    """Open a stereo (or mono) recording or a session folder.

    Parameters
    ----------
    path : str or Path
        Audio file (WAV, FLAC, OGG/Opus, MP3 or anything ffmpeg decodes) or session folder.
    trainee_channel : int, keyword-only
        Channel index of the trainee; the customer is the other one of a stereo file.
    customer_channel : int, optional, keyword-only
        Channel index of the customer; required for files with more than two channels.

    Raises
    ------
    AnalysisError
        Missing, unreadable, truncated or empty file, rate under 8 kHz, or more than two channels
        without a mapping.
    """
    given = Path(path)
    p = resolve_input(given)
    holder: list[Path] = []
    with _removed_on_error(holder):
        real, info = _open_file(p, holder)
        mapping, warnings = _channel_mapping(p, info.channels, trainee_channel, customer_channel)
    roles = {r: _Channel(real, c, info.samplerate, info.frames) for r, c in mapping.items()}
    return Recording(
        source=str(given),
        channels=mapping,
        sample_rate=info.samplerate,
        duration_s=info.frames / info.samplerate,
        warnings=warnings,
        _roles=roles,
        _tmpdirs=holder,
    )


def _channel_mapping(
    p: str | Path, nch: int, trainee_channel: int, customer_channel: int | None
) -> tuple[dict[str, int], list[str]]:
    """Role -> channel of a file with ``nch`` channels, and the warnings that go with it."""
    warnings: list[str] = []
    if nch == 1:
        mapping = {"trainee": 0}
        warnings.append(f"mono recording: {ONE_CHANNEL}")
    elif nch == 2 and customer_channel is None:
        if trainee_channel not in (0, 1):
            raise AnalysisError(
                f"{p}: trainee channel {trainee_channel} does not exist (channels 0-1)"
            )
        mapping = {"trainee": trainee_channel, "customer": 1 - trainee_channel}
    else:
        if customer_channel is None:
            raise AnalysisError(
                f"{p}: {nch} channels; say which is the trainee and which the customer "
                "(--trainee-channel and --customer-channel)"
            )
        for name, c in (("trainee", trainee_channel), ("customer", customer_channel)):
            if not 0 <= c < nch:
                raise AnalysisError(
                    f"{p}: {name} channel {c} does not exist (channels 0-{nch - 1})"
                )
        if trainee_channel == customer_channel:
            raise AnalysisError(f"{p}: trainee and customer channels are both {trainee_channel}")
        mapping = {"trainee": trainee_channel, "customer": customer_channel}
    return mapping, warnings


def open_pair(trainee: str | Path, customer: str | Path) -> Recording:
    """Open two mono files, one per speaker (the first channel of each is used)."""
    holder: list[Path] = []
    roles: dict[str, _Channel] = {}
    rates = []
    durations = []
    warnings: list[str] = []
    for role, path in (("trainee", Path(trainee)), ("customer", Path(customer))):
        with _removed_on_error(holder):
            real, info = _open_file(path, holder)
        if info.channels > 1:
            warnings.append(f"{path}: {info.channels} channels; using channel 0 as the {role}")
        roles[role] = _Channel(real, 0, info.samplerate, info.frames)
        rates.append(info.samplerate)
        durations.append(info.frames / info.samplerate)
    return Recording(
        source=f"{trainee} + {customer}",
        channels={"trainee": 0, "customer": 1},
        sample_rate=max(rates),
        duration_s=max(durations),
        warnings=warnings,
        _roles=roles,
        _tmpdirs=holder,
    )


def from_array(
    y: np.ndarray, sr: int, *, trainee_channel: int = 0, source: str = "<array>"
) -> Recording:
    """Wrap an in-memory signal.

    Parameters
    ----------
    y : ndarray, shape (n,) or (2, n)
        Samples in [-1, 1]; a 2-D array is (channel, time).
    sr : int
        Sample rate, Hz (at least 8000).
    trainee_channel : int, keyword-only
        Which row is the trainee.
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 1:
        y = y[None, :]
    if y.ndim != 2 or y.shape[0] > 2:
        raise AnalysisError(f"{source}: expected shape (n,) or (2, n), got {y.shape}")
    if sr < MIN_RATE_HZ:
        raise AnalysisError(f"{source}: sample rate {sr} Hz is below {MIN_RATE_HZ} Hz")
    if y.shape[1] == 0:
        raise AnalysisError(f"{source}: zero-length recording (no audio samples)")
    if not np.all(np.isfinite(y)):
        raise AnalysisError(f"{source}: audio holds NaN or infinite samples")
    if sr != ANALYSIS_RATE_HZ:
        y = np.stack([soxr.resample(row, sr, ANALYSIS_RATE_HZ) for row in y]).astype(np.float32)
    mapping, warnings = _channel_mapping(source, y.shape[0], trainee_channel, None)
    frames = y.shape[1]
    roles = {
        r: _Channel(None, 0, ANALYSIS_RATE_HZ, frames, array=np.ascontiguousarray(y[c]))
        for r, c in mapping.items()
    }
    return Recording(
        source=source,
        channels=mapping,
        sample_rate=int(sr),
        duration_s=frames / ANALYSIS_RATE_HZ,
        warnings=warnings,
        _roles=roles,
    )
