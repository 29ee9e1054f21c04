"""The demo partnership's story: its members, working groups and workshop registrants,
from the source article (Stockholm county's development partnership for the social
economy), and the pseudonymous ids of its people.

Persons are pseudonymous ids derived from a label (no names: the article's people are
real, and personal data arrives only encrypted, with the personal-data issue). Business
times are fixed, so every load tells the same story.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

_PEOPLE = uuid5(NAMESPACE_URL, "urn:coordination:demo:person")
#: When the story begins; every step happens a fixed number of days after it.
START = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)

MEMBERS = [
    ("Stockholms stad", "municipality"),
    ("Huddinge kommun", "municipality"),
    ("Arbetsförmedlingen Stockholm", "public_agency"),
    ("Länsstyrelsen i Stockholms län", "public_agency"),
    ("Vårdföretaget Omsorg i Stockholm AB", "company"),
    ("Stockholms Stadsmission", "association"),
    ("Verdandi Stockholm", "association"),
    ("Coompanion Stockholm", "cooperative"),
    ("Vägen ut! kooperativen", "social_enterprise"),
    ("ABF Stockholm", "study_association"),
    ("Invandrarföreningarnas samverkansråd", "other"),
]

GROUPS = [
    (
        "Local economic development / democracy and integration",
        "Economic development, democracy and integration in the county's municipalities",
        [
            "Stockholms stad",
            "Huddinge kommun",
            "Verdandi Stockholm",
            "Coompanion Stockholm",
            "Invandrarföreningarnas samverkansråd",
        ],
        [("Map the support needs of new social enterprises in three municipalities", 90)],
    ),
    (
        "Business development / public procurement",
        "Do social enterprises lose public tenders, and why; what must change in procurement",
        [
            "Stockholms stad",
            "Länsstyrelsen i Stockholms län",
            "Vägen ut! kooperativen",
            "Coompanion Stockholm",
            "Vårdföretaget Omsorg i Stockholm AB",
        ],
        [
            ("Study of tender outcomes for social enterprises 2023-2025", 120),
            ("Draft model social clauses for municipal tenders", 150),
        ],
    ),
    (
        "Economy, financing and credit",
        "Alternative finance for social enterprises, since banks often refuse loans",
        [
            "Arbetsförmedlingen Stockholm",
            "Stockholms Stadsmission",
            "Coompanion Stockholm",
            "Vägen ut! kooperativen",
            "ABF Stockholm",
        ],
        [("Survey of micro-credit and guarantee schemes open to cooperatives", 100)],
    ),
]

REGISTRANTS = [
    ("Stockholms stad", "municipal_representative"),
    ("Huddinge kommun", "municipal_representative"),
    ("Coompanion Stockholm", "facilitator"),
    ("Vägen ut! kooperativen", "social_economy_actor"),
    ("Stockholms Stadsmission", "social_economy_actor"),
    ("Invandrarföreningarnas samverkansråd", "speaker"),
]

#: The members of the working group that decides (the procurement group).
PROCUREMENT_GROUP = GROUPS[1][2]


def person(label: str) -> UUID:
    """A stable pseudonymous id for a demo person."""
    return uuid5(_PEOPLE, label)
