"""What the CPU can do, for crash reports and `qa check`: the x86 vector features llama.cpp cares about.

Leaves out: choosing kernels (llama.cpp does that, see README "Model runtime").
"""

from __future__ import annotations

import platform
from pathlib import Path

FEATURES = ("avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni",
            "amx_tile", "amx_int8", "amx_bf16")


def cpu_features(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """The features from `FEATURES` that this CPU reports (empty where /proc/cpuinfo is unreadable)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    flags: set[str] = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
            break
    return [feature for feature in FEATURES if feature in flags]


def describe_cpu() -> str:
    """One line: machine type and the vector features, e.g. "x86_64 with avx, avx2, ... (no AMX)"."""
    features = cpu_features()
    amx = "with AMX" if any(f.startswith("amx") for f in features) else "no AMX"
    return f"{platform.machine()} with {', '.join(features) or 'no known vector features'} ({amx})"
