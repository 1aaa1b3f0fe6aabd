"""Evidence from the log: inclusion proofs for the entries behind an answer.

An inclusion proof is against the latest signed checkpoint when it covers the entry (fetch it
at ``GET /api/v1/log/checkpoints/{tree_size}``), else against the current tree head. It proves
the entry is fixed in the append-only log at that position; the entry itself is shown only to
those allowed to read it (its signer, the parties it names, operators, regulators, auditors),
so a lender asking about an invoice learns that it is encumbered, by which lien and since when —
nothing of the other lender's deal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from puhui.documents import liens
from puhui.kernel import checkpoints, log, signing


def inclusion(conn: Connection, seq: int) -> dict[str, Any]:
    size = checkpoints.latest_size(conn)
    signed = size is not None and size > seq
    tree_size = size if size is not None and signed else log.tree_head(conn).size
    proof = log.inclusion_proof(conn, seq, tree_size)
    leaf = log.leaf_hashes(conn, seq, seq + 1)[0]
    return {
        "seq": seq,
        "leaf_hash": leaf.hex(),
        "tree_size": tree_size,
        "checkpoint_signed": signed,
        "inclusion_proof": [signing.b64encode(h) for h in proof],
    }


def encumbrance_answer(conn: Connection, fingerprint: str) -> dict[str, Any]:
    """Is ``fingerprint`` encumbered? Yes with the lien's entry proven, or no — with the release
    entry proven if a lien existed before."""
    live = liens.encumbrance(conn, fingerprint)
    if live is not None:
        return {
            "fingerprint": fingerprint,
            "encumbered": True,
            "lien_id": live.lien_id,
            "registered_on": live.registered_on.isoformat(),
            "evidence": inclusion(conn, live.registered_seq),
        }
    last = liens.last_lien(conn, fingerprint)
    if last is None or last.released_seq is None or last.released_on is None:
        return {
            "fingerprint": fingerprint,
            "encumbered": False,
            "evidence": None,
            "note": f"no lien on this fingerprint in the log of size {log.tree_head(conn).size}",
        }
    return {
        "fingerprint": fingerprint,
        "encumbered": False,
        "lien_id": last.lien_id,
        "released_on": last.released_on.isoformat(),
        "evidence": inclusion(conn, last.released_seq),
    }
