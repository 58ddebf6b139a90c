"""Trainee scripts: the shipped ones load, bad ones name the file and the field."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from voice_sim.errors import VoiceSimError
from voice_sim.simulate import (
    DEFAULT_GOODBYE,
    DEFAULT_LINE_LATENCY_S,
    DEFAULT_NODS,
    VOICE_RANGES,
    load_script,
)


def test_shipped_scripts_load() -> None:
    folder = Path(str(resources.files("voice_sim") / "scripts"))
    scripts = sorted(folder.glob("*.yaml"))
    assert scripts
    for p in scripts:
        s = load_script(p)
        assert s.lines and all(ln.say for ln in s.lines)


def test_fields(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text(
        "name: Pat\nvoice: {pitch_shift_st: -2}\nlines:\n"
        "  - Hello there.\n  - say: Sorry to cut in.\n    interrupt_after_s: 1.5\n"
        "  - {say: One moment., latency_s: 4}\n"
    )
    s = load_script(p)
    assert s.name == "Pat" and s.voice.pitch_shift_st == -2.0
    assert [ln.latency_s for ln in s.lines] == [DEFAULT_LINE_LATENCY_S, DEFAULT_LINE_LATENCY_S, 4.0]
    assert s.lines[1].interrupt_after_s == 1.5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lines: [\n", r"t.yaml:\d+: invalid YAML"),
        ("lines: []\n", r"t.yaml: lines: expected a non-empty list"),
        ("lines:\n  - say: hi\n    latency_s: fast\n", r"lines\[0\].latency_s: expected a number"),
        ("lines:\n  - say: hi\n    latency_s: 99\n", r"lines\[0\].latency_s: must be between"),
        ("lines:\n  - say: ''\n", r"lines\[0\].say: expected the words"),
        ("lines:\n  - say: hi\n    shout: yes\n", r"lines\[0\]: unknown field 'shout'"),
        ("voice: {tone: 3}\nlines: [hi]\n", r"voice: unknown field 'tone'"),
        ("speed: 3\nlines: [hi]\n", r"unknown field 'speed'"),
        ("nod_every_s: 1\nlines: [hi]\n", r"t.yaml: nod_every_s: must be between 2.0 and 30.0"),
        ("nod_every_s: often\nlines: [hi]\n", r"nod_every_s: expected a number"),
        ("nods: []\nlines: [hi]\n", r"nods: expected a non-empty list"),
        ("nods: ['']\nlines: [hi]\n", r"nods\[0\]: expected the words of a nod"),
        (
            "nods: [Mm-hmm., I see what you mean there.]\nlines: [hi]\n",
            r"nods\[1\]: at most 3 words, got 'I see what you mean there.'",
        ),
    ],
)
def test_errors(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "t.yaml"
    p.write_text(text)
    with pytest.raises(VoiceSimError, match=message):
        load_script(p)


def test_nods_default_to_none_and_to_five_words(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text("lines: [hi]\n")
    assert load_script(p).nod_every_s is None and load_script(p).nods == DEFAULT_NODS
    p.write_text("lines: [hi]\nnod_every_s: 5\nnods: [Mm-hmm., Go on.]\n")
    s = load_script(p)
    assert s.nod_every_s == 5.0 and s.nods == ("Mm-hmm.", "Go on.")


def test_every_good_bot_nods_and_no_mistakes_bot_does() -> None:
    folder = Path(str(resources.files("voice_sim") / "scripts"))
    for p in sorted(folder.glob("*.yaml")):
        every = load_script(p).nod_every_s
        if p.name.endswith(".good.yaml"):
            assert every is not None and 4.0 <= every <= 8.0, p.name  # a natural rate
        else:
            assert every is None, p.name  # silent through the vent


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VoiceSimError, match="trainee script not found"):
        load_script(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("voice", "message"),
    [
        ("{volume: -0.5}", r"voice.volume: must be between 0.1 and 2.0, got -0.5"),
        ("{length_scale: -1}", r"voice.length_scale: must be between 0.5 and 2.0, got -1"),
        ("{length_scale: 0}", r"voice.length_scale: must be between"),
        ("{noise_w: -0.1}", r"voice.noise_w: must be between 0.0 and 1.5"),
        ("{pitch_shift_st: 9}", r"voice.pitch_shift_st: must be between -6.0 and 6.0"),
    ],
)
def test_voice_values_have_their_own_ranges(tmp_path: Path, voice: str, message: str) -> None:
    p = tmp_path / "t.yaml"
    p.write_text(f"voice: {voice}\nlines: [hi]\n")
    with pytest.raises(VoiceSimError, match=message):
        load_script(p)


def test_voice_ranges_are_the_personas(tmp_path: Path) -> None:
    from personas.schema import VOICE_BOUNDS

    assert {k: VOICE_BOUNDS[k] for k in VOICE_RANGES} == VOICE_RANGES
    p = tmp_path / "t.yaml"
    lows = ", ".join(f"{k}: {lo}" for k, (lo, _) in VOICE_RANGES.items())
    p.write_text(f"voice: {{{lows}}}\nlines: [hi]\n")
    assert load_script(p).voice.volume == VOICE_RANGES["volume"][0]


def test_goodbye_default_custom_and_none(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text("lines: [hi]\n")
    assert load_script(p).goodbye == DEFAULT_GOODBYE
    p.write_text("lines: [hi]\ngoodbye: Bye now.\n")
    assert load_script(p).goodbye == "Bye now."
    p.write_text("lines: [hi]\ngoodbye: ''\n")
    assert load_script(p).goodbye == ""
    p.write_text("lines: [hi]\ngoodbye: [1]\n")
    with pytest.raises(VoiceSimError, match=r"t.yaml: goodbye: expected the words"):
        load_script(p)
