"""Documents written to make a node work hard before anything runs: each within the token
limit, each costing strawberry's depth and alias limits or graphql-core's validation
seconds (or, for the spreads doubling at every level, for ever) before the node checked
documents in linear time."""

from __future__ import annotations


def doubling_spreads(levels: int, root: str = "Query", leaf: str = "__typename") -> str:
    """Fragments each spreading the one before twice: 2^levels copies of `leaf`."""
    operation = "subscription" if root == "Subscription" else "query"
    fragments = [f"fragment F0 on {root} {{ {leaf} }}"]
    fragments += [
        f"fragment F{i} on {root} {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return " ".join(fragments) + f" {operation} {{ ...F{levels} }}"


def _spread_in_one_set(count: int, body: str) -> str:
    fragments = " ".join(f"fragment G{i} on Query {{ {body} }}" for i in range(count))
    return fragments + " { " + " ".join(f"...G{i}" for i in range(count)) + " }"


#: Name, document: every shape measured while choosing the limits (decision 21).
HOSTILE = {
    "spreads doubling over 20 levels": doubling_spreads(20),
    "spreads doubling over 39 levels": doubling_spreads(39),
    "spreads doubling over 250 levels": doubling_spreads(250),
    "spreads doubling over connections": doubling_spreads(39, leaf="forums { edges { cursor } }"),
    "one wide fragment spread 700 times": (
        "fragment A on Query { " + "__typename " * 700 + "} { " + "...A " * 700 + "}"
    ),
    "330 fragments in one selection": _spread_in_one_set(330, "__typename"),
    "40 fragments of five fields in one selection": (
        " ".join(
            f"fragment W{i} on WorkingGroup {{ name purpose status memberCount"
            " convenorOrganisation { name } }"
            for i in range(40)
        )
        + " query($g: UUID!) { workingGroup(uuid: $g) { "
        + " ".join(f"...W{i}" for i in range(40))
        + " } }"
    ),
    "one field 2900 times": "{ " + "__typename " * 2900 + "}",
    "one field with a selection 350 times": "{ "
    + "forums { pageInfo { hasNextPage } } " * 350
    + "}",
    "a chain of 370 fragments": (
        " ".join(f"fragment G{i} on Query {{ ...G{i + 1} }}" for i in range(370))
        + " fragment G370 on Query { __typename } { ...G0 }"
    ),
    "100 operations over a chain of 60 fragments": (
        " ".join(f"query Q{i}($v: Int) {{ ...C0 }}" for i in range(100))
        + " "
        + " ".join(
            f"fragment C{i} on Query {{ forums(first: $v) {{ pageInfo {{ hasNextPage }} }}"
            f" ...C{i + 1} }}"
            for i in range(60)
        )
        + " fragment C60 on Query { __typename }"
    ),
    "190 nested inline fragments": "{ "
    + "... on Query { " * 190
    + "__typename"
    + " }" * 190
    + " }",
    "selections nested 198 deep": "{ "
    + "forums { edges { node { " * 66
    + "name"
    + " } } }" * 66
    + " }",
    "700 unused variables": "query("
    + " ".join(f"$v{i}: Int" for i in range(700))
    + ") { __typename }",
    "a fragment cycle": "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }",
}
