"""``/docs``: the API's reference, readable and callable in a browser without the internet.

Swagger UI comes from the ``swagger-ui-py`` package (its bundled static files, served from
here), the page loading it is our own with no inline script, so the page keeps a strict
Content-Security-Policy (scripts from this site only). The OpenAPI document it reads is
``/api/openapi.json``: :func:`openapi` adds the security schemes (HTTP Basic; a signed-in
browser's session cookie with its CSRF header) and says which operations need which.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, routing
from fastapi.openapi.utils import _get_api_route_for_openapi, get_openapi
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

__all__ = ["DOCS_CSP", "SECURITY", "install", "openapi"]

DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
           "favicon-32x32.png")

#: how a caller authenticates: HTTP Basic, or a signed-in browser's session cookie (whose
#: writes also send the session's CSRF token)
SECURITY: dict[str, dict[str, Any]] = {
    "basic": {"type": "http", "scheme": "basic",
              "description": "A directory login and its password (for scripts)."},
    "session": {"type": "apiKey", "in": "cookie", "name": "award_session",
                "description": "The session cookie of a browser signed in at /login."},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
             "description": "With the session cookie, on writes: csrf_token from GET /api/me."},
}
Requirement = list[dict[str, list[str]]]
_SIGNED_IN: Requirement = [{"basic": []}, {"session": [], "csrf": []}]  # writes: the token too
_SIGNED_IN_READ: Requirement = [{"basic": []}, {"session": []}]
_ANYONE: Requirement = []


def _static() -> Path:
    from swagger_ui.utils import SWAGGER_UI_PY_ROOT  # type: ignore[import-untyped]

    return Path(SWAGGER_UI_PY_ROOT) / "static"


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-url="/api/openapi.json"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def install(app: FastAPI, *, needs_person: Callable[[APIRoute], bool | None]) -> None:
    """Serve ``/docs`` and its assets, and make ``app.openapi`` declare how to sign in:
    ``needs_person(route)`` is True (signed in), None (anyone; signed in does more) or
    False (anyone) for each API route."""
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE.format(title=app.title),
                            headers={"Content-Security-Policy": DOCS_CSP})

    @router.get("/docs/assets/{name}")
    def asset(name: str) -> FileResponse:
        if name not in _ASSETS:
            raise HTTPException(404)
        return FileResponse(_static() / name, headers={"Cache-Control": "max-age=86400"})

    app.include_router(router)
    app.openapi = lambda: openapi(app, needs_person)  # type: ignore[method-assign]


def _api_routes(app: FastAPI) -> list[Any]:
    """The routes the OpenAPI document lists, with their prefixes applied (included routers
    are resolved lazily since FastAPI 0.16x: walk them as ``get_openapi`` does)."""
    out: list[Any] = []
    for context in routing.iter_route_contexts(app.routes):
        route = _get_api_route_for_openapi(context)
        if route is not None and route.include_in_schema:
            out.append(route)
    return out


def openapi(app: FastAPI, needs_person: Callable[[APIRoute], bool | None]) -> dict[str, Any]:
    """The OpenAPI document with its security schemes and each operation's requirement."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    schema.setdefault("components", {})["securitySchemes"] = SECURITY
    for route in _api_routes(app):
        need = needs_person(route)
        for method in route.methods or ():
            signed = _SIGNED_IN_READ if method in ("GET", "HEAD") else _SIGNED_IN
            security = signed if need else [{}, *signed] if need is None else _ANYONE
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                operation["security"] = security
                if need:
                    operation.setdefault("responses", {})["401"] = {
                        "description": "Not signed in (WWW-Authenticate: Basic)"}
    app.openapi_schema = schema
    return schema
