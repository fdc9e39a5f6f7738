"""Scheduled duties: reminders, red warnings, chasing, and the daily and weekly digests."""
