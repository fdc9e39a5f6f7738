"""A file sent for a report: fetched from the platform and kept in the evidence folder.

A file the platform will not hand over (too big for bots, gone) is still recorded, with a
note saying why its bytes are missing; a file that cannot be written (the disk is full) is
refused, the draft stays as it was, and the office hears of it.
"""

from __future__ import annotations

import contextlib
import logging

from bot.core.effects import Effects
from bot.core.event import Event, FetchFailed, FileRef
from bot.services.container import Services
from bot.services.notify import to_office as notify_office
from bot.services.reporting import evidence
from bot.services.reporting.draft import DraftFile
from bot.texts import reporting as rt

# The attachment's note, kept with its row (the bytes are missing: this says why).
MB = 1024 * 1024

log = logging.getLogger(__name__)


class NotKept(Exception):
    """The file could not be written to the evidence folder (the disk is full, say)."""

    def __init__(self, disk_full: bool) -> None:
        super().__init__("disk full" if disk_full else "evidence not written")
        self.disk_full = disk_full


def _draft_file(file: FileRef) -> DraftFile:
    return DraftFile(
        kind=file.kind,
        file_id=file.ref,
        file_unique_id=file.unique or file.ref,
        file_name=file.name,
        mime_type=file.mime,
        size=file.size,
    )


async def keep(ev: Event, svc: Services) -> DraftFile | None:
    """Fetch the event's file into the evidence folder; keep the platform's handle either way.

    None when the event carries no file; NotKept when its bytes could not be written.
    """
    if not ev.files:
        return None
    file = ev.files[0]  # a message carries one photo (its largest size) or one document
    kept = _draft_file(file)
    most = ev.limits.download_max
    if most is not None and file.size is not None and file.size > most:
        return kept.model_copy(update={"note": rt.FILE_NOTE_TOO_BIG.format(mb=most // MB)})
    try:
        data = await ev.download(file)
    except FetchFailed as exc:  # "file is too big" and the like: keep the handle, say so
        log.info("file %s not fetched: %s", file.ref, exc)  # the platform's words, for us
        return kept.model_copy(update={"note": rt.FILE_NOTE_NOT_FETCHED})
    folder = svc.config.storage.evidence_dir
    try:
        digest, path = await evidence.store(folder, data, file.name, file.mime, file.kind)
    except evidence.EvidenceStoreError as exc:
        raise NotKept(exc.disk_full) from exc
    return kept.model_copy(update={"size": len(data), "sha256": digest, "local_path": str(path)})


async def keep_or_refuse(ev: Event, svc: Services, out: Effects) -> DraftFile | None:
    """The file kept as evidence, or None (after telling the user why when it was not kept)."""
    try:
        return await keep(ev, svc)
    except NotKept as exc:
        out.say(rt.FILE_NOT_KEPT_FULL if exc.disk_full else rt.FILE_NOT_KEPT)
        await notify_disk_trouble(svc, exc.disk_full)
        return None


async def notify_disk_trouble(svc: Services, disk_full: bool) -> None:
    """The office hears of it once an hour: the server needs someone."""
    now = svc.clock()
    text = rt.DISK_FULL_OFFICE if disk_full else rt.EVIDENCE_FAILED_OFFICE
    with contextlib.suppress(Exception):  # the database may be on the full disk too
        async with svc.db.transaction() as tx:
            await notify_office(tx, f"evidence:{int(now.timestamp() // 3600)}", "alert", text, now)
        svc.kick_outbox()
