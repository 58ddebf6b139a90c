"""voice-sim: the live role-play call (livekit-agents session with local Silero, Whisper, Piper)."""

__version__ = "0.1.0"
