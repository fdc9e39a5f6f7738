"""Evidence on disk: any file name is safe, and a failed write leaves nothing behind.

A document named with a NUL (or a path, or a thousand characters) once made store() raise;
a full disk left the half-written `.part` file behind, which kept the disk full.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.services.reporting import evidence
from bot.services.reporting.evidence import EvidenceStoreError

DATA = "%PDF-1.4 整改报告".encode() * 100


def leftovers(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and ".part" in p.name)


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("整改报告.PDF", ".pdf"),
        ("报告\x00.pdf", ".pdf"),
        ("报告.p\x00df", ".bin"),
        ("报告.\x1b[31m", ".bin"),
        ("../../etc/passwd", ".bin"),
        ("..\\..\\win.ini", ".ini"),
        ("a.b/../../x", ".bin"),
        ("x" * 5000 + ".docx", ".docx"),
        ("报告." + "y" * 5000, ".bin"),
        ("报告.文档", ".bin"),
        ("", ".bin"),
        (None, ".bin"),
    ],
)
async def test_any_file_name_only_picks_a_plain_suffix(
    tmp_path: Path, name: str | None, suffix: str
) -> None:
    digest, path = await evidence.store(tmp_path, DATA, name, None, "document")
    assert digest == hashlib.sha256(DATA).hexdigest()
    assert path == tmp_path / digest[:2] / f"{digest}{suffix}"
    assert path.read_bytes() == DATA


async def test_the_mime_type_names_the_suffix_when_the_name_cannot(tmp_path: Path) -> None:
    _, path = await evidence.store(tmp_path, DATA, "报告", "application/pdf", "document")
    assert path.suffix == ".pdf"


@pytest.fixture
def disk_full_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Path.write_bytes writes half the data, then fails as a full disk does, until lifted."""
    original = Path.write_bytes
    faults = [1]

    def half_then_enospc(self: Path, data: bytes) -> int:
        if not faults[0]:
            return original(self, data)
        original(self, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_bytes", half_then_enospc)
    return faults


async def test_a_full_disk_leaves_no_part_file_and_says_disk_full(
    tmp_path: Path, disk_full_once: list[int]
) -> None:
    with pytest.raises(EvidenceStoreError) as caught:
        await evidence.store(tmp_path, DATA, "报告.pdf", None, "document")
    assert caught.value.disk_full is True
    assert leftovers(tmp_path) == []
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    disk_full_once[0] = 0  # space freed
    _, path = await evidence.store(tmp_path, DATA, "报告.pdf", None, "document")
    assert path.read_bytes() == DATA
    assert leftovers(tmp_path) == []


async def test_another_write_error_is_not_called_disk_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(self: Path, data: bytes) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "write_bytes", denied)
    with pytest.raises(EvidenceStoreError) as caught:
        await evidence.store(tmp_path, DATA, "报告.pdf", None, "document")
    assert caught.value.disk_full is False
    assert leftovers(tmp_path) == []


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs; skipped where mounting is not permitted (most CI containers)."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("no mount command")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


async def test_a_real_full_disk_leaves_its_space_free(tiny_disk: Path) -> None:
    big = os.urandom(200 * 1024)
    with pytest.raises(EvidenceStoreError) as caught:
        await evidence.store(tiny_disk, big, "录像.mp4", None, "document")
    assert caught.value.disk_full is True
    assert leftovers(tiny_disk) == []
    # Had the part file stayed, the disk would still be full and this would fail too.
    small = os.urandom(40 * 1024)
    _, path = await evidence.store(tiny_disk, small, "报告.pdf", None, "document")
    assert path.read_bytes() == small
