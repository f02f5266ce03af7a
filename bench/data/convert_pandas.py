"""The same conversions as sluice's convert step, the way a pandas user writes them.
Run with Debian's /usr/bin/python3, which has python3-pandas.

Debian's pandas has no pyarrow, so Parquet outputs are written as CSV instead (noted in
bench/README.md). Prints one JSON line: {"tool", "case", "rows", "seconds"}.
"""
import json
import sys
import time

import pandas as pd

case, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.monotonic()
if case == "jsonl_to_parquet":
    df = pd.read_json(src, lines=True)
    df.to_csv(dst, index=False)
elif case == "csv_to_parquet":
    df = pd.read_csv(src)
    df.to_csv(dst, index=False)
elif case == "parquet_to_pipe_csv":
    df = pd.read_csv(src)  # the CSV twin of the Parquet input
    df.to_csv(dst, index=False, sep="|")
else:
    raise SystemExit(f"unknown case {case}")
print(json.dumps({"tool": "pandas", "case": case, "rows": len(df), "seconds": time.monotonic() - start}))
