"""A half-written report: what has been collected and which step it is at."""

from __future__ import annotations

import json
import secrets
from typing import Literal

from pydantic import BaseModel

from bot.services.reporting.status import Claim
from storage.drafts import DraftRow

Step = Literal["collect", "claim", "money", "rules", "people", "confirm"]
FIGURE_STEPS: tuple[Step, ...] = ("money", "rules", "people")


class DraftFile(BaseModel):
    kind: Literal["photo", "document"]
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    local_path: str | None = None
    note: str | None = None


class Draft(BaseModel):
    person_id: int
    chat_id: int
    problem_id: int
    step: Step = "collect"
    nonce: str  # in every button's data: a button of an earlier draft is recognised as stale
    texts: list[str] = []
    files: list[DraftFile] = []
    claim: Claim | None = None
    money: int | None = None
    rules: int | None = None
    people: int | None = None
    # A message that named another problem while this draft was open, until the contact
    # says where it belongs (this draft, or a new one for that problem).
    held_problem_id: int | None = None
    held_text: str | None = None

    @classmethod
    def new(cls, person_id: int, chat_id: int, problem_id: int, texts: list[str]) -> Draft:
        step: Step = "claim" if texts else "collect"
        return cls(
            person_id=person_id,
            chat_id=chat_id,
            problem_id=problem_id,
            step=step,
            nonce=secrets.token_hex(3),
            texts=texts,
        )

    @classmethod
    def from_row(cls, row: DraftRow) -> Draft:
        return cls.model_validate(
            {
                **json.loads(row.data),
                "person_id": row.person_id,
                "chat_id": row.chat_id,
                "problem_id": row.problem_id,
                "step": row.step,
            }
        )

    def to_row(self) -> DraftRow:
        data = self.model_dump(exclude={"person_id", "chat_id", "problem_id", "step"})
        return DraftRow(
            person_id=self.person_id,
            chat_id=self.chat_id,
            problem_id=self.problem_id,
            step=self.step,
            data=json.dumps(data, ensure_ascii=False),
        )

    @property
    def has_content(self) -> bool:
        return bool(self.texts or self.files)

    @property
    def text(self) -> str:
        """The report's text: one message exactly as typed, several joined by blank lines."""
        return "\n\n".join(self.texts)

    def after_figure(self) -> Step:
        """The step after the current figure step."""
        index = FIGURE_STEPS.index(self.step)
        return FIGURE_STEPS[index + 1] if index + 1 < len(FIGURE_STEPS) else "confirm"
