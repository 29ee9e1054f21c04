"""The privacy tests build on the application's small partnership."""

from tests.application.conftest import app, world

__all__ = ["app", "world"]
