"""A chart the bot drew goes through the outbox as a photo upload and arrives whole."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from bot.messages import Attachment, OutMessage
from bot.runtime import Runtime
from bot.sandbox import Sandbox
from bot.services import notify
from bot.services.duties import chart
from bot.services.duties.chart import UnitBar
from storage import outbox
from tests.e2e.conftest import E2E_TODAY


async def test_a_chart_file_is_uploaded_as_a_photo(sandbox: Sandbox, runtime: Runtime) -> None:
    office = sandbox.group(-100700, "县委巡察办工作群")
    [image] = chart.render([UnitBar("县财政局", 3, 1, 1, 1, 1)], 3 / 7, None, "第六轮", E2E_TODAY)
    folder = chart.folder(runtime.config.storage.evidence_dir)
    folder.mkdir(parents=True)
    [path] = chart.save([image], folder / "weekly.png")
    message = OutMessage(text="挂图作战", attachment=Attachment(kind="photo", path=str(path)))
    async with runtime.db.transaction() as tx:
        await notify.enqueue(
            tx, "chart:test", office.id, "weekly", message, runtime.services.clock()
        )
    runtime.sender.kick()

    await sandbox.wait_for(lambda: len(sandbox.received(office)) == 1, timeout=15)
    [got] = sandbox.received(office)
    assert got["caption"] == "挂图作战"
    full = got["photo"][-1]
    assert (full["width"], full["height"]) == (chart.WIDTH_PX, png_height(image))
    assert sandbox.uploaded_file(full["file_id"]) == image
    row = await outbox.by_key(runtime.db, "chart:test")
    assert row is not None
    assert json.loads(row.payload)["attachment"] == {
        "kind": "photo",
        "file_id": None,
        "path": str(path),
    }


def png_height(data: bytes) -> int:
    return int.from_bytes(data[20:24], "big")


def test_outbox_rows_written_before_paths_still_read() -> None:
    old = '{"text": "通知", "attachment": {"kind": "document", "file_id": "BQACAgIAAx1"}}'
    message = OutMessage.model_validate_json(old)
    assert message.attachment == Attachment(kind="document", file_id="BQACAgIAAx1")
    assert OutMessage.model_validate_json(message.model_dump_json()) == message


def test_an_attachment_has_exactly_one_source() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Attachment(kind="photo")
    with pytest.raises(ValidationError, match="exactly one"):
        Attachment(kind="photo", file_id="x", path="/tmp/x.png")
