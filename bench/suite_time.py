"""The test suite's wall time and its slowest tests: runs ``pytest`` (or reads the log of a
run made with ``--durations``), prints the total and appends it, with the slowest tests, to
``bench/results/suite_time.json``; asserts nothing.

    python bench/suite_time.py                                   # run the suite here
    python bench/suite_time.py --log pytest.log --checkout DIR   # a run already made in DIR
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from recording import ROOT, save

from gwda.provenance import git_state

SUMMARY = re.compile(r"^=*\s*(?P<counts>\d+ \w+.*?) in (?P<seconds>[\d.]+)s")
DURATION = re.compile(r"^(?P<seconds>[\d.]+)s (?P<phase>call|setup|teardown)\s+(?P<test>\S+)")


def parse(text: str) -> dict:
    """Total seconds, the outcome counts and the ``--durations`` rows of a pytest log."""
    summary = [m for m in (SUMMARY.match(line) for line in text.splitlines()) if m][-1]
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summary["counts"])}
    slowest = [{"test": m["test"], "phase": m["phase"], "seconds": float(m["seconds"])}
               for m in (DURATION.match(line) for line in text.splitlines()) if m]
    return {"seconds": float(summary["seconds"]), "counts": counts, "slowest": slowest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log", type=Path, help="the output of a pytest run made with --durations")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="where that run was made (its git state is recorded)")
    parser.add_argument("--durations", type=int, default=25)
    args = parser.parse_args()
    if args.log:
        text = args.log.read_text()
    else:
        cmd = [sys.executable, "-m", "pytest", "-q", f"--durations={args.durations}", "-p", "no:cacheprovider"]
        text = subprocess.run(cmd, cwd=args.checkout, capture_output=True, text=True).stdout
    result = parse(text)
    print(f"{result['seconds']:.0f} s: " + ", ".join(f"{n} {k}" for k, n in result["counts"].items()))
    for row in result["slowest"][:10]:
        print(f"  {row['seconds']:7.1f} s  {row['phase']:8s} {row['test']}")
    save("suite_time", result, git=git_state(args.checkout),
         command_run="pytest -q --durations" + ("" if args.log else f"={args.durations}"))


if __name__ == "__main__":
    main()
