from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio_analysis import AnalysisError
from audio_analysis.recording import from_array, open_pair, open_recording


def _write(path: Path, y: np.ndarray, sr: int, **kw: object) -> Path:
    sf.write(str(path), y, sr, **kw)  # type: ignore[arg-type]
    return path


def test_stereo_mapping_and_streamed_blocks_match_a_whole_read(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    y = (rng.normal(0, 0.1, (8000 * 5, 2))).astype(np.float32)
    p = _write(tmp_path / "a.wav", y, 8000, subtype="FLOAT")
    rec = open_recording(p, trainee_channel=1)
    assert rec.channels == {"trainee": 1, "customer": 0}
    assert rec.sample_rate == 8000 and rec.duration_s == pytest.approx(5.0)
    blocks = list(rec.blocks("trainee", block_s=0.7))
    whole = np.concatenate(blocks)
    assert abs(len(whole) - 16000 * 5) <= 32  # resampled to 16 kHz, streamed
    seg = rec.read("customer", 1.0, 2.0)
    assert len(seg) == 16000


def test_session_folder_means_its_recording(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    _write(tmp_path / "s" / "recording.wav", np.zeros((16000, 2), np.float32), 16000)
    assert open_recording(tmp_path / "s").duration_s == pytest.approx(1.0)
    (tmp_path / "empty").mkdir()
    with pytest.raises(AnalysisError, match=r"no recording\.wav"):
        open_recording(tmp_path / "empty")


@pytest.mark.parametrize("fmt,ext", [("FLAC", "flac"), ("OGG", "ogg"), ("MP3", "mp3")])
def test_compressed_formats(tmp_path: Path, fmt: str, ext: str) -> None:
    t = np.arange(16000 * 2) / 16000
    y = np.stack([0.3 * np.sin(2 * np.pi * 200 * t), 0.3 * np.sin(2 * np.pi * 300 * t)], axis=1)
    kw = {"format": fmt} if fmt != "OGG" else {"format": "OGG", "subtype": "OPUS"}
    p = _write(tmp_path / f"a.{ext}", y, 16000, **kw)
    rec = open_recording(p)
    assert rec.duration_s == pytest.approx(2.0, abs=0.1)
    assert len(np.concatenate(list(rec.blocks("trainee", block_s=1.0)))) > 16000


def test_mono_is_analysed_with_a_warning(tmp_path: Path) -> None:
    p = _write(tmp_path / "m.wav", np.zeros(16000, np.float32), 16000)
    rec = open_recording(p)
    assert rec.roles == ("trainee",)
    assert "two channels" in rec.warnings[0] and "interruptions" in rec.warnings[0]


def test_missing_empty_truncated_garbage_low_rate(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError, match=r"nope\.wav: file not found"):
        open_recording(tmp_path / "nope.wav")
    (tmp_path / "zero.wav").write_bytes(b"")
    with pytest.raises(AnalysisError, match=r"zero\.wav: empty file"):
        open_recording(tmp_path / "zero.wav")
    full = _write(tmp_path / "full.wav", np.zeros((16000, 2), np.float32), 16000, subtype="PCM_16")
    (tmp_path / "cut.wav").write_bytes(full.read_bytes()[:30000])
    with pytest.raises(AnalysisError, match=r"cut\.wav: truncated"):
        open_recording(tmp_path / "cut.wav")
    (tmp_path / "junk.wav").write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(AnalysisError, match=r"junk\.wav: not audio voice-sim can read"):
        open_recording(tmp_path / "junk.wav")
    low = _write(tmp_path / "low.wav", np.zeros((6000, 2), np.float32), 6000)
    with pytest.raises(AnalysisError, match=r"low\.wav: sample rate 6000 Hz is below 8000 Hz"):
        open_recording(low)
    hdr_only = _write(tmp_path / "hdr.wav", np.zeros((0, 2), np.float32), 16000)
    with pytest.raises(AnalysisError, match=r"hdr\.wav: zero-length"):
        open_recording(hdr_only)


def test_more_than_two_channels_need_a_mapping(tmp_path: Path) -> None:
    p = _write(tmp_path / "four.wav", np.zeros((16000, 4), np.float32), 16000)
    with pytest.raises(AnalysisError, match=r"four\.wav: 4 channels; say which"):
        open_recording(p)
    rec = open_recording(p, trainee_channel=2, customer_channel=3)
    assert rec.channels == {"trainee": 2, "customer": 3}
    with pytest.raises(AnalysisError, match="channel 5 does not exist"):
        open_recording(p, trainee_channel=0, customer_channel=5)


def test_pair_of_mono_files_with_different_rates(tmp_path: Path) -> None:
    a = _write(tmp_path / "t.wav", np.zeros(8000 * 3, np.float32), 8000)
    b = _write(tmp_path / "c.wav", np.zeros(16000 * 2, np.float32), 16000)
    rec = open_pair(a, b)
    assert rec.roles == ("trainee", "customer") and rec.duration_s == pytest.approx(3.0)


def test_arrays(rng: np.random.Generator) -> None:
    rec = from_array(rng.normal(0, 0.1, (2, 8000)), 8000)
    assert rec.duration_s == pytest.approx(1.0)
    assert len(rec.read("customer", 0.0, 0.5)) == 8000
    with pytest.raises(AnalysisError, match="shape"):
        from_array(np.zeros((3, 100)), 16000)
    with pytest.raises(AnalysisError, match="NaN"):
        from_array(np.full(100, np.nan), 16000)


def _write_m4a(path: Path) -> Path:
    """Two seconds of stereo AAC, a format libsndfile cannot read (PyAV decodes it)."""
    av = pytest.importorskip("av")
    t = np.arange(16000 * 2) / 16000
    y = np.stack([0.3 * np.sin(2 * np.pi * 200 * t), 0.3 * np.sin(2 * np.pi * 300 * t)])
    with av.open(str(path), "w") as c:
        stream = c.add_stream("aac", rate=16000, layout="stereo")
        for i in range(0, y.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                y[:, i : i + 1024].astype(np.float32).copy(), format="fltp", layout="stereo"
            )
            frame.sample_rate = 16000
            for packet in stream.encode(frame):
                c.mux(packet)
        for packet in stream.encode(None):
            c.mux(packet)
    return path


def test_formats_libsndfile_cannot_read_go_through_pyav(tmp_path: Path) -> None:
    path = _write_m4a(tmp_path / "call.m4a")
    with open_recording(path) as rec:
        assert rec.duration_s == pytest.approx(2.0, abs=0.2)
        (tmp,) = rec._tmpdirs
        assert tmp.exists()
        left = np.concatenate(list(rec.blocks("trainee", block_s=1.0)))
        mid = left[8000:24000]  # AAC rings at the edges
        assert np.sqrt(np.mean(mid**2)) == pytest.approx(0.3 / np.sqrt(2), rel=0.1)
    assert not tmp.exists()  # the decoded copy is removed


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where tempfile makes folders during the test (so leaks can be counted)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_unreadable_file_names_the_formats_and_leaves_no_temp_folder(
    tmp_path: Path, temp_root: Path
) -> None:
    junk = tmp_path / "call.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    with pytest.raises(AnalysisError) as err:
        open_recording(junk)
    msg = str(err.value)
    assert msg.startswith(f"{junk}: not audio voice-sim can read (it reads WAV, FLAC")
    assert "Errno" not in msg and "Invalid data" not in msg
    assert list(temp_root.iterdir()) == []


def test_pair_whose_second_file_fails_leaves_no_temp_folder(
    tmp_path: Path, temp_root: Path
) -> None:
    good = _write_m4a(tmp_path / "trainee.m4a")  # decoded into a temp folder first
    junk = tmp_path / "customer.m4a"
    junk.write_bytes(b"not audio" * 100)
    with pytest.raises(AnalysisError, match=r"customer\.m4a: not audio"):
        open_pair(good, junk)
    assert list(temp_root.iterdir()) == []


def test_pair_of_decoded_files_removes_both_copies(tmp_path: Path, temp_root: Path) -> None:
    a = _write_m4a(tmp_path / "trainee.m4a")
    b = _write_m4a(tmp_path / "customer.m4a")
    with open_pair(a, b):
        assert len(list(temp_root.iterdir())) == 2
    assert list(temp_root.iterdir()) == []


def test_bad_channel_mapping_after_decoding_leaves_no_temp_folder(
    tmp_path: Path, temp_root: Path
) -> None:
    path = _write_m4a(tmp_path / "call.m4a")
    with pytest.raises(AnalysisError, match="trainee channel 4 does not exist"):
        open_recording(path, trainee_channel=4)
    assert list(temp_root.iterdir()) == []
