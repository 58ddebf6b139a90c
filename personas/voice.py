"""The voice follows the mood: Piper settings and turn-taking as functions of intensity.

Each archetype has a calm end (intensity 0) and a furious end (intensity 10); the style at any
level is the straight line between them. Angry callers get faster (lower Piper length scale),
louder and higher and cut in sooner as they heat up; a confused caller stays slow with long
pauses. A persona file may override either end and its barge-in tendency.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Final


@dataclass(frozen=True)
class VoiceStyle:
    """How the customer sounds at the current intensity (Piper settings and turn-taking)."""

    length_scale: float = 1.0
    """Piper length scale: above 1 speaks slower."""
    volume: float = 1.0
    """Linear gain applied to the synthesized audio."""
    pitch_shift_st: float = 0.0
    """Pitch shift, semitones."""
    noise_scale: float = 0.667
    """Piper noise scale (voice variation)."""
    noise_w: float = 0.8
    """Piper phoneme-duration noise."""
    reply_gap_s: float = 0.0
    """Extra pause before the customer answers, seconds."""
    talk_over_after_s: float | None = None
    """Cut in when the trainee has talked this long in one go, seconds; None = never."""


@dataclass(frozen=True)
class VoiceEnd:
    """Voice settings at one end of the intensity scale (0 = calm, 10 = furious)."""

    length_scale: float
    """Piper length scale (above 1 is slower)."""
    volume: float
    """Linear gain."""
    pitch_shift_st: float
    """Pitch shift, semitones."""
    noise_scale: float
    """Piper noise scale."""
    noise_w: float
    """Piper phoneme-duration noise."""
    reply_gap_s: float
    """Pause before answering, seconds."""


@dataclass(frozen=True)
class BargeIn:
    """When the customer cuts in on a trainee who talks for too long."""

    from_level: int | None
    """Lowest intensity at which the customer cuts in at all; None = never."""
    slowest_s: float = 10.0
    """Trainee talk time tolerated at ``from_level``, seconds."""
    fastest_s: float = 3.0
    """Trainee talk time tolerated at intensity 10, seconds."""


@dataclass(frozen=True)
class VoiceProfile:
    """A persona's voice across intensities: two ends and a barge-in tendency."""

    calm: VoiceEnd
    """Settings at intensity 0."""
    furious: VoiceEnd
    """Settings at intensity 10."""
    barge_in: BargeIn
    """Barge-in tendency."""


VOICE_END_FIELDS: Final = tuple(f.name for f in fields(VoiceEnd))
BARGE_IN_FIELDS: Final = tuple(f.name for f in fields(BargeIn))

#: Piper's own defaults for the noise settings (en_US voices).
_NS, _NW = 0.667, 0.8

#: Archetype defaults. Numbers are chosen by ear with en_US-joe-medium: a length scale below
#: ~0.75 or a gain above ~1.5 starts to sound synthetic or clip, so the furious ends stay inside.
ARCHETYPE_VOICES: Final[dict[str, VoiceProfile]] = {
    "angry": VoiceProfile(
        VoiceEnd(1.05, 0.85, 0.0, _NS, _NW, 0.6),
        VoiceEnd(0.78, 1.35, 2.5, 0.8, 0.9, 0.1),
        BargeIn(6, 9.0, 3.0),
    ),
    "abusive": VoiceProfile(
        VoiceEnd(1.0, 0.9, 0.0, _NS, _NW, 0.5),
        VoiceEnd(0.75, 1.45, 3.0, 0.85, 0.9, 0.05),
        BargeIn(5, 8.0, 2.5),
    ),
    "confused": VoiceProfile(
        VoiceEnd(1.3, 0.8, -0.5, 0.6, 0.7, 1.6),
        VoiceEnd(1.12, 1.05, 1.0, 0.7, 0.8, 1.0),
        BargeIn(None),
    ),
    "mistaken": VoiceProfile(
        VoiceEnd(1.05, 0.85, 0.0, _NS, _NW, 0.7),
        VoiceEnd(0.85, 1.25, 2.0, 0.75, 0.85, 0.2),
        BargeIn(7, 10.0, 4.0),
    ),
    "disappointed": VoiceProfile(
        VoiceEnd(1.12, 0.8, -0.5, _NS, _NW, 0.9),
        VoiceEnd(0.9, 1.15, 1.5, 0.75, 0.85, 0.3),
        BargeIn(8, 10.0, 5.0),
    ),
    "impatient": VoiceProfile(
        VoiceEnd(0.95, 0.9, 0.0, _NS, _NW, 0.3),
        VoiceEnd(0.76, 1.3, 2.0, 0.8, 0.9, 0.0),
        BargeIn(5, 7.0, 2.5),
    ),
}


def merge_profile(
    base: VoiceProfile,
    calm: dict[str, float] | None = None,
    furious: dict[str, float] | None = None,
    barge_in: BargeIn | None = None,
) -> VoiceProfile:
    """Return ``base`` with a persona's overrides applied (unknown keys are the caller's job)."""
    return VoiceProfile(
        replace(base.calm, **(calm or {})),
        replace(base.furious, **(furious or {})),
        barge_in or base.barge_in,
    )


def style_at(profile: VoiceProfile, level: int) -> VoiceStyle:
    """The voice style at ``level`` (0-10): linear between the profile's calm and furious ends.

    Parameters
    ----------
    profile : VoiceProfile
        The persona's resolved profile.
    level : int
        Intensity, clamped to 0-10.

    Returns
    -------
    VoiceStyle
        Piper settings, gain, reply gap (s) and barge-in tolerance (s, or None).
    """
    level = max(0, min(10, int(level)))
    t = level / 10.0
    a, b = profile.calm, profile.furious
    mixed = {
        n: round(getattr(a, n) + (getattr(b, n) - getattr(a, n)) * t, 4) for n in VOICE_END_FIELDS
    }
    bi = profile.barge_in
    talk_over: float | None = None
    if bi.from_level is not None and level >= bi.from_level:
        span = 10 - bi.from_level
        u = 1.0 if span <= 0 else (level - bi.from_level) / span
        talk_over = round(bi.slowest_s + (bi.fastest_s - bi.slowest_s) * u, 3)
    return VoiceStyle(talk_over_after_s=talk_over, **mixed)
