"""audio_analysis: a call recording -> speech activity, turns, interruptions, backchannels, gaps,
dead air, pace, pitch, loudness and drift, within a call and across back-to-back calls.

Works on any two-channel recording (trainee and customer), not only voice-sim's; never imports
``voice_sim``. Times are seconds from the start of the recording.
"""

from __future__ import annotations

from .analysis import (
    SCHEMA_VERSION,
    CallAnalysis,
    Series,
    SpeakerStats,
    Turn,
    analyze,
    analyze_file,
    write_analysis,
    write_json_atomic,
)
from .drift import ToneDrift
from .errors import AnalysisError
from .gaps import DeadAir, Gap
from .overlap import Backchannel, Interruption
from .prosody import PitchTrack, PitchTracker, SwiftF0Tracker, YinTracker
from .session import CallSummary, SessionAnalysis, analyze_session
from .settings import AnalysisSettings
from .timeline import render_timeline
from .transcribe import Transcriber, WhisperTranscriber, Word, load_whisper

__all__ = [
    "SCHEMA_VERSION",
    "AnalysisError",
    "AnalysisSettings",
    "Backchannel",
    "CallAnalysis",
    "CallSummary",
    "DeadAir",
    "Gap",
    "Interruption",
    "PitchTrack",
    "PitchTracker",
    "Series",
    "SessionAnalysis",
    "SpeakerStats",
    "SwiftF0Tracker",
    "ToneDrift",
    "Transcriber",
    "Turn",
    "WhisperTranscriber",
    "Word",
    "YinTracker",
    "analyze",
    "analyze_file",
    "analyze_session",
    "load_whisper",
    "render_timeline",
    "write_analysis",
    "write_json_atomic",
]
