"""A local Bot API sandbox: PTB talks to it over HTTP; tests act as the users."""

from bot.sandbox.core import Sandbox
from bot.sandbox.errors import SandboxError
from bot.sandbox.faults import Faults
from bot.sandbox.limits import FloodLimits, FloodViolation
from bot.sandbox.model import SimChat, SimUser
from bot.sandbox.state import Call

__all__ = [
    "Call",
    "Faults",
    "FloodLimits",
    "FloodViolation",
    "Sandbox",
    "SandboxError",
    "SimChat",
    "SimUser",
]
