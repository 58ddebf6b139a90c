"""Headless Debian chromium driven by Playwright, as every browser test and bench launches it.

Playwright never downloads a browser here: it is pointed at Debian's ``/usr/bin/chromium``
(``scripts/system-deps.sh``). The recipe, with why each flag is there, is in the team notes
(``headless-browser.md``).
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: Flags of every launch: no sandbox (root in a container), no GPU, and none of the background
#: traffic chromium keeps trying to hosts it cannot reach; audio may play without a click.
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
)
#: Fake camera and microphone, granted without a prompt.
FAKE_MEDIA_ARGS = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")

#: Skip a test where Debian's chromium or the playwright package is not installed.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() or importlib.util.find_spec("playwright") is None,
    reason="needs Debian chromium at /usr/bin/chromium and playwright",
)


@contextlib.contextmanager
def chromium(*, fake_media: bool = False, microphone: Path | None = None) -> Iterator[Any]:
    """A headless chromium (Playwright's sync ``Browser``), closed on exit.

    Parameters
    ----------
    fake_media : bool
        Fake media devices, granted without a prompt (the microphone plays a tone).
    microphone : Path, optional
        A WAV the fake microphone plays from its start (implies ``fake_media``).
    """
    from playwright.sync_api import sync_playwright

    args = list(ARGS)
    if fake_media or microphone is not None:
        args += FAKE_MEDIA_ARGS
    if microphone is not None:
        args.append(f"--use-file-for-fake-audio-capture={microphone}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            browser.close()


def console_error(message: Any) -> bool:
    """A console message of type ``error``."""
    return bool(message.type == "error")


def csp_violation(message: Any) -> bool:
    """A console message reporting a Content-Security-Policy violation."""
    return "Content Security Policy" in message.text


def page_errors(page: Any, console: Callable[[Any], bool] | None = console_error) -> list[str]:
    """The list that collects, from now on, ``page``'s uncaught JavaScript errors and the console
    messages ``console`` picks (none when it is None)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if console is not None:
        page.on("console", lambda m: errors.append(m.text) if console(m) else None)
    return errors


def log_in(page: Any, base: str, user: str, password: str) -> None:
    """Log ``page`` in to the web app at ``base`` through its login form."""
    page.goto(base + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
