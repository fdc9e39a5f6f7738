"""Write the sample ledger (52 problems, 8 units, all three 整改类型) with deadlines from today.

    python examples/make_sample_ledger.py [OUT.xlsx] [--today YYYY-MM-DD]

It also writes the same rows as a GB18030 .csv beside it, the way many offices' systems
export. `zhenggai demo` and the tests build the same ledger through bot.sample.
"""

from __future__ import annotations

import argparse
import csv
from datetime import date
from pathlib import Path

from bot.sample import sample_rows, write_xlsx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out", nargs="?", type=Path, default=Path(__file__).with_name("sample_ledger.xlsx")
    )
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    write_xlsx(args.out, args.today)
    with args.out.with_suffix(".csv").open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows(sample_rows(args.today))
    print(f"wrote {args.out} and {args.out.with_suffix('.csv')} (deadlines from {args.today})")


if __name__ == "__main__":
    main()
