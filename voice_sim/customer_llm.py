"""The customer's brain as a livekit ``llm.LLM``.

livekit's pipeline asks an LLM for every reply; this plugin answers from a
:class:`personas.Customer`, which owns the persona, the escalation director and the brain
(scripted offline, or an OpenAI-compatible endpoint through the ``openai`` SDK). Brain failures
never reach livekit: the customer falls back to a scripted line and reports the error.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from livekit.agents import APIConnectOptions, llm
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from personas import Customer


class CustomerLLM(llm.LLM):
    """Serves the customer's next line as a streamed chat completion.

    Parameters
    ----------
    customer : personas.Customer
        The persona runtime for this call.
    on_error : callable
        ``on_error(message)`` when the brain failed and a fallback line was used.
    before_reply : callable, optional
        Awaited before the first chunk (the persona's thinking pause).
    """

    def __init__(
        self,
        customer: Customer,
        *,
        on_error: Callable[[str], None],
        reply_gap_s: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.customer = customer
        self._on_error = on_error
        self._reply_gap_s = reply_gap_s or (lambda: 0.0)

    @property
    def model(self) -> str:
        return self.customer.brain_name

    @property
    def provider(self) -> str:
        return "voice-sim"

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> CustomerStream:
        return CustomerStream(self, chat_ctx=chat_ctx, tools=tools or [], conn_options=conn_options)


class CustomerStream(llm.LLMStream):
    """One reply of the customer, chunk by chunk."""

    def __init__(
        self,
        owner: CustomerLLM,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool],
        conn_options: APIConnectOptions,
    ) -> None:
        super().__init__(owner, chat_ctx=chat_ctx, tools=tools, conn_options=conn_options)
        self._owner = owner

    async def _run(self) -> None:
        gap = self._owner._reply_gap_s()
        if gap > 0:
            await asyncio.sleep(gap)
        request_id = uuid.uuid4().hex[:12]
        async for text in self._owner.customer.reply(on_error=self._owner._on_error):
            if not text:
                continue
            self._event_ch.send_nowait(
                llm.ChatChunk(id=request_id, delta=llm.ChoiceDelta(role="assistant", content=text))
            )
