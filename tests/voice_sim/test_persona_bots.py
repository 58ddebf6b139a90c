"""Every persona's own trainee bots: they load, they are written for that persona's scenario,
and simulate / gauntlet --simulate use them by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from personas import get_persona, persona_ids
from personas import phrases as vocab
from voice_sim.errors import VoiceSimError
from voice_sim.simulate import SCRIPTS_DIR, load_script, persona_script, trainee_input


@pytest.mark.parametrize("pid", persona_ids())
def test_good_bot_is_written_for_its_own_scenario(pid: str) -> None:
    p = get_persona(pid)
    script = load_script(persona_script(pid, "good"))
    said = " ".join(line.say for line in script.lines)
    # it names this caller's failure, and asks about this caller's must-ask topics
    assert vocab.mentions(said, p.facts.issue_keywords), said
    asked = {
        i
        for line in script.lines
        for i in vocab.asked_topics(line.say, [m.keywords for m in p.facts.must_ask])
    }
    assert len(asked) >= 2, f"{pid}: asks about {asked} of {len(p.facts.must_ask)} topics"
    # and commits to a concrete next step with an owner and a time
    assert any((st := vocab.next_step(line.say)) and st.concrete for line in script.lines)
    # not the old one-size bot, which refunded everyone's double charge
    if pid != "angry-billing":
        assert not vocab.mentions(said, ["charged twice", "duplicate", "double charge"]), said


@pytest.mark.parametrize("pid", persona_ids())
def test_mistakes_bot_makes_the_seeds_mistakes(pid: str) -> None:
    script = load_script(persona_script(pid, "mistakes"))
    kinds = {t.kind for line in script.lines for t in vocab.triggers(line.say)}
    for line in script.lines:
        kinds |= {d.kind for d in vocab.deflections(line.say)}
        kinds |= {"retaliate"} if vocab.retaliation(line.say) else set()
        kinds |= {"vague_time"} if vocab.vague_time(line.say) else set()
        kinds |= {"jargon"} if vocab.JARGON.search(vocab.normalise(line.say)) else set()
        kinds |= {"interrupting"} if line.interrupt_after_s is not None else set()
        kinds |= {"dead_air"} if line.latency_s > 3.0 else set()
    assert len(kinds) >= 5, kinds
    assert vocab.fix_offer(script.lines[0].say) or not vocab.acknowledgement(script.lines[0].say), (
        "a mistakes bot does not open with an acknowledgement"
    )


def test_simulate_defaults_to_the_personas_own_good_bot() -> None:
    assert trainee_input(None, "abusive-caller") == SCRIPTS_DIR / "abusive-caller.good.yaml"
    assert trainee_input(None, None) == SCRIPTS_DIR / "angry-billing.good.yaml"
    assert trainee_input(Path("mistakes"), "known-bug") == SCRIPTS_DIR / "known-bug.mistakes.yaml"
    mine = Path("my-lines.yaml")
    assert trainee_input(mine, "known-bug") == mine


def test_a_persona_of_your_own_needs_a_script(tmp_path: Path) -> None:
    with pytest.raises(VoiceSimError, match=r"no built-in trainee bot.*--script FILE"):
        trainee_input(None, tmp_path / "my-persona.yaml")
