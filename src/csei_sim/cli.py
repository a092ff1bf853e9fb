"""Command line: ``csei-sim`` simulates the default region and writes its outputs."""

from __future__ import annotations

import sys
from pathlib import Path

from csei_sim.params import ParameterError
from csei_sim.plots import save_membership_plot
from csei_sim.run import atomic_write, simulate, write_parquet


def main(argv: list[str] | None = None) -> int:
    out = Path("outputs/default")
    try:
        result = simulate(seed=2025)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    write_parquet(result.timeseries, out / "timeseries.parquet")
    write_parquet(result.summary_frame(), out / "summary.parquet")
    atomic_write(out / "summary.csv", lambda tmp: result.summary_frame().to_csv(tmp, index=False))
    save_membership_plot(result.timeseries, out / "membership.png")
    print(result.summary_frame().T.to_string(header=False))
    print(f"wrote {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
