"""The demo partnership, from the source article: Stockholm county's development
partnership for the social economy, its members of every kind, three themes, the three
support-service working groups with their actions, a workshop where municipal
representatives meet the social economy, a decision later superseded by another, a
mapping survey with findings, a dissemination record, a social-accounting cycle
carried to its audit statement, and two training programmes: a care-work cohort whose
feedback revised its curriculum, and a study circle hosted by an association.

Loaded through the application's use cases by `coordination demo`, and used by the
tests; `synthetic` makes a large log for the benchmarks and crash tests. The node itself
never imports this package: only the command line's `demo` does, when it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from rich.console import Console
from rich.progress import Progress

from coordination.application import Coordination
from coordination_demo.loader import DemoSummary, Loader
from coordination_demo.meetings import hold_workshop, take_decisions
from coordination_demo.organisations import admit_members, convene_groups, establish_partnership
from coordination_demo.reporting import account, disseminate, survey
from coordination_demo.story import MEMBERS, REGISTRANTS, START, person
from coordination_demo.training import care_course, study_circle

__all__ = ["MEMBERS", "REGISTRANTS", "START", "DemoSummary", "load_demo", "person"]


def load_demo(app: Coordination, *, origin: str, console: Console | None = None) -> DemoSummary:
    """Load the demo partnership through the application's use cases."""
    loader = Loader(app, origin)
    steps: list[tuple[str, Callable[[Loader, DemoSummary], None]]] = [
        ("partnership and agreement", establish_partnership),
        ("members and representatives", admit_members),
        ("working groups and actions", convene_groups),
        ("workshop", hold_workshop),
        ("decisions", take_decisions),
        ("mapping survey", survey),
        ("dissemination", disseminate),
        ("social accounts", account),
        ("care-work course", care_course),
        ("study circle", study_circle),
    ]
    summary = DemoSummary(partnership_id=UUID(int=0))
    before = app.recorder.max_notification_id() or 0
    with Progress(console=console or Console(stderr=True), transient=True) as progress:
        task = progress.add_task("loading the demo partnership", total=len(steps))
        for label, step in steps:
            progress.update(task, description=f"demo: {label}")
            step(loader, summary)
            progress.advance(task)
    summary.commands = loader.commands
    summary.events = (app.recorder.max_notification_id() or 0) - before
    return summary
