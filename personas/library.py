"""The persona library shipped in ``personas/library/*.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import PersonaError
from .schema import Persona, load_persona

#: Folder of the shipped persona files.
LIBRARY_DIR = Path(__file__).resolve().parent / "library"
#: The persona ``voice-sim simulate`` uses when none is given.
DEFAULT_PERSONA = "angry-billing"


def library_files() -> list[Path]:
    """Persona files in the library, sorted by name."""
    return sorted(LIBRARY_DIR.glob("*.yaml"))


@lru_cache(maxsize=64)
def _load_library_file(path: Path) -> Persona:
    persona = load_persona(path)
    if persona.id != path.stem:
        raise PersonaError(
            f"{path}:1: id: must match the file name {path.stem!r}, got {persona.id!r}"
        )
    return persona


def list_personas() -> list[Persona]:
    """Every persona in the library, validated, sorted by id."""
    return sorted((_load_library_file(p) for p in library_files()), key=lambda p: p.id)


def persona_ids() -> list[str]:
    """Ids of the library personas, sorted."""
    return [p.stem for p in library_files()]


def get_persona(id_or_path: str | Path | None = None) -> Persona:
    """A persona by library id, or from a YAML file path.

    Parameters
    ----------
    id_or_path : str or Path, optional
        A library id (``angry-billing``) or a path to a ``.yaml`` file; None gives the default.

    Raises
    ------
    PersonaError
        Unknown id (the message lists the known ones) or an invalid file.
    """
    if id_or_path is None:
        id_or_path = DEFAULT_PERSONA
    s = str(id_or_path)
    if isinstance(id_or_path, Path) or s.endswith((".yaml", ".yml")) or "/" in s:
        return load_persona(Path(s))
    path = LIBRARY_DIR / f"{s}.yaml"
    if not path.is_file():
        known = ", ".join(persona_ids())
        raise PersonaError(f"{s}: unknown persona (known: {known})")
    return _load_library_file(path)
