"""Filler words ("um", "uh", "like", "you know"): how many does the transcription keep?

Whisper drops disfluencies by default. This bench speaks a labelled set of trainee sentences
with Piper (fillers placed by the script, and sentences where "like" and "you know" are not
fillers), transcribes each with Whisper tiny.en as the analysis does, with and without a
verbatim-style initial prompt, counts fillers with the scorer's own counter
(``personas.phrases.fillers``) and prints recall and false fillers per setting.

The scorer shows fillers per minute as a figure, and scores them only when the recall of the
transcription the analysis uses is at least 80% (``scoring.settings.FILLER_RECALL_MIN``). A
prompt must also leave real speech alone: the public telephone sample is transcribed with each
and its word error rate printed.

    .venv/bin/python bench/fillers.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: (sentence as said, fillers in it). Fillers: um, uh, er, like (as a filler), you know.
LABELLED: list[tuple[str, int]] = [
    ("Um, let me check that for you.", 1),
    ("So, uh, the charge was on the third.", 1),
    ("I can see, um, two charges on the card.", 1),
    ("Uh, can you tell me the order number?", 1),
    ("The refund will take, um, three to five days.", 1),
    ("Okay, so, uh, I will call you back at three.", 1),
    ("Um, I'm really sorry about that, uh, delay.", 2),
    ("It was, like, a system error on our side.", 1),
    ("We can, like, send you a new one today.", 1),
    ("The technician, you know, was sick this morning.", 1),
    ("I will, you know, make sure it ships today.", 1),
    ("Um, so, like, the box is at the depot.", 2),
    ("Uh, let me, um, pull up your account.", 2),
    ("Er, which card was it on?", 1),
    ("It's, uh, a known bug, and, um, there is a workaround.", 2),
    ("I understand, um, that this is frustrating.", 1),
    ("So the, uh, the invoice did not sync.", 1),
    ("Can you, um, read me the error message?", 1),
    ("Like, I said, it should arrive on Friday.", 1),
    ("You know, I will check with the warehouse.", 1),
    # no fillers: "like" and "you know" used as words
    ("It looks like a duplicate charge.", 0),
    ("Do you know the order number?", 0),
    ("I would like to offer you a credit.", 0),
    ("Let me check the status of your order.", 0),
    ("I will call you back by three today.", 0),
    ("Which card was the second charge on?", 0),
    ("I'm sorry the technician never came.", 0),
    ("Your refund will arrive within five business days.", 0),
    ("Did you know the export stops at ten thousand rows?", 0),
    ("That sounds like a problem with the filter.", 0),
]

#: Verbatim-style prompts: a transcript that keeps disfluencies primes Whisper to keep them.
PROMPTS: dict[str, str | None] = {
    "default (no prompt)": None,
    "verbatim prompt": "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking.",
    "filler-list prompt": "Um, uh, so, like, you know, er, I mean, um, uh.",
    "short prompt": "Um, uh, I mean, you know.",
}
#: Real telephone speech with a reference transcript: a prompt must not derail it.
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "pyannote-sample"


def _words(text: str) -> list[str]:
    """The words of ``text`` other than fillers, lower case, without punctuation."""
    from personas.phrases import FILLER

    out = []
    for w in FILLER.sub(" ", text.lower()).replace("'", "").split():
        w = w.strip(",.?!")
        if w:
            out.append(w)
    return out


def _word_errors(said: str, heard: str) -> int:
    """Word-level edit distance between the non-filler words of ``said`` and ``heard``."""
    import difflib

    sm = difflib.SequenceMatcher(None, _words(said), _words(heard), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal")


def _transcribe(model: object, y: np.ndarray, prompt: str | None) -> str:
    """The words Whisper hears in ``y`` (16 kHz float) with ``prompt``, decoded with word times
    as the analysis transcribes."""
    segs, _ = model.transcribe(  # type: ignore[attr-defined]
        y,
        language="en",
        beam_size=1,
        condition_on_previous_text=False,
        vad_filter=False,
        temperature=0.0,
        initial_prompt=prompt,
        word_timestamps=True,
    )
    return " ".join(w.word.strip() for s in segs for w in (s.words or []))


def main(argv: list[str] | None = None) -> int:
    import argparse

    from audio_analysis import load_whisper
    from audio_analysis.transcribe import whisper_model_path
    from personas.phrases import fillers
    from voice_sim.simulate import DEFAULT_BOT_VOICE, synthesize_line

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--renders", type=int, default=3, help="Piper renders of the set")
    args = ap.parse_args(argv)
    model = load_whisper(str(whisper_model_path()), "int8", 2)
    labelled = sum(n for _, n in LABELLED)
    words = sum(len(_words(t)) for t, _ in LABELLED)
    pad = np.zeros(3200, np.float32)
    results: dict[str, list[tuple[int, int, int, float]]] = {name: [] for name in PROMPTS}
    examples: dict[str, list[tuple[str, str]]] = {name: [] for name in PROMPTS}
    for _ in range(args.renders):
        clips = [
            np.concatenate(
                [pad, synthesize_line(t, DEFAULT_BOT_VOICE, sample_rate=16_000) / 32768.0, pad]
            ).astype(np.float32)
            for t, _n in LABELLED
        ]
        for name, prompt in PROMPTS.items():
            t0 = time.process_time()
            found = false = errors = 0
            for (text, n), y in zip(LABELLED, clips, strict=True):
                heard = _transcribe(model, y, prompt)
                k = len(fillers(heard))
                found += min(k, n)
                false += max(0, k - n)
                errors += _word_errors(text, heard)
                if k != n and len(examples[name]) < 6:
                    examples[name].append((text, heard))
            results[name].append((found, false, errors, time.process_time() - t0))
    real_words: dict[str, str] = {}
    if (REAL / "sample.wav").is_file():
        import soundfile as sf
        import soxr

        y, sr = sf.read(REAL / "sample.wav", dtype="float32")
        y = soxr.resample(y.mean(axis=1) if y.ndim > 1 else y, sr, 16_000).astype(np.float32)
        ref = " ".join(
            " ".join(ln.split()[5:]) for ln in (REAL / "sample.stm").read_text().splitlines()
        )
        for name, prompt in PROMPTS.items():
            heard = _transcribe(model, y, prompt)
            errors = _word_errors(ref, heard)
            real_words[name] = (
                f"{len(_words(heard))} words, {100 * errors / len(_words(ref)):.0f}% WER"
            )
    print(
        f"{len(LABELLED)} sentences ({sum(1 for _, n in LABELLED if n)} with fillers), "
        f"{labelled} fillers placed, {words} other words; {args.renders} Piper renders"
    )
    print(
        "\n| transcription | filler recall (worst render) | false fillers | other words wrong "
        "| real telephone sample |"
    )
    print("|---|---|---|---|---|")
    for name, runs in results.items():
        recall = [100 * f / labelled for f, _, _, _ in runs]
        wrong = [100 * e / words for _, _, e, _ in runs]
        print(
            f"| {name} | {min(recall):.0f}% ({', '.join(f'{r:.0f}' for r in recall)}) | "
            f"{max(x for _, x, _, _ in runs)} | {max(wrong):.1f}% | {real_words.get(name, '-')} |"
        )
    for name, ex in examples.items():
        print(f"\n{name}, sentences counted wrong (first {len(ex)}):")
        for text, heard in ex:
            print(f"  said:  {text}\n  heard: {heard}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
