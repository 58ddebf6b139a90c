"""The coach and team web app (``voice-sim serve``): an ASGI app over the session store.

Public API: :func:`create_app`, and the security helpers other route families reuse
(:mod:`voice_sim.web.security`: ``actor``, ``login_required``, ``roles_required``,
``request_csrf_token``). How to add a route family: see
:mod:`voice_sim.web.app`.

Importing this package imports Starlette and SQLAlchemy: import it inside command functions.
"""

from .app import VIEW_MODULES, AppState, create_app, render, state

__all__ = ["VIEW_MODULES", "AppState", "create_app", "render", "state"]
