"""Runtime configuration, read from the environment and an optional `.env` file.

Every setting has a named default so `make run` works on a fresh clone with no set-up.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR_DEFAULT = Path("var")


class Settings(BaseSettings):
    """puhui settings; each field maps to `PUHUI_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="PUHUI_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{VAR_DIR_DEFAULT / 'puhui.db'}",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    log_origin: str = Field(default="puhui.local/log", description="checkpoint origin line")
    log_key_file: Path = Field(
        default=VAR_DIR_DEFAULT / "log.key", description="Ed25519 key that signs checkpoints"
    )
    custody_master_key: str = Field(
        default="",
        description="base64 32-byte key encrypting custodial party keys at rest; "
        "empty means the file named by custody_master_key_file",
    )
    custody_master_key_file: Path = Field(default=VAR_DIR_DEFAULT / "custody.key")


def load_settings() -> Settings:
    return Settings()
