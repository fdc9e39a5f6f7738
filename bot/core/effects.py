"""What a dialog asks for: messages, a button press's answer, a person's menu refreshed.

A dialog never calls a platform. It writes effects here; the adapter applies them after,
within its platform's limits (`bot.core.limits`). An answer that confirms a change in the
ledger is not one of these: it is written with the change (`bot.services.uow.reply`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.event import Event
from bot.messages import Button, OutMessage

if TYPE_CHECKING:
    from bot.services.container import Services


@dataclass(frozen=True)
class Toast:
    """The small notice a button press shows (or an alert the user must dismiss)."""

    text: str | None
    alert: bool = False


@dataclass(frozen=True)
class OutFile:
    """A file the bot made for this answer (a workbook, a list of errors): sent, not kept."""

    name: str
    data: bytes
    caption: str = ""


@dataclass
class Effects:
    """The effects of one event, in order."""

    said: list[OutMessage] = field(default_factory=list)  # answers in the event's chat
    files: list[OutFile] = field(default_factory=list)  # files made for the answer, after it
    toast: Toast | None = None  # the button press's answer (one at most)
    menus: list[int] = field(default_factory=list)  # people whose command menu may change
    withdraw: bool = False  # take the event's own message down (it showed a secret)
    taken: bool = False  # the event is answered: no later dialog should see it

    def say(self, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        """Answer in the chat the event came from (an answer that confirms no change)."""
        self.said.append(OutMessage(text=text, buttons=buttons))

    def show(self, message: OutMessage) -> None:
        self.said.append(message)

    def edit(self, message_id: int, message: OutMessage) -> None:
        """Turn a message the bot sent into this one (where the platform cannot edit, the
        adapter sends it anew)."""
        self.said.append(message.model_copy(update={"edit_message_id": message_id}))

    def send_file(self, name: str, data: bytes, caption: str = "") -> None:
        self.files.append(OutFile(name, data, caption))

    def answer_press(self, text: str | None = None, *, alert: bool = False) -> None:
        self.toast = Toast(text, alert)

    def take(self) -> None:
        """This dialog answered the event: it goes no further."""
        self.taken = True

    def take_down(self) -> None:
        """Remove the user's message from the chat where the platform lets the bot."""
        self.withdraw = True

    def refresh_menu(self, user_id: int) -> None:
        """This person's roles may have changed: their command menu should follow."""
        self.menus.append(user_id)


# A dialog: what the bot does for an event, given the services, writing its effects.
Dialog = Callable[[Event, "Services", Effects], Awaitable[None]]
