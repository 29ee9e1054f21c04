"""The house the imports build: no cycle between the node's packages, no arrow upwards.

`make lint` checks the same rules as import-linter contracts (`pyproject.toml`); this
test builds the graph itself with grimp, import-linter's graph library, from the layer
order those contracts state, so that a contract weakened by mistake is still caught here,
and a failure names the importing and imported modules.
"""

from __future__ import annotations

import itertools
import tomllib
from functools import cache
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
#: Importable from everywhere above the domain: they import none of the layers.
INFRASTRUCTURE = (
    "coordination.persistence",
    "coordination.observability",
    "coordination.settings",
    "coordination.ide",
    "coordination.runtime",
    "coordination.private_files",
)


def layer_order() -> list[list[str]]:
    """The layers, top (the rim) to bottom (the domain), as the layers contract states
    them; each a list of packages that may not import one another."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (layers,) = (
        contract["layers"]
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    )
    return [[part.strip() for part in layer.split("|")] for layer in layers]


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("coordination", "coordination_demo", cache_dir=None)


def package_of(module: str) -> str:
    """`coordination.graphql.types.forum` → `coordination.graphql`."""
    return ".".join(module.split(".")[:2])


def package_arrows() -> dict[tuple[str, str], tuple[str, str]]:
    """Each pair (importing package, imported package) of the node, with one import
    that makes it."""
    arrows: dict[tuple[str, str], tuple[str, str]] = {}
    found = graph()
    for importer in sorted(found.modules):
        if not importer.startswith("coordination."):
            continue
        for imported in sorted(found.find_modules_directly_imported_by(importer)):
            pair = (package_of(importer), package_of(imported))
            if imported.startswith("coordination.") and pair[0] != pair[1]:
                arrows.setdefault(pair, (importer, imported))
    return arrows


def test_the_layers_cover_the_node() -> None:
    """Every package of the node is a layer or infrastructure: a new one must be placed."""
    placed = {package for layer in layer_order() for package in layer} | set(INFRASTRUCTURE)
    packages = {package_of(m) for m in graph().modules if m.startswith("coordination.")}
    assert sorted(packages - placed - {"coordination.__main__"}) == []


Arrows = dict[tuple[str, str], tuple[str, str]]


def misplaced(arrows: Arrows, layers: list[list[str]]) -> list[str]:
    """The arrows that point upwards, or sideways within a layer, or from the
    infrastructure into a layer."""
    rank = {package: height for height, layer in enumerate(reversed(layers)) for package in layer}
    wrong = []
    for (importer, imported), example in sorted(arrows.items()):
        if importer in INFRASTRUCTURE and imported not in INFRASTRUCTURE:
            wrong.append(f"infrastructure {importer} imports {imported}: {example}")
        elif importer in rank and imported in rank and rank[imported] >= rank[importer]:
            wrong.append(f"{importer} imports {imported}, not below it: {example}")
    return wrong


def on_a_cycle(arrows: Arrows) -> list[str]:
    """The arrows between packages that lie on a cycle."""
    successors: dict[str, set[str]] = {}
    for importer, imported in arrows:
        successors.setdefault(importer, set()).add(imported)
    # Kahn's algorithm, from the sinks up: what cannot be peeled off lies on a cycle.
    remaining = set(successors) | {imported for _, imported in arrows}
    while sinks := {p for p in remaining if not successors.get(p, set()) & remaining}:
        remaining -= sinks
    return sorted(
        f"{a} -> {b}: {arrows[a, b]}"
        for a, b in itertools.permutations(sorted(remaining), 2)
        if (a, b) in arrows
    )


def test_no_arrow_points_upwards_or_sideways_within_a_layer() -> None:
    assert misplaced(package_arrows(), layer_order()) == []


def test_the_packages_import_one_another_without_a_cycle() -> None:
    assert on_a_cycle(package_arrows()) == []


def test_the_checks_catch_an_arrow_upwards_and_a_cycle() -> None:
    arrows = dict(package_arrows())
    assert ("coordination.graphql", "coordination.domain") in arrows  # the graph is real
    upwards = ("coordination.domain", "coordination.graphql")
    arrows[upwards] = ("coordination.domain.decision", "coordination.graphql.schema")
    assert misplaced(arrows, layer_order()) == [
        "coordination.domain imports coordination.graphql, not below it:"
        " ('coordination.domain.decision', 'coordination.graphql.schema')"
    ]
    assert len(on_a_cycle(arrows)) >= 2
    sideways = {("coordination.federation", "coordination.graphql"): ("f", "g")}
    assert len(misplaced(sideways, layer_order())) == 1
