"""Three replicas on PostgreSQL; the leader is SIGKILLed twice under load (bench/failover.py)."""

from __future__ import annotations

from pathlib import Path

from bench.failover import run
from tests import dbs


@dbs.postgresql_only
async def test_the_leader_dies_twice_and_nothing_is_lost_doubled_or_too_fast(
    tmp_path: Path,
) -> None:
    database = dbs.target(tmp_path, "fleet", migrated=False)
    result = await run(database, replicas=3, kills=2, contacts=12, reports=36, n_units=250)
    print(result)  # shown in full when an assertion below fails
    assert result["notice chats"] == 500
    assert result["reports confirmed by contacts"] == 36
    for key in (
        "reports lost",
        "reports doubled",
        "receipts missing",
        "receipts doubled",
        "notice chats with it twice",
        "presses unanswered",
        "updates not done",
        "flood-limit violations",
    ):
        assert result[key] == 0, (key, result)
    # A send a kill cut off on the wire may or may not have arrived: it is marked uncertain
    # (the office is told which) and never sent twice. Only such a send may be missing.
    assert result["notice chats missing it"] <= result["sends marked uncertain"], result
    assert result["acknowledgements recorded"] == result["presses"], result
    assert result["presses"] >= 250 - result["notice chats missing it"], result
    assert result["daily summaries in the office group"] == 1, result
    gaps = result["seconds to a new leader's poll"]
    assert len(gaps) == 2, result  # both kills found the leader
    assert max(gaps) < 10, result
