"""Aggregate state stays cheap to copy: only immutable values inside containers.

The repository copies a cached aggregate for every command; `CoordinationAggregate`
copies containers of immutable values shallowly (decision 0002). A mutable value object
would silently fall back to a slow deep copy, so this test names it instead.
"""

from __future__ import annotations

from coordination.application import Coordination
from coordination.domain.base import _immutable
from coordination_demo import load_demo


def test_every_aggregate_of_the_demo_holds_only_immutable_values(app: Coordination) -> None:
    load_demo(app, origin="test.example/coordination/log")
    stream_ids = {
        app.mapper.to_domain_event(n).originator_id
        for n in app.recorder.select_notifications(start=1, limit=10_000)
    }
    mutable = []
    for stream_id in stream_ids:
        aggregate = app.repository.get(stream_id)
        for name, value in vars(aggregate).items():
            if name == "_pending_events":
                continue
            items = (
                list(value.values())
                if isinstance(value, dict)
                else list(value)
                if isinstance(value, (list, set))
                else [value]
            )
            mutable += [f"{type(aggregate).__name__}.{name}" for v in items if not _immutable(v)]
    assert sorted(set(mutable)) == []
