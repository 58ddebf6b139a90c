"""The worker's tests reuse the store tests' real PostgreSQL server."""

from tests.voice_sim.store.conftest import fresh_pg, postgres_url  # noqa: F401
