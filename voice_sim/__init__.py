"""voice-sim: the live role-play call (one turn model over local Silero, Whisper and Piper)."""

__version__ = "0.1.0"
