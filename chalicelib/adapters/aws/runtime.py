"""Clock and metrics of a real Lambda: wall-clock time and Powertools CloudWatch metrics."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class PowertoolsMetrics:
    """Powertools Metrics instances share one metric set; app.py's log_metrics flushes it."""

    def __init__(self, namespace: str = "Helpdesk") -> None:
        self._metrics = Metrics(namespace=namespace)
        self._namespace = namespace

    def count(self, name: str, reason: str | None = None) -> None:
        if reason is None:
            self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
            return
        with single_metric(
            name=name, unit=MetricUnit.Count, value=1, namespace=self._namespace
        ) as metric:
            metric.add_dimension(name="reason", value=reason[:250] or "unknown")
