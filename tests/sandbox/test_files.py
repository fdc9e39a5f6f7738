"""Photos and documents travel both ways and download back byte for byte."""

from __future__ import annotations

import struct

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox import Sandbox, SimChat, SimUser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 640, 480) + b"\x08\x02" * 20
PDF = "%PDF-1.4 整改报告 ".encode() * 50


async def test_bot_photo_upload_downloads_back(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    sent = await bot.send_photo(dm.id, PNG, caption="现场照片")
    assert len(sent.photo) >= 2
    thumb, full = sent.photo[0], sent.photo[-1]
    assert (full.width, full.height) == (640, 480)
    assert thumb.width < full.width
    assert sent.caption == "现场照片"
    assert sb.uploaded_file(full.file_id) == PNG
    file = await bot.get_file(full.file_id)
    assert file.file_size == len(PNG)
    assert bytes(await file.download_as_bytearray()) == PNG
    assert sb.transcript(dm)[0]["kind"] == "photo"


async def test_bot_document_upload_keeps_name_and_type(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    sent = await bot.send_document(dm.id, PDF, filename="整改报告.pdf", caption="请查收")
    document = sent.document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (
        "整改报告.pdf",
        "application/pdf",
        len(PDF),
    )
    file = await bot.get_file(document.file_id)
    assert bytes(await file.download_as_bytearray()) == PDF
    assert sb.received(dm)[0]["document"]["file_id"] == document.file_id


async def test_resending_by_file_id_reuses_the_file(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    first = await bot.send_document(dm.id, PDF, filename="报告.pdf")
    assert first.document is not None
    again = await bot.send_document(dm.id, first.document.file_id)
    assert again.document is not None
    assert again.document.file_id == first.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(dm.id, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_photo(dm.id, first.document.file_id)


async def test_user_document_downloads_through_get_file(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    sb.send_document(alice, dm, data=PDF, file_name="整改报告.pdf", mime_type="application/pdf")
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    assert update.message.document.file_name == "整改报告.pdf"
    file = await update.message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == PDF


async def test_user_photo_has_sizes_and_the_full_one_downloads(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    sb.send_photo(alice, dm, data=PNG, caption="/evidence R6-03-012")
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None
    assert len(message.photo) >= 2
    assert message.caption == "/evidence R6-03-012"
    assert message.caption_entities[0].type == "bot_command"
    file = await message.photo[-1].get_file()
    assert bytes(await file.download_as_bytearray()) == PNG


async def test_files_over_20_mb_cannot_be_fetched(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    big = sb.send_document(alice, dm, data=b"0" * (20 * 1024 * 1024 + 1), file_name="big.zip")
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(big["document"]["file_id"])


async def test_unknown_download_path_is_404(sb: Sandbox) -> None:
    async with httpx.AsyncClient() as client:
        missing = await client.get(f"{sb.base_file_url}{sb.token}/documents/nope.pdf")
        wrong_token = await client.get(f"{sb.base_file_url}1:x/documents/nope.pdf")
    assert missing.status_code == 404
    assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert wrong_token.status_code == 401
