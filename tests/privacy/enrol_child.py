"""One enrolment in a process of its own, for the key-durability test.

Usage: python -m tests.privacy.enrol_child <database url> <data dir> <cohort> <person>

It enrols the person (a new one: their key is made by this save) and, as soon as the
save's transaction has committed, before the command returns or anything else runs,
prints COMMITTED and blocks, so the test can kill it there with SIGKILL.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from uuid import UUID

from coordination.bootstrap import bootstrap
from coordination.settings import Settings
from tests.application.conftest import ORIGIN, secretariat
from tests.application.support_programmes import CONTACTS, NAMES


def main() -> None:
    url, data_dir = sys.argv[1], Path(sys.argv[2])
    cohort, person = UUID(sys.argv[3]), UUID(sys.argv[4])
    system = bootstrap(Settings(database_url=url, data_dir=data_dir, origin=ORIGIN, env="test"))
    recorder = system.app.recorder
    insert = recorder.insert_events

    def insert_then_stop(stored_events: Any, **kwargs: Any) -> Any:
        ids = insert(stored_events, **kwargs)
        print("COMMITTED", flush=True)
        sys.stdin.read()  # blocks until killed
        return ids

    recorder.insert_events = insert_then_stop  # type: ignore[method-assign]
    system.app.enrol(
        secretariat(), cohort, participant_id=person, name=NAMES[0], contact=CONTACTS[0]
    )


if __name__ == "__main__":
    main()
