"""Shared helpers: the real OpenAI-compatible chat server on 127.0.0.1 and a call driver."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from personas import Customer, IntensityChange, TraineeTurn
from tests.support.openai_server import ChatServer


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    """A real OpenAI-compatible chat server on 127.0.0.1 (tests/support/openai_server.py)."""
    s = ChatServer().start()
    try:
        yield s
    finally:
        s.stop()


def say(customer: Customer, text: str, **how: Any) -> tuple[list[IntensityChange], str]:
    """One trainee turn and the customer's answer (the whole line)."""
    changes = customer.hear(TraineeTurn(text, **how))

    async def collect() -> str:
        return "".join([c async for c in customer.reply()])

    return changes, asyncio.run(collect())


def reply_text(customer: Customer, on_error: Callable[[str], None] | None = None) -> str:
    async def collect() -> str:
        return "".join([c async for c in customer.reply(on_error=on_error)])

    return asyncio.run(collect())
