"""The views of B1-B7, B9 and B10, one module each; `ALL_VIEWS` in the order the runner
writes them."""

from __future__ import annotations

from coordination.projections.view import View
from coordination.projections.views import (
    accounting_cycles,
    actions,
    decisions,
    dissemination,
    documents,
    forums,
    participation,
    partners,
    programmes,
    surveys,
    workshops,
)

ALL_VIEWS: tuple[View, ...] = (
    forums.VIEW,
    decisions.VIEW,
    actions.VIEW,
    workshops.VIEW,
    participation.VIEW,
    programmes.VIEW,
    accounting_cycles.VIEW,
    surveys.VIEW,
    dissemination.VIEW,
    documents.VIEW,
    partners.VIEW,
)
VIEWS_BY_NAME: dict[str, View] = {view.name: view for view in ALL_VIEWS}


def view_named(name: str) -> View:
    """The view called `name`, or a ValueError listing the views there are."""
    try:
        return VIEWS_BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"no view named '{name}': the views are {', '.join(VIEWS_BY_NAME)}"
        ) from None
