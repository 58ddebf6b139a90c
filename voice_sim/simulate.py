"""Simulated calls: the same session and engines, with the trainee's audio from files.

* A WAV is streamed as the trainee's microphone at real time.
* A trainee script (YAML) makes a bot that speaks its lines with Piper, in a voice of its own,
  after each customer turn with a per-line latency, or cutting in on the customer on purpose::

      name: Good practice
      voice: {pitch_shift_st: -3.0, length_scale: 1.0}
      lines:
        - say: I'm sorry you were charged twice. Can I have the email on the account?
          latency_s: 0.6            # silence after the customer stops, seconds (default 0.6)
        - say: Sorry to cut in, which card was charged?
          interrupt_after_s: 1.2    # start this long into the customer's next line instead
      goodbye: Thanks for your patience, goodbye.   # said when the lines run out (the default)
      case_note: Refund of the duplicate charge...  # written as case_note.md after the call
      nod_every_s: 5.0              # a verbal nod this often while the customer talks at length
      nods: [Mm-hmm., I see., Right.]               # the nods, in turn (the default has five)

When the lines run out the bot waits for the customer to finish, says its ``goodbye`` (unless it
is empty), lets the customer answer, and hangs up: the call never ends mid-air.

This is what the tests, ``make demo``, the benchmarks and teams' scripted stress tests run on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from personas.schema import VOICE_BOUNDS

from .errors import VoiceSimError
from .session import CallResult, CallSession, CallSpec, tick_forever
from .tts_piper import PIPER_RATE_HZ, VoiceCharacter, iter_sentences

#: Silence the bot leaves after the customer's line when a script line gives no latency, seconds
#: (a prompt human answer on the phone).
DEFAULT_LINE_LATENCY_S = 0.6
#: The bot's default voice: a lower pitch and steadier delivery than any customer, so the two
#: channels never sound alike.
DEFAULT_BOT_VOICE = VoiceCharacter(
    length_scale=1.0, pitch_shift_st=-3.0, noise_scale=0.5, noise_w=0.6, volume=0.9
)
#: How long the bot waits for the customer to answer before it speaks anyway, seconds.
REPLY_TIMEOUT_S = 20.0
#: Said when the script's lines run out, so the call ends the way a real one does.
DEFAULT_GOODBYE = "Thank you for your patience. Have a good day, goodbye."
#: Range of ``latency_s``, seconds (0: answer at once; a minute of silence is a test of its own).
LATENCY_RANGE_S = (0.0, 60.0)
#: Range of ``interrupt_after_s``, seconds into the customer's line.
INTERRUPT_RANGE_S = (0.0, 30.0)
#: Silence kept after the script (or the WAV) ends so the customer's last reply is recorded.
TAIL_S = 1.0
#: The bot's verbal nods, said in turn while the customer talks at length (single words: the
#: call hears anything longer than voice_sim.settings.BARGE_IN_S over the customer as a barge-in).
DEFAULT_NODS = ("Mm-hmm.", "I see.", "Right.", "Okay.", "Go on.")
#: Range of ``nod_every_s``, seconds (a nod every second is not listening; every half minute is
#: hardly any).
NOD_EVERY_RANGE_S = (2.0, 30.0)
#: Most words in one nod.
NOD_MAX_WORDS = 3
#: The bot does not nod when less than this is left of the customer's line, seconds: a nod that
#: outlasts the line is a turn of its own ("Mm-hmm." as an answer).
NOD_TAIL_S = 1.5
#: Every library persona ships two trainee bots written for its own scenario:
#: ``scripts/<persona>.good.yaml`` (good practice) and ``scripts/<persona>.mistakes.yaml``.
SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
BOT_KINDS = ("good", "mistakes")


def persona_script(persona: str | Path | None, kind: str = "good") -> Path:
    """The built-in trainee bot written for ``persona`` (id or YAML path; None: the default).

    Raises
    ------
    VoiceSimError
        ``kind`` is not ``good`` or ``mistakes``, or the persona has no built-in bot (a persona
        of your own: write a script and pass it with ``--trainee``).
    """
    if kind not in BOT_KINDS:
        raise VoiceSimError(f"trainee bot: expected one of {', '.join(BOT_KINDS)}, got {kind!r}")
    from personas import DEFAULT_PERSONA

    pid = Path(persona).stem if persona is not None else DEFAULT_PERSONA
    path = SCRIPTS_DIR / f"{pid}.{kind}.yaml"
    if not path.is_file():
        raise VoiceSimError(
            f"{persona}: no built-in trainee bot for this persona; write a trainee script "
            "(voice-sim simulate --help) and pass it with --script FILE"
        )
    return path


def trainee_input(given: Path | None, persona: str | Path | None) -> Path:
    """What plays the trainee: ``given`` (a script or recording), ``good``/``mistakes`` for the
    persona's own bots, or by default the persona's good-practice bot."""
    if given is None:
        return persona_script(persona, "good")
    if str(given) in BOT_KINDS and not given.exists():
        return persona_script(persona, str(given))
    return given


@dataclass(frozen=True)
class ScriptLine:
    """One line the trainee bot says."""

    say: str
    """The words."""
    latency_s: float = DEFAULT_LINE_LATENCY_S
    """Silence after the customer's line before speaking, seconds."""
    interrupt_after_s: float | None = None
    """Cut in this long after the customer starts their next line, seconds (None = wait)."""


@dataclass(frozen=True)
class TraineeScript:
    """A scripted trainee: name, voice and lines."""

    name: str
    lines: tuple[ScriptLine, ...]
    voice: VoiceCharacter = DEFAULT_BOT_VOICE
    path: Path | None = None
    goodbye: str = DEFAULT_GOODBYE
    """Said after the last line, before hanging up ("" hangs up without one)."""
    case_note: str = ""
    """The case note the bot writes for the next agent after the call ("" writes none)."""
    nod_every_s: float | None = None
    """A verbal nod this often into a customer line, seconds (None: the bot never nods)."""
    nods: tuple[str, ...] = DEFAULT_NODS
    """The nods, said in turn."""


#: Voice keys of a trainee script and their ranges: the same as a persona's (Piper settings).
VOICE_RANGES: dict[str, tuple[float, float]] = {
    k: VOICE_BOUNDS[k]
    for k in ("length_scale", "volume", "pitch_shift_st", "noise_scale", "noise_w")
}
_LINE_KEYS = {"say", "latency_s", "interrupt_after_s"}
_SCRIPT_KEYS = ("name", "voice", "lines", "goodbye", "case_note", "nod_every_s", "nods")


def _num(path: Path, where: str, value: Any, *, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise VoiceSimError(f"{path}: {where}: expected a number, got {value!r}")
    if not lo <= float(value) <= hi:
        raise VoiceSimError(f"{path}: {where}: must be between {lo} and {hi}, got {value}")
    return float(value)


def load_script(path: Path) -> TraineeScript:
    """Read and validate a trainee script; errors name the file and the field."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VoiceSimError(f"{path}: trainee script not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        raise VoiceSimError(f"{path}{at}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict):
        raise VoiceSimError(f"{path}: expected a mapping with 'lines'")
    unknown = set(doc) - set(_SCRIPT_KEYS)
    if unknown:
        raise VoiceSimError(
            f"{path}: unknown field {sorted(unknown)[0]!r} (known: {', '.join(_SCRIPT_KEYS)})"
        )
    raw_lines = doc.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise VoiceSimError(f"{path}: lines: expected a non-empty list")
    lines: list[ScriptLine] = []
    for i, item in enumerate(raw_lines):
        where = f"lines[{i}]"
        if isinstance(item, str):
            item = {"say": item}
        if not isinstance(item, dict):
            raise VoiceSimError(f"{path}: {where}: expected a mapping or a string")
        bad = set(item) - _LINE_KEYS
        if bad:
            raise VoiceSimError(f"{path}: {where}: unknown field {sorted(bad)[0]!r}")
        say = item.get("say")
        if not isinstance(say, str) or not say.strip():
            raise VoiceSimError(f"{path}: {where}.say: expected the words to say")
        latency = _num(
            path,
            f"{where}.latency_s",
            item.get("latency_s", DEFAULT_LINE_LATENCY_S),
            lo=LATENCY_RANGE_S[0],
            hi=LATENCY_RANGE_S[1],
        )
        cut = item.get("interrupt_after_s")
        cut_s = (
            None
            if cut is None
            else _num(
                path,
                f"{where}.interrupt_after_s",
                cut,
                lo=INTERRUPT_RANGE_S[0],
                hi=INTERRUPT_RANGE_S[1],
            )
        )
        lines.append(ScriptLine(say.strip(), latency, cut_s))
    voice = DEFAULT_BOT_VOICE
    if "voice" in doc:
        v = doc["voice"]
        if not isinstance(v, dict):
            raise VoiceSimError(f"{path}: voice: expected a mapping")
        bad = set(v) - set(VOICE_RANGES)
        if bad:
            raise VoiceSimError(
                f"{path}: voice: unknown field {sorted(bad)[0]!r} "
                f"(known: {', '.join(VOICE_RANGES)})"
            )
        vals = {
            k: _num(path, f"voice.{k}", x, lo=VOICE_RANGES[k][0], hi=VOICE_RANGES[k][1])
            for k, x in v.items()
        }
        voice = VoiceCharacter(**{**DEFAULT_BOT_VOICE.__dict__, **vals})
    goodbye = doc.get("goodbye", DEFAULT_GOODBYE)
    if goodbye is None or goodbye is False:
        goodbye = ""
    if not isinstance(goodbye, str):
        raise VoiceSimError(f'{path}: goodbye: expected the words to say (or "" for none)')
    note = doc.get("case_note") or ""
    if not isinstance(note, str):
        raise VoiceSimError(f"{path}: case_note: expected the text of the note")
    name = str(doc.get("name") or path.stem)
    nod_every_s, nods = _load_nods(path, doc)
    return TraineeScript(
        name=name,
        lines=tuple(lines),
        voice=voice,
        path=path,
        goodbye=goodbye.strip(),
        case_note=note.strip(),
        nod_every_s=nod_every_s,
        nods=nods,
    )


def _load_nods(path: Path, doc: dict[str, Any]) -> tuple[float | None, tuple[str, ...]]:
    """``nod_every_s`` and ``nods`` of a script, checked."""
    every = doc.get("nod_every_s")
    every_s = (
        None
        if every is None
        else _num(path, "nod_every_s", every, lo=NOD_EVERY_RANGE_S[0], hi=NOD_EVERY_RANGE_S[1])
    )
    raw = doc.get("nods", list(DEFAULT_NODS))
    if not isinstance(raw, list) or not raw:
        raise VoiceSimError(f"{path}: nods: expected a non-empty list of short nods")
    for i, nod in enumerate(raw):
        if not isinstance(nod, str) or not nod.strip():
            raise VoiceSimError(f"{path}: nods[{i}]: expected the words of a nod")
        if len(nod.split()) > NOD_MAX_WORDS:
            raise VoiceSimError(
                f"{path}: nods[{i}]: at most {NOD_MAX_WORDS} words, got {nod!r} "
                "(longer is talking over the customer)"
            )
    return every_s, tuple(n.strip() for n in raw)


def _to_line_rate(y: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    import soxr

    if sr_in != sr_out:
        y = soxr.resample(y.astype(np.float32), sr_in, sr_out)
    # the inverse of soundfile's int16 -> float (x / 32768), so a 16 kHz WAV passes unchanged
    return np.clip(np.round(y * 32768.0), -32768, 32767).astype(np.int16)


def synthesize_line(text: str, voice: VoiceCharacter, *, sample_rate: int) -> np.ndarray:
    """The bot's line as int16 audio at the line rate, sentences back to back.

    Piper pads each sentence with about 0.25 s of silence, a natural pause between sentences
    and still under the VAD's end-of-speech silence, so one line stays one turn.
    """
    parts = list(iter_sentences(text, voice))
    y = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return _to_line_rate(y, PIPER_RATE_HZ, sample_rate)


def _trim_silence(y: np.ndarray, *, level: int = 300) -> np.ndarray:
    """``y`` without the silence Piper pads around it (a nod is just its voice)."""
    loud = np.flatnonzero(np.abs(y) > level)
    return y[loud[0] : loud[-1] + 1] if loud.size else y


class MicFeed:
    """The simulated microphone: queued audio, silence when there is none."""

    def __init__(self) -> None:
        self._chunks: deque[np.ndarray] = deque()
        self.busy = False

    def play(self, y: np.ndarray) -> None:
        self._chunks.append(y)

    @property
    def pending(self) -> bool:
        return bool(self._chunks)

    def __call__(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        while filled < n and self._chunks:
            c = self._chunks[0]
            take = min(n - filled, c.shape[0])
            out[filled : filled + take] = c[:take]
            filled += take
            if take == c.shape[0]:
                self._chunks.popleft()
            else:
                self._chunks[0] = c[take:]
        return out


@dataclass
class Ears:
    """What a bot hears of the call, with an event set at every change to wait on."""

    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def until(self, cond: Callable[..., bool], timeout_s: float) -> bool:
        """Wait until ``cond()`` holds (True) or ``timeout_s`` seconds pass (False), looking
        again at every change and at least every 0.1 s. ``cond`` is called with no arguments
        (``...``: a lambda may bind loop variables as defaults)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not cond():
            left = deadline - loop.time()
            if left <= 0:
                return False
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=min(left, 0.1))
        return True


@dataclass
class _Ears(Ears):
    """What the bot hears of the customer: line ends counted, starts counted and timed."""

    ended: int = 0
    started: int = 0
    started_at: float = 0.0
    """Event-loop time the customer's latest line started, seconds."""

    def on_line(self, kind: str, t_s: float, info: dict[str, float | bool]) -> None:
        if kind == "customer_end":
            self.ended += 1
        elif kind == "customer_start":
            self.started += 1
            self.started_at = asyncio.get_running_loop().time()
        self.changed.set()


async def _cut_in(call: CallSession, ears: _Ears, after_s: float) -> None:
    """Wait until ``after_s`` into the customer's next line (or the one they are saying now)."""
    starts = ears.started

    def customer_started(s: int = starts) -> bool:
        return ears.started > s or call.line.customer_speaking

    await ears.until(customer_started, REPLY_TIMEOUT_S)
    said_s = asyncio.get_running_loop().time() - ears.started_at if ears.started else 0.0
    await asyncio.sleep(max(0.0, after_s - said_s))


async def _answer(call: CallSession, ears: _Ears, heard: int, latency_s: float) -> None:
    """Wait for the customer to finish a line after the ``heard``-th, then ``latency_s``."""
    await ears.until(
        lambda: ears.ended > heard and not call.line.customer_speaking, REPLY_TIMEOUT_S
    )
    await asyncio.sleep(latency_s)


async def _nod(
    call: CallSession, every_s: float, clips: list[np.ndarray], mic: MicFeed, ears: _Ears
) -> None:
    """Nod every ``every_s`` into each customer line while the bot is not talking, never in a
    line's last :data:`NOD_TAIL_S`."""
    loop = asyncio.get_running_loop()
    said = 0
    line, last = -1, 0.0
    while True:
        await asyncio.sleep(0.05)
        left = call.line.on_air_left_s()
        if not call.line.customer_speaking or left is None:
            continue
        if ears.started != line:  # a new line: count from its start
            line, last = ears.started, ears.started_at
        queued_s, finished = left
        if loop.time() - last < every_s or mic.pending or (finished and queued_s < NOD_TAIL_S):
            continue
        clip = clips[said % len(clips)]
        mic.play(clip)
        said += 1
        last = loop.time() + clip.shape[0] / call.line.sample_rate


async def _run_bot(
    call: CallSession,
    script: TraineeScript,
    audio: list[np.ndarray],
    goodbye: np.ndarray | None,
    mic: MicFeed,
    ears: _Ears,
) -> None:
    """Say each line when the script says to; then goodbye, the customer's answer, hang up."""
    sr = call.line.sample_rate
    heard = 0  # customer lines finished when the bot last spoke
    for line, y in zip(script.lines, audio, strict=True):
        if line.interrupt_after_s is not None:
            await _cut_in(call, ears, line.interrupt_after_s)
        else:
            await _answer(call, ears, heard, line.latency_s)
        mic.play(y)
        await asyncio.sleep(y.shape[0] / sr)
        heard = ears.ended
        if call.customer.ended:
            return
    if goodbye is not None:
        await _answer(call, ears, heard, DEFAULT_LINE_LATENCY_S)
        if call.customer.ended:  # that answer was the customer's last word: nobody to thank
            return
        mic.play(goodbye)
        await asyncio.sleep(goodbye.shape[0] / sr)
        heard = ears.ended
    # the customer's answer (to the last line, or to the goodbye), then hang up
    await ears.until(
        lambda: ears.ended > heard and not call.line.customer_speaking, REPLY_TIMEOUT_S
    )
    await asyncio.sleep(TAIL_S)
    call.request_end("script_done")


def load_trainee_wav(path: Path, *, sample_rate: int) -> np.ndarray:
    """A trainee recording as mono int16 at the line rate."""
    import soundfile as sf

    if not Path(path).is_file():
        raise VoiceSimError(f"{path}: trainee audio not found")
    try:
        y, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError):  # libsndfile's own words help nobody
        raise VoiceSimError(
            f"{path}: not audio voice-sim can stream as the trainee "
            "(it reads WAV, FLAC, OGG/Opus and MP3, or a .yaml trainee script)"
        ) from None
    if y.shape[0] == 0:
        raise VoiceSimError(f"{path}: the audio is empty")
    return _to_line_rate(y.mean(axis=1), sr, sample_rate)


async def _run_wav(call: CallSession, mic: MicFeed, ears: _Ears) -> None:
    while mic.pending:
        await asyncio.sleep(0.05)
    # let the customer answer the last thing said
    await asyncio.sleep(2.0)
    await ears.until(lambda: not call.line.customer_speaking, REPLY_TIMEOUT_S)
    await asyncio.sleep(TAIL_S)
    call.request_end("input_ended")


async def simulate_call(
    spec: CallSpec,
    trainee: Path | TraineeScript,
    *,
    on_start: Callable[[CallSession], None] | None = None,
) -> CallResult:
    """Run one simulated call to the end and return where it was written.

    ``on_start(call)`` runs once the session folder is open and the engines are loaded.
    """
    script: TraineeScript | None = None
    wav: np.ndarray | None = None
    if isinstance(trainee, TraineeScript):
        script = trainee
    elif Path(trainee).suffix.lower() in (".yaml", ".yml"):
        script = load_script(Path(trainee))
    else:
        wav = load_trainee_wav(Path(trainee), sample_rate=spec.settings.sample_rate_hz)
    audio: list[np.ndarray] = []
    nods: list[np.ndarray] = []
    goodbye: np.ndarray | None = None
    if script is not None:
        # Synthesize the bot's lines before the clock starts, so its latencies are exact.
        rate = spec.settings.sample_rate_hz
        audio = [
            await asyncio.to_thread(synthesize_line, ln.say, script.voice, sample_rate=rate)
            for ln in script.lines
        ]
        if script.goodbye:
            goodbye = await asyncio.to_thread(
                synthesize_line, script.goodbye, script.voice, sample_rate=rate
            )
        if script.nod_every_s is not None:
            # a nod is quick whatever the bot's pace: a slow "mm-hmm" outlasts a nod
            quick = replace(script.voice, length_scale=min(1.0, script.voice.length_scale))
            nods = [
                _trim_silence(await asyncio.to_thread(synthesize_line, n, quick, sample_rate=rate))
                for n in script.nods
            ]
    call = CallSession(spec)
    await call.start()
    if on_start is not None:
        on_start(call)
    mic = MicFeed()
    if wav is not None:
        mic.play(wav)  # before the first tick: the recording starts with the WAV's first sample
    ears = _Ears()
    call.line.subscribe(ears.on_line)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    ticker = loop.create_task(tick_forever(call.line, mic, stop=stop))
    driver = loop.create_task(
        _run_bot(call, script, audio, goodbye, mic, ears)
        if script is not None
        else _run_wav(call, mic, ears)
    )
    nodder = (
        loop.create_task(_nod(call, script.nod_every_s, nods, mic, ears))
        if script is not None and script.nod_every_s is not None
        else None
    )
    try:
        with call.ctrl_c_ends_call():
            await call.wait()
    finally:
        driver.cancel()
        if nodder is not None:
            nodder.cancel()
        stop.set()
        await asyncio.gather(ticker, driver, *([nodder] if nodder else []), return_exceptions=True)
        await call.close()
    if script is not None and script.case_note:
        from scoring import write_case_note

        write_case_note(spec.out_dir, script.case_note)  # the bot's after-call work
    return call.result()
