"""Our own customer's exact words (events.jsonl), timed on the audio, in the judges and report."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from scoring import call_inputs, score_inputs, write_report

from .conftest import CallBuilder

SAID = [
    "It's dana.whittaker@example.com.",
    "I was charged $49.99 twice, and they said 3-5 business days.",
]
#: What Whisper tiny.en made of those lines on the customer channel.
HEARD = [
    "It's dainah .widdakeratexample .com.",
    "I was charged $49 .99 twice, and they said 3 -5 business days.",
]


def call_with_events() -> tuple[CallBuilder, list[dict[str, object]]]:
    b = CallBuilder()
    b.say("trainee", "Thanks for calling. Can I have the email address on the account?", gap_s=0.2)
    events: list[dict[str, object]] = []
    for said, heard in zip(SAID, HEARD, strict=True):
        b.say("customer", heard)
        t = b.turns[-1]
        toks = said.split()
        step = (t["end_s"] - t["start_s"]) / len(toks)
        events.append(
            {
                "type": "transcript",
                "t_s": t["start_s"],
                "speaker": "customer",
                "text": said,
                "start_s": t["start_s"] - 0.15,  # the call's estimate is a little early
                "end_s": t["end_s"],
                "words": [
                    {
                        "word": w,
                        "start_s": t["start_s"] + i * step,
                        "end_s": t["start_s"] + (i + 1) * step,
                    }
                    for i, w in enumerate(toks)
                ],
                "word_times": "estimated",
            }
        )
        b.say("trainee", "Thank you, I will check that now.")
    return b, events


def test_customer_turns_hold_the_exact_words_with_audio_times() -> None:
    b, events = call_with_events()
    call = call_inputs(b.analysis(), events)
    customer = call.turns_of("customer")
    assert [t.text for t in customer] == SAID
    assert call.customer_words_exact
    # "twice" was heard: its time is Whisper's, not the call's estimate
    heard_twice = next(w for w in b.turns[3]["word_times"] if w["word"] == "twice,")
    said_twice = next(w for w in customer[1].word_times if w.word == "twice,")
    assert said_twice.start_s == pytest.approx(heard_twice["start_s"])
    # the garbled address takes times between its aligned neighbours
    assert customer[0].start_s <= customer[0].word_times[1].start_s <= customer[0].end_s


def test_recordings_that_are_not_ours_keep_whisper_words() -> None:
    b, _ = call_with_events()
    call = call_inputs(b.analysis(), [])
    assert [t.text for t in call.turns_of("customer")] == HEARD
    assert not call.customer_words_exact


def test_report_quotes_the_customer_as_events_jsonl_says(tmp_path: Path) -> None:
    b, events = call_with_events()
    call = call_inputs(b.analysis(), events)
    page = write_report(score_inputs(call), call, tmp_path).read_text(encoding="utf-8")
    transcript = page[page.index('<div id="transcript">') :]
    customer_lines = [
        htmllib.unescape(re.sub(r"<[^>]+>", "", m))
        for m in re.findall(r'turn customer".*?<span class="text">(.*?)</span></div>', transcript)
    ]
    assert customer_lines == SAID
    for right in ("dana.whittaker@example.com", "$49.99", "3-5 business days"):
        assert right in transcript
    for wrong in ("dainah", "$49 .99", "3 -5"):
        assert wrong not in transcript
