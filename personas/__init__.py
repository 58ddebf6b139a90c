"""Customer personas: schema, library, escalation director and brains."""

from .director import Director, Verdict
from .errors import PersonaError
from .events import IntensityChange, TraineeTurn
from .gauntlet import GauntletCall, plan_gauntlet
from .library import DEFAULT_PERSONA, LIBRARY_DIR, get_persona, list_personas, persona_ids
from .llm import LLMConfig
from .runtime import Customer, make_customer
from .schema import Persona, load_persona, parse_persona
from .settings import DirectorSettings
from .voice import VoiceStyle, style_at

__all__ = [
    "DEFAULT_PERSONA",
    "LIBRARY_DIR",
    "Customer",
    "Director",
    "DirectorSettings",
    "GauntletCall",
    "IntensityChange",
    "LLMConfig",
    "Persona",
    "PersonaError",
    "TraineeTurn",
    "Verdict",
    "VoiceStyle",
    "get_persona",
    "list_personas",
    "load_persona",
    "make_customer",
    "parse_persona",
    "persona_ids",
    "plan_gauntlet",
    "style_at",
]
