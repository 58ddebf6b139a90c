"""Uploads: stream a multipart body to a temporary file under a size limit, then check that it is
a whole mono or stereo recording before anything is stored.

Every refusal is an :class:`UploadRefused` with an HTTP status and a one-line reason; the
temporary file is removed, so a refused upload leaves no row and no file.
"""

from __future__ import annotations

import os
import secrets
import shutil
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import one_line
from ..store.ingest import TMP_PREFIX, UPLOADS_DIR
from ..store.settings import MAX_UPLOAD_RATE_HZ, MAX_UPLOAD_S, MIN_UPLOAD_RATE_HZ

#: Bytes of multipart overhead (boundaries, headers, small fields) allowed beyond the file limit.
FORM_OVERHEAD_BYTES = 64 * 1024
#: Largest non-file form field, bytes.
MAX_FIELD_BYTES = 4096
#: Most parts one upload may have (the file, the CSRF token, trainee, team, persona).
MAX_PARTS = 16
#: Formats by their first bytes, with the file suffix the stored recording gets.
FORMAT_SUFFIX = {"wav": ".wav", "flac": ".flac", "ogg": ".ogg", "mp3": ".mp3"}


class UploadRefused(Exception):
    """An upload that is not stored; ``status`` is the HTTP answer, ``reason`` one line."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class AudioInfo:
    """What the checks found out about an accepted recording."""

    format: str
    channels: int
    sample_rate: int
    duration_s: float


@dataclass
class ParsedUpload:
    """A streamed upload: the small fields, and the file part in a temporary folder."""

    fields: dict[str, str]
    filename: str | None
    path: Path | None
    size: int
    tmp_dir: Path

    def discard(self) -> None:
        shutil.rmtree(self.tmp_dir, ignore_errors=True)


def sniff(head: bytes) -> str | None:
    """The audio format from a file's first bytes, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def _wav_truncation(path: Path) -> str | None:
    """A reason when the WAV's data chunk promises more bytes than the file holds."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(12)
        block_align, rate = 0, 0
        while True:
            hdr = fh.read(8)
            if len(hdr) < 8:
                return "truncated: no audio data chunk"
            cid, n = hdr[:4], struct.unpack("<I", hdr[4:])[0]
            if cid == b"fmt ":
                fmt = fh.read(min(n, 40))
                if len(fmt) < 16:
                    return "truncated: incomplete format chunk"
                _, _, rate, _, block_align = struct.unpack("<HHIIH", fmt[:14])
                fh.seek(n - len(fmt) + (n & 1), os.SEEK_CUR)
                continue
            if cid == b"data":
                have = size - fh.tell()
                if n > have and n != 0xFFFFFFFF:
                    if block_align and rate:
                        promised = n / block_align / rate
                        held = have / block_align / rate
                        return (
                            f"truncated: the header promises {promised:.1f} s of audio, "
                            f"the file holds {held:.1f} s"
                        )
                    return (
                        f"truncated: the header promises {n} bytes of audio, the file holds {have}"
                    )
                return None
            fh.seek(n + (n & 1), os.SEEK_CUR)
            if fh.tell() > size:
                return "truncated: a chunk runs past the end of the file"


def check_audio(
    path: Path,
    *,
    min_s: float,
    max_s: float = MAX_UPLOAD_S,
    max_channels: int = 2,
    rates_hz: tuple[int, int] = (MIN_UPLOAD_RATE_HZ, MAX_UPLOAD_RATE_HZ),
) -> AudioInfo:
    """Accept a whole mono or stereo recording of ``min_s`` to ``max_s`` seconds at a sample
    rate in ``rates_hz``, or raise UploadRefused(4xx) saying why not.

    Compressed audio is decoded in blocks and counted as it goes, so a small file that unpacks
    to hours (a decompression bomb: FLAC packs silence a thousandfold) is refused once it passes
    ``max_s``, whatever its header claims, with little memory and CPU spent on it.
    """
    import numpy as np  # noqa: F401  (soundfile needs it; imported here to fail early)
    import soundfile as sf

    size = path.stat().st_size
    if size == 0:
        raise UploadRefused(400, "empty file")
    with path.open("rb") as fh:
        head = fh.read(16)
    fmt = sniff(head)
    if fmt is None:
        raise UploadRefused(415, "not an audio file (expected WAV, FLAC, OGG/Opus or MP3)")
    if fmt == "wav":
        reason = _wav_truncation(path)
        if reason:
            raise UploadRefused(400, reason)
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise UploadRefused(400, f"unreadable {fmt.upper()} file: {one_line(exc)}") from None
    if info.channels > max_channels:
        raise UploadRefused(
            400, f"{info.channels} channels: expected mono or stereo (trainee 0, customer 1)"
        )
    lo, hi = rates_hz
    if not lo <= info.samplerate <= hi:
        raise UploadRefused(400, f"sample rate {info.samplerate} Hz: expected {lo} to {hi} Hz")
    too_long = f"too long: over {max_s / 60:g} minutes of audio"
    if info.frames > max_s * info.samplerate:
        raise UploadRefused(400, too_long)
    # decode it all: a cut-off FLAC, OGG or MP3 fails or comes up short here
    frames, limit = 0, int(max_s * info.samplerate)
    try:
        with sf.SoundFile(str(path)) as f:
            for block in f.blocks(blocksize=1 << 16, dtype="int16", always_2d=True):
                frames += len(block)
                if frames > limit:
                    raise UploadRefused(400, too_long)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise UploadRefused(400, f"truncated or corrupt {fmt.upper()}: {one_line(exc)}") from None
    if info.frames > 0 and fmt in ("wav", "flac") and frames < info.frames:
        raise UploadRefused(
            400,
            f"truncated: the header promises {info.frames / info.samplerate:.1f} s, "
            f"{frames / info.samplerate:.1f} s decode",
        )
    duration = frames / info.samplerate
    if duration < min_s:
        raise UploadRefused(400, f"too short: {duration:.2f} s of audio (at least {min_s:g} s)")
    return AudioInfo(fmt, info.channels, info.samplerate, duration)


def _disposition(value: str) -> tuple[str | None, str | None]:
    """(name, filename) from a Content-Disposition header value."""
    from python_multipart.multipart import parse_options_header

    _, opts = parse_options_header(value)
    name = opts.get(b"name")
    filename = opts.get(b"filename")
    return (
        name.decode("utf-8", "replace") if name is not None else None,
        filename.decode("utf-8", "replace") if filename is not None else None,
    )


async def parse_upload(
    stream: AsyncIterator[bytes],
    content_type: str,
    content_length: int | None,
    data_dir: Path,
    max_bytes: int,
    file_field: str = "file",
) -> ParsedUpload:
    """Stream one multipart body: small fields into memory, the ``file_field`` part into a new
    temporary folder under ``<data>/uploads``. Over ``max_bytes`` -> UploadRefused(413) and
    nothing kept. A second file part is refused (one upload, one recording)."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, opts = parse_options_header(content_type)
    if ctype != b"multipart/form-data" or b"boundary" not in opts:
        raise UploadRefused(415, "expected a multipart/form-data upload with a file field")
    if content_length is not None and content_length > max_bytes + FORM_OVERHEAD_BYTES:
        raise UploadRefused(413, f"over the size limit of {max_bytes // (1024 * 1024)} MB")
    tmp_dir = data_dir / UPLOADS_DIR / f"{TMP_PREFIX}{secrets.token_hex(8)}"
    tmp_dir.mkdir(parents=True)
    out = ParsedUpload(fields={}, filename=None, path=None, size=0, tmp_dir=tmp_dir)
    cur: dict[str, object] = {}
    sink: list[BinaryIO] = []  # the open file part, at most one
    headers: dict[str, str] = {}
    hname: list[bytes] = []
    hval: list[bytes] = []
    errors: list[UploadRefused] = []

    parts = [0]

    def on_part_begin() -> None:
        headers.clear()
        cur.clear()
        parts[0] += 1
        if parts[0] > MAX_PARTS:
            errors.append(UploadRefused(400, f"too many form fields (at most {MAX_PARTS})"))
            cur["skip"] = True

    def on_header_field(data: bytes, start: int, end: int) -> None:
        hname.append(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        hval.append(data[start:end])

    def on_header_end() -> None:
        headers[b"".join(hname).decode("latin-1").lower()] = b"".join(hval).decode("latin-1")
        hname.clear()
        hval.clear()

    def on_headers_finished() -> None:
        name, filename = _disposition(headers.get("content-disposition", ""))
        cur["name"] = name
        if name == file_field and filename is not None:
            if out.path is not None:
                errors.append(UploadRefused(400, "one file per upload"))
                cur["skip"] = True
                return
            out.filename = filename
            out.path = tmp_dir / "upload.bin"
            sink.append(out.path.open("wb"))
            cur["file"] = True
        elif filename is not None:
            errors.append(
                UploadRefused(400, f"no file: send the recording in the form field {file_field!r}")
            )
            cur["skip"] = True
        else:
            cur["buf"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if errors or cur.get("skip"):
            return
        chunk = data[start:end]
        if cur.get("file"):
            fh = sink[0]
            out.size += len(chunk)
            if out.size > max_bytes:
                errors.append(
                    UploadRefused(413, f"over the size limit of {max_bytes // (1024 * 1024)} MB")
                )
                return
            fh.write(chunk)
        else:
            buf = cur["buf"]
            assert isinstance(buf, bytearray)
            buf += chunk
            if len(buf) > MAX_FIELD_BYTES:
                errors.append(UploadRefused(400, f"form field {cur.get('name')} too long"))

    def on_part_end() -> None:
        if cur.pop("file", None):
            sink[0].close()
        elif "buf" in cur and cur.get("name"):
            buf = cur["buf"]
            assert isinstance(buf, bytearray)
            out.fields[str(cur["name"])] = bytes(buf).decode("utf-8", "replace")

    parser = MultipartParser(
        opts[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    try:
        async for chunk in stream:
            parser.write(chunk)
            if errors:
                raise errors[0]
        parser.finalize()
        if errors:
            raise errors[0]
    except UploadRefused:
        for fh in sink:
            fh.close()
        out.discard()
        raise
    except Exception as exc:
        for fh in sink:
            fh.close()
        out.discard()
        raise UploadRefused(400, f"malformed upload: {exc}") from None
    if out.path is None:
        out.discard()
        raise UploadRefused(400, f"no file: send the recording in the form field {file_field!r}")
    return out
