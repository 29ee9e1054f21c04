"""Settings that shape the API: anonymous callers, where commands run, where the log is
integrated, the body limit, the cost limit.

They come from the environment (`COORDINATION_ALLOW_ANONYMOUS`,
`COORDINATION_COMMANDS_ON_LOOP`, `COORDINATION_INTEGRATE`, `COORDINATION_MAX_BODY_BYTES`,
`COORDINATION_MAX_QUERY_COST`), are refused with a message that says what would do, and
reach the app `create_app` builds; `create_app`'s own keyword still wins.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from coordination.bootstrap import System
from coordination.graphql.router import config_for
from coordination.http.app import create_app
from coordination.settings import Settings
from tests.asgi import serving

PUBLIC = {"query": "query { forums(first: 1) { edges { cursor } } }"}


def test_the_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COORDINATION_ALLOW_ANONYMOUS", raising=False)
    monkeypatch.delenv("COORDINATION_MAX_BODY_BYTES", raising=False)
    assert (Settings().allow_anonymous, Settings().max_body_bytes) == (True, 1_000_000)
    monkeypatch.setenv("COORDINATION_ALLOW_ANONYMOUS", "off")
    monkeypatch.setenv("COORDINATION_MAX_BODY_BYTES", "2_000_000")
    settings = Settings()
    assert (settings.allow_anonymous, settings.max_body_bytes) == (False, 2_000_000)
    assert config_for(settings).allow_anonymous is False
    assert config_for(settings, allow_anonymous=True).allow_anonymous is True


def test_the_cost_limit_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COORDINATION_MAX_QUERY_COST", raising=False)
    assert config_for(Settings()).max_cost == 20_000
    monkeypatch.setenv("COORDINATION_MAX_QUERY_COST", "200_000")
    assert config_for(Settings()).max_cost == 200_000


def test_where_commands_run_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COORDINATION_COMMANDS_ON_LOOP", raising=False)
    assert config_for(Settings()).commands_on_loop is True
    monkeypatch.setenv("COORDINATION_COMMANDS_ON_LOOP", "no")
    assert config_for(Settings()).commands_on_loop is False


@pytest.mark.parametrize(
    ("value", "setting", "on_postgres", "on_sqlite"),
    [
        (None, "auto", "process", "thread"),
        ("auto", "auto", "process", "thread"),
        ("Process", "process", "process", "process"),
        ("thread", "thread", "thread", "thread"),
        ("off", "off", "off", "off"),
        ("true", "thread", "thread", "thread"),  # what true meant before there were four
        ("no", "off", "off", "off"),
    ],
)
def test_where_the_log_is_integrated_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    value: str | None,
    setting: str,
    on_postgres: str,
    on_sqlite: str,
) -> None:
    monkeypatch.delenv("COORDINATION_INTEGRATE", raising=False)
    if value is not None:
        monkeypatch.setenv("COORDINATION_INTEGRATE", value)
    settings = Settings()
    assert settings.integrate == setting
    assert settings.integration(postgres=True) == on_postgres
    assert settings.integration(postgres=False) == on_sqlite


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("COORDINATION_INTEGRATE", "elsewhere", "must be auto, process, thread or off"),
        ("COORDINATION_ALLOW_ANONYMOUS", "perhaps", "must be true or false"),
        ("COORDINATION_COMMANDS_ON_LOOP", "sometimes", "must be true or false"),
        ("COORDINATION_MAX_BODY_BYTES", "1MB", "whole number of bytes from 1024 to 100000000"),
        ("COORDINATION_MAX_BODY_BYTES", "100", "(got 100)"),
        ("COORDINATION_MAX_BODY_BYTES", "200000000", "(got 200000000)"),
        ("COORDINATION_MAX_QUERY_COST", "lots", "whole number from 100 to 100000000"),
        ("COORDINATION_MAX_QUERY_COST", "10", "(got 10)"),
    ],
)
def test_bad_values_are_refused_saying_what_would_do(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert variable in str(refused.value)
    assert message in str(refused.value)


async def test_the_app_refuses_anonymous_callers_when_the_settings_say_so(
    settings: Settings, system: System
) -> None:
    closed = settings.model_copy(update={"allow_anonymous": False})
    async with serving(create_app(closed, system=system)) as client:
        body = (await client.post("/graphql", json=PUBLIC)).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "requires a token" in body["errors"][0]["message"]
    async with serving(create_app(settings, system=system)) as client:
        body = (await client.post("/graphql", json=PUBLIC)).json()
    assert "errors" not in body, body


async def test_the_body_limit_comes_from_the_settings_unless_create_app_is_told(
    settings: Settings, system: System
) -> None:
    padded = {**PUBLIC, "variables": {"padding": "x" * 5_000}}
    small = settings.model_copy(update={"max_body_bytes": 4_096})
    async with serving(create_app(small, system=system)) as client:
        refused = await client.post("/graphql", json=padded)
        assert refused.status_code == 413
        assert "larger than 4096 bytes" in refused.json()["errors"][0]["message"]
        assert (await client.post("/graphql", json=PUBLIC)).status_code == 200
    async with serving(create_app(small, system=system, max_body_bytes=50_000)) as client:
        assert (await client.post("/graphql", json=padded)).status_code == 200
