"""Dialogs: what the bot says and does for an event, on any platform (see `bot.core`)."""
