"""Session scoring: patience items from the first call to the last, overall blend."""

from __future__ import annotations

import pytest

from scoring import ScoringError, ScoringSettings, call_inputs, score_session

from .conftest import good_call


def call(
    name: str, *, pitch: float = 120.0, loud: float = -24.0, gap_s: float = 0.6, interrupts: int = 0
) -> object:
    b = good_call()
    for t in b.turns:
        if t["speaker"] == "trainee":
            t["pitch_hz_median"], t["loudness_dbfs"] = pitch, loud
    for k in range(interrupts):
        b.interrupt(1.0 + k)
    a = b.analysis()
    for g in a["gaps"]:
        if g["to"] == "trainee":
            g["duration_s"] = gap_s
    return call_inputs(a, b.events, name=name)


def test_steady_session_keeps_full_patience() -> None:
    s = score_session([call("c1"), call("c2"), call("c3")])  # type: ignore[list-item]
    assert all(it.score == it.max for it in s.patience)
    share = ScoringSettings().session_patience_share
    assert s.overall == pytest.approx((1 - share) * s.calls[0].overall + share * 100)
    assert [c.name for c in s.calls] == ["c1", "c2", "c3"]
    d = s.to_dict()
    assert set(d) >= {"overall", "calls", "patience"} and d["calls"][0]["name"] == "c1"


def test_drifting_session_loses_patience_with_figures() -> None:
    calls = [
        call("c1"),
        call("c2", pitch=135.0, loud=-20.0),
        call("c5", pitch=151.0, loud=-18.0, gap_s=2.4, interrupts=2),
    ]
    s = score_session(calls)  # type: ignore[arg-type]
    by = {it.id: it for it in s.patience}
    comp = by["patience_composure"]
    assert comp.score < comp.max * 0.5
    figs = " ".join(e.figure or "" for e in comp.evidence)
    assert "pitch +4.0 semitones in c5 against c1" in figs
    assert "loudness +6.0 dB" in figs
    assert by["patience_interruptions"].score == pytest.approx(30 * (1 - 2 * 0.34))
    assert "c1 0, c2 0, c5 2" in (by["patience_interruptions"].evidence[0].figure or "")
    assert by["patience_latency"].score == 0
    share = ScoringSettings().session_patience_share
    mean_calls = sum(c.overall for c in s.calls) / 3
    patience = 100 * sum(it.score for it in s.patience) / 100
    assert s.overall == pytest.approx((1 - share) * mean_calls + share * patience)
    assert "Patience slipped" in s.summary


def test_single_call_session_has_no_patience_items() -> None:
    s = score_session([call("c1")])  # type: ignore[list-item]
    assert not any(it.applicable for it in s.patience)


def test_empty_session_is_an_error() -> None:
    with pytest.raises(ScoringError):
        score_session([])


def test_session_states_its_weighting_the_real_call_count_and_flags_bad_endings() -> None:
    ended_angry = good_call()
    ended_angry.events = [
        {"type": "call_start", "t_s": 0.0, "persona": "angry-billing", "brain": "scripted"},
        {"type": "intensity", "t_s": 0.0, "level": 6, "stage": "opening", "reason": "start"},
        {
            "type": "intensity",
            "t_s": 9.0,
            "level": 8,
            "previous": 6,
            "stage": "venting",
            "reason": "flat no",
        },
        {"type": "call_end", "t_s": 30.0, "reason": "script_done", "duration_s": 30.0},
    ]
    calls = [
        call("c1"),
        call("c2", pitch=140.0, interrupts=2),
        call_inputs(ended_angry.analysis(), ended_angry.events, name="c3"),
    ]
    s = score_session(calls)  # type: ignore[arg-type]
    assert "70% the mean of the call scores, 30% the patience items" in s.summary
    assert "over 3 calls" in s.summary and "fifth" not in s.summary
    assert "call 3: script ran out with the customer still angry (8/10)" in s.summary
    third = s.calls[2]
    assert (third.start_intensity, third.end_intensity, third.ended) == (6, 8, "script ran out")
    tips = " ".join(it.tip for it in s.patience)
    assert "call 3 against call 1" in tips and "fifth" not in tips
    d = s.to_dict()
    assert d["weighting"]["calls"] == 0.7 and d["calls"][2]["warning"]
