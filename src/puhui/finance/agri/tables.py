"""Tables of the agri context; every one is a projection of the log.

``agri_flocks`` keeps the few running figures the close of day needs (deaths so far, the last
day with readings, the alert level raised per kind, frozen), and ``agri_readings`` one row per
flock, day and device, so a day is monitored from two bulk reads without a query per flock.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from puhui.kernel.store.engine import metadata
from puhui.kernel.store.keys import code_point_key
from puhui.kernel.store.tables import PROJECTION

ID = String(64)
FLOCK_ID = code_point_key(64)
"""Ordered by code point on both stores: the close of day walks flocks in keyset chunks."""

agri_templates = Table(
    "agri_templates",
    metadata,
    Column("template_id", ID, primary_key=True),
    Column("species", String(32), nullable=False, index=True),
    Column("definition", Text, nullable=False, doc="the template as canonical JSON"),
    Column("registered_by", ID, nullable=False),
    Column("registered_seq", BigInteger, nullable=False),
    info=PROJECTION,
)

agri_batches = Table(
    "agri_batches",
    metadata,
    Column("batch_id", ID, primary_key=True),
    Column("farm_id", ID, nullable=False, index=True),
    Column("region", String(16), nullable=True),
    Column("species", String(32), nullable=False),
    Column("template_id", ID, nullable=True),
    Column("placed_on", Date, nullable=False),
    Column("days", Integer, nullable=False),
    Column("animals_placed", Integer, nullable=False),
    Column("animals_sold", Integer, nullable=False),
    Column("feed_kg", BigInteger, nullable=False),
    Column("weight_g_avg", Integer, nullable=False),
    Column("completed", Boolean, nullable=False),
    Column("source", String(16), nullable=False, doc="declared by the farm, or platform"),
    Column("evidence_document_id", ID, nullable=True),
    Column("recorded_seq", BigInteger, nullable=False),
    Column("recorded_on", Date, nullable=False, doc="the business date it reached the log"),
    Index("ix_agri_batches_species_region", "species", "region"),
    info=PROJECTION,
)

agri_lines = Table(
    "agri_lines",
    metadata,
    Column("line_id", ID, primary_key=True),
    Column("lender_id", ID, nullable=False, index=True),
    Column("farm_id", ID, nullable=False, index=True),
    Column("template_id", ID, nullable=False),
    Column("product_id", ID, nullable=False),
    Column("annual_rate", String(24), nullable=False),
    Column("animals_max", Integer, nullable=False),
    Column("suppliers", Text, nullable=False, doc="JSON list of party ids"),
    Column("completion_bp", Integer, nullable=False),
    Column("limit_amount", BigInteger, nullable=False),
    Column("computation", Text, nullable=False, doc="the approval's inputs and figures, JSON"),
    Column("status", String(12), nullable=False),
    Column("cycles", Integer, nullable=False),
    Column("opened_seq", BigInteger, nullable=False),
    info=PROJECTION,
)

agri_flocks = Table(
    "agri_flocks",
    metadata,
    Column("flock_id", FLOCK_ID, primary_key=True),
    Column("farm_id", ID, nullable=False, index=True),
    Column("template_id", ID, nullable=False),
    Column("line_id", ID, nullable=True, index=True),
    Column("loan_id", ID, nullable=True),
    Column("lender_id", ID, nullable=True, index=True),
    Column("supplier_id", ID, nullable=True),
    Column("animals", Integer, nullable=False),
    Column("placed_on", Date, nullable=False),
    Column("plan", Text, nullable=False, doc="the stages: JSON list of Stage.to_json()"),
    Column("stages_drawn", SmallInteger, nullable=False),
    Column("drawn", BigInteger, nullable=False),
    Column("status", String(12), nullable=False, doc="active, sold"),
    Column("frozen", Boolean, nullable=False),
    Column("deaths", Integer, nullable=False),
    Column("feed_g", BigInteger, nullable=False),
    Column("last_reading_on", Date, nullable=True),
    Column("last_weight_g", Integer, nullable=True),
    Column("alert_levels", String(200), nullable=False, doc="JSON {kind: level raised}"),
    Column("started_seq", BigInteger, nullable=False),
    Column("sold_on", Date, nullable=True),
    Index("ix_agri_flocks_status", "status", "flock_id"),
    info=PROJECTION,
)

agri_flock_devices = Table(
    "agri_flock_devices",
    metadata,
    Column("flock_id", ID, primary_key=True),
    Column("device_id", ID, primary_key=True),
    Column("farm_id", ID, nullable=False),
    info=PROJECTION,
)

agri_feed_orders = Table(
    "agri_feed_orders",
    metadata,
    Column("order_id", ID, primary_key=True),
    Column("flock_id", ID, nullable=False, index=True),
    Column("stage", SmallInteger, nullable=False),
    Column("supplier_id", ID, nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("feed_kg", Integer, nullable=False),
    Column("status", String(12), nullable=False, doc="placed, confirmed"),
    Column("placed_seq", BigInteger, nullable=False),
    Column("confirmed_seq", BigInteger, nullable=True),
    info=PROJECTION,
)

agri_readings = Table(
    "agri_readings",
    metadata,
    Column("flock_id", FLOCK_ID, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("device_id", ID, primary_key=True),
    Column("readings", Integer, nullable=False),
    Column("weight_g_avg", Integer, nullable=True),
    Column("weight_samples", Integer, nullable=False),
    Column("deaths", Integer, nullable=False),
    Column("feed_g", BigInteger, nullable=False),
    Column("temp_mc_min", Integer, nullable=True),
    Column("temp_mc_max", Integer, nullable=True),
    Column("batch_document_id", ID, nullable=True),
    Column("recorded_seq", BigInteger, nullable=False),
    Index("ix_agri_readings_day", "day", "flock_id"),
    info=PROJECTION,
)

agri_alerts = Table(
    "agri_alerts",
    metadata,
    Column("alert_id", String(120), primary_key=True),
    Column("flock_id", ID, nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("reason", String(300), nullable=False),
    Column("figures", Text, nullable=False),
    Column("status", String(10), nullable=False, doc="open, reviewed"),
    Column("raised_seq", BigInteger, nullable=False),
    Column("reviewed_by", ID, nullable=True),
    Column("decision", String(16), nullable=True),
    Column("note", String(300), nullable=True),
    Column("reviewed_seq", BigInteger, nullable=True),
    info=PROJECTION,
)

agri_sales = Table(
    "agri_sales",
    metadata,
    Column("sale_id", ID, primary_key=True),
    Column("flock_id", ID, nullable=False, index=True),
    Column("buyer_id", ID, nullable=False),
    Column("animals", Integer, nullable=False),
    Column("units_milli", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("to_lender", BigInteger, nullable=False),
    Column("to_farm", BigInteger, nullable=False),
    Column("final", Boolean, nullable=False),
    Column("seq", BigInteger, nullable=False),
    info=PROJECTION,
)
