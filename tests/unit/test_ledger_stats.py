"""/stats on the sample ledger equals a hand computation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from bot.clock import pinned_clock
from bot.context import App
from bot.sample import ROUND, write_xlsx
from bot.services.ledger import session
from bot.services.ledger.figures import completion_rate, rectify_rate, stats
from bot.services.ledger.importer import apply_import
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.factory import private_chat, text_update, user
from tests.recording import RecordingRequest

TODAY = date(2026, 11, 23)

# By hand: the sample has 52 problems; 县交通运输局 holds R6-01-001 … R6-01-007.
CLOSED = [
    "R6-01-001",
    "R6-01-002",
    "R6-01-003",
    "R6-02-008",
    "R6-03-015",
    "R6-04-022",
    "R6-05-029",
    "R6-06-036",
    "R6-07-043",
    "R6-08-048",
]
AWAITING = ["R6-01-004", "R6-02-009", "R6-03-016", "R6-04-023", "R6-05-030", "R6-06-037"]
IN_PROGRESS = ["R6-01-005", "R6-02-010", "R6-03-017"]


async def load_sample(db: Database, tmp_path: Path) -> None:
    checked = session.check_file(write_xlsx(tmp_path / "s.xlsx", TODAY).read_bytes(), "s.xlsx")
    assert checked.errors == []
    async with db.transaction() as tx:
        await apply_import(tx, checked.rows, ROUND, by=None, by_label="t", at=datetime.now(UTC))
        for status, codes in (
            ("closed", CLOSED),
            ("awaiting_acceptance", AWAITING),
            ("in_progress", IN_PROGRESS),
        ):
            for code in codes:
                cur = await tx.execute(
                    "UPDATE problems SET status = ? WHERE code = ?", (status, code)
                )
                assert cur.rowcount == 1, code


async def test_rates_equal_a_hand_computation(db: Database, tmp_path: Path) -> None:
    await load_sample(db, tmp_path)
    s = await stats(db, TODAY)
    assert (s.overall.total, s.overall.closed, s.overall.awaiting) == (52, 10, 6)
    assert rectify_rate(s.overall) == 10 / 52
    assert completion_rate(s.overall) == (10 + 6) / 52
    transport = next(c for c in s.by_unit if c.label == "县交通运输局")
    assert (transport.total, transport.closed) == (7, 3)
    assert (transport.awaiting, transport.in_progress) == (1, 1)
    assert rectify_rate(transport) == 3 / 7
    assert completion_rate(transport) == 4 / 7
    market = next(c for c in s.by_unit if c.label == "县市场监督管理局")  # R6-07-039 … 043
    assert (market.total, market.closed, market.awaiting) == (5, 1, 0)
    assert [c.total for c in s.by_round] == [52]
    assert sum(c.total for c in s.by_category) == 52
    assert sum(c.closed for c in s.by_category) == 10


async def test_stats_command_shows_the_same_figures(
    app: App, db: Database, recorder: RecordingRequest, tmp_path: Path
) -> None:
    await load_sample(db, tmp_path)
    # The sample's deadlines are relative to TODAY: read the ledger on that day.
    app.bot_data.services.clock = pinned_clock(datetime(2026, 11, 23, 10, tzinfo=UTC))
    await app.process_update(text_update(app.bot, user(ADMIN_ID), private_chat(ADMIN_ID), "/stats"))
    text = recorder.sent(ADMIN_ID)[-1]
    # The five shares add up: 整改中 and 未启动 leave out the overdue ones.
    assert "全部：问题 52 个，已销号 10，待验收 6，整改中 3，未启动 29，逾期 4" in text
    assert "整改率 19.2%，完成率 30.8%" in text
    assert "县交通运输局：7 个，整改率 42.9%，完成率 57.1%" in text
