"""`coordination partners`: a node's first partners recorded from the command line
(bootstrap), as events of its own log, and every refusal an exit code with its reason."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from coordination.audit.note import Signer
from coordination.bootstrap import System
from coordination.cli.partners import OPERATOR, register_partner_commands
from coordination.domain.cooperation import AGREEMENT_ID
from coordination.settings import Settings

IT, GR = "it.example/coordination/log", "gr.example/coordination/log"


def cli_for(settings: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """coordination (test)"""

    register_partner_commands(app, lambda url: settings)
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    """The exit code and the output, with rich's line wrapping undone."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_the_first_partners_are_recorded_in_the_log(settings: Settings, system: System) -> None:
    cli = cli_for(settings)
    assert run(cli, "partners", "list")[0] == 1
    code, output = run(
        cli, "partners", "sign", "--title", "Transnational cooperation",
        "--document-hash", "a" * 64, "--party", IT, "--party", f"{GR}=public",
    )  # fmt: skip
    assert (code, output) == (0, "signed the cooperation agreement")
    code, output = run(
        cli, "partners", "admit", IT, "--name", "Italy", "--base-url", "http://localhost:8001"
    )
    assert code == 0, output
    code, output = run(
        cli, "partners", "admit", GR, "--name", "Greece", "--base-url", "https://gr.example",
        "--sees", "public,transnational",
    )  # fmt: skip
    assert code == 1
    assert output == f"refused: the agreement lets {GR} see public only, not transnational"
    key = Signer.generate(IT).verifier
    assert run(cli, "partners", "register-key", IT, key.vkey)[0] == 0
    code, output = run(cli, "partners", "register-key", IT, key.vkey)
    assert code == 1
    assert "rotate it instead" in output
    code, output = run(cli, "partners", "revoke-key", IT, "0000000g", "--reason", "lost")
    assert (code, output) == (1, f"refused: {IT} has no key '0000000g'")

    code, output = run(cli, "partners", "list")
    assert code == 0, output
    assert f"{IT} Italy http://localhost:8001 sees public, transnational" in output
    assert f"key {key.key_id:08x} from" in output
    assert f"{GR} (a party, not admitted; may see public)" in output
    events = system.app.repository.event_store.get(AGREEMENT_ID)
    assert {event.actor for event in events} == {OPERATOR}  # type: ignore[attr-defined]
