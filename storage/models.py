"""Records as pydantic models; repositories map rows to them with from_row."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict

from storage.db import Row

Role = Literal["admin", "contact", "leader"]
ChatPurpose = Literal["office", "leaders", "unit"]
OutboxStatus = Literal["pending", "sending", "sent", "failed", "uncertain", "skipped"]


# The platform the bot first lived on: its ids stay on people.tg_user_id and its rows are the
# outbox's default (bot.adapters.telegram speaks for it).
TELEGRAM = "telegram"


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls.model_validate(dict(zip(row.keys(), tuple(row), strict=True)))


class Unit(Record):
    id: int
    name: str


class Person(Record):
    id: int
    tg_user_id: int | None  # None: not met on Telegram (bot.storage.people: identities)
    name: str  # as the platform shows it, kept current
    username: str | None
    full_name: str | None = None  # as the office registered it (姓名), given at binding
    title: str | None = None  # 职务

    @property
    def signature(self) -> str:
        """How reports and decisions are signed: 姓名（职务）, else the Telegram name."""
        if not self.full_name:
            return self.name
        return f"{self.full_name}（{self.title}）" if self.title else self.full_name


class RoleGrant(Record):
    id: int
    person_id: int
    role: Role
    unit_id: int | None
    unit_name: str | None = None
    granted_at: datetime


class Chat(Record):
    chat_id: int
    type: str
    title: str
    purpose: ChatPurpose | None
    unit_id: int | None
    active: bool


class BindCode(Record):
    id: int
    role: Role
    unit_id: int | None
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None
    burned_at: datetime | None = None


class LinkCode(Record):
    """A code a bound person takes to another platform: its identity there joins them."""

    id: int
    person_id: int
    platform: str  # where it was issued: it links an account on another platform
    expires_at: datetime
    used_at: datetime | None
    used_on: str | None  # platform:user_id that used it
    burned_at: datetime | None = None  # shown in a group: void


class InboxItem(Record):
    update_id: int
    lane: str
    payload: str
    status: str
    attempts: int


class OutboxItem(Record):
    id: int
    key: str
    platform: str
    chat_id: int
    kind: str
    payload: str
    status: OutboxStatus
    attempts: int
    not_before_ts: float
    message_id: int | None = None
    last_error: str | None = None
    claimed_by: int | None = None  # the replica that put it on its way (bot/cluster.py)


class AuditEntry(Record):
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity: str
    entity_id: int | None
    before: str | None
    after: str | None
    detail: str | None


def as_dict(row: Row | None) -> dict[str, Any] | None:
    return None if row is None else dict(zip(row.keys(), tuple(row), strict=True))
