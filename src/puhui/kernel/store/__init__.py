"""Storage: one SQLAlchemy metadata for every context's tables, engines for SQLite and
PostgreSQL, and the Alembic migrations."""

from puhui.kernel.store import writebuffer  # registers the buffer's read barrier on every engine
from puhui.kernel.store.engine import begin_write, make_engine, metadata

__all__ = ["begin_write", "make_engine", "metadata", "writebuffer"]
