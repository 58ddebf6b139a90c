"""Trainee voice activity, live: Silero probabilities in, voice-on / voice-off edges out.

A small hysteresis over Silero's per-window speech probability (32 ms windows at 16 kHz), with
the edges placed where the voice is, not where the detector noticed it: a voice-on edge is stamped
at the first voiced window, a voice-off edge at the end of the last one. Turns are not decided
here; :mod:`voice_sim.turns` joins these segments into turns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .settings import VAD_ACTIVATION, VAD_DEACTIVATION, VAD_MIN_SILENCE_S, VAD_MIN_SPEECH_S


@dataclass(frozen=True)
class VoiceOn:
    """The trainee's voice started (detected ``detected_s``, stamped at the first voiced window)."""

    t_s: float
    """Start of the first voiced window, seconds on the call clock."""
    detected_s: float
    """When the detector was sure, seconds."""


@dataclass(frozen=True)
class VoiceOff:
    """The trainee's voice stopped: ``min_silence_s`` of unvoiced windows followed it."""

    t_s: float
    """End of the last voiced window, seconds on the call clock."""
    detected_s: float
    """When the detector was sure, seconds."""


VoiceEdge = VoiceOn | VoiceOff


class VoiceActivity:
    """Hysteresis over per-window speech probabilities.

    Parameters
    ----------
    window_s : float
        Duration of one probability window, seconds (Silero: 512 samples at 16 kHz = 0.032 s).
    activation, deactivation : float
        Probability that opens speech, and under which a window is unvoiced.
    min_speech_s : float
        Voiced run needed before a voice-on edge, seconds.
    min_silence_s : float
        Unvoiced run needed before a voice-off edge, seconds.
    """

    def __init__(
        self,
        *,
        window_s: float = 0.032,
        activation: float = VAD_ACTIVATION,
        deactivation: float = VAD_DEACTIVATION,
        min_speech_s: float = VAD_MIN_SPEECH_S,
        min_silence_s: float = VAD_MIN_SILENCE_S,
    ) -> None:
        self.window_s = window_s
        self.activation = activation
        self.deactivation = deactivation
        self._need_on = max(1, round(min_speech_s / window_s))
        self._need_off = max(1, round(min_silence_s / window_s))
        self._i = 0  # windows seen
        self.voiced = False
        """True between a voice-on and a voice-off edge."""
        self._run_on = 0
        self._run_off = 0
        self._last_voiced_end = 0

    def push(self, probs: np.ndarray) -> list[VoiceEdge]:
        """Feed the probabilities of consecutive windows; return the edges they complete."""
        out: list[VoiceEdge] = []
        for p in np.asarray(probs, dtype=np.float32):
            i = self._i
            self._i += 1
            now = self._i * self.window_s
            if not self.voiced:
                self._run_on = self._run_on + 1 if p >= self.activation else 0
                if self._run_on >= self._need_on:
                    self.voiced = True
                    self._run_off = 0
                    self._last_voiced_end = self._i
                    out.append(VoiceOn((i + 1 - self._run_on) * self.window_s, now))
                continue
            if p >= self.deactivation:
                self._run_off = 0
                self._last_voiced_end = self._i
            else:
                self._run_off += 1
                if self._run_off >= self._need_off:
                    self.voiced = False
                    self._run_on = 0
                    out.append(VoiceOff(self._last_voiced_end * self.window_s, now))
        return out


#: Silero's window at 16 kHz, seconds (512 samples).
SILERO_WINDOW_S = 0.032


class SileroVoiceActivity:
    """The call's voice-activity stage: Silero (bundled in ``livekit-plugins-silero``) under
    :class:`VoiceActivity` hysteresis. Implements :class:`voice_sim.stages.VoiceActivityDetector`.

    Parameters
    ----------
    activation, deactivation, min_speech_s, min_silence_s
        As :class:`VoiceActivity`.
    """

    def __init__(
        self,
        *,
        activation: float = VAD_ACTIVATION,
        deactivation: float = VAD_DEACTIVATION,
        min_speech_s: float = VAD_MIN_SPEECH_S,
        min_silence_s: float = VAD_MIN_SILENCE_S,
    ) -> None:
        from . import models
        from .stages import VADCapabilities

        self.capabilities = VADCapabilities(
            window_s=SILERO_WINDOW_S, onset_delay_s=SILERO_WINDOW_S + min_speech_s
        )
        self._silero = models.silero_stream()
        self._edges = VoiceActivity(
            window_s=SILERO_WINDOW_S,
            activation=activation,
            deactivation=deactivation,
            min_speech_s=min_speech_s,
            min_silence_s=min_silence_s,
        )

    def push(self, frame: np.ndarray) -> list[VoiceEdge]:
        """Feed one int16 frame; return the voice edges it completes."""
        probs, _ = self._silero.push(np.asarray(frame).astype(np.float32) / 32768.0)
        return self._edges.push(probs)
