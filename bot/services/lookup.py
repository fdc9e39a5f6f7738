"""Finding a unit from what a person typed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from storage import units
from storage.models import Unit
from storage.reader import Reader


def clean(text: str) -> str:
    """Full-width letters, digits and spaces to half-width; surrounding space dropped."""
    return unicodedata.normalize("NFKC", text).strip()


@dataclass(frozen=True)
class UnitMatch:
    unit: Unit | None
    candidates: tuple[Unit, ...] = ()


async def find_unit(db: Reader, typed: str) -> UnitMatch:
    """An exact name wins; otherwise a fragment that names exactly one unit."""
    name = clean(typed)
    exact = await units.by_name(db, name)
    if exact is not None:
        return UnitMatch(exact)
    found = await units.matching(db, name)
    if len(found) == 1:
        return UnitMatch(found[0])
    return UnitMatch(None, tuple(found))
