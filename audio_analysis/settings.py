"""Every threshold of the analysis, as named constants in one frozen settings object.

The command resolves them defaults < config file ``[analysis]`` < ``VOICE_SIM_ANALYSIS_*`` <
flags (``voice_sim.config.resolve``); this package never imports ``voice_sim``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Silero VAD and Whisper both consume 16 kHz; every input is resampled to it.
ANALYSIS_RATE_HZ = 16_000
#: Silero's window at 16 kHz is 512 samples (32 ms): the frame of speech activity and level.
VAD_FRAME_SAMPLES = 512
#: Silero's own default speech threshold; the lower one closes speech (hysteresis, as in
#: silero-vad's get_speech_timestamps).
VAD_THRESHOLD = 0.5
VAD_NEG_THRESHOLD = 0.35
#: Speech shorter than this is a click or a breath ("mm" lasts about 0.2 s, so keep it below).
MIN_SPEECH_S = 0.12
#: Silence shorter than this inside speech is bridged: 0.1 s reached 98.6% frame accuracy on a
#: labelled two-speaker sample (issue 4 leads); faster-whisper's 2 s default is far too coarse.
MIN_SILENCE_S = 0.10
#: Padding added around detected speech (silero-vad uses 30 ms in the same measurement).
SPEECH_PAD_S = 0.03
#: Cross-channel bleed: a phone line puts the other side in this channel at about -30 dB. A frame
#: more than this far below the other channel's level at the same moment is bleed, not speech;
#: two people really talking over each other are within about 10 dB.
BLEED_MARGIN_DB = 20.0
#: Frames quieter than the channel's noise floor plus this are never speech: Silero alone turns
#: line hiss (about -58 dBFS) next to speech into speech. The noise floor is the 5th percentile
#: of the channel's frame levels (digital silence left out). Measured on bench/analysis_calls.py's
#: phone line and the pyannote telephone sample.
NOISE_MARGIN_DB = 6.0
#: ... or more than this below the channel's loud frames (90th percentile): speech spans about
#: 30 dB from its loudest vowels to its softest consonants; quieter frames are tails and hum ...
SPEECH_RANGE_DB = 35.0
#: ... but the gate never goes below this (a clean channel) ...
SPEECH_FLOOR_DBFS = -65.0
#: ... nor above this (a channel that is nearly all speech has no noise percentile to learn from).
SPEECH_FLOOR_MAX_DBFS = -45.0

#: A turn is one speaker's speech with inner pauses under this merged (issue 4 definition).
MIN_PAUSE_S = 1.0
#: Speech inside the other's turn shorter than this, while the other keeps talking, is a
#: backchannel ("mm-hmm", "I see", "right"), not an interruption.
BACKCHANNEL_MAX_S = 1.0
#: An interrupter's speech must then last at least this long.
INTERRUPTION_MIN_S = 1.0
#: The interrupted speaker must still be talking this long after the other starts: smaller
#: overlaps are turn-taking jitter (VAD padding is 30 ms each side, people start early by ~0.2 s).
OVERLAP_TOLERANCE_S = 0.20
#: The trainee silent for longer than this after the customer's turn is dead air: the escalation
#: director's and the scorer's threshold (``personas.settings.DEAD_AIR_S``; this package does not
#: import personas, so tests/audio_analysis/test_gaps.py keeps the two equal). The domain sources
#: allow 3-5 s of thinking time face to face; on the phone, with no hold notice, the customer
#: hears nothing at all, so the low end applies.
DEAD_AIR_S = 3.0

#: Adult speaking F0 range (Titze, Principles of Voice Production): 60-400 Hz covers low male to
#: high female voices with margin; narrower bands cut octave errors.
PITCH_FMIN_HZ = 60.0
PITCH_FMAX_HZ = 400.0
#: swift-f0's calibrated voicing threshold.
VOICING_THRESHOLD = 0.5
#: A frame further than this from the speaker's median is folded by octaves towards it; octave
#: errors are 12 semitones, real intonation within a turn stays within about 7.
OCTAVE_FOLD_ST = 8.0
#: Sampling step of the pitch and loudness series written for plots.
SERIES_HOP_S = 0.1

#: Drift compares the last third of a speaker's turns with the first third (issue 4).
DRIFT_FRACTION = 1.0 / 3.0

#: Whisper decoding: greedy search is 3-5x faster than beam 5 with tiny.en and loses little.
WHISPER_BEAM_SIZE = 1
#: CTranslate2 int8 is the fastest CPU compute type.
WHISPER_COMPUTE_TYPE = "int8"
#: Turns are transcribed in batches of at most this much audio: Whisper's window is 30 s.
TRANSCRIBE_BATCH_S = 28.0
#: Silence put between turns inside a batch so Whisper keeps them apart.
TRANSCRIBE_JOIN_S = 0.4
#: Audio read per block when streaming a recording (bounds memory for long calls).
STREAM_BLOCK_S = 30.0


@dataclass(frozen=True)
class AnalysisSettings:
    """Every threshold of the analysis; seconds, Hz and dB as the field names say.

    Defaults are the module's named constants; see each constant for where the number comes from.
    """

    min_pause_s: float = MIN_PAUSE_S
    backchannel_max_s: float = BACKCHANNEL_MAX_S
    interruption_min_s: float = INTERRUPTION_MIN_S
    overlap_tolerance_s: float = OVERLAP_TOLERANCE_S
    dead_air_s: float = DEAD_AIR_S
    vad_threshold: float = VAD_THRESHOLD
    vad_neg_threshold: float = VAD_NEG_THRESHOLD
    min_speech_s: float = MIN_SPEECH_S
    min_silence_s: float = MIN_SILENCE_S
    speech_pad_s: float = SPEECH_PAD_S
    bleed_margin_db: float = BLEED_MARGIN_DB
    speech_floor_dbfs: float = SPEECH_FLOOR_DBFS
    speech_floor_max_dbfs: float = SPEECH_FLOOR_MAX_DBFS
    noise_margin_db: float = NOISE_MARGIN_DB
    speech_range_db: float = SPEECH_RANGE_DB
    pitch_fmin_hz: float = PITCH_FMIN_HZ
    pitch_fmax_hz: float = PITCH_FMAX_HZ
    voicing_threshold: float = VOICING_THRESHOLD
    octave_fold_st: float = OCTAVE_FOLD_ST
    pitch_tracker: str = "swift-f0"
    series_hop_s: float = SERIES_HOP_S
    drift_fraction: float = DRIFT_FRACTION
    transcribe: bool = True
    whisper_beam_size: int = WHISPER_BEAM_SIZE
    whisper_compute_type: str = WHISPER_COMPUTE_TYPE
    transcribe_batch_s: float = TRANSCRIBE_BATCH_S
    transcribe_join_s: float = TRANSCRIBE_JOIN_S
    stream_block_s: float = STREAM_BLOCK_S
    threads: int = 2

    def __post_init__(self) -> None:
        for name in (
            "min_pause_s",
            "backchannel_max_s",
            "interruption_min_s",
            "dead_air_s",
            "series_hop_s",
            "transcribe_batch_s",
            "stream_block_s",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not 0 < self.vad_neg_threshold <= self.vad_threshold < 1:
            raise ValueError("need 0 < vad_neg_threshold <= vad_threshold < 1")
        if not 0 < self.pitch_fmin_hz < self.pitch_fmax_hz:
            raise ValueError("need 0 < pitch_fmin_hz < pitch_fmax_hz")
        if not 0 < self.drift_fraction <= 0.5:
            raise ValueError("drift_fraction must be in (0, 0.5]")
        if self.pitch_tracker not in ("swift-f0", "yin"):
            raise ValueError(
                f"pitch_tracker must be 'swift-f0' or 'yin', got {self.pitch_tracker!r}"
            )
        if self.threads < 1:
            raise ValueError("threads must be at least 1")
