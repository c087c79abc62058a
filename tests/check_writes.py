"""Prove that the tests write only to temporary folders: `python tests/check_writes.py [PYTEST ARGS]`.

Exports the committed tree (`git archive HEAD`, or --rev) into a temporary folder,
runs pytest there (default: every test but the real-model ones) with HOME,
XDG_CACHE_HOME and TMPDIR pointing at fresh folders, and lists every file that
the run created, changed or deleted in the copy, in HOME or in XDG_CACHE_HOME
(pytest's own tmp folders live under TMPDIR, which is not checked). Exit code
1 when there is any, or when pytest failed. Not collected by pytest (the name
does not start with test_). Bytecode caches (__pycache__) are left out.

Leaves out: writes by other users of the machine, and anything outside those
three folders (a test writing to an absolute path elsewhere would not show).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def snapshot(roots: dict[str, Path]) -> dict[str, tuple[int, int]]:
    """Every file under `roots` (by label/relative path) with its size and mtime (ns)."""
    files: dict[str, tuple[int, int]] = {}
    for label, root in roots.items():
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [name for name in subfolders if name not in {"__pycache__", ".venv"}]
            for name in names:
                path = Path(folder) / name
                if path.is_symlink():
                    continue
                stat = path.stat()
                files[f"{label}/{path.relative_to(root)}"] = (stat.st_size, stat.st_mtime_ns)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="HEAD", help="git revision to export (default HEAD)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args, pytest_args = parser.parse_known_args(argv)
    work = Path(tempfile.mkdtemp(prefix="qa-check-writes-"))
    roots = {"repo": work / "repo", "home": work / "home", "xdg-cache": work / "xdg-cache"}
    for folder in [*roots.values(), work / "tmp"]:
        folder.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", args.rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(roots["repo"])], input=archive, check=True)
    before = snapshot(roots)
    env = {**os.environ, "HOME": str(roots["home"]), "XDG_CACHE_HOME": str(roots["xdg-cache"]),
           "TMPDIR": str(work / "tmp"), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               *(pytest_args or ["-m", "not integration"])]
    result = subprocess.run(command, cwd=roots["repo"], env=env)
    after = snapshot(roots)
    written = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    for path in written:
        kind = "created" if path not in before else "deleted" if path not in after else "changed"
        print(f"{kind}: {path}")
    print(f"files written outside tmp: {len(written)}; pytest exit code {result.returncode}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if written or result.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
