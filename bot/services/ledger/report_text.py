"""What an import says back: the refusal with every error, the preview, the result."""

from __future__ import annotations

import csv
import io

from bot.messages import shorten
from bot.services.ledger.importer import ImportPlan
from bot.services.ledger.rows import RowError
from bot.texts import ledger as lt

SHOWN_ERRORS = 30
SHOWN_CHANGES = 40


def refusal(errors: list[RowError], shown: int | None = SHOWN_ERRORS) -> str:
    """The refusal with the first `shown` errors (None: all of them)."""
    lines = [lt.IMPORT_REFUSED.format(count=len(errors))]
    lines += [e.line() for e in errors[:shown]]
    if shown is not None and len(errors) > shown:
        lines.append(lt.IMPORT_REFUSED_MORE.format(more=len(errors) - shown))
    return "\n".join(lines)


def errors_csv(errors: list[RowError]) -> bytes:
    """Every error as a CSV that opens in Excel (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["行号", "列", "原因"])
    writer.writerows([e.row, e.column, e.reason] for e in errors)
    return buffer.getvalue().encode("utf-8-sig")


def _rounds(plan: ImportPlan, default_round: str) -> str:
    names = plan.rounds or [default_round]
    return "、".join(n + (lt.ROUND_NEW if n in plan.new_rounds else "") for n in names)


def change_lines(plan: ImportPlan, limit: int = SHOWN_CHANGES) -> list[str]:
    lines = [
        lt.IMPORT_CHANGE_LINE.format(
            code=c.row.code, column=ch.column, old=shorten(ch.old, 40), new=shorten(ch.new, 40)
        )
        for c in plan.changed
        for ch in c.changes
    ]
    if len(lines) > limit:
        lines = [*lines[:limit], lt.IMPORT_MORE.format(more=len(lines) - limit)]
    return lines


def preview(file_name: str, default_round: str, plan: ImportPlan, sheet: str | None = None) -> str:
    """What the admin confirms; names the worksheet read, so a wrong sheet is seen in time."""
    lines = [lt.IMPORT_PREVIEW.format(file=file_name, rounds=_rounds(plan, default_round))]
    if sheet is not None:
        lines.append(lt.IMPORT_PREVIEW_SHEET.format(sheet=sheet))
    if not plan.changes_anything:
        lines.append(lt.IMPORT_PREVIEW_NOTHING)
        return "\n".join(lines)
    if plan.new_units:
        names = "、".join(plan.new_units[:20]) + ("……" if len(plan.new_units) > 20 else "")
        lines.append(lt.IMPORT_NEW_UNITS.format(count=len(plan.new_units), names=names))
    lines.append(lt.IMPORT_NEW_PROBLEMS.format(count=len(plan.new_problems)))
    if plan.changed:
        lines.append(lt.IMPORT_CHANGED.format(count=len(plan.changed)))
        lines += change_lines(plan)
    lines.append(lt.IMPORT_UNCHANGED.format(count=plan.unchanged))
    lines.append(lt.IMPORT_PREVIEW_FOOT)
    return "\n".join(lines)


def done(plan: ImportPlan, default_round: str) -> str:
    text = lt.IMPORT_DONE.format(
        rounds=_rounds(plan, default_round),
        units=len(plan.new_units),
        new=len(plan.new_problems),
        changed=len(plan.changed),
        same=plan.unchanged,
    )
    return "\n".join([text, *change_lines(plan)])
