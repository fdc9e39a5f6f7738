"""Fixtures of the unit tests that talk to the bot."""

from tests.unit.talk import talk_app  # noqa: F401
