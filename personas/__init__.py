"""Customer personas: schema, library, escalation director and brains.

The names below load on first use (PEP 562): ``voice-sim personas list`` needs the library, not
the director's vocabulary (whose patterns take 50 ms to compile) nor the LLM client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Where each public name lives.
_HOMES = {
    "Director": "director",
    "Verdict": "director",
    "PersonaError": "errors",
    "IntensityChange": "events",
    "TraineeTurn": "events",
    "GauntletCall": "gauntlet",
    "plan_gauntlet": "gauntlet",
    "DEFAULT_PERSONA": "library",
    "LIBRARY_DIR": "library",
    "get_persona": "library",
    "list_personas": "library",
    "persona_ids": "library",
    "LLMConfig": "llm",
    "Customer": "runtime",
    "make_customer": "runtime",
    "Persona": "schema",
    "load_persona": "schema",
    "parse_persona": "schema",
    "DirectorSettings": "settings",
    "VoiceStyle": "voice",
    "style_at": "voice",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'personas' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
