"""The browser side of the call socket in headless chromium, on the transport app alone: the
AudioWorklet path when the AudioContext cannot run at 16 kHz (Firefox), and the mute button.

With ``?resample=1`` the page opens its AudioContext at the device rate (48 kHz here), so the
worklets resample 48 -> 16 kHz on the way up and 16 -> 48 kHz on the way down. Oracles: the
fake microphone's WAV (its envelope must be on channel 0 of the recording), exact zeros on
channel 0 while muted (a muted frame is sent as silence), and the customer's audio reaching the
page's speaker (the page's own level meter).
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.support.browser import chromium, page_errors
from tests.support.server import serve_app

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SR = 16_000


@pytest.fixture(scope="module")
def transport_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from voice_sim.transport.standalone import TransportApp

    token = secrets.token_urlsafe(8)
    app = TransportApp(data_dir=tmp_path_factory.mktemp("calls"), token=token, capacity=1)
    with serve_app(app) as base:
        yield base, token


def _env(y: np.ndarray) -> np.ndarray:
    hop = SR // 50
    n = y.shape[0] // hop
    x = y[: n * hop].astype(np.float64).reshape(n, hop) / 32768.0
    return np.maximum(20 * np.log10(np.sqrt(np.mean(x**2, axis=1)) + 1e-9), -70.0)


def test_resampling_worklets_and_mute(transport_site: tuple[str, str], tmp_path: Path) -> None:
    from voice_sim.simulate import DEFAULT_BOT_VOICE, synthesize_line

    base, token = transport_site
    line = synthesize_line(
        "Hello, I'm so sorry about the double charge. Which card was it?",
        DEFAULT_BOT_VOICE,
        sample_rate=SR,
    )
    # speech all the way through, so muted and unmuted stretches both hold voice
    wav = np.concatenate([line, line, line, line, np.zeros(2 * SR, np.int16)])
    mic = tmp_path / "mic.wav"
    sf.write(mic, wav, SR, subtype="PCM_16")
    with chromium(microphone=mic) as browser:
        ctx = browser.new_context()
        ctx.add_cookies([{"name": "vs_token", "value": token, "url": base}])
        page = ctx.new_page()
        errors = page_errors(page, console=None)
        page.goto(base + "/page?resample=1")
        call = page.evaluate(
            "async () => (await fetch('/calls', {method: 'POST', body: "
            "JSON.stringify({persona: 'angry-billing'})})).json()"
        )
        page.evaluate(f"startCall({json.dumps(call['id'])}, 'websocket', true)")
        t0 = time.monotonic()
        while not any(m.get("type") == "call_start" for m in page.evaluate("window.vsLog")):
            assert time.monotonic() - t0 < 60
            time.sleep(0.2)
        time.sleep(4.0)
        page.evaluate("window.vsCall.setMuted(true)")
        time.sleep(3.0)
        page.evaluate("window.vsCall.setMuted(false)")
        time.sleep(5.0)
        page.evaluate("window.vsCall.hangup()")
        t0 = time.monotonic()
        while not any(m.get("type") == "done" for m in page.evaluate("window.vsLog")):
            assert time.monotonic() - t0 < 60
            time.sleep(0.2)
        meter = page.evaluate(
            "(async () => { await window.vsCall.stop(); return window.vsCall.meterData(); })()"
        )
    assert not errors, errors
    assert meter["sampleRate"] != SR  # the resampling path ran
    with urllib.request.urlopen(
        urllib.request.Request(
            f"{base}/calls/{call['id']}", headers={"Cookie": f"vs_token={token}"}
        )
    ) as r:
        folder = Path(json.load(r)["results"][0]["folder"])
    rec, sr = sf.read(str(folder / "recording.wav"), dtype="int16")
    assert sr == SR
    ch0 = rec[:, 0]
    # a muted stretch of about 3 s: exact zeros, in the middle of the call
    zero = (ch0.reshape(-1, 320) == 0).all(axis=1)
    runs, run = [], 0
    for z in zero:
        run = run + 1 if z else 0
        runs.append(run)
    assert 2.5 * 50 <= max(runs) <= 3.6 * 50
    # outside the mute, channel 0 is the microphone's speech, resampled there and back
    a, b = _env(wav), _env(ch0)
    best = max(float(np.corrcoef(a[lag : lag + 150], b[:150])[0, 1]) for lag in range(0, 400))
    assert best > 0.8
    # the customer's voice reached the page's speaker through the upsampling worklet
    assert max(meter["speaker"]["levels"]) > -30
