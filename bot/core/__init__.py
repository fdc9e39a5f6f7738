"""The interaction core: neutral events in, neutral effects out — no platform in here.

A platform adapter (`bot/adapters/telegram.py`) turns what its platform delivered into an
`Event`, runs a dialog (`bot/dialogs/`) with an `Effects` to write to, and applies what the
dialog asked for within the platform's `Limits`.
"""
