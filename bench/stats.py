"""Small statistics shared by the benchmarks."""

import statistics


def summary_ms(timings_s: list[float]) -> str:
    """``median … ms  p95 … ms`` for timings in seconds."""
    ordered = sorted(timings_s)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"


def bench_slug(number: int, *, first: str) -> str:
    """A loket slug whose first three letters (its reference prefix) differ for each
    number below 676: ``first`` and two letters counting, then the number."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return f"{first}{letters[number // 26 % 26]}{letters[number % 26]}-b{number}"
