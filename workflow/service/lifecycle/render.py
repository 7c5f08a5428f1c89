"""Documents rendered for an item: on entry into a state with ``render:``, after a round
closes (its minutes), or on request.

Every stored document keeps its sha256, and the hash goes into an audit entry (``rendered``)
in the same transaction. Templates see plain data only (:func:`~workflow.service.present.
item_context`); the audit head they embed is the chain's head *before* the ``rendered`` entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflow.documents import sha256_text
from workflow.flow import FlowSpec
from workflow.service.base import Deps
from workflow.service.present import item_context
from workflow.service.printing import print_issued
from workflow.store import NominationRow, Tx

__all__ = ["render_item", "store_rendered"]


def render_item(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, template: str,
                extra: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """Render ``template`` for ``item``; returns ``(text, sha256)``. Stores nothing."""
    seq, digest = tx.audit.head()
    context = item_context(deps, tx, item, flow)
    context["audit"] = {"seq": seq, "hash": digest}
    context.update(extra or {})
    text = deps.renderer.render(template, context)
    return text, sha256_text(text)


def store_rendered(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec,
                   templates: Sequence[str], state: str,
                   extra: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """Render, keep the documents and audit their hashes (one ``rendered`` entry); their
    PDFs follow once the unit of work commits."""
    now = deps.now()
    hashes = []
    anchor = tx.audit.head()  # what render_item embeds
    for template in templates:
        text, digest = render_item(deps, tx, item, flow, template, extra)
        doc_id = tx.documents.add_rendered(item.id, template, digest, text, now, anchor)
        hashes.append({"id": str(doc_id), "template": template, "sha256": digest})
        print_issued(tx, "document", doc_id, text)
    tx.audit.append(now, "system", "rendered", item.id, state, state, {"documents": hashes})
    return hashes
