"""The one settings class. Every value comes from `COORDINATION_*` environment variables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The bounds of the request body limit: a mutation's input fits in the lower one, and the
#: upper one keeps a single request from holding a worker's memory.
MIN_BODY_BYTES = 1_024
MAX_BODY_BYTES = 100_000_000
#: A metrics token: long enough not to be guessed, and printable, since it travels in a header.
_METRICS_TOKEN = re.compile(r"[\x21-\x7e]{32,512}")
#: The bounds of the cost limit: a page of 100 items with a field or two costs a few
#: hundred; past the upper one the limit would no longer bound a worker's time.
MIN_QUERY_COST = 100
MAX_QUERY_COST = 100_000_000
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Settings(BaseSettings):
    """How this node runs.

    Attributes:
        data_dir: Where the node keeps its files (the SQLite database; the keys, unless
            `keys_dir` puts them elsewhere).
        keys_dir: The node's keys directory: the log's and the tokens' signing keys, the
            revoked tokens and the last checkpoint the node signed, and the integrity
            alarm's state (`integrity.json`, decision 35). Kept apart from the database,
            so that whoever can write the database alone can neither sign nor make the
            node sign a rewritten log again (decision 34); ``keys`` in `data_dir` when
            not set.
        database_url: The event store; defaults to an SQLite file in `data_dir`.
        origin: The name of this node's log, e.g. ``slup.se/coordination/log``.
        env: ``production`` turns off development conveniences, and serves the OpenAPI
            document to admins and auditors only and `/metrics` with `metrics_token` only.
        host: Interface `coordination serve` listens on.
        port: Port `coordination serve` listens on.
        workers: Processes `coordination serve` runs. Each serves every request; one of
            them projects and integrates at a time (the others take over if it dies).
            More than one needs PostgreSQL, whose notifications keep them in step.
        signing_key_file: The node's Ed25519 signing key (a C2SP signer key line) when it is
            kept outside the keys directory.
        signing_key: The same key given as a secret (e.g. from the deployment's secret store).
        allow_anonymous: Serve callers without a token (the public views only); when false
            they are refused with UNAUTHENTICATED.
        commands_on_loop: Run commands on the event loop's thread where that is safe
            (decision 17); false runs every command in a command thread.
        integrate: Where `coordination serve` integrates the log (decision 18):
            ``process``: a child process it starts, restarts and stops;
            ``thread``: a thread of each serving process (one leads at a time);
            ``auto`` (default): ``process`` on PostgreSQL, ``thread`` on SQLite;
            ``off``: not at all (`coordination integrate --follow` runs elsewhere).
            ``true`` and ``false`` mean ``thread`` and ``off``, as they did before.
        max_body_bytes: The largest request body accepted; larger ones get 413.
        metrics_token: The bearer token `/metrics` asks for (a scraper's, good for nothing
            else); without it `/metrics` is open in development and off in production.
        ide_dir: Where `coordination ide install` puts GraphiQL's files and the node
            serves them from; share/coordination/graphiql in the Python environment
            when not set.
        max_query_cost: The highest cost a GraphQL operation may have (each field counted
            once per item of every page it sits in); costlier ones are refused before
            they run.
        public_url: The node's public base URL as partners reach it (``https://slup.se``,
            with the path prefix a reverse proxy adds): a partner signs
            ``@target-uri`` as this followed by the path and query, so a node behind a
            proxy checks what the partner signed (FEED-PROTOCOL §5). Without it, the
            URL the request arrived at.
        feed_rate: Requests per second each caller of the feed may make, sustained.
        feed_burst: Requests a caller of the feed may make at once before `feed_rate`
            holds it back (429 with `Retry-After`).
        sync: Run the sync worker in `coordination serve`: every admitted partner's log
            is followed, verified and stored (FEED-PROTOCOL §6, decision 45).
        sync_wait_s: How long a request to an up-to-date peer waits for its new
            entries (``Prefer: wait``, at most 25 s) before it is asked again. Short by
            default: a partner that stops finishes the requests it is answering first,
            so each of its peers' long polls holds its stop up for as long as it waits.
        sync_backoff_max_s: The longest pause between attempts to sync a peer that is
            down or answers what does not verify (the pauses double up to it, jittered).
        sync_timeout_s: The longest wait for one answer of a peer.
        sync_page_size: Entries the sync worker asks per page of a peer (the protocol's
            most, 1000, unless fewer are wanted: each page is one transaction).
        graphql_agreement_check: For test runs: every query the direct path answers is
            answered again by strawberry's path, and a difference is an error
            (`graphql.agreement`, decision 31). A production node never runs it.
    """

    model_config = SettingsConfigDict(env_prefix="COORDINATION_", extra="ignore")

    data_dir: Path = Path("var")
    keys_dir: Path | None = None
    database_url: str | None = None
    origin: str = Field(default="localhost/coordination/log", min_length=1, max_length=200)
    env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    signing_key_file: Path | None = None
    signing_key: SecretStr | None = None
    allow_anonymous: bool = True
    commands_on_loop: bool = True
    integrate: Literal["auto", "process", "thread", "off"] = "auto"
    max_body_bytes: int = 1_000_000
    metrics_token: SecretStr | None = None
    ide_dir: Path | None = None
    max_query_cost: int = 20_000
    public_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://[^\s?#]+$")
    feed_rate: float = Field(default=50.0, gt=0, le=100_000)
    feed_burst: int = Field(default=200, ge=1, le=1_000_000)
    sync: bool = True
    sync_wait_s: int = Field(default=5, ge=1, le=25)
    sync_backoff_max_s: float = Field(default=300.0, gt=0, le=86_400)
    sync_timeout_s: float = Field(default=30.0, gt=0, le=600)
    sync_page_size: int = Field(default=1000, ge=1, le=1000)
    graphql_agreement_check: bool = False

    @field_validator(
        "allow_anonymous", "commands_on_loop", "sync", "graphql_agreement_check", mode="before"
    )
    @classmethod
    def _yes_or_no(cls, value: object, info: ValidationInfo) -> object:
        # pydantic's own message ("unable to interpret input") does not say what would do.
        if isinstance(value, str):
            word = value.strip().lower()
            if word not in _TRUE | _FALSE:
                raise ValueError(
                    f"COORDINATION_{str(info.field_name).upper()} must be true or false"
                    " (or 1/0, yes/no, on/off)"
                )
            return word in _TRUE
        return value

    @field_validator("keys_dir", mode="before")
    @classmethod
    def _default_when_blank(cls, value: object) -> object:
        # `COORDINATION_KEYS_DIR=` left empty in a settings file means the default, not
        # the working directory that an empty path would be.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("integrate", mode="before")
    @classmethod
    def _integration(cls, value: object) -> str:
        if isinstance(value, bool):
            return "thread" if value else "off"
        word = value.strip().lower() if isinstance(value, str) else None
        if word in _TRUE:
            return "thread"
        if word in _FALSE:
            return "off"
        if word not in {"auto", "process", "thread"}:
            raise ValueError(
                "COORDINATION_INTEGRATE must be auto, process, thread or off"
                " (true and false mean thread and off)"
            )
        return word

    @field_validator("max_body_bytes", mode="before")
    @classmethod
    def _body_limit(cls, value: object) -> int:
        return _whole_number(
            "COORDINATION_MAX_BODY_BYTES", value, MIN_BODY_BYTES, MAX_BODY_BYTES, "bytes"
        )

    @field_validator("max_query_cost", mode="before")
    @classmethod
    def _cost_limit(cls, value: object) -> int:
        return _whole_number("COORDINATION_MAX_QUERY_COST", value, MIN_QUERY_COST, MAX_QUERY_COST)

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _scraper_secret(cls, value: object) -> object:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str) and not _METRICS_TOKEN.fullmatch(text):
            # The value is a secret: the message describes it and never repeats it.
            raise ValueError(
                "COORDINATION_METRICS_TOKEN must be 32 to 512 printable characters without"
                " spaces, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return value

    @property
    def production(self) -> bool:
        """Whether the node runs in production (development conveniences off)."""
        return self.env == "production"

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'coordination.db').as_posix()}"

    def integration(self, *, postgres: bool) -> Literal["process", "thread", "off"]:
        """Where `serve` integrates, with ``auto`` decided for the node's database."""
        if self.integrate == "auto":
            return "process" if postgres else "thread"
        return self.integrate


def _whole_number(variable: str, value: object, low: int, high: int, unit: str = "") -> int:
    """`value` as a whole number from `low` to `high` (`_` may group digits), or an error
    naming `variable` and saying what would do."""
    bounds = f"a whole number{f' of {unit}' if unit else ''} from {low} to {high}"
    text = value.strip().replace("_", "") if isinstance(value, str) else value
    if isinstance(text, bool) or not isinstance(text, int | str):
        raise ValueError(f"{variable} must be {bounds}")
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{variable} must be {bounds}") from None
    if not low <= number <= high:
        raise ValueError(f"{variable} must be {bounds} (got {number})")
    return number
