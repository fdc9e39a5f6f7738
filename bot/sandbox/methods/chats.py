"""Chat information and chat actions, with simple plausible answers."""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.methods.common import Effect, Params
from bot.sandbox.model import SimChat
from bot.sandbox.state import World

_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


def send_chat_action(world: World, params: Params) -> Effect:
    """Accept a valid action; there is nothing to show for it."""
    world.target(params["chat_id"])
    if params["action"] not in _ACTIONS:
        raise bad_request("wrong parameter action in request")
    return lambda: True


def get_chat(world: World, params: Params) -> Effect:
    """ChatFullInfo with the fields PTB requires."""
    chat = world.target(params["chat_id"])
    info: dict[str, Any] = {
        **chat.to_dict(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    return lambda: info


def get_chat_member(world: World, params: Params) -> Effect:
    """The member's status: creator and admins as set up, the bot by its rights, else member."""
    chat = world.target(params["chat_id"])
    user_id = params["user_id"]
    if user_id == world.bot_user["id"]:
        status = "administrator" if chat.bot_admin else "member"
        member = _member(world.bot_user, status)
    elif user_id in world.users:
        member = _member(world.users[user_id].to_dict(), _status(chat, user_id))
    else:
        raise bad_request("user not found")
    return lambda: member


def get_chat_administrators(world: World, params: Params) -> Effect:
    """The group's creator and admins, and the bot when it is an admin."""
    chat = world.target(params["chat_id"])
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    admins = [_member(u.to_dict(), _status(chat, u.id)) for u in chat.admins]
    if chat.bot_admin:
        admins.append(_member(world.bot_user, "administrator"))
    return lambda: admins


def get_chat_member_count(world: World, params: Params) -> Effect:
    """Everyone the sandbox has seen in the chat, plus the bot."""
    chat = world.target(params["chat_id"])
    seen = {e.sender.id for e in world.entries(chat.id) if e.sender is not None}
    seen.update(u.id for u in chat.admins)
    return lambda: len(seen) + 1


def _status(chat: SimChat, user_id: int) -> str:
    ids = [u.id for u in chat.admins]
    if ids and ids[0] == user_id:
        return "creator"
    return "administrator" if user_id in ids else "member"


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update({"can_be_edited": False, "is_anonymous": False})
        member.update(dict.fromkeys(_RIGHTS, True))
    return member
