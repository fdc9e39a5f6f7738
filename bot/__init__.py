"""整改通 (zhenggai): the bot's wiring, runtime, services and the local Bot API sandbox."""

import os

# Opt in to PTB's future type of RetryAfter.retry_after (a timedelta) now; see bot.ratelimit.
os.environ.setdefault("PTB_TIMEDELTA", "1")
