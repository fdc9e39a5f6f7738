"""Calls Telegram would refuse are refused the same way, with the real HTTP status."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from bot.sandbox import Sandbox, SimChat
from tests.sandbox.conftest import TOKEN

# do_api_request is how a test makes a call PTB itself would never build.
pytestmark = pytest.mark.filterwarnings("ignore:Please use:telegram.warnings.PTBUserWarning")


async def test_get_me_describes_the_bot(sb: Sandbox, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        123456,
        "zhenggai_bot",
        "整改通",
        True,
    )
    assert me.can_read_all_group_messages is False  # privacy mode is on by default
    assert [c.method for c in sb.calls()][:1] == ["getMe"]


async def test_sent_message_is_a_message_and_is_received(
    sb: Sandbox, bot: Bot, dm: SimChat
) -> None:
    sent = await bot.send_message(dm.id, "整改通知：R6-03-012")
    assert sent.text == "整改通知：R6-03-012"
    assert sent.chat.id == dm.id
    assert sent.from_user is not None
    assert sent.from_user.username == "zhenggai_bot"
    received = sb.received(dm)
    assert [m["text"] for m in received] == ["整改通知：R6-03-012"]
    assert received[0]["message_id"] == sent.message_id


async def test_text_of_4097_is_rejected_and_4096_passes(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(dm.id, "长" * 4097)
    assert [(c.method, c.status) for c in sb.rejected()] == [("sendMessage", 400)]
    await bot.send_message(dm.id, "长" * 4096)
    assert len(sb.received(dm)) == 1


async def test_text_length_counts_utf16_units(bot: Bot, dm: SimChat) -> None:
    # 2049 emoji are 4098 UTF-16 units: too long, although only 2049 characters.
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(dm.id, "😀" * 2049)
    await bot.send_message(dm.id, "😀" * 2048)


async def test_empty_text_is_rejected(bot: Bot, dm: SimChat) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(dm.id, "   ")


async def test_html_length_is_counted_after_parsing(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    text = "<b>" + "长" * 4096 + "</b>"
    sent = await bot.send_message(dm.id, text, parse_mode="HTML")
    assert sent.text == "长" * 4096
    assert sent.entities[0].type == "bold"
    assert sb.received(dm)[0]["entities"] == [{"type": "bold", "offset": 0, "length": 4096}]


async def test_malformed_html_is_rejected(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(dm.id, "<b>未闭合", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(dm.id, "1 < 2", parse_mode="HTML")
    await bot.send_message(dm.id, "1 &lt; 2 &amp; <i>好</i>", parse_mode="HTML")
    assert sb.received(dm)[-1]["text"] == "1 < 2 & 好"


async def test_markdown_v2_reserved_character_is_rejected(bot: Bot, dm: SimChat) -> None:
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(dm.id, "截止 2026.10.08", parse_mode="MarkdownV2")
    sent = await bot.send_message(dm.id, r"*截止* 2026\.10\.08", parse_mode="MarkdownV2")
    assert sent.text == "截止 2026.10.08"


async def test_unknown_parameter_is_rejected(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    with pytest.raises(BadRequest, match=r'(?i)unknown parameter "bogus"'):
        await bot.do_api_request(
            "sendMessage", api_kwargs={"chat_id": dm.id, "text": "x", "bogus": 1}
        )
    assert sb.rejected()[-1].status == 400
    assert sb.received(dm) == []


async def test_lenient_sandbox_records_a_warning_instead(dm: SimChat) -> None:
    async with Sandbox(token=TOKEN, strict=False) as lenient:
        chat = lenient.private_chat(lenient.user(dm.id, "王芳"))
        async with Bot(TOKEN, base_url=lenient.base_url) as ptb:
            await ptb.do_api_request(
                "sendMessage", api_kwargs={"chat_id": chat.id, "text": "x", "bogus": 1}
            )
        call = lenient.calls("sendmessage")[-1]
        assert call.status == 200
        assert call.warnings == ['unknown parameter "bogus" ignored']


async def test_missing_chat_id_is_rejected(sb: Sandbox, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat_id is empty"):
        await bot.do_api_request("sendMessage", api_kwargs={"text": "x"})
    assert sb.rejected()[-1].method == "sendMessage"


async def test_wrong_type_is_rejected(bot: Bot, dm: SimChat) -> None:
    with pytest.raises(BadRequest, match=r"(?i)invalid parameter"):
        await bot.do_api_request(
            "sendMessage", api_kwargs={"chat_id": dm.id, "text": "x", "disable_notification": "x"}
        )
    with pytest.raises(BadRequest, match=r"(?i)can't parse reply_markup"):
        await bot.do_api_request(
            "sendMessage", api_kwargs={"chat_id": dm.id, "text": "x", "reply_markup": {"a": 1}}
        )


async def test_unknown_method_is_a_404(sb: Sandbox, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendNonsense")
    call = sb.calls()[-1]
    assert (call.method, call.status, call.error) == ("sendNonsense", 404, "Not Found")


async def test_spec_method_not_served_is_a_501(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    with pytest.raises(Exception, match=r"(?i)sandbox does not serve sendPoll"):
        await bot.send_poll(dm.id, "问题", ["甲", "乙"])
    assert sb.rejected()[-1].status == 501


async def test_method_names_are_case_insensitive(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    await bot.do_api_request("SENDMESSAGE", api_kwargs={"chat_id": dm.id, "text": "大写"})
    assert sb.calls()[-1].method == "sendMessage"
    assert sb.received(dm)[-1]["text"] == "大写"


async def test_callback_data_over_64_bytes_is_rejected(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    data = "整" * 22  # 66 bytes in UTF-8, though only 22 characters
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data=data)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(dm.id, "请确认", reply_markup=keyboard)
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="整" * 21)]])
    await bot.send_message(dm.id, "请确认", reply_markup=ok)
    assert [m["text"] for m in sb.received(dm)] == ["请确认"]


async def test_caption_over_1024_is_rejected(bot: Bot, dm: SimChat) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(dm.id, b"\xff\xd8jpeg", caption="说" * 1025)


async def test_unknown_chat_and_uninvited_user(sb: Sandbox, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "你好")
    stranger = sb.user(555, "陌生人")
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(stranger.id, "你好")
    sb.private_chat(stranger)
    await bot.send_message(stranger.id, "你好")


async def test_wrong_token_is_invalid_token(sb: Sandbox) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("654321:WRONG", base_url=sb.base_url):
            pass
    assert sb.rejected()[-1].status == 401


async def test_removed_bot_and_blocking_user_get_403(
    sb: Sandbox, bot: Bot, grp: SimChat, dm: SimChat
) -> None:
    admin = sb.user(1, "王主任")
    await sb.remove_from_group(grp, by=admin)
    with pytest.raises(Forbidden, match=r"(?i)kicked from the group chat"):
        await bot.send_message(grp.id, "通知")
    assert dm.user is not None
    sb.block_bot(dm.user)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(dm.id, "通知")
