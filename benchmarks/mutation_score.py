"""Print the mutation score of the last `mutmut run` (`make mutants`) as its last line: "mutation score: NN%".

Reads mutants/mutmut-cicd-stats.json (written by `mutmut export-cicd-stats`);
the score is killed mutants over all mutants that were tested (skipped ones
left out; survivors, timeouts and mutants no test covers count against it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    tested = stats["total"] - stats.get("skipped", 0)
    for key in ("killed", "survived", "no_tests", "timeout", "suspicious", "skipped", "total"):
        print(f"{key:12} {stats.get(key, 0)}")
    print(f"mutation score: {100 * stats['killed'] / tested if tested else 0:.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
