"""Resident memory and CPU time of process trees, read from /proc (Linux)."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass

CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_nofile(want: int = 1 << 16) -> int:
    """Lift the open-files limit (10k sockets need it): to `want` when allowed (root may raise the hard
    limit up to fs.nr_open), else to the hard limit. Returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = want
    for target in (max(want, hard), hard):
        if target <= soft:
            return soft
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, max(target, hard)))
            return target
        except (ValueError, OSError):
            continue
    return soft


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return None
    # the command name is in parentheses and may hold spaces: split after its closing one
    return raw[raw.rindex(")") + 2:].split()


def descendants(root: int) -> list[int]:
    """root and every process below it."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = _stat(int(name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss_kb(pids: Iterable[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def cpu_seconds(pids: Iterable[int], *, reaped_of: Iterable[int] = ()) -> float:
    """User plus system CPU time of these processes, plus what the children of `reaped_of` that died and were
    waited for had used (a worker its supervisor replaced keeps counting)."""
    ticks = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    for pid in reaped_of:
        fields = _stat(pid)
        if fields is not None:
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLK_TCK


@dataclass
class CpuMeter:
    """CPU cores used by a set of process trees between two readings."""

    trees: dict[str, list[int]]  # group name -> root pids, each counted with its descendants
    single: dict[str, list[int]]  # group name -> pids counted alone

    def read(self) -> dict[str, float]:
        out = {name: cpu_seconds([p for root in roots for p in descendants(root)], reaped_of=roots)
               for name, roots in self.trees.items()}
        out.update({name: cpu_seconds(pids) for name, pids in self.single.items()})
        out["machine"] = machine_busy_seconds()
        return out

    @staticmethod
    def cores(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
        """Cores used per group, plus `machine` (every CPU of the host) and `others` (what is not ours:
        on a shared machine, the load that competed with the bench)."""
        seconds = max(seconds, 1e-6)
        used = {name: round((after[name] - before.get(name, 0.0)) / seconds, 3) for name in after}
        ours = sum(v for k, v in used.items() if k != "machine")
        used["others"] = round(max(0.0, used.get("machine", 0.0) - ours), 3)
        return used


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent busy since boot (/proc/stat: all but idle and iowait)."""
    try:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:9]]
    except OSError:
        return 0.0
    return (sum(values) - values[3] - values[4]) / CLK_TCK


def machine() -> dict[str, object]:
    info: dict[str, object] = {"nproc": os.cpu_count()}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["mem_total_mb"] = int(line.split()[1]) // 1024
                    break
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info
