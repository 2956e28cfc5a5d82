"""Small helpers shared by the benchmarks: timing and a floor to compare against."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ratio_line(label: str, measured: float, floor: float, target: float | None = None) -> str:
    ratio = measured / floor if floor else float("inf")
    goal = f" (target <= {target:g}x)" if target else ""
    return f"{label}: {measured * 1000:.1f} ms vs floor {floor * 1000:.1f} ms = {ratio:.2f}x{goal}"


def linearity(times: dict[int, float]) -> str:
    """Time per unit at each scale: flat means linear."""
    per_unit = {n: t / n for n, t in times.items()}
    spread = max(per_unit.values()) / min(per_unit.values())
    cells = ", ".join(f"{n}: {t * 1000:.0f} ms ({per_unit[n] * 1e6:.0f} µs/file)" for n, t in times.items())
    return f"{cells}; per-file spread {spread:.2f}x (1.0 = perfectly linear), median {statistics.median(per_unit.values()) * 1e6:.0f} µs"
