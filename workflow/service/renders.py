"""Documents rendered for an item: on entry into a state with ``render:``, or on request.

Every rendered document is stored with its sha256, and the hash goes into an audit entry
(``rendered``) in the same transaction. Templates see plain data only (see :func:`context`);
the audit head they embed is the chain's head *before* the ``rendered`` entry.
"""

from __future__ import annotations

from typing import Any

from workflow.documents import sha256_text
from workflow.flow import FlowSpec, StateSpec
from workflow.service.context import Deps
from workflow.service.views import item_context
from workflow.store import NominationRow, Tx

__all__ = ["on_enter", "render_item", "store_rendered"]


def render_item(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, template: str,
                extra: dict[str, Any] | None = None) -> tuple[str, str]:
    """Render ``template`` for ``item``; returns ``(text, sha256)``. Stores nothing."""
    seq, digest = tx.audit.head()
    context = item_context(deps, tx, item, flow)
    context["audit"] = {"seq": seq, "hash": digest}
    context.update(extra or {})
    text = deps.renderer.render(template, context)
    return text, sha256_text(text)


def store_rendered(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec,
                   templates: tuple[str, ...] | list[str], state: str,
                   extra: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Render, keep the documents and audit their hashes (one ``rendered`` entry)."""
    now = deps.now()
    hashes = []
    for template in templates:
        text, digest = render_item(deps, tx, item, flow, template, extra)
        doc_id = tx.add_rendered(item.id, template, digest, text, now)
        hashes.append({"id": str(doc_id), "template": template, "sha256": digest})
    tx.audit.append(now, "system", "rendered", item.id, state, state, {"documents": hashes})
    return hashes


def on_enter(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec) -> None:
    store_rendered(deps, tx, item, flow, state.render, state.name)
