"""Our pace: inside Telegram's limits by design, and a 429 pauses only its chat."""

from __future__ import annotations

from itertools import pairwise

from bot.messages import split_text, utf16_len
from bot.ratelimit import ChatRateLimiter, Pace


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def send(limiter: ChatRateLimiter, clock: FakeClock, chat: int, outbox: bool = False) -> float:
    """Wait as the limiter says, then send; return when it went."""
    clock.now += limiter.delay(chat, outbox=outbox)
    limiter._take(chat, outbox)
    return clock.now


def test_private_chat_is_paced_to_about_one_a_second() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(Pace(), clock)
    times = [send(limiter, clock, 5) for _ in range(30)]
    for i in range(len(times)):
        window = [t for t in times if times[i] <= t < times[i] + 3.0]
        assert len(window) <= 3
    assert times[-1] - times[0] >= 27 * 3.2 / 3 - 1


def test_group_gets_at_most_20_a_minute_and_outbox_leaves_room_for_replies() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(Pace(), clock)
    times = [send(limiter, clock, -100, outbox=True) for _ in range(40)]
    for t in times:
        assert len([u for u in times if t <= u < t + 60.0]) <= 16
    clock.now = times[-1] + 60.0  # the window holds some of the outbox's sends; fill it to 16
    while limiter.delay(-100, outbox=True) < 3.2:
        send(limiter, clock, -100, outbox=True)
    clock.now += 3.2  # past the chat's burst: only the group's minute can hold a send now
    assert limiter.delay(-100, outbox=True) > 0  # the outbox has had its 16
    assert limiter.delay(-100) == 0  # a reply still goes


def test_the_outbox_takes_its_share_evenly_and_replies_keep_theirs() -> None:
    """A morning's thousand to-dos go out one every 61 ms, not 18 at once: a user who asks
    in that second finds the overall budget as open as in any other."""
    clock = FakeClock()
    limiter = ChatRateLimiter(Pace(), clock)
    times = [send(limiter, clock, 2000 + n, outbox=True) for n in range(60)]
    gaps = [b - a for a, b in pairwise(times)]
    assert min(gaps) >= 1.1 / 18 - 1e-9
    for t in times:
        assert len([u for u in times if t <= u < t + 1.1]) <= 18
    # Halfway through a busy second the outbox has taken 9 slots: 16 are left for replies.
    clock.now = times[-1] + 0.55
    replies = [send(limiter, clock, 9000 + n) for n in range(16)]
    assert replies[-1] == clock.now == times[-1] + 0.55  # none of them waited


def test_global_limit_under_30_a_second() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(Pace(), clock)
    times = [send(limiter, clock, 1000 + n) for n in range(100)]
    for t in times:
        assert len([u for u in times if t <= u < t + 1.0]) <= 30


def test_429_pauses_only_that_chat() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(Pace(), clock)
    limiter.block(7, 5)
    assert limiter.delay(7) == 5
    assert limiter.delay(8) == 0


def test_split_text_keeps_lines_and_limits() -> None:
    lines = [f"第{i}行：" + "整改" * 30 + "😀" for i in range(200)]
    text = "\n".join(lines)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text
    giant = "字" * 9000
    assert "".join(split_text(giant)) == giant
    assert all(utf16_len(p) <= 4096 for p in split_text("😀" * 3000))
