"""Counters and a latency histogram shared by the worker processes of one host, served in the
Prometheus text format.

The parent process allocates one row of counters per worker in shared memory before it forks;
each worker writes only its own row (no locks), and /comfylint/metrics sums the rows, so any
worker answers for the whole host. Nothing else is shared: a worker's verdicts never depend on
another's state.
"""
from __future__ import annotations

import bisect
import multiprocessing
from collections.abc import Sequence

# Latency buckets (seconds) of a validation; Prometheus' `le` convention (upper bounds).
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
COUNTERS = (
    ("validate_requests", "POST /validate_prompt requests"),
    ("gate_requests", "POST /prompt (and /api_prompt) requests checked by the gate"),
    ("accepted", "prompts found valid (forwarded by the gate)"),
    ("rejected", "prompts refused (answered 400 by the gate, valid=false by /validate_prompt)"),
    ("proxied_requests", "other requests passed to the upstream untouched"),
    ("websockets", "websocket connections proxied"),
    ("upstream_unreachable", "upstream refused or dropped the connection (answered 502)"),
    ("upstream_timeout", "upstream too slow (answered 504)"),
    ("body_too_large", "request bodies over the limit (answered 413)"),
    ("disagreements", "prompts the gate forwarded that the upstream then refused"),
    ("catalog_refreshes", "catalogs read from the upstream"),
    ("catalog_refresh_failures", "failed attempts to read the upstream's catalog"),
)
OTHER_RULE = "other"


class Metrics:
    """One host's counters; `worker` selects the row this process writes."""

    def __init__(self, workers: int, rule_codes: Sequence[str]) -> None:
        self.rules = [*sorted(rule_codes), OTHER_RULE]
        self._rule_index = {code: i for i, code in enumerate(self.rules)}
        self._counter_index = {name: i for i, (name, _help) in enumerate(COUNTERS)}
        # per row: counters, rejections by rule, histogram buckets (+Inf last), latency sum
        self.width = len(COUNTERS) + len(self.rules) + len(BUCKETS) + 2
        self.rows = workers
        self._data = multiprocessing.RawArray("d", workers * self.width)
        self.worker = 0

    def _at(self, offset: int) -> int:
        return self.worker * self.width + offset

    def count(self, name: str, amount: int = 1) -> None:
        self._data[self._at(self._counter_index[name])] += amount

    def rejected_by(self, codes: Sequence[str]) -> None:
        base = len(COUNTERS)
        for code in set(codes):
            index = self._rule_index.get(code, self._rule_index[OTHER_RULE])
            self._data[self._at(base + index)] += 1

    def observe(self, seconds: float) -> None:
        base = len(COUNTERS) + len(self.rules)
        self._data[self._at(base + bisect.bisect_left(BUCKETS, seconds))] += 1
        self._data[self._at(base + len(BUCKETS) + 1)] += seconds

    def _total(self, offset: int) -> float:
        return sum(self._data[row * self.width + offset] for row in range(self.rows))

    def render(self, extra: Sequence[str] = ()) -> str:
        """The Prometheus text exposition of every worker's counters summed."""
        lines: list[str] = []
        for index, (name, help_text) in enumerate(COUNTERS):
            metric = f"comfylint_{name}_total"
            lines += [f"# HELP {metric} {help_text}.", f"# TYPE {metric} counter",
                      f"{metric} {self._total(index):g}"]
        lines += [("# HELP comfylint_rejections_total Refused prompts by rule (a prompt counts "
                   "once per rule that blocks it)."), "# TYPE comfylint_rejections_total counter"]
        base = len(COUNTERS)
        for index, code in enumerate(self.rules):
            value = self._total(base + index)
            if value:
                lines.append(f'comfylint_rejections_total{{rule="{code}"}} {value:g}')
        base += len(self.rules)
        metric = "comfylint_validation_seconds"
        lines += [f"# HELP {metric} Time to validate one prompt (read, lint, answer).",
                  f"# TYPE {metric} histogram"]
        cumulative = 0.0
        for index, bound in enumerate((*BUCKETS, float("inf"))):
            cumulative += self._total(base + index)
            shown = "+Inf" if bound == float("inf") else f"{bound:g}"
            lines.append(f'{metric}_bucket{{le="{shown}"}} {cumulative:g}')
        lines += [f"{metric}_sum {self._total(base + len(BUCKETS) + 1):.6f}",
                  f"{metric}_count {cumulative:g}", *extra]
        return "\n".join(lines) + "\n"
