"""The node as a witness (FEED-PROTOCOL §7, C2SP tlog-witness v1.0.0), on both backends:
the independent implementation's vectors play the partner log (its origin, key, roots and
consistency proofs); every refusal has the standard's status; a split view is a 409."""

from __future__ import annotations

import base64
import stat

import httpx
import pytest

from coordination.audit.checkpoint import Checkpoint, sign_checkpoint
from coordination.audit.cosignature import CosignatureVerifier, cosigned_by
from coordination.audit.keys import keys_dir
from coordination.audit.note import Signer, Verifier
from coordination.audit.witness_key import WITNESS_KEY_FILE
from coordination.bootstrap import System
from coordination.http.app import create_app
from coordination.settings import Settings
from tests.asgi import serving

from .partner_support import FEED, IT, NL, NL_KEY, VECTORS, record_partners, until_status

ADD = f"{FEED}/witness/add-checkpoint"


def checkpoint(size: int, root_of: int | None = None, key: Signer = NL_KEY) -> str:
    """The partner log's signed checkpoint of ``size`` (with the root of ``root_of``)."""
    root = base64.b64decode(VECTORS["roots"][str(root_of or size)])
    return sign_checkpoint(Checkpoint(key.name, size, root), key)


def proof(old: int, new: int) -> list[str]:
    found = next(c for c in VECTORS["consistency"] if (c["From"], c["To"]) == (old, new))
    hashes: list[str] = found["Hashes"]
    return hashes


def body(old: int, note: str, hashes: list[str] | None = None) -> str:
    return "".join(f"{line}\n" for line in [f"old {old}", *(hashes or [])]) + "\n" + note


@pytest.fixture
def node(settings: Settings, system: System) -> Settings:
    record_partners(system, settings.origin, Signer.generate(IT))
    return settings


async def post(client: httpx.AsyncClient, text: str) -> httpx.Response:
    return await client.post(ADD, content=text.encode())


async def witness_key(client: httpx.AsyncClient) -> CosignatureVerifier:
    response = await client.get(f"{FEED}/witness/key")
    assert response.status_code == 200
    return CosignatureVerifier.from_vkey(response.text)


async def test_the_witness_cosigns_a_growing_log_with_its_own_key(
    node: Settings, system: System
) -> None:
    async with serving(create_app(node, system=system)) as client:
        key = await witness_key(client)
        assert base64.b64decode(key.vkey.split("+", 2)[2])[0] == 0x04
        log_key = (await client.get(f"{FEED}/key")).text.strip()
        assert Verifier.from_vkey(log_key).public_key != key.public_key  # never the log key
        assert key.name == f"{node.origin}/witness"
        path = keys_dir(node) / WITNESS_KEY_FILE
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

        first = await until_status(lambda: post(client, body(0, checkpoint(10))), 200)
        assert key in cosigned_by(checkpoint(10) + first.text, [key])
        grown = await post(client, body(10, checkpoint(20), proof(10, 20)))
        assert grown.status_code == 200, grown.text
        assert key in cosigned_by(checkpoint(20) + grown.text, [key])
        # Another witness's key does not count, nor does a cosignature of another note.
        assert cosigned_by(checkpoint(10) + grown.text, [key]) == {}
        again = await post(client, body(20, checkpoint(20)))
        assert again.status_code == 200, again.text


async def test_every_refusal_has_the_standard_s_status(node: Settings, system: System) -> None:
    async with serving(create_app(node, system=system)) as client:
        await until_status(lambda: post(client, body(0, checkpoint(10))), 200)

        stranger = Signer.generate("fi.example/coordination/log")
        unknown = await post(client, body(10, checkpoint(20, key=stranger)))
        assert unknown.status_code == 404
        assert "not the origin of a log this node witnesses" in unknown.json()["detail"]

        forged = await post(client, body(10, checkpoint(20, key=Signer.generate(NL))))
        assert forged.status_code == 403
        assert "no valid signature" in forged.json()["detail"]

        above = await post(client, body(30, checkpoint(20)))
        assert above.status_code == 400
        assert "above the checkpoint's size" in above.json()["detail"]
        malformed = await post(client, "old 010\n\n" + checkpoint(20))
        assert malformed.status_code == 400
        assert "old <size>" in malformed.json()["detail"]

        stale = await post(client, body(5, checkpoint(20), proof(5, 20)))
        assert stale.status_code == 409
        assert stale.headers["content-type"].startswith("text/x.tlog.size")
        assert stale.text == "10\n"

        wrong = await post(client, body(10, checkpoint(20), proof(9, 20)))
        assert wrong.status_code == 422
        assert "does not verify" in wrong.json()["detail"]
        # Nothing refused moved the witness on: the right proof from 10 is still taken.
        right = await post(client, body(10, checkpoint(20), proof(10, 20)))
        assert right.status_code == 200, right.text


async def test_a_split_view_at_the_same_size_is_refused(node: Settings, system: System) -> None:
    async with serving(create_app(node, system=system)) as client:
        await until_status(lambda: post(client, body(0, checkpoint(20))), 200)
        split = await post(client, body(20, checkpoint(20, root_of=21)))
        assert split.status_code == 409
        assert split.text == "20\n"
        assert "two histories" in split.headers["witness-refusal"]
