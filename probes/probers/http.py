"""HTTP(S) checks of websites, as blackbox_exporter's http prober does: one GET, its status,
phase times, body size, redirects, TLS and certificate, and how fresh the page is.

- The prober resolves each host itself (the DNS phase) and judges every address by the rule
  of `inventory.probe_address` before connecting, at every redirect too; then connects to the
  address with the host in the Host header and in SNI, so the certificate is checked for the
  host's name.
- Certificates are checked against the system's roots plus `ICTR_CA_BUNDLE`. When that
  fails, the request is made again without verification, so that the certificate (expiry,
  names, self-signed) and the site's answer are still known.
- At most `MAX_REDIRECTS` redirects are followed and `MAX_BODY` bytes of a body read. Each
  check has a fresh connection (no keep-alive), so every check measures connect and TLS.
- For an https address, the host's plain-HTTP address is asked too (alongside, not after),
  to record whether it redirects to HTTPS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import httpx

from inventory.models import cert_days_left, certificate_valid
from inventory.probe_address import (
    IPAddress,
    address_literal,
    destination,
    refusal,
    web_url_problem,
)
from probes.probers.page_freshness import last_modified, newest_date
from probes.probers.tls_certificate import judge

MAX_REDIRECTS = 5
MAX_BODY = 1 << 20  # 1 MB: enough for any page's dates; a huge download is not a check
_REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "ictr-probe/1 (ICT readiness website check)"


@dataclass(frozen=True, slots=True)
class WebsiteTarget:
    """One website of a round, or why it is not checked."""

    website_id: int
    agency: str
    url: str
    problem: str | None = None  # why nothing is sent (a refused address)


@dataclass
class WebsiteResult:
    """One check of one website: a future WebsiteCheck row (see inventory.models.websites)."""

    website_id: int
    agency: str
    url: str
    checked_at: datetime
    up: bool = False  # an HTTP answer below 400 after the redirects
    status_code: int | None = None
    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    first_byte_ms: float | None = None
    total_ms: float | None = None
    bytes_read: int = 0
    final_url: str | None = None
    redirects: int = 0
    http_to_https: bool | None = None
    tls_version: str | None = None
    cert_valid_name: bool | None = None
    cert_trusted: bool | None = None
    cert_self_signed: bool | None = None
    cert_not_after: datetime | None = None
    last_modified: datetime | None = None
    page_date: date | None = None
    error: str | None = None
    sent: bool = True  # False when the target was refused and nothing was sent (not stored)

    @property
    def cert_days_left(self) -> int | None:
        if self.cert_not_after is None:
            return None
        return cert_days_left(self.cert_not_after, self.checked_at)

    @property
    def cert_valid(self) -> bool | None:
        return certificate_valid(
            trusted=self.cert_trusted,
            valid_name=self.cert_valid_name,
            not_after=self.cert_not_after,
            at=self.checked_at,
        )

    def add_error(self, text: str) -> None:
        # A server's words (a Location header) end up here: no control characters, which a
        # terminal printing the error would obey.
        text = "".join(c if c.isprintable() else "?" for c in text)
        self.error = text if not self.error else f"{self.error}; {text}"

    def record(self, agent: str) -> dict[str, Any]:
        """The WebsiteCheck row, as column values."""
        row = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("agency", "url", "sent")
        }
        row["agent"] = agent
        if row["error"]:
            row["error"] = row["error"][:500]
        if row["final_url"]:
            row["final_url"] = row["final_url"][:2000]
        return row

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime | date) else value
        out["cert_days_left"] = self.cert_days_left
        out["cert_valid"] = self.cert_valid
        return out


class _Stop(Exception):
    """The check ends here; the message is its error."""


class _Refused(_Stop):
    """The address is one no check may be sent to: nothing was sent."""


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _add(current: float | None, ms: float) -> float:
    return round((current or 0.0) + ms, 3)


def _cert_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error behind an httpx connect error, if that is what it is."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _describe(exc: BaseException) -> str:
    """A connection error in words, from the innermost cause (the OS's or ssl's message)."""
    inner: BaseException = exc
    while inner.__cause__ is not None or inner.__context__ is not None:
        inner = inner.__cause__ or inner.__context__  # type: ignore[assignment]
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused"
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    text = str(inner) or str(exc) or type(inner).__name__
    return text


class _Timer:
    """httpcore's trace events added to the check's phase durations as they happen, so a
    check cut short by the timeout keeps the phases it finished."""

    def __init__(self, result: WebsiteResult) -> None:
        self.result = result
        self.started: dict[str, float] = {}
        self.saved = (result.connect_ms, result.tls_ms, result.first_byte_ms)

    def undo(self) -> None:
        """Forget this request's phases (a refused certificate: the request is made again)."""
        self.result.connect_ms, self.result.tls_ms, self.result.first_byte_ms = self.saved

    async def __call__(self, name: str, info: Mapping[str, Any]) -> None:
        now = time.perf_counter()
        result = self.result
        if name.endswith(".started"):
            self.started[name.removesuffix(".started")] = now
        if name == "http11.send_request_headers.started":
            self.started["first_byte"] = now
        elif name == "connection.connect_tcp.complete":
            took = now - self.started["connection.connect_tcp"]
            result.connect_ms = _add(result.connect_ms, _ms(took))
        elif name == "connection.start_tls.complete":
            took = now - self.started["connection.start_tls"]
            result.tls_ms = _add(result.tls_ms, _ms(took))
        elif name == "http11.receive_response_headers.complete" and "first_byte" in self.started:
            took = now - self.started["first_byte"]
            result.first_byte_ms = _add(result.first_byte_ms, _ms(took))


class HttpProber:
    """Checks websites; `open` before the first check, `close` after the last."""

    method: ClassVar[str] = "http"

    def __init__(
        self,
        *,
        timeout_s: float,
        ca_bundle: Path | None = None,
        forbidden: Mapping[IPAddress, str] | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.ca_bundle = ca_bundle
        self.forbidden = forbidden or {}
        self._verified: httpx.AsyncClient | None = None
        self._unverified: httpx.AsyncClient | None = None

    def trust(self) -> ssl.SSLContext:
        """The system's roots plus the configured bundle (government CAs are in no public store)."""
        context = ssl.create_default_context()
        if self.ca_bundle is not None:
            context.load_verify_locations(cafile=str(self.ca_bundle))
        return context

    def open(self) -> None:
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        # No keep-alive: each check opens its own connection, so connect and TLS are measured.
        # No environment: a proxy or .netrc of the machine has no say in a check.
        common: dict[str, Any] = dict(
            timeout=self.timeout_s,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
            trust_env=False,
            follow_redirects=False,
        )
        self._verified = httpx.AsyncClient(verify=self.trust(), **common)
        self._unverified = httpx.AsyncClient(verify=unverified, **common)

    async def close(self) -> None:
        for client in (self._verified, self._unverified):
            if client is not None:
                await client.aclose()
        self._verified = self._unverified = None

    async def check(self, target: WebsiteTarget) -> WebsiteResult:
        """One check, never longer than the timeout; every failure ends in `error`."""
        result = WebsiteResult(
            website_id=target.website_id,
            agency=target.agency,
            url=target.url,
            checked_at=datetime.now(UTC),
        )
        if target.problem:
            result.sent, result.error = False, target.problem
            return result
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        start = time.perf_counter()
        plain: asyncio.Task[bool | None] | None = None
        if urlsplit(target.url).scheme.lower() == "https":
            plain = asyncio.create_task(self._redirects_to_https(target.url))
        try:
            async with asyncio.timeout_at(deadline):
                await self._follow(target.url, result)
        except TimeoutError:
            result.add_error(f"no complete answer within {self.timeout_s:g} s")
        except _Stop as stop:
            result.add_error(str(stop))
            result.sent = not isinstance(stop, _Refused)
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            # e.g. a redirect to an address that is not one: the site's fault, not the round's
            result.add_error(f"bad address on the way: {exc}")
        result.total_ms = _ms(time.perf_counter() - start)
        if plain is not None:
            try:
                async with asyncio.timeout_at(deadline):
                    result.http_to_https = await plain
            except TimeoutError:
                result.http_to_https = None  # plain HTTP never answered in time
        result.up = (
            result.status_code is not None
            and result.status_code < 400
            and (result.final_url is not None)
        )
        if result.final_url is not None and result.status_code and result.status_code >= 400:
            result.add_error(f"HTTP status {result.status_code}")
        return result

    async def _resolve(self, host: str, port: int, result: WebsiteResult | None) -> str:
        """The address to connect to for `host`, after the safety rule; times the DNS phase."""
        try:
            literal = address_literal(host)
        except ValueError as exc:
            raise _Refused(f"refused: {host} is {exc}") from None
        started = time.perf_counter()
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM
                )
            except (OSError, UnicodeError) as exc:
                raise _Stop(f"cannot resolve {host}: {exc}") from None
            addresses = list(
                dict.fromkeys(ipaddress.ip_address(str(i[4][0]).split("%")[0]) for i in infos)
            )
        if result is not None:
            result.dns_ms = _add(result.dns_ms, _ms(time.perf_counter() - started))
        if not addresses:
            raise _Stop(f"{host} resolves to no address")
        for candidate in addresses:
            why = refusal(candidate, self.forbidden)
            if why:
                shown = host if candidate == literal else f"{host} ({candidate})"
                raise _Refused(f"refused: {shown} is {why}")
        sendable = [destination(a) for a in addresses]
        return str(next((a for a in sendable if a.version == 4), sendable[0]))

    async def _follow(self, url: str, result: WebsiteResult) -> None:
        """Request `url`, then each redirect, each address judged before it is sent to."""
        plain_http = urlsplit(url).scheme.lower() == "http"
        try:
            for hop in range(MAX_REDIRECTS + 1):
                problem = web_url_problem(url)
                parts = urlsplit(url)
                try:
                    if problem:
                        raise _Refused(f"refused: {problem}")
                    assert parts.hostname is not None
                    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
                    ip = await self._resolve(parts.hostname, port, result)
                except _Refused as refused:
                    if hop == 0:
                        raise  # nothing was sent: the check says nothing about the site
                    raise _Stop(f"redirect to {url} {refused}") from None
                location = await self._request(url, ip, result)
                if location is None:
                    result.final_url = url
                    return
                if hop == MAX_REDIRECTS:
                    raise _Stop(f"more than {MAX_REDIRECTS} redirects (last to {location})")
                result.redirects += 1
                url = urljoin(url, location)
                if plain_http and urlsplit(url).scheme.lower() == "https":
                    result.http_to_https = True
        finally:
            if plain_http and result.status_code is not None and not result.http_to_https:
                result.http_to_https = False  # it answered, and never sent us to HTTPS

    async def _request(self, url: str, ip: str, result: WebsiteResult) -> str | None:
        """GET `url` from `ip`; returns the redirect's Location, or None after reading the page."""
        assert self._verified is not None and self._unverified is not None
        target = httpx.URL(url)
        https = target.scheme == "https"
        host = target.raw_host.decode("ascii")  # IDNA-encoded, as certificates name hosts
        failure: ssl.SSLCertVerificationError | None = None
        for client in (self._verified, self._unverified) if https else (self._unverified,):
            timer = _Timer(result)
            try:
                async with client.stream(
                    "GET",
                    target.copy_with(host=ip),
                    headers={
                        "Host": target.netloc.decode("ascii"),
                        "User-Agent": USER_AGENT,
                        "Accept-Encoding": "identity",
                    },
                    extensions={"sni_hostname": host, "trace": timer},
                ) as response:
                    if https:
                        self._tls(response, result, host, failure)
                    result.status_code = response.status_code
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        return location
                    await self._read_page(response, result)
                    return None
            except httpx.ConnectError as exc:
                failure = _cert_failure(exc) if client is self._verified else None
                if failure is not None:
                    timer.undo()
                    continue  # ask again without verification, to see what is served
                raise _Stop(
                    f"cannot connect to {target.netloc.decode()}: {_describe(exc)}"
                ) from None
            except httpx.TimeoutException:
                raise TimeoutError from None
            except httpx.HTTPError as exc:
                raise _Stop(f"{target.netloc.decode()}: {_describe(exc)}") from None
        raise AssertionError("unreachable")

    @staticmethod
    def _tls(
        response: httpx.Response,
        result: WebsiteResult,
        host: str,
        failure: ssl.SSLCertVerificationError | None,
    ) -> None:
        stream = response.extensions.get("network_stream")
        ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
        if ssl_object is None:
            return
        result.tls_version = ssl_object.version()
        der = ssl_object.getpeercert(binary_form=True)
        if not der:
            return
        verdict = judge(der, host=host, at=result.checked_at, failure=failure)
        result.cert_valid_name = verdict.valid_name
        result.cert_trusted = verdict.trusted
        result.cert_self_signed = verdict.self_signed
        result.cert_not_after = verdict.not_after
        for problem in verdict.problems:
            result.add_error(problem)

    @staticmethod
    async def _read_page(response: httpx.Response, result: WebsiteResult) -> None:
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += chunk[: MAX_BODY - len(body)]
            if len(body) >= MAX_BODY:
                break
        result.bytes_read = len(body)
        result.last_modified = last_modified(response.headers.get("last-modified"))
        today = result.checked_at.date()
        result.page_date = newest_date(bytes(body), today)

    async def _redirects_to_https(self, url: str) -> bool | None:
        """Whether the host's plain-HTTP address redirects to HTTPS; None when it does not
        answer plain HTTP at all."""
        assert self._unverified is not None
        parts = urlsplit(url)
        assert parts.hostname is not None
        plain = httpx.URL(url).copy_with(scheme="http", port=None, path="/", query=None)
        try:
            ip = await self._resolve(parts.hostname, 80, None)
            async with self._unverified.stream(
                "GET",
                plain.copy_with(host=ip),
                headers={"Host": plain.netloc.decode("ascii"), "User-Agent": USER_AGENT},
            ) as response:
                location = response.headers.get("location", "")
                if response.status_code in _REDIRECTS:
                    return urlsplit(urljoin(str(plain), location)).scheme.lower() == "https"
                return False
        except (_Stop, httpx.HTTPError):
            return None
