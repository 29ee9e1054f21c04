"""The one settings class. Every value comes from `COORDINATION_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """How this node runs.

    Attributes:
        data_dir: Where the node keeps its files (the SQLite database, keys).
        database_url: The event store; defaults to an SQLite file in `data_dir`.
        origin: The name of this node's log, e.g. ``slup.se/coordination/log``.
        env: ``production`` turns off development conveniences.
        host: Interface `coordination serve` listens on.
        port: Port `coordination serve` listens on.
        workers: Processes `coordination serve` runs. Each serves every request; one of
            them projects and integrates at a time (the others take over if it dies).
            More than one needs PostgreSQL, whose notifications keep them in step.
        signing_key_file: The node's Ed25519 signing key (a C2SP signer key line) when it is
            kept outside the data directory.
        signing_key: The same key given as a secret (e.g. from the deployment's secret store).
    """

    model_config = SettingsConfigDict(env_prefix="COORDINATION_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    origin: str = Field(default="localhost/coordination/log", min_length=1, max_length=200)
    env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    signing_key_file: Path | None = None
    signing_key: SecretStr | None = None

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'coordination.db').as_posix()}"
