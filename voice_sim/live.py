"""Live calls: the microphone and speaker through sounddevice (PortAudio).

One duplex stream drives the call's clock: each 20 ms callback hands the microphone's frame to
the line and plays the customer's frame the line returns, so what is recorded on channel 1 is
exactly what the speaker played, barge-in cut-offs included. Use headphones: there is no echo
cancellation, and the customer's voice from a loudspeaker would reach the microphone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from personas.call_log import Error

from .errors import VoiceSimError
from .session import CallResult, CallSession, CallSpec

#: Ask PortAudio for low latency: the barge-in bound is this plus one 20 ms frame.
STREAM_LATENCY = "low"


def _sounddevice() -> Any:
    try:
        import sounddevice as sd
    except OSError as exc:  # the Python package is there, the PortAudio library is not
        raise VoiceSimError(
            f"no audio devices: PortAudio is missing ({exc}); install libportaudio2 "
            "(apt-get install libportaudio2), or run without a microphone: voice-sim simulate"
        ) from None
    except ImportError:
        raise VoiceSimError(
            "no audio devices: the sounddevice package is missing (pip install 'voice-sim[mic]'); "
            "or run without a microphone: voice-sim simulate"
        ) from None
    return sd


def check_devices(input_device: str | int | None, output_device: str | int | None) -> None:
    """Raise a one-line :class:`VoiceSimError` when there is no usable microphone or speaker."""
    sd = _sounddevice()
    try:
        sd.check_input_settings(device=input_device, channels=1, samplerate=16_000, dtype="int16")
        sd.check_output_settings(device=output_device, channels=1, samplerate=16_000, dtype="int16")
    except Exception as exc:  # PortAudioError, ValueError: no such device
        raise VoiceSimError(
            f"no microphone or speaker available ({exc}); "
            "to practise without one, run: voice-sim simulate"
        ) from None


async def live_call(
    spec: CallSpec,
    *,
    input_device: str | int | None = None,
    output_device: str | int | None = None,
    on_ready: Callable[[CallSession], None] | None = None,
) -> CallResult:
    """Run one live call from the microphone to the speaker until hang-up or Ctrl-C."""
    sd = _sounddevice()
    check_devices(input_device, output_device)
    call = CallSession(spec)
    await call.start()
    line = call.line
    status_errors: list[str] = []

    def callback(
        indata: np.ndarray, outdata: np.ndarray, frames: int, _t: Any, status: Any
    ) -> None:
        if status and (status.input_overflow or status.output_underflow):
            status_errors.append(str(status))
        outdata[:, 0] = line.tick(indata[:, 0])

    try:
        stream = sd.Stream(
            samplerate=line.sample_rate,
            blocksize=line.frame_samples,
            channels=1,
            dtype="int16",
            device=(input_device, output_device),
            latency=STREAM_LATENCY,
            callback=callback,
        )
    except Exception as exc:
        await call.close()
        raise VoiceSimError(
            f"cannot open the microphone/speaker ({exc}); to practise without one, run: "
            "voice-sim simulate"
        ) from None
    try:
        with stream, call.ctrl_c_ends_call():
            if on_ready is not None:
                on_ready(call)
            await call.wait()
    finally:
        if status_errors:
            call.events.emit(
                Error(
                    call.line.now_s(),
                    message=f"audio device: {status_errors[0]} ({len(status_errors)} times)",
                    source="audio",
                )
            )
        await call.close()
    return call.result()
