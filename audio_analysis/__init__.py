"""audio_analysis: a call recording -> speech activity, turns, interruptions, backchannels, gaps,
dead air, pace, pitch, loudness and drift, within a call and across back-to-back calls.

Works on any two-channel recording (trainee and customer), not only voice-sim's; never imports
``voice_sim``. Times are seconds from the start of the recording.
"""

from __future__ import annotations

from .analysis import analyze, analyze_file, analyze_recording
from .drift import ToneDrift
from .errors import AnalysisError
from .fileio import write_json_atomic, write_text_atomic
from .gaps import DeadAir, Gap, Silence
from .levels import SILENT_DBFS, rms_dbfs
from .overlap import Backchannel, Interruption
from .prosody import PitchTrack, PitchTracker, SwiftF0Tracker, YinTracker
from .result import (
    SCHEMA_VERSION,
    CallAnalysis,
    Series,
    SpeakerStats,
    Turn,
    analysis_schema,
    read_analysis,
    write_analysis,
)
from .session import CallSummary, SessionAnalysis, analyze_session
from .settings import AnalysisSettings
from .timeline import Mark, Track, render_timeline, timeline_svg
from .transcribe import Transcriber, WhisperTranscriber, Word, load_whisper

__all__ = [
    "SCHEMA_VERSION",
    "SILENT_DBFS",
    "AnalysisError",
    "AnalysisSettings",
    "Backchannel",
    "CallAnalysis",
    "CallSummary",
    "DeadAir",
    "Gap",
    "Interruption",
    "Mark",
    "PitchTrack",
    "PitchTracker",
    "Series",
    "SessionAnalysis",
    "Silence",
    "SpeakerStats",
    "SwiftF0Tracker",
    "ToneDrift",
    "Track",
    "Transcriber",
    "Turn",
    "WhisperTranscriber",
    "Word",
    "YinTracker",
    "analysis_schema",
    "analyze",
    "analyze_file",
    "analyze_recording",
    "analyze_session",
    "load_whisper",
    "read_analysis",
    "render_timeline",
    "rms_dbfs",
    "timeline_svg",
    "write_analysis",
    "write_json_atomic",
    "write_text_atomic",
]
