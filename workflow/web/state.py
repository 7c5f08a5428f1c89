"""What the app keeps between requests, on ``app.state.web``: built once by
:func:`workflow.web.app.create_app`, read by the dependencies in :mod:`workflow.web.deps`
and the helpers below them (sign-in, pages) through :func:`web`.

Holds no request's data and no database connection: the service borrows one per unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment
from starlette.requests import Request

from workflow.service import Service
from workflow.web.cache import PageCache
from workflow.web.security import BasicCache, RateLimit

__all__ = ["Web", "web"]


@dataclass
class Web:
    service: Service
    templates: Environment
    objections: RateLimit
    logins: RateLimit
    basic: BasicCache
    static: Path
    pages: PageCache
    secure_cookies: bool = False


def web(request: Request) -> Web:
    state: Web = request.app.state.web
    return state
