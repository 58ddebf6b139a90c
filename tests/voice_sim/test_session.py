"""The call session's wiring, over hand-written fakes of its stages (``tests/voice_sim/fakes.py``).

The trainee speaks in tones whose words the fake ears know, the customer's mouth says each word
as a short tone, and the real session, turn model, line, director and scripted brain run between
them in real time. The oracles are the bot's plan (what it said, when) and the recording.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf

from personas.call_log import Backchannel as BackchannelEvent
from personas.call_log import (
    CallEnd,
    CustomerLine,
    Hangup,
    Intensity,
    Interruption,
    Latency,
    Silence,
    Transcript,
)
from voice_sim.events import read_events
from voice_sim.session import CallSession, CallSpec
from voice_sim.settings import CallSettings
from voice_sim.simulate import MicFeed, ScriptLine, TraineeScript, _Ears, _run_bot

from .fakes import Heard, LevelVoiceActivity, ToneEars, ToneVoice, run_call, silence, tone

APOLOGY = "I'm sorry you were charged twice. Can I have the email address on the account?"
CALM_DOWN = "Calm down, sir. That is not our fault."
POLICY = "Calm down. Per our policy I cannot help."
MORE = "That is all."
EARS = ToneEars({440.0: APOLOGY, 550.0: CALM_DOWN, 660.0: POLICY, 770.0: MORE})


def fresh_ears() -> ToneEars:
    return ToneEars(dict(EARS.words_by_hz))


async def say(call: CallSession, mic: MicFeed, y: np.ndarray) -> tuple[float, float]:
    """Play ``y`` into the microphone now; returns where it lands on the call clock."""
    start = call.line.now_s()
    mic.play(y)
    await asyncio.sleep(y.shape[0] / 16000)
    return start, start + y.shape[0] / 16000


async def after_the_customer(heard: Heard, lines: int, pause_s: float = 0.5) -> None:
    """Wait until the customer has finished ``lines`` lines, then ``pause_s``."""
    await heard.until(lambda: heard.ends >= lines)
    await asyncio.sleep(pause_s)


def test_a_turn_is_heard_by_the_given_ears_and_answered_by_the_given_voice(
    tmp_path: Path,
) -> None:
    spoken: list[tuple[float, float]] = []
    ears, voice = fresh_ears(), ToneVoice()

    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        await after_the_customer(heard, 1)
        spoken.append(await say(call, mic, tone(440.0, 1.5)))
        await after_the_customer(heard, 2)

    spec = CallSpec(out_dir=tmp_path, persona="angry-billing")
    asyncio.run(run_call(spec, bot, stt=ears, voice=voice))

    events = read_events(tmp_path / "events.jsonl")
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert [e.text for e in said] == [APOLOGY]  # the fake ears' words, once
    (start, end), turn = spoken[0], said[0]
    assert abs(turn.start_s - start) < 0.1 and abs(turn.end_s - end) < 0.1
    lines = [e for e in events if isinstance(e, CustomerLine)]
    assert [ln.kind for ln in lines][:2] == ["opening", "reply"]
    assert [ln.text for ln in lines] == voice.said  # the fake voice said what was logged
    reply = lines[1]
    assert reply.t_s > end and not reply.interrupted
    y, sr = sf.read(str(tmp_path / "recording.wav"), dtype="float32")
    heard_reply = y[int(reply.t_s * sr) : int((reply.t_s + 0.2) * sr), 1]
    spectrum = np.abs(np.fft.rfft(heard_reply))
    assert abs(np.argmax(spectrum) * sr / heard_reply.shape[0] - 300.0) < 10  # the voice's tone
    latency = next(e for e in events if isinstance(e, Latency))
    assert latency.voice_to_voice_s is not None and latency.voice_to_voice_s > 0
    assert not [e for e in events if isinstance(e, Interruption)]
    assert ears.clips == 1  # one pass for the turn: the early pass, not again at the voice-off
    models = json.loads((tmp_path / "meta.json").read_text())["models"]
    assert models == {"stt": "ToneEars", "tts": "ToneVoice", "vad": "LevelVoiceActivity"}


def _quick(out: Path) -> CallSpec:
    """The angry billing caller, answering without the persona's thinking pause."""
    return CallSpec(
        out_dir=out,
        persona="angry-billing",
        settings=replace(CallSettings(), persona_pauses=False),
    )


def _abusive(out: Path) -> CallSpec:
    """A caller at the top of their range: two bad turns and they hang up."""
    return CallSpec(
        out_dir=out,
        persona="abusive-caller",
        start_level=10,
        clean=True,
        settings=replace(CallSettings(), persona_pauses=False),
    )


def test_a_final_reply_withdrawn_is_no_hang_up_and_the_reason_is_the_directors(
    tmp_path: Path,
) -> None:
    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        await after_the_customer(heard, 1)
        await say(call, mic, tone(550.0, 1.2))
        await after_the_customer(heard, 2)
        await say(call, mic, tone(660.0, 1.2))
        # the customer starts their last line; the trainee goes on within a breath
        await heard.until(lambda: len(heard.starts) >= 3)
        await asyncio.sleep(0.1)
        await say(call, mic, np.concatenate([tone(770.0, 0.8), silence(0.1)]))
        await heard.until(lambda: call.end_reason is not None, timeout_s=30)

    call = asyncio.run(run_call(_abusive(tmp_path), bot, stt=fresh_ears()))

    events = read_events(tmp_path / "events.jsonl")
    hangups = [e for e in events if isinstance(e, Hangup)]
    assert len(hangups) == 1
    assert hangups[0].reason == call.customer.end_reason
    assert hangups[0].reason.startswith("hung up: pushed past breaking point")
    # the withdrawn line was not the last word: the turn went on and was answered whole
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert said[-1].text == f"{POLICY} {MORE}"
    last = [e for e in events if isinstance(e, CustomerLine)][-1]
    assert not last.interrupted and last.t_s > said[-1].end_s
    assert hangups[0].t_s >= last.t_s
    end = next(e for e in events if isinstance(e, CallEnd))
    assert end.reason == "hangup"


def test_the_bot_says_no_goodbye_to_a_customer_who_hung_up(tmp_path: Path) -> None:
    script = TraineeScript("t", (ScriptLine(CALM_DOWN, latency_s=0.5), ScriptLine(POLICY)))

    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        ears = _Ears()
        call.line.subscribe(ears.on_line)
        lines = [tone(550.0, 1.2), tone(660.0, 1.2)]
        await _run_bot(call, script, lines, tone(770.0, 0.8), mic, ears)

    asyncio.run(run_call(_abusive(tmp_path), bot, stt=fresh_ears()))

    events = read_events(tmp_path / "events.jsonl")
    hangup = next(e for e in events if isinstance(e, Hangup))
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert [e.text for e in said] == [CALM_DOWN, POLICY]  # and no goodbye
    y, sr = sf.read(str(tmp_path / "recording.wav"), dtype="float32")
    assert np.abs(y[int(hangup.t_s * sr) :, 0]).max() < 1e-4  # nobody talks to a dead line


def test_a_final_line_cut_off_still_hangs_up_with_the_directors_reason(tmp_path: Path) -> None:
    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        await after_the_customer(heard, 1)
        await say(call, mic, tone(550.0, 1.2))
        await after_the_customer(heard, 2)
        await say(call, mic, tone(660.0, 1.2))
        await heard.until(lambda: len(heard.starts) >= 3)
        await asyncio.sleep(1.0)  # well into the last line: this is talking over it
        await say(call, mic, tone(770.0, 1.0))
        await heard.until(lambda: call.end_reason is not None, timeout_s=30)

    # a slow mouth: the last line's later sentences are still being synthesized when it is cut
    voice = ToneVoice(sentence_delay_s=2.0)
    call = asyncio.run(run_call(_abusive(tmp_path), bot, stt=fresh_ears(), voice=voice))

    events = read_events(tmp_path / "events.jsonl")
    last = [e for e in events if isinstance(e, CustomerLine)][-1]
    assert last.interrupted
    assert [e.by for e in events if isinstance(e, Interruption)] == ["trainee"]
    hangups = [e for e in events if isinstance(e, Hangup)]
    assert len(hangups) == 1 and hangups[0].reason == call.customer.end_reason
    assert hangups[0].reason.startswith("hung up: pushed past breaking point")
    assert next(e for e in events if isinstance(e, CallEnd)).reason == "hangup"


def test_an_answer_prepared_ahead_is_never_heard_when_the_trainee_goes_on(tmp_path: Path) -> None:
    words = ToneEars({440.0: "Okay.", 550.0: "Let me look at the second charge now."})
    spoken: list[tuple[float, float]] = []

    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        await after_the_customer(heard, 1)
        # a finished sentence, a pause shorter than the end of turn, then more
        start, _ = await say(call, mic, np.concatenate([tone(440.0, 0.6), silence(0.2)]))
        _, end = await say(call, mic, tone(550.0, 1.2))
        spoken.append((start, end))
        await after_the_customer(heard, 2)

    spec = _quick(tmp_path)
    voice = ToneVoice()
    call = asyncio.run(run_call(spec, bot, stt=words, voice=voice))

    events = read_events(tmp_path / "events.jsonl")
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert [e.text for e in said] == ["Okay. Let me look at the second charge now."]
    (start, end), lines = spoken[0], [e for e in events if isinstance(e, CustomerLine)]
    assert [ln.kind for ln in lines] == ["opening", "reply"] and lines[1].t_s > end
    assert not lines[1].interrupted
    y, sr = sf.read(str(tmp_path / "recording.wav"), dtype="float32")
    assert np.abs(y[int(start * sr) : int(end * sr), 1]).max() < 1e-4  # nothing heard meanwhile
    # the director heard the turn once, whole: one mood change after the opening's, at most
    moods = [e for e in events if isinstance(e, Intensity) and e.t_s > 0]
    assert len(moods) <= 1 and all(e.t_s > end for e in moods)
    assert call.turns_answered == 1
    assert len(voice.said) == 3  # the answer to "Okay." was synthesized ahead, then dropped


def test_a_reply_the_trainee_takes_back_in_a_breath_is_logged_without_its_words(
    tmp_path: Path,
) -> None:
    words = ToneEars({440.0: "Okay.", 550.0: "Let me look at the second charge now."})
    spoken: list[tuple[float, float]] = []

    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        await after_the_customer(heard, 1)
        start, _ = await say(call, mic, tone(440.0, 0.6))
        await heard.until(lambda: len(heard.starts) >= 2)  # the answer went on the air
        await asyncio.sleep(0.1)  # and the trainee goes on within a breath
        _, end = await say(call, mic, tone(550.0, 1.2))
        spoken.append((start, end))
        await after_the_customer(heard, 3)

    spec = _quick(tmp_path)
    asyncio.run(run_call(spec, bot, stt=words, voice=ToneVoice()))

    events = read_events(tmp_path / "events.jsonl")
    (start, end), lines = spoken[0], [e for e in events if isinstance(e, CustomerLine)]
    assert [ln.kind for ln in lines] == ["opening", "taken_back", "reply"]
    back = lines[1]
    assert start < back.t_s < end and back.played_s is not None and back.played_s < 0.4
    # the customer's words are the lines they said, not the one taken back after a syllable
    heard_words = [e for e in events if isinstance(e, Transcript) and e.speaker == "customer"]
    assert [e.t_s for e in heard_words] == [lines[0].t_s, lines[2].t_s]
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert [e.text for e in said] == ["Okay. Let me look at the second charge now."]
    assert lines[2].t_s > end and not [e for e in events if isinstance(e, Interruption)]


def test_the_customer_does_not_speak_up_as_the_trainee_starts_to_answer(tmp_path: Path) -> None:
    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        # answer just before the customer's patience runs out, with a voice detector that
        # takes 0.2 s to notice: the silence is over before the detector says so
        await after_the_customer(heard, 1, pause_s=call.turns.patience_s - 0.1)
        await say(call, mic, tone(440.0, 1.2))
        await after_the_customer(heard, 2)

    slow = LevelVoiceActivity(on_after_frames=10)
    asyncio.run(run_call(_quick(tmp_path), bot, stt=fresh_ears(), vad=slow))

    events = read_events(tmp_path / "events.jsonl")
    assert not [e for e in events if isinstance(e, Silence)]
    lines = [e for e in events if isinstance(e, CustomerLine)]
    assert [ln.kind for ln in lines] == ["opening", "reply"]


def test_a_nod_over_the_customer_is_logged_as_listening_and_the_line_goes_on(
    tmp_path: Path,
) -> None:
    ears = ToneEars({880.0: "Mm-hmm."})
    nod: list[tuple[float, float]] = []

    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        await heard.until(lambda: len(heard.starts) >= 1)
        await asyncio.sleep(2.0)  # well into the customer's opening
        nod.append(await say(call, mic, tone(880.0, 0.4)))
        await after_the_customer(heard, 1)

    voice = ToneVoice()
    asyncio.run(
        run_call(CallSpec(out_dir=tmp_path, persona="angry-billing"), bot, stt=ears, voice=voice)
    )

    events = read_events(tmp_path / "events.jsonl")
    assert not [e for e in events if isinstance(e, Interruption)]
    assert not [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    opening = next(e for e in events if isinstance(e, CustomerLine))
    words = len(voice.said[0].split())
    assert not opening.interrupted  # played to the end, none of it skipped
    assert opening.played_s is not None and abs(opening.played_s - words * ToneVoice.WORD_S) < 0.01
    (start, end), bc = nod[0], next(e for e in events if isinstance(e, BackchannelEvent))
    assert bc.text == "Mm-hmm." and abs(bc.start_s - start) < 0.06 and bc.by == "trainee"
    assert abs(bc.duration_s - (end - start)) < 0.1
    # the customer went quiet for the nod and on again, for as long as the event says
    y, sr = sf.read(str(tmp_path / "recording.wav"), dtype="float32")
    quiet = np.flatnonzero(np.abs(y[int(start * sr) : int((end + 1.0) * sr), 1]) < 1e-4)
    gap_s = quiet.shape[0] / sr
    assert bc.resumed_after_s is not None and abs(gap_s - bc.resumed_after_s) < 0.05
    assert gap_s < (end - start) + 0.2  # the line resumed within 0.2 s of the nod's end


def test_the_ears_are_told_the_calls_vocabulary_when_it_is_on(tmp_path: Path) -> None:
    from personas import get_persona

    async def start(on: bool) -> ToneEars:
        ears = fresh_ears()
        settings = replace(CallSettings(), stt_vocabulary=on)
        call = CallSession(
            CallSpec(out_dir=tmp_path / str(on), persona="delayed-order", settings=settings),
            stt=ears,
            voice=ToneVoice(),
            vad=LevelVoiceActivity(),
        )
        await call.start()
        await call.close()
        return ears

    p = get_persona("delayed-order")
    assert asyncio.run(start(True)).vocabulary == (p.scenario, *p.facts.issue_keywords)
    assert asyncio.run(start(False)).vocabulary == ()  # the default: off (bench/stt_wer.py)


def test_speech_in_a_pressure_pause_is_a_new_turn_and_the_pause_is_logged(tmp_path: Path) -> None:
    from personas.call_log import PressurePause
    from personas.library import LIBRARY_DIR

    # delayed-order, pausing after every answer for exactly 3 s (chance 1.0 at intensity 10)
    text = (LIBRARY_DIR / "delayed-order.yaml").read_text(encoding="utf-8")
    pausing = text.replace(
        "pressure_pause: {chance: 0.5, min_s: 3.0, max_s: 6.0}",
        "pressure_pause: {chance: 1.0, min_s: 3.0, max_s: 3.0}",
    )
    assert pausing != text
    persona = tmp_path / "pausing.yaml"
    persona.write_text(pausing, encoding="utf-8")
    answer, filler = "I am sorry about the delay with your order.", "So, um, yes, anyway."
    ears = ToneEars({440.0: answer, 550.0: filler})
    spoken: list[tuple[float, float]] = []

    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        await after_the_customer(heard, 1)
        spoken.append(await say(call, mic, tone(440.0, 1.2)))
        await asyncio.sleep(1.5)  # the customer says nothing: the trainee fills the silence
        spoken.append(await say(call, mic, tone(550.0, 0.8)))
        await after_the_customer(heard, 2)

    spec = CallSpec(out_dir=tmp_path / "call", persona=str(persona))
    asyncio.run(run_call(spec, bot, stt=ears))

    events = read_events(tmp_path / "call" / "events.jsonl")
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert [e.text for e in said] == [answer, filler]  # two turns, not one
    pause = next(e for e in events if isinstance(e, PressurePause))
    (_, end_a), (start_b, end_b) = spoken
    assert abs(pause.start_s - end_a) < 0.1 and pause.duration_s == 3.0
    assert pause.start_s < start_b < pause.start_s + pause.duration_s  # said into the silence
    replies = [e for e in events if isinstance(e, CustomerLine) and e.kind == "reply"]
    assert len(replies) == 1 and replies[0].t_s >= pause.start_s + pause.duration_s - 0.05
    assert replies[0].t_s > end_b and not [e for e in events if isinstance(e, Interruption)]
