"""Evidence (佐证材料) on disk, named by content hash, so a file is kept once however often sent."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import mimetypes
import re
import secrets
from pathlib import Path

_SUFFIX = re.compile(r"^[a-z0-9]{1,10}$")
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class EvidenceStoreError(Exception):
    """The file could not be written; nothing of it is left on disk.

    `disk_full` says it was for want of space (ENOSPC, EDQUOT), so a caller can tell the user
    plainly and the office can free space; any other OSError is `disk_full = False`.
    """

    def __init__(self, cause: OSError) -> None:
        self.errno = cause.errno
        self.disk_full = cause.errno in _DISK_FULL
        what = "disk full" if self.disk_full else "write failed"
        super().__init__(f"evidence not stored ({what}): {cause.strerror or cause}")


def _suffix(file_name: str | None, mime_type: str | None, kind: str) -> str:
    """A short, plain suffix: the user's file name only ever picks one from [a-z0-9]{1,10}."""
    base = re.split(r"[/\\]", file_name or "")[-1]
    if "." in base:
        suffix = base.rsplit(".", 1)[1].strip().lower()
        if _SUFFIX.match(suffix):
            return "." + suffix
    if kind == "photo":
        return ".jpg"
    guessed = mimetypes.guess_extension(mime_type or "") if mime_type else None
    return guessed if guessed and _SUFFIX.match(guessed[1:]) else ".bin"


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.stat().st_size == len(data):
        return
    # A name of its own: two stores of the same content never share (or delete) a part file.
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a crash never leaves half a file under the final name
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)  # half a file on a full disk keeps it full
        raise EvidenceStoreError(exc) from exc


async def store(
    folder: Path, data: bytes, file_name: str | None, mime_type: str | None, kind: str
) -> tuple[str, Path]:
    """Write the bytes under their SHA-256; return the hash and the path.

    Raises EvidenceStoreError (nothing left on disk) when the file cannot be written.
    """
    digest = hashlib.sha256(data).hexdigest()
    path = folder / digest[:2] / f"{digest}{_suffix(file_name, mime_type, kind)}"
    await asyncio.to_thread(_write, path, data)
    return digest, path
