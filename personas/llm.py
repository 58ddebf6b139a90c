"""The LLM brain: streaming chat completions from any OpenAI-compatible endpoint.

Output is cut into sentences, each cleaned for TTS before it is yielded; a sentence that breaks
character is replaced by an in-character line. Any failure (connection, timeout, HTTP error,
empty answer) calls ``on_error`` and falls back to the scripted brain's line.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from .brain import ReplyContext
from .prompt import build_messages
from .sanitize import breaks_character, clean_profanity, sanitize_for_tts
from .scripted import ScriptedBrain

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat-completions endpoint."""

    base_url: str
    """Base URL including ``/v1`` (e.g. ``http://127.0.0.1:11434/v1``)."""
    model: str
    """Model name sent with each request."""
    api_key: str = "not-needed"
    """API key; local servers ignore it."""
    timeout_s: float = 8.0
    """Whole-request timeout, seconds."""
    temperature: float = 0.8
    """Sampling temperature."""
    max_tokens: int = 120
    """Cap on a reply's length, tokens (three short sentences fit well inside)."""


_SENTENCE_END = re.compile(r"([.!?]+[\"')\]]*)(\s+)")
#: Sentences kept from one reply; callers on the phone rarely say more in one breath.
MAX_SENTENCES = 3


def _unbalanced(text: str) -> bool:
    return (
        text.count("*") % 2 == 1
        or text.count("(") > text.count(")")
        or text.count("[") > text.count("]")
    )


class LLMBrain:
    """Brain backed by an OpenAI-compatible endpoint, with the scripted brain as fallback.

    Parameters
    ----------
    config : LLMConfig
        Endpoint and model.
    fallback : ScriptedBrain
        Serves lines when the endpoint fails and cut-in lines always.
    """

    def __init__(self, config: LLMConfig, fallback: ScriptedBrain) -> None:
        import openai

        self.config = config
        self.fallback = fallback
        self.name = f"llm:{config.model}"
        self.last_ttft_s: float | None = None
        self.last_request: list[dict[str, str]] | None = None
        self._client = openai.AsyncOpenAI(
            base_url=config.base_url,
            api_key=config.api_key,
            timeout=config.timeout_s,
            max_retries=0,
        )

    def _finish(self, sentence: str, ctx: ReplyContext) -> str | None:
        s = sanitize_for_tts(sentence)
        if ctx.clean:
            s = clean_profanity(s, ctx.persona.profanity)
        if not s:
            return None
        if breaks_character(s):
            return None
        return s

    async def stream(
        self, ctx: ReplyContext, on_error: Callable[[str], None] | None = None
    ) -> AsyncIterator[str]:
        """Yield the reply sentence by sentence, cleaned for TTS."""
        messages = build_messages(ctx)
        self.last_request = messages
        self.last_ttft_s = None
        t0 = time.monotonic()
        said = 0
        broke = False
        buf = ""
        try:
            stream = await self._client.chat.completions.create(
                model=self.config.model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                stream=True,
                temperature=self.config.temperature,
                max_tokens=self.config.max_tokens,
            )
            async for chunk in stream:
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta.content or ""
                if delta and self.last_ttft_s is None:
                    self.last_ttft_s = time.monotonic() - t0
                buf += delta
                while said < MAX_SENTENCES:
                    m = _SENTENCE_END.search(buf)
                    if not m or _unbalanced(buf[: m.end()]):
                        break
                    sentence, buf = buf[: m.end(1)], buf[m.end() :]
                    if breaks_character(sentence):
                        broke = True
                        break
                    out = self._finish(sentence, ctx)
                    if out:
                        yield (" " if said else "") + out
                        said += 1
                if broke or said >= MAX_SENTENCES:
                    break
            if not broke and said < MAX_SENTENCES and buf.strip():
                if breaks_character(buf):
                    broke = True
                else:
                    out = self._finish(buf, ctx)
                    if out:
                        yield (" " if said else "") + out
                        said += 1
        except Exception as exc:  # any transport or API failure must not end the call
            msg = f"llm: {type(exc).__name__}: {exc}".strip()
            if on_error:
                on_error(msg[:300])
            if said == 0:
                async for piece in self.fallback.stream(ctx):
                    yield piece
            return
        if broke:
            pool = [str(x) for x in self.fallback.bank.get("in_character") or []]
            line = self.fallback._pick(pool) or "Can we please just get back to my problem?"
            yield (" " if said else "") + line
            return
        if said == 0:
            if on_error:
                on_error("llm: empty reply after cleaning; used a scripted line")
            async for piece in self.fallback.stream(ctx):
                yield piece

    def talk_over(self, ctx: ReplyContext) -> str:
        """Cut-in lines come from the scripted bank: they must be instant."""
        return self.fallback.talk_over(ctx)
