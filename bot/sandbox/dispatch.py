"""One API call from receipt to answer: spec check, validation, faults, limits, effect."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from typing import Any

from bot.sandbox.errors import ApiError
from bot.sandbox.methods import HANDLERS
from bot.sandbox.state import Call, World


async def call_api(world: World, method: str, raw: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Answer a call as Telegram would: the HTTP status and the JSON body."""
    call = Call(method, dict(raw), at=world.clock())
    # Recorded on arrival so calls() keeps arrival order even for long polls.
    world.calls.append(call)
    try:
        result = await _run(world, call, raw)
        status, body = 200, {"ok": True, "result": result}
    except ApiError as exc:
        status, body = exc.status, exc.body()
        call.error = exc.description
    except asyncio.CancelledError:
        # Status stays 0: nobody got an answer, so it is neither a success nor a rejection.
        call.error = "the client hung up before the answer"
        raise
    call.status = status
    delay = world.faults.delay(call.method)
    if delay > 0:
        # After the effect: a client that gives up has still sent, as with Telegram.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await world.stopping.wait()
    return status, body


def reject(world: World, method: str, raw: dict[str, Any], error: ApiError) -> dict[str, Any]:
    """Record a call refused before dispatch (wrong token, unreadable body)."""
    world.calls.append(
        Call(method, dict(raw), status=error.status, error=error.description, at=world.clock())
    )
    return error.body()


async def _run(world: World, call: Call, raw: dict[str, Any]) -> Any:
    spec = world.spec.method(call.method)
    if spec is None:
        raise ApiError(404, "Not Found")
    call.method = spec.name
    decoded = world.spec.decode(spec, raw, strict=world.strict)
    call.params, call.warnings = decoded.params, decoded.warnings
    prepare = HANDLERS.get(spec.name)
    if prepare is None:
        raise ApiError(501, f"Not Implemented: sandbox does not serve {spec.name}")
    effect = prepare(world, decoded.params)
    refusal = world.check_gate(spec.name, decoded.params.get("chat_id"))
    if refusal is not None:
        raise refusal
    result = effect()
    if inspect.isawaitable(result):
        result = await result
    return result
