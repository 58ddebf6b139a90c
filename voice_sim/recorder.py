"""Stereo call recorder: a PCM16 WAV that is valid on disk at every moment of the call.

The RIFF header is rewritten every :data:`HEADER_REFRESH_S` seconds, so a crash, Ctrl-C or
``kill -9`` leaves a file that every reader opens, holding the call up to the last refresh.
Writes happen on a background thread; the audio path only enqueues.
"""

from __future__ import annotations

import queue
import struct
import threading
from pathlib import Path

import numpy as np

#: How stale the on-disk header may get: the most audio a hard kill can lose, seconds.
HEADER_REFRESH_S = 1.0

_HEADER_BYTES = 44


def _wav_header(*, sample_rate: int, channels: int, data_bytes: int) -> bytes:
    block_align = channels * 2
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        channels,
        sample_rate,
        sample_rate * block_align,
        block_align,
        16,
        b"data",
        data_bytes,
    )


class WavRecorder:
    """Append-only stereo WAV writer with a crash-safe header.

    Parameters
    ----------
    path : Path
        Output file (created or truncated).
    sample_rate : int
        Samples per second per channel, Hz.
    channels : int
        Number of interleaved channels (2: trainee, customer).
    """

    def __init__(self, path: Path, *, sample_rate: int, channels: int = 2) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.channels = channels
        self._fh = self.path.open("wb")
        self._fh.write(_wav_header(sample_rate=sample_rate, channels=channels, data_bytes=0))
        self._fh.flush()
        self._data_bytes = 0
        self._since_refresh = 0
        self._refresh_bytes = int(HEADER_REFRESH_S * sample_rate) * channels * 2
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._writer, name="wav-recorder", daemon=True)
        self._thread.start()
        self._closed = False

    def write(self, frames: np.ndarray) -> None:
        """Queue interleaved samples, shape ``(n, channels)``, int16 or float in [-1, 1]."""
        if self._closed:
            return
        if frames.dtype != np.int16:
            frames = (np.clip(frames, -1.0, 1.0) * 32767.0).astype(np.int16)
        self._queue.put(np.ascontiguousarray(frames).tobytes())

    def _refresh_header(self) -> None:
        pos = self._fh.tell()
        self._fh.seek(0)
        self._fh.write(
            _wav_header(
                sample_rate=self.sample_rate, channels=self.channels, data_bytes=self._data_bytes
            )
        )
        self._fh.seek(pos)
        self._fh.flush()

    def _writer(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is None:
                break
            self._fh.write(chunk)
            self._data_bytes += len(chunk)
            self._since_refresh += len(chunk)
            if self._since_refresh >= self._refresh_bytes:
                self._since_refresh = 0
                self._refresh_header()
        self._refresh_header()

    def close(self) -> None:
        """Write what is queued, finalise the header and close the file."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join()
        self._fh.close()

    def __enter__(self) -> WavRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
