"""A person's key is as durable as the first event sealed with it, on SQLite and PostgreSQL:
written in that event's own transaction (decision 39), so a process killed the moment
the event commits leaves the key behind, and a key that lost a race to another writer's
is never the one an event is sealed with.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from coordination.bootstrap import System, bootstrap
from coordination.privacy.access import subject_record
from coordination.privacy.keys import KeyState, SealingOutsideASave
from coordination.settings import Settings
from tests.application.conftest import World, secretariat
from tests.application.support_programmes import NAMES, enrol, launch, open_cohort

ROOT = Path(__file__).resolve().parents[2]


def opened(system: System, person: Any) -> str:
    return json.dumps(
        subject_record(system.app, system.app.subject_keys, person), ensure_ascii=False
    )


def test_a_key_survives_a_kill_the_moment_its_event_commits(
    world: World, settings: Settings
) -> None:
    cohort = open_cohort(world, launch(world))
    person = uuid4()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.privacy.enrol_child",
            settings.effective_database_url,
            str(settings.data_dir),
            str(cohort),
            str(person),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "COMMITTED"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    again = bootstrap(settings)
    try:
        assert person in again.app.cohort(cohort).participants
        assert again.app.subject_keys.state(person) is KeyState.HELD
        assert NAMES[0] in opened(again, person)
    finally:
        again.close()


def test_a_key_made_by_two_writers_at_once_is_the_first_one_for_both_events(
    world: World, system: System, settings: Settings
) -> None:
    first, second = (open_cohort(world, launch(world, title=f"Course {n}")) for n in (1, 2))
    person = uuid4()
    other = bootstrap(settings)  # a second process of the node
    try:
        recorder = system.app.recorder
        insert = recorder.insert_events
        raced: list[bool] = []

        def other_writer_first(stored_events: Any, **kwargs: Any) -> Any:
            # This save has sealed with a key it made; the other process now makes and
            # records its own key for the same person before this save commits.
            if not raced:
                raced.append(True)
                other.app.enrol(secretariat(), second, participant_id=person, name=NAMES[1])
            return insert(stored_events, **kwargs)

        recorder.insert_events = other_writer_first  # type: ignore[method-assign]
        enrol(world, first, 0, participant_id=person)
    finally:
        other.close()

    assert raced == [True]
    shown = opened(system, person)
    # Both enrolments open with the one key the node holds: the losing save ran again
    # with the winner's key instead of keeping events sealed with a key nobody stored.
    assert NAMES[0] in shown
    assert NAMES[1] in shown
    assert person in system.app.cohort(first).participants


def test_nothing_is_sealed_outside_a_save(world: World, system: System) -> None:
    cohort = system.app.cohort(open_cohort(world, launch(world)))
    cohort.enrol(
        secretariat(), participant_id=uuid4(), organisation_id=None, name=NAMES[0], contact=None
    )
    (event,) = cohort.collect_events()
    with pytest.raises(SealingOutsideASave):
        system.app.mapper.to_stored_event(event)
