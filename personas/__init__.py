"""Customer personas: schema, library, escalation director and brains."""

from .runtime import Customer, IntensityChange, LLMConfig, TraineeTurn, VoiceStyle, make_customer

__all__ = ["Customer", "IntensityChange", "LLMConfig", "TraineeTurn", "VoiceStyle", "make_customer"]
