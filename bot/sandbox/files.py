"""Files users and the bot sent: bytes kept in memory, served by file_id and file_path."""

from __future__ import annotations

import hashlib
import mimetypes
import struct
from dataclasses import dataclass, field
from typing import Any

# getFile refuses bigger files for bots; Telegram's limit.
DOWNLOAD_LIMIT = 20 * 1024 * 1024
_THUMB_SIDE = 90


@dataclass
class StoredFile:
    """One file as Telegram stores it."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes = field(repr=False)
    file_name: str | None = None
    mime_type: str | None = None

    def file_object(self) -> dict[str, Any]:
        """The File object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class FileStore:
    """Every file the sandbox has seen, by id and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._media: dict[str, dict[str, Any]] = {}  # file_id -> {"photo": ...} | {"document": ...}

    def add(
        self, data: bytes, folder: str, *, file_name: str | None = None, mime: str | None = None
    ) -> StoredFile:
        """Store bytes and give them ids that look like Telegram's."""
        number = len(self._by_id) + 1
        digest = hashlib.sha256(data + folder.encode()).hexdigest()
        suffix = _suffix(file_name, mime, folder)
        stored = StoredFile(
            file_id=f"{_PREFIX.get(folder, 'BQAC')}AgIAAx{number:05d}{digest[:20]}",
            file_unique_id=f"AQAD{digest[:12]}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this file_id, if any."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file served at this download path, if any."""
        return self._by_path.get(file_path)

    def photo(self, data: bytes) -> list[dict[str, Any]]:
        """PhotoSize list, smallest first, as Telegram makes for an uploaded photo."""
        width, height = image_size(data) or (1280, 960)
        scale = min(1.0, _THUMB_SIDE / max(width, height, 1))
        # No image library here: the thumbnail holds the same bytes under its own id.
        thumb = self.add(data, "photos_thumbs", mime="image/jpeg")
        full = self.add(data, "photos", mime="image/jpeg")
        sizes = [
            _size(thumb, max(1, round(width * scale)), max(1, round(height * scale))),
            _size(full, width, height),
        ]
        for stored in (thumb, full):
            self._media[stored.file_id] = {"photo": sizes}
        return sizes

    def document(self, data: bytes, file_name: str | None, mime: str | None) -> dict[str, Any]:
        """A Document object for these bytes."""
        mime = mime or (mimetypes.guess_type(file_name or "")[0]) or "application/octet-stream"
        stored = self.add(data, "documents", file_name=file_name, mime=mime)
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "mime_type": mime,
            "file_size": len(data),
        }
        if file_name:
            document["file_name"] = file_name
        self._media[stored.file_id] = {"document": document}
        return document

    def sent_as(self, file_id: str) -> dict[str, Any] | None:
        """What a message showed for this file_id, so resending it reuses the same file."""
        return self._media.get(file_id)


_PREFIX = {"photos": "AgAC", "photos_thumbs": "AgAC", "documents": "BQAC"}


def _suffix(file_name: str | None, mime: str | None, folder: str) -> str:
    if file_name and "." in file_name:
        ext = "." + file_name.rsplit(".", 1)[1]
        if ext.isascii() and ext[1:].isalnum():
            return ext.lower()
    if folder.startswith("photos"):
        return ".jpg"
    return (mimetypes.guess_extension(mime) if mime else None) or ""


def _size(stored: StoredFile, width: int, height: int) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "width": width,
        "height": height,
    }


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG from its header, or None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in {b"GIF87a", b"GIF89a"} and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        # SOF0..SOF15 carry the size, except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in {0xC4, 0xC8, 0xCC}:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None
