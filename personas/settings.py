"""Every threshold of the escalation director, in one frozen settings object."""

from __future__ import annotations

from dataclasses import dataclass

#: Silence before the trainee answers that reads as being ignored, seconds. The domain sources
#: allow 3-5 s of thinking time face to face; on the phone, with no hold notice, the customer
#: hears nothing at all, so the low end applies. The director, the scorer and the analysis
#: (``audio_analysis.settings.DEAD_AIR_S``, kept equal by a test) share it.
DEAD_AIR_S = 3.0
#: Silence after a hold notice that still needs a check-in, seconds (a common contact-centre
#: rule: check back on a held caller at least every minute).
HOLD_MAX_S = 60.0
#: At or above this intensity (0-10), a customer who has not been acknowledged keeps venting;
#: the scorer calls a customer who ends the call there still angry.
VENTING_LEVEL = 7
#: At or below this intensity, a concrete next step moves the call to resolving; the scorer
#: reads a customer who ends the call there as having accepted what was offered.
RESOLVE_LEVEL = 4


@dataclass(frozen=True)
class DirectorSettings:
    """Thresholds of the escalation director (section ``[personas]`` of the config file)."""

    dead_air_s: float = DEAD_AIR_S
    """Silence before the trainee answers that reads as being ignored, seconds
    (:data:`DEAD_AIR_S`)."""
    hold_max_s: float = HOLD_MAX_S
    """Silence after a hold notice that still needs a check-in, seconds (:data:`HOLD_MAX_S`)."""
    loud_db: float = 6.0
    """Trainee louder than the customer by this much reads as a raised voice, dB (6 dB is twice
    the amplitude: clearly louder, not just a hot microphone)."""
    repeat_limit: int = 2
    """How often the same de-escalating move still works in one call; a third identical
    apology sounds scripted (the sources warn that stock phrases sound scripted)."""
    max_rise_per_turn: int = 3
    """Most a single trainee turn can raise intensity, steps."""
    max_drop_per_turn: int = 2
    """Most a single trainee turn can lower intensity, steps (people cool down slower than they
    heat up)."""
    venting_level: int = VENTING_LEVEL
    """At or above this, a customer who has not been acknowledged keeps venting
    (:data:`VENTING_LEVEL`)."""
    resolve_level: int = RESOLVE_LEVEL
    """At or below this, a concrete next step moves the call to resolving
    (:data:`RESOLVE_LEVEL`)."""
    max_supervisor_demands: int = 2
    """Ignored supervisor demands before a customer who can hang up does."""
