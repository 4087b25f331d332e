"""A Prometheus endpoint with blackbox_exporter's metric names, labelled by point code,
so dashboards built for blackbox_exporter's ICMP and TCP modules work unchanged. Websites
have its http module's names, labelled by URL (`website`); their `probe_success` has the
URL as `point` and `http` as `method`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, start_http_server

from probes.history.point_status import UP
from probes.history.website_status import website_status
from probes.probers.http import WebsiteResult
from probes.running.results import RoundResult

_LABELS = ["point", "method"]


class ProbeMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.success = Gauge(
            "probe_success", "Whether the last probe of the point succeeded", _LABELS, registry=r
        )
        self.duration = Gauge(
            "probe_duration_seconds",
            "How long the last probe of the point took",
            _LABELS,
            registry=r,
        )
        self.icmp_duration = Gauge(
            "probe_icmp_duration_seconds",
            "Duration of the ICMP probe by phase (rtt: median round-trip time)",
            ["point", "phase"],
            registry=r,
        )
        self.loss = Gauge(
            "probe_loss_ratio", "Share of probes lost in the last round", _LABELS, registry=r
        )
        self.sent = Gauge(
            "probe_packets_sent", "Probes sent in the last round", _LABELS, registry=r
        )
        self.received = Gauge(
            "probe_packets_received", "Answers received in the last round", _LABELS, registry=r
        )
        self.http_status = Gauge(
            "probe_http_status_code",
            "Response HTTP status code (after the redirects)",
            ["website"],
            registry=r,
        )
        self.http_duration = Gauge(
            "probe_http_duration_seconds",
            "Duration of the http request by phase, summed over all redirects",
            ["website", "phase"],
            registry=r,
        )
        self.ssl_expiry = Gauge(
            "probe_ssl_earliest_cert_expiry",
            "Returns last SSL chain expiry in unixtime",
            ["website"],
            registry=r,
        )
        self.http_last_modified = Gauge(
            "probe_http_last_modified_timestamp_seconds",
            "Returns the Last-Modified HTTP response header in unixtime",
            ["website"],
            registry=r,
        )
        self.http_redirects = Gauge(
            "probe_http_redirects", "The number of redirects", ["website"], registry=r
        )
        self.http_content_length = Gauge(
            "probe_http_uncompressed_body_length",
            "Length of uncompressed response body (at most 1 MB is read)",
            ["website"],
            registry=r,
        )
        self.round_duration = Gauge(
            "ictr_probe_round_duration_seconds", "How long the last round took", registry=r
        )
        self.last_round = Gauge(
            "ictr_probe_last_round_timestamp_seconds",
            "When the last round started (Unix time)",
            registry=r,
        )
        self.spooled = Gauge(
            "ictr_probe_spooled_rounds",
            "Rounds waiting in the local spool for the database",
            registry=r,
        )
        self._server: object | None = None

    def update(self, result: RoundResult, *, spooled: int = 0) -> None:
        for gauge in (self.success, self.duration, self.icmp_duration, self.loss):
            gauge.clear()  # points removed since the last round must not linger
        self.sent.clear()
        self.received.clear()
        for website_gauge in (
            self.http_status,
            self.http_duration,
            self.ssl_expiry,
            self.http_last_modified,
            self.http_redirects,
            self.http_content_length,
        ):
            website_gauge.clear()
        for row in result.rows:
            labels = {"point": row.code, "method": row.method}
            self.success.labels(**labels).set(1 if row.success else 0)
            self.duration.labels(**labels).set(row.duration_s)
            self.sent.labels(**labels).set(row.sent)
            self.received.labels(**labels).set(row.received)
            if row.loss is not None:
                self.loss.labels(**labels).set(row.loss)
            if row.method == "icmp" and row.rtt_median_ms is not None:
                self.icmp_duration.labels(point=row.code, phase="rtt").set(row.rtt_median_ms / 1000)
        for check in result.websites:
            if check.sent:
                self._website(check)
        self.round_duration.set(result.duration_s)
        self.last_round.set(result.started_at.timestamp())
        self.spooled.set(spooled)

    def _website(self, check: WebsiteResult) -> None:
        url = check.url
        self.success.labels(point=url, method="http").set(1 if website_status(check) == UP else 0)
        if check.total_ms is not None:
            self.duration.labels(point=url, method="http").set(check.total_ms / 1000)
        self.http_status.labels(website=url).set(check.status_code or 0)
        phases = {
            "resolve": check.dns_ms,
            "connect": check.connect_ms,
            "tls": check.tls_ms,
            "processing": check.first_byte_ms,
        }
        for phase, ms in phases.items():
            self.http_duration.labels(website=url, phase=phase).set((ms or 0) / 1000)
        if check.cert_not_after is not None:
            self.ssl_expiry.labels(website=url).set(check.cert_not_after.timestamp())
        if check.last_modified is not None:
            self.http_last_modified.labels(website=url).set(check.last_modified.timestamp())
        self.http_redirects.labels(website=url).set(check.redirects)
        self.http_content_length.labels(website=url).set(check.bytes_read)

    def serve(self, port: int, address: str = "127.0.0.1") -> int:
        """Start the HTTP endpoint in a background thread; returns the port it listens on."""
        server, _thread = start_http_server(port, addr=address, registry=self.registry)
        self._server = server
        return int(server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()  # type: ignore[attr-defined]
            self._server.server_close()  # type: ignore[attr-defined]
            self._server = None
