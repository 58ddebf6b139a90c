"""Settings resolution shared by every command: defaults < config file < environment < flags.

Each package keeps its thresholds in its own frozen dataclass of named constants
(``audio_analysis.AnalysisSettings``, ``scoring.ScoringSettings``, ``voice_sim.CallSettings``...).
This module only layers values onto such a dataclass, so those packages never import ``voice_sim``.

The config file is TOML with one table per section::

    [analysis]
    min_pause_s = 0.8

    [llm]
    base_url = "http://127.0.0.1:11434/v1"
    model = "llama3.2"

Environment variables are ``VOICE_SIM_<SECTION>_<FIELD>`` in upper case, e.g.
``VOICE_SIM_ANALYSIS_MIN_PAUSE_S=0.8``. The file is found from ``--config``, then
``$VOICE_SIM_CONFIG``, then ``./voice-sim.toml``, then the user config directory.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from .errors import VoiceSimError

T = TypeVar("T")

CONFIG_ENV = "VOICE_SIM_CONFIG"
CONFIG_FILENAME = "voice-sim.toml"
ENV_PREFIX = "VOICE_SIM_"
APP_NAME = "voice-sim"


def data_dir() -> Path:
    """Where session folders go when ``--out`` is not given (``$VOICE_SIM_DATA`` overrides)."""
    env = os.environ.get("VOICE_SIM_DATA")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME))


def find_config_file(explicit: Path | None = None) -> Path | None:
    """Return the config file in force, or ``None`` when there is none."""
    if explicit is not None:
        if not explicit.is_file():
            raise VoiceSimError(f"{explicit}: config file not found")
        return explicit
    env = os.environ.get(CONFIG_ENV)
    if env:
        p = Path(env)
        if not p.is_file():
            raise VoiceSimError(f"{p}: config file not found (from ${CONFIG_ENV})")
        return p
    for p in (
        Path.cwd() / CONFIG_FILENAME,
        Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml",
    ):
        if p.is_file():
            return p
    return None


def load_config_file(path: Path | None) -> dict[str, Any]:
    """Parse the TOML config file; a syntax error names the file and line."""
    if path is None:
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise VoiceSimError(f"{path}: invalid TOML: {exc}") from None


def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _coerce(value: Any, tp: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        empty = value is None or (isinstance(value, str) and value.lower() in ("", "none", "null"))
        if empty and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], where)
    if origin is typing.Literal:
        if value not in args:
            raise VoiceSimError(
                f"{where}: expected one of {', '.join(map(repr, args))}, got {value!r}"
            )
        return value
    try:
        if tp is bool:
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if tp is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if tp is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if tp is str:
            return str(value)
        if tp is Path:
            return Path(value)
    except (TypeError, ValueError):
        name = getattr(tp, "__name__", str(tp))
        raise VoiceSimError(f"{where}: expected {name}, got {value!r}") from None
    return value


def resolve(
    cls: type[T],
    section: str,
    *,
    config: Mapping[str, Any] | None = None,
    config_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> T:
    """Build the frozen settings dataclass ``cls``: defaults < config[section] < env < flags.

    Parameters
    ----------
    cls : dataclass type
        Frozen dataclass whose field defaults are the named constants.
    section : str
        Config-file table and environment infix (``analysis`` -> ``VOICE_SIM_ANALYSIS_*``).
    config : mapping, optional
        The whole parsed config file.
    config_path : Path, optional
        Only used to name the file in error messages.
    env : mapping, optional
        Environment (``os.environ`` by default).
    flags : mapping, optional
        Command-line values; ``None`` values mean "not given".
    """
    env = os.environ if env is None else env
    types_ = _field_types(cls)
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}  # field -> where its value came from, for error messages
    table = (config or {}).get(section, {})
    if not isinstance(table, Mapping):
        raise VoiceSimError(f"{config_path or 'config'}: [{section}] must be a table")
    for key, val in table.items():
        if key not in types_:
            known = ", ".join(sorted(types_))
            raise VoiceSimError(
                f"{config_path or 'config'}: [{section}] unknown setting {key!r} (known: {known})"
            )
        origin[key] = f"{config_path or 'config'}: [{section}] {key}"
        values[key] = _coerce(val, types_[key], origin[key])
    prefix = f"{ENV_PREFIX}{section.upper()}_"
    for name, tp in types_.items():
        var = prefix + name.upper()
        if var in env:
            origin[name] = f"${var}"
            values[name] = _coerce(env[var], tp, origin[name])
    for name, val in (flags or {}).items():
        if val is not None:
            if name not in types_:
                raise KeyError(f"{cls.__name__} has no field {name!r}")
            origin[name] = f"--{name.replace('_', '-')}"
            values[name] = _coerce(val, types_[name], origin[name])
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        # the dataclass names the field it rejects; say where that value was given
        named = [n for n in origin if re.search(rf"\b{n}\b", str(exc))]
        where = origin[named[0]] if named else f"{config_path or 'settings'}: [{section}]"
        raise VoiceSimError(f"{where}: {exc}") from None
