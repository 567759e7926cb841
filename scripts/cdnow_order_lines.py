"""Write the CDNOW sample (Fader & Hardie) as an order-line CSV that ``tenure`` can read.

Usage::

    python scripts/cdnow_order_lines.py ../shared/data/cdnow/CDNOW_sample.txt cdnow_lines.csv
    tenure clv --report --file cdnow_lines.csv --currency USD --plots docs/img

One line per transaction: ``account_key`` (the sample id), ``order_id`` (the line's
position), ``order_date``, ``product_id`` ("cd") and ``amount`` (dollars).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl


def main(source: Path, target: Path) -> None:
    # Whitespace-separated, no header: master id, sample id, YYYYMMDD, CDs, dollars.
    fields = np.array(source.read_text().split()).reshape(-1, 5)
    pl.DataFrame(
        {
            "account_key": fields[:, 1],
            "order_id": [str(i) for i in range(1, fields.shape[0] + 1)],
            "order_date": pl.Series(fields[:, 2]).str.to_date("%Y%m%d"),
            "product_id": "cd",
            "amount": fields[:, 4].astype(np.float64),
        }
    ).write_csv(target)
    print(f"wrote {fields.shape[0]:,} order lines to {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
