"""The next page of a list, as a link (RFC 8288): ``Link: </api/items?before=42&…>;
rel="next"``, the request's own query with ``before`` set to the last id given."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request, Response

__all__ = ["next_page"]


def next_page(request: Request, response: Response, last_id: str) -> None:
    query = {k: v for k, v in request.query_params.items() if k != "before"}
    query["before"] = last_id
    response.headers["Link"] = f'<{request.url.path}?{urlencode(query)}>; rel="next"'
