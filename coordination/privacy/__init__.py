"""Personal data per person: keys kept apart, fields sealed before they are stored,
opened for an access request, forgotten by destroying the key
(docs/decisions/0038-personal-data-sealed-per-person.md)."""
