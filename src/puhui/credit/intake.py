"""Outside the handlers: gather an applicant's features under consent, score them with the
registered model, store the inputs off-log, and check a signed decision against a fresh
recomputation before it reaches the log. Also model registration with its file.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from threading import Lock
from typing import Any

from sqlalchemy import Connection, Engine

from puhui.credit import features, views
from puhui.credit.commands import Decide, RegisterModel
from puhui.credit.errors import (
    ConsentMissing,
    FeatureInvalid,
    InputsMissing,
    ModelInvalid,
    ScoreMismatch,
)
from puhui.credit.features import FEATURE_VERSION, Invoice, Record, Sale, Sources
from puhui.credit.handlers import DECIDING_KINDS, document_grant
from puhui.credit.policy import Outcome, apply
from puhui.credit.scorecard import Scorecard
from puhui.credit.units import Value
from puhui.documents import consent
from puhui.documents import views as documents
from puhui.kernel.canonical import canonical_json
from puhui.kernel.commands import SignedCommand
from puhui.kernel.errors import InvalidCommand
from puhui.kernel.pipeline import parse_payload
from puhui.kernel.service import Receipt
from puhui.kernel.store.engine import begin_write, is_sqlite
from puhui.parties import views as parties

INPUTS_FORMAT = "puhui-credit-inputs/1"
DOCUMENTS_PER_KIND_MAX = 20_000
PRODUCTION_KIND = "iot_batch"
"""The grant kind that shares a farm's production record (its cycles) for credit."""
MODELS_CACHED_MAX = 16
Submit = Callable[[SignedCommand], Receipt]
CHECKED_COMMANDS = {
    "credit.register_model": "/api/v1/credit/models",
    "credit.decide": "/api/v1/credit/decisions",
}
"""Commands the API accepts only on their own route (with the model file; after a re-check)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- models ---------------------------------------------------------------------------------


def register_model(
    engine: Engine, submit: Submit, signed: SignedCommand, content: bytes, now: datetime
) -> Receipt:
    """Check the file against the signed registration, submit it, then keep the bytes."""
    if signed.command.type != "credit.register_model":
        raise InvalidCommand("expected a credit.register_model command")
    p = parse_payload(RegisterModel, signed.command.type, signed.command.payload)
    if sha256_hex(content) != p.sha256 or len(content) != p.size_bytes:
        raise ModelInvalid("the file's SHA-256 or size is not the one in the signed registration")
    if p.kind == "scorecard":
        card = Scorecard.from_bytes(content)
        if card.feature_version != p.feature_version:
            raise ModelInvalid(
                f"the file is for features {card.feature_version}, not {p.feature_version}"
            )
    receipt = submit(signed)
    with begin_write(engine) as conn:
        views.store_model_file(conn, p.sha256, content, now)
    return receipt


def load_scorecard(conn: Connection, model_id: str) -> tuple[views.Model, Scorecard]:
    """The registered model and its parsed file, checked against the hash on the log.

    Parsed files are cached by their registered SHA-256: a decision reads the model's row
    (one statement) and loads and parses the file only the first time (checking its hash)."""
    model = views.get_model(conn, model_id)
    if model.kind not in DECIDING_KINDS:
        raise ModelInvalid(f"model {model_id} is a {model.kind}, not a scorecard")
    card = _CARDS.get(model.sha256)
    if card is None:
        raw = views.model_file(conn, model.sha256)
        if raw is None:
            raise InputsMissing(f"the file of model {model_id} is not stored here")
        card = _CARDS.put(model.sha256, _parsed(raw, model.sha256))
    return model, card


def _parsed(raw: bytes, sha256: str) -> Scorecard:
    if sha256_hex(raw) != sha256:
        raise ModelInvalid("the stored model file does not match its registered hash")
    return Scorecard.from_bytes(raw)


class _ParsedModels:
    """A small LRU of parsed scorecards keyed by file hash (safe across threads)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._cards: OrderedDict[str, Scorecard] = OrderedDict()
        self._lock = Lock()

    def get(self, sha256: str) -> Scorecard | None:
        with self._lock:
            card = self._cards.get(sha256)
            if card is not None:
                self._cards.move_to_end(sha256)
            return card

    def put(self, sha256: str, card: Scorecard) -> Scorecard:
        with self._lock:
            self._cards[sha256] = card
            while len(self._cards) > self._size:
                self._cards.popitem(last=False)
        return card


_CARDS = _ParsedModels(MODELS_CACHED_MAX)


# ---- features from the record --------------------------------------------------------------


def _owned(conn: Connection, applicant: str, kind: str) -> list[tuple[documents.Document, Any]]:
    out: list[tuple[documents.Document, Any]] = []
    after: str | None = None
    while len(out) < DOCUMENTS_PER_KIND_MAX:
        page = documents.list_documents(conn, applicant, kind=kind, after=after, limit=500)
        contents = documents.stored_contents(conn, [d.document_id for d in page])
        for doc in page:
            stored = contents.get(doc.document_id)
            if doc.owner == applicant and stored is not None:
                out.append((doc, json.loads(stored.content)["body"]))
        if len(page) < 500:
            break
        after = page[-1].document_id
    return out


def gather(
    conn: Connection, applicant: str, lender: str, as_of: date, sources: Sources
) -> tuple[Record, views.Attestation | None]:
    """What the lender may use of the applicant's record: only kinds under a consent in force
    (receivables confirmed to it under the ``e_invoice`` grant of its invoice and payment flows;
    production history under a grant of kind ``iot_batch``, the farm's production data), and
    the latest tax attestation whose consent is still in force."""
    parties.get_party(conn, applicant)
    sources_used: list[str] = []
    invoices: list[Invoice] = []
    sales: list[Sale] = []
    owed, held, cycles = None, None, None
    given = consent.grants_of(conn, applicant, limit=consent.PAGE_SIZE_MAX)
    if document_grant(conn, applicant, lender, "e_invoice", as_of, given) is not None:
        sources_used.append("e_invoice")
        owed = sources.receivables.receivables(applicant)
        held = sources.receivables.holdings(applicant)
        for doc, b in _owned(conn, applicant, "e_invoice"):
            invoices.append(
                Invoice(
                    date.fromisoformat(b["issued_on"]),
                    doc.registered_on,
                    b["buyer_uscc"],
                    b["amount_before_tax"] + b["tax"],
                    doc.confirmed_on,
                )
            )
    if document_grant(conn, applicant, lender, "sales_record", as_of, given) is not None:
        sources_used.append("sales_record")
        for doc, b in _owned(conn, applicant, "sales_record"):
            sales.append(Sale(date.fromisoformat(b["sold_on"]), doc.registered_on, b["amount"]))
    if document_grant(conn, applicant, lender, PRODUCTION_KIND, as_of, given) is not None:
        sources_used.append(PRODUCTION_KIND)
        cycles = sources.production.cycles(applicant)
    att = views.latest_attestation(conn, applicant, lender)
    tax = None
    if att is not None and views.get_tax_consent(conn, att.consent_id).in_force(as_of):
        tax = features.TaxFacts(att.values, att.attested_on)
    else:
        att = None
    if not sources_used and att is None:
        raise ConsentMissing(
            f"{applicant} has granted {lender} no consent in force for credit_assessment "
            f"(e_invoice, sales_record or {PRODUCTION_KIND} data, or tax data)"
        )
    record = Record(
        applicant,
        invoices=tuple(invoices),
        sales=tuple(sales),
        cycles=cycles,
        receivables=owed,
        holdings=held,
        tax=tax,
        repayment=sources.repayment.facts(applicant, as_of),
        sources=tuple(sources_used),
    )
    return record, att


def inputs_bytes(
    applicant: str, as_of: date, values: dict[str, Value], sources: tuple[str, ...]
) -> bytes:
    return canonical_json(
        {
            "format": INPUTS_FORMAT,
            "feature_version": FEATURE_VERSION,
            "applicant": applicant,
            "as_of": as_of.isoformat(),
            "values": values,
            "sources": list(sources),
        }
    )


@dataclass(frozen=True)
class Assessment:
    payload: dict[str, Any]
    """The ``credit.decide`` payload to sign."""
    values: dict[str, Value]
    outcome: Outcome

    def to_json(self) -> dict[str, Any]:
        return {
            "payload": self.payload,
            "values": self.values,
            "preview": self.outcome.to_json(),
        }


def assess(
    engine: Engine,
    *,
    decision_id: str,
    lender: str,
    applicant: str,
    product_id: str,
    model_id: str,
    as_of: date,
    sources: Sources,
    now: datetime,
) -> Assessment:
    """Compute, score and store the inputs; return the decision to sign and a preview."""
    with _write_before_the_log(engine) as conn:
        _model, card = load_scorecard(conn, model_id)
        product = views.get_policy(conn, product_id)
        record, att = gather(conn, applicant, lender, as_of, sources)
        values = features.compute(record, as_of)
        raw = inputs_bytes(applicant, as_of, values, record.sources)
        digest = sha256_hex(raw)
        views.store_inputs(conn, digest, raw, now)
    scored = card.score(values)
    payload = {
        "decision_id": decision_id,
        "applicant": applicant,
        "product_id": product_id,
        "model_id": model_id,
        "inputs_sha256": digest,
        "score": scored.score,
        "pd": str(scored.pd),
        "reasons": [
            {"feature": r.feature, "points_below_best": r.points_below_best, "text": r.text}
            for r in scored.reasons
        ],
        "tax_rating": values["tax_rating"],
        "current_dpd_days_max": values["current_dpd_days_max"],
        "sources": list(record.sources),
        "attestation_id": None if att is None else att.attestation_id,
    }
    outcome = apply(product.rules, scored.score, scored.pd, values)
    return Assessment(payload, values, outcome)


@contextmanager
def _write_before_the_log(engine: Engine) -> Iterator[Connection]:
    """A write transaction whose commit does not wait for the disk (SQLite ``synchronous =
    NORMAL`` under WAL; PostgreSQL ``synchronous_commit = off``).

    Used for the stored inputs of an assessment, content-addressed bytes that matter only once
    a decision on the log cites them: the decision's own commit flushes the write-ahead log up
    to itself, and so every earlier commit with it, before the decision is acknowledged. A crash
    before that loses inputs no recorded decision needs (assess again). One wait for the disk
    per decision instead of two."""
    with engine.connect() as conn:
        if not is_sqlite(conn):
            with conn.begin():
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                yield conn
            return
        raw = conn.connection.driver_connection
        assert raw is not None
        level = raw.execute("PRAGMA synchronous").fetchone()[0]
        raw.execute("PRAGMA synchronous=NORMAL")
        try:
            with conn.execution_options(sqlite_begin="IMMEDIATE").begin():
                yield conn
        finally:
            raw.execute(f"PRAGMA synchronous={int(level)}")


def load_inputs(conn: Connection, digest: str) -> dict[str, Any]:
    raw = views.stored_inputs(conn, digest)
    if raw is None:
        raise InputsMissing(f"no stored inputs with digest {digest}: assess the applicant first")
    if sha256_hex(raw) != digest:
        raise InputsMissing(f"the stored inputs {digest} do not match their digest")
    doc: dict[str, Any] = json.loads(raw)
    return doc


def expected_payload(
    conn: Connection, p: Decide, inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The decision the stored inputs (``inputs`` if already loaded) and the registered model
    give: what ``p`` must say."""
    if inputs is None:
        inputs = load_inputs(conn, p.inputs_sha256)
    if inputs["applicant"] != p.applicant:
        raise ScoreMismatch(f"the inputs {p.inputs_sha256} are not {p.applicant}'s")
    _model, card = load_scorecard(conn, p.model_id)
    values = inputs["values"]
    scored = card.score(values)
    return {
        "score": scored.score,
        "pd": str(scored.pd),
        "reasons": [
            {"feature": r.feature, "points_below_best": r.points_below_best, "text": r.text}
            for r in scored.reasons
        ],
        "tax_rating": values["tax_rating"],
        "current_dpd_days_max": values["current_dpd_days_max"],
        "sources": inputs["sources"],
    }


def _differences(p: Decide, expected: dict[str, Any]) -> list[str]:
    given = p.model_dump(mode="json")
    return [k for k, v in expected.items() if given[k] != v]


def submit_decision(engine: Engine, submit: Submit, signed: SignedCommand) -> Receipt:
    """Recompute the signed decision from stored inputs and the registered model; submit it
    only if score, PD, reasons and policy inputs agree exactly."""
    if signed.command.type != "credit.decide":
        raise InvalidCommand("expected a credit.decide command")
    p = parse_payload(Decide, signed.command.type, signed.command.payload)
    with engine.connect() as conn:
        inputs = load_inputs(conn, p.inputs_sha256)
        if inputs["as_of"] != signed.command.business_date.isoformat():
            raise ScoreMismatch(
                f"the inputs were computed as of {inputs['as_of']}, the decision is dated "
                f"{signed.command.business_date}: assess again"
            )
        wrong = _differences(p, expected_payload(conn, p, inputs))
    if wrong:
        raise ScoreMismatch(
            f"the decision's {', '.join(wrong)} differ from the registered model's on its inputs"
        )
    return submit(signed)


def check_values(values: object) -> dict[str, Value]:
    """Validate a feature mapping given by a user (batch scoring, what-if)."""
    if not isinstance(values, dict):
        raise FeatureInvalid("features must be a JSON object of name → integer, string or null")
    for name, value in values.items():
        if (value is not None and not isinstance(value, int | str)) or isinstance(value, bool):
            raise FeatureInvalid(f"{name} must be an integer, a string or null, got {value!r}")
    return values
