"""移交纪检监察: an admin hands a red item over; the record shows it wherever it is listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import pinned_clock
from bot.config import Config
from bot.context import App
from bot.services.duties import todo
from bot.services.duties.engine import Slot
from bot.services.duties.render import red_message, todo_message
from bot.services.duties.runner import DutyRunner
from storage import audit
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.factory import private_chat, text_update, user
from tests.recording import RecordingRequest
from tests.unit.test_ledger_stats import TODAY, load_sample

RED = "R6-08-049"  # deadline TODAY − 13, not started: red on TODAY
UNIT = "县城市投资发展有限公司"
AT = datetime(2026, 11, 23, 2, tzinfo=UTC)  # 10:00 in Beijing


async def _say(app: App, text: str) -> None:
    await app.process_update(text_update(app.bot, user(ADMIN_ID), private_chat(ADMIN_ID), text))


async def test_a_transfer_is_recorded_once_and_shown_everywhere(
    app: App, db: Database, recorder: RecordingRequest, config: Config, tmp_path: Path
) -> None:
    await load_sample(db, tmp_path)
    app.bot_data.services.clock = pinned_clock(AT)
    await _say(app, f"/transfer {RED} 县纪委监委")
    assert f"已将问题 {RED}（{UNIT}）移交县纪委监委" in recorder.sent(ADMIN_ID)[-1]
    assert "超期13天未办理" in recorder.sent(ADMIN_ID)[-1]  # the default note says why
    await _say(app, f"/transfer {RED} 市纪委监委 再次移交")
    assert "不重复移交" in recorder.sent(ADMIN_ID)[-1]
    entries = await audit.entries(db, "transfer")
    assert len(entries) == 1
    assert entries[0].entity_id is not None
    await _say(app, f"/problem {RED}")
    assert "移交纪检监察" in "\n".join(recorder.sent(ADMIN_ID)[-3:])

    runner = DutyRunner(config, db)
    world = await runner.world()
    s, cal = runner.settings, runner.calendar
    red = todo.red_list(world.problems, TODAY, None, s, cal, first=True)
    assert "已移交县纪委监委：问题线索由纪检监察机关再监督" in red_message(red, s)
    moment = datetime(2026, 11, 27, 9, tzinfo=UTC)
    week = await runner.weekly_texts(
        Slot("weekly", TODAY + timedelta(days=4), moment), world, moment
    )
    assert f"· {RED}｜{UNIT}｜逾期 17 天｜已移交县纪委监委" in week.whole
    assert "移交纪检监察 1 项" in week.whole
    problems = [p for p in world.problems if p.unit_name == UNIT]
    unit = problems[0].unit_id
    item = todo.unit_todo(unit, problems, TODAY, None, s, cal, latest=world.latest_report(unit))
    text = todo_message(item, in_group=True, cal=cal).text
    assert f"· {RED}｜已逾期 13 天" in text
    assert "（已移交县纪委监委）" in text


async def test_only_an_admin_transfers_and_a_closed_item_is_not_handed_over(
    app: App, db: Database, recorder: RecordingRequest, tmp_path: Path
) -> None:
    await load_sample(db, tmp_path)
    app.bot_data.services.clock = pinned_clock(AT)
    await app.process_update(
        text_update(app.bot, user(77), private_chat(77), f"/transfer {RED} 县纪委监委")
    )
    assert "只有" in recorder.sent(77)[-1]
    await _say(app, "/transfer R6-01-001 县纪委监委")  # closed in the sample
    assert "已销号，无需移交" in recorder.sent(ADMIN_ID)[-1]
    await _say(app, "/transfer")
    assert "用法：/transfer" in recorder.sent(ADMIN_ID)[-1]
    assert await audit.entries(db, "transfer") == []
