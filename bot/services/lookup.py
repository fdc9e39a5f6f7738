"""Finding a unit from what a person typed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot import texts
from storage import units
from storage.models import Unit
from storage.reader import Reader


def clean(text: str) -> str:
    """Full-width letters, digits and spaces to half-width; surrounding space dropped."""
    return unicodedata.normalize("NFKC", text).strip()


@dataclass(frozen=True)
class UnitMatch:
    typed: str
    unit: Unit | None
    candidates: tuple[Unit, ...] = ()

    def refusal(self) -> str:
        """Why no unit was found: none by that name, or several to choose from."""
        if self.candidates:
            names = "\n".join(u.name for u in self.candidates)
            return texts.UNIT_AMBIGUOUS.format(name=self.typed, names=names)
        return texts.UNIT_NOT_FOUND.format(name=self.typed)


async def find_unit(db: Reader, typed: str) -> UnitMatch:
    """An exact name wins; otherwise a fragment that names exactly one unit."""
    name = clean(typed)
    exact = await units.by_name(db, name)
    if exact is not None:
        return UnitMatch(name, exact)
    found = await units.matching(db, name) if name else []
    if len(found) == 1:
        return UnitMatch(name, found[0])
    return UnitMatch(name, None, tuple(found))
