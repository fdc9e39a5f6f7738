"""Evidence (佐证材料) on disk, named by content hash, so a file is kept once however often sent."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
from pathlib import Path, PurePath

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # bots cannot download more through getFile


def _suffix(file_name: str | None, mime_type: str | None, kind: str) -> str:
    if file_name and PurePath(file_name).suffix:
        return PurePath(file_name).suffix.lower()[:10]
    if kind == "photo":
        return ".jpg"
    return (mimetypes.guess_extension(mime_type or "") or ".bin") if mime_type else ".bin"


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(path)  # atomic: a crash never leaves half a file under the final name


async def store(
    folder: Path, data: bytes, file_name: str | None, mime_type: str | None, kind: str
) -> tuple[str, Path]:
    """Write the bytes under their SHA-256; return the hash and the path."""
    digest = hashlib.sha256(data).hexdigest()
    path = folder / digest[:2] / f"{digest}{_suffix(file_name, mime_type, kind)}"
    await asyncio.to_thread(_write, path, data)
    return digest, path


class EvidenceStoreError(Exception):  # placeholder until the bad-input branch lands
    disk_full = False
