"""Where the CPU goes while a benchmark runs: a process's and its threads' CPU time, and the machine's
(Linux /proc); Python thread names from `py-spy dump` when py-spy is installed."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


def cpu_seconds(stat: str) -> float:
    """User and system CPU time so far of the process or thread whose /proc stat file this is."""
    fields = Path(stat).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine so far (/proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of each thread of the process."""
    found: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found[int(task.name)] = cpu_seconds(str(task / "stat"))
    return found


def thread_names(pid: int) -> dict[int, str]:
    """Python thread names by native id, as py-spy dumps them (empty without py-spy); the rest are
    native threads (OpenMP, BLAS, ONNX Runtime)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    try:
        dump = subprocess.run([py_spy, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return {
        int(tid): name for tid, name in re.findall(r'^Thread (\d+) \([^)]*\): "([^"]+)"', dump.stdout, re.M)
    }
