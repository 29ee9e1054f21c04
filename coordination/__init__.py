"""coordination: the event-sourced backend of a development partnership for the social economy."""

__version__ = "0.1.0"
