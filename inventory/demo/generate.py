"""Deterministic synthetic inventory for Hà Giang, calibrated to the December 2020 figures.

Everything comes from one seeded random generator, so two runs give the same rows. Per-unit
figures vary with each district's readiness (remote highland districts lower); the last
step of each calibration adjusts a few rows so the province totals hit the published ratios.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from inventory.demo import names, targets
from inventory.models import (
    AdminUnit,
    AgencyKind,
    ComputerKind,
    ComputerStatus,
    ProbeMethod,
    UnitLevel,
)

SEED = 20201231


@dataclass
class DemoData:
    agencies: list[dict[str, Any]] = field(default_factory=list)
    computers: list[dict[str, Any]] = field(default_factory=list)  # agency given by "agency_code"
    points: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    service_figures: list[dict[str, Any]] = field(default_factory=list)
    successions: list[dict[str, Any]] = field(default_factory=list)  # by agency codes
    readiness: dict[str, float] = field(default_factory=dict)  # agency code -> 0..1


def fit_count(total: int, pct: float) -> int | None:
    """A whole count k with k/total equal to pct (percent) to two decimals, clear of ties."""
    for k in (round(total * pct / 100), round(total * pct / 100) - 1, round(total * pct / 100) + 1):
        if k >= 0 and abs(k * 100 / total - pct) < 0.004:
            return k
    return None


def _spread(
    rng: random.Random, counts: dict[str, int], delta: int, can_move: Callable[[str, int], bool]
) -> None:
    """Add (or remove) `delta` units across `counts`, one at a time, in a shuffled cycle.

    `can_move(key, step)` says whether that key may take one more step (+1 or -1).
    """
    keys = sorted(counts)
    rng.shuffle(keys)
    step = 1 if delta > 0 else -1
    i = stuck = 0
    while delta != 0:
        k = keys[i % len(keys)]
        if can_move(k, step):
            counts[k] += step
            delta -= step
            stuck = 0
        else:
            stuck += 1
            if stuck > len(keys):
                raise ValueError("cannot spread the remainder within the bounds")
        i += 1


def district_seat(district: AdminUnit, communes: list[AdminUnit]) -> AdminUnit:
    """The district seat: its town (thị trấn) or, for the city, its first ward."""
    mine = sorted((c for c in communes if c.parent_code == district.code), key=lambda u: u.code)
    towns = [c for c in mine if c.unit_type in ("Thị trấn", "Phường")]
    return (towns or mine)[0]


class _Generator:
    def __init__(self, units: list[AdminUnit]) -> None:
        self.rng = random.Random(SEED)
        self.units = {u.code: u for u in units}
        self.districts = sorted(
            (u for u in units if u.level == UnitLevel.district), key=lambda u: u.code
        )
        self.communes = sorted(
            (u for u in units if u.level == UnitLevel.commune), key=lambda u: u.code
        )
        self.data = DemoData()
        self.readiness = self.data.readiness  # agency code -> readiness of its district

    # -- agencies -------------------------------------------------------------------------
    def agencies(self) -> None:
        rng = self.rng
        for i, name in enumerate(names.PROVINCIAL_AGENCIES, start=1):
            officials = rng.randint(60, 260)
            self._agency(
                f"HG-T{i:02d}",
                name,
                AgencyKind.provincial,
                targets.PROVINCE_CODE,
                officials,
                round(officials * rng.uniform(0.55, 0.75)),
                1.0,
            )
        for d in self.districts:
            r = targets.DISTRICT_READINESS[d.code]
            officials = rng.randint(150, 260)
            name = f"UBND {d.unit_type.lower()} {d.short_name}"
            self._agency(
                f"HG-H{d.code}",
                name,
                AgencyKind.district_committee,
                d.code,
                officials,
                round(officials * rng.uniform(0.55, 0.70)),
                r,
            )
        for c in self.communes:
            r = targets.DISTRICT_READINESS[c.parent_code or ""]
            officials = rng.randint(18, 26)
            signing = round(officials * rng.uniform(0.45, 0.70) * (0.6 + 0.4 * r))
            name = f"UBND {c.unit_type.lower()} {c.short_name}"
            self._agency(
                f"HG-X{c.code}", name, AgencyKind.commune_committee, c.code, officials, signing, r
            )

    def _agency(
        self,
        code: str,
        name: str,
        kind: AgencyKind,
        unit: str,
        officials: int,
        signing: int,
        readiness: float,
    ) -> None:
        self.data.agencies.append(
            dict(
                code=code,
                name=name,
                kind=kind,
                unit_code=unit,
                officials=officials,
                signing_officials=signing,
                # Every agency has e-office and a connected one-stop shop (see targets);
                # departments and district committees have a website, communes none ("").
                website=(
                    ""
                    if kind == AgencyKind.commune_committee
                    else f"https://{code.lower()}.hagiang.gov.vn"
                ),
                e_office=True,
                one_stop_connected=True,
            )
        )
        self.readiness[code] = readiness

    # -- computers ------------------------------------------------------------------------
    def computers(self) -> None:
        rng = self.rng
        core = [a for a in self.data.agencies if a["kind"] != AgencyKind.commune_committee]
        # Officials at the core agencies are nudged until the published ratio is reachable.
        while (
            fit_count(sum(a["officials"] for a in core), targets.COMPUTERS_PER_OFFICIAL_PCT) is None
        ):
            core[0]["officials"] += 1
        core_officials = sum(a["officials"] for a in core)
        in_use: dict[str, int] = {}
        for a in self.data.agencies:
            r = self.readiness[a["code"]]
            if a["kind"] == AgencyKind.commune_committee:
                ratio = rng.uniform(0.45, 0.80) * r
            elif a["kind"] == AgencyKind.district_committee:
                ratio = rng.uniform(0.97, 1.08) * (0.55 + 0.5 * r)
            else:
                ratio = rng.uniform(1.02, 1.22)
            in_use[a["code"]] = max(1, round(a["officials"] * ratio))
        wanted = fit_count(core_officials, targets.COMPUTERS_PER_OFFICIAL_PCT)
        assert wanted is not None
        core_codes = [a["code"] for a in core]
        core_counts = {c: in_use[c] for c in core_codes}
        _spread(
            rng,
            core_counts,
            wanted - sum(core_counts.values()),
            lambda c, step: step > 0 or core_counts[c] > 1,
        )
        in_use.update(core_counts)

        for a in self.data.agencies:
            code = a["code"]
            n_in_use = in_use[code]
            # Beyond those in use: some spare, broken or already retired machines.
            extra = (
                [ComputerStatus.spare] * rng.randint(0, max(1, n_in_use // 25))
                + [ComputerStatus.broken] * rng.randint(0, max(1, n_in_use // 15))
                + [ComputerStatus.retired] * rng.randint(0, max(1, n_in_use // 12))
            )
            statuses = [ComputerStatus.in_use] * n_in_use + extra
            servers = rng.randint(1, 3) if a["kind"] == AgencyKind.provincial else 0
            for n, status in enumerate(statuses, start=1):
                kind = (
                    ComputerKind.server
                    if n <= servers
                    else (ComputerKind.laptop if rng.random() < 0.17 else ComputerKind.desktop)
                )
                self.data.computers.append(self._computer(code, n, kind, status))
        self._calibrate_internet()

    def _computer(
        self, agency_code: str, n: int, kind: ComputerKind, status: ComputerStatus
    ) -> dict[str, Any]:
        rng = self.rng
        r = self.readiness[agency_code]
        # Remote districts keep machines longer: their purchase years skew older.
        year = 2008 + min(12, int(13 * rng.random() ** (1.6 - 0.8 * r)))
        if status == ComputerStatus.retired:
            year = min(year, 2013)
        models = {
            ComputerKind.server: names.SERVER_MODELS,
            ComputerKind.laptop: names.LAPTOP_MODELS,
        }.get(kind, names.DESKTOP_MODELS)
        fitting = [m for m in models if m[2] <= year <= m[3]] or list(models)
        manufacturer, model, _, _ = rng.choice(fitting)
        precision = rng.random()
        purchase_date: date | None = None
        purchase_year: int | None = year
        if precision < 0.72:
            purchase_date = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
        elif precision > 0.93:
            purchase_year = None  # nobody knows any more
        os_name, blocker = self._os(year, kind)
        cost = {
            ComputerKind.server: rng.randint(60, 150) * 1_000_000,
            ComputerKind.laptop: rng.randint(14, 22) * 1_000_000,
        }.get(kind, rng.randint(11, 17) * 1_000_000)
        return dict(
            asset_tag=f"{agency_code}-{n:04d}",
            serial=f"SN{rng.getrandbits(40):010X}",
            kind=kind,
            manufacturer=manufacturer,
            model=model,
            cpu=self._cpu(year, kind),
            ram_gb=float(2 if year < 2012 else 4 if year < 2017 else 8)
            * (4 if kind == ComputerKind.server else 1),
            os=os_name,
            purchase_year=purchase_year,
            purchase_date=purchase_date,
            purchase_cost=float(cost),
            agency_code=agency_code,
            internet=rng.random() < (0.80 + 0.19 * r),
            status=status,
            last_audit=date(2020, 11, 1) + timedelta(days=rng.randint(0, 55)),
            os_upgrade_blocker=blocker,
            notes="Dữ liệu mô phỏng (synthetic)",
        )

    def _os(self, year: int, kind: ComputerKind) -> tuple[str, str | None]:
        rng = self.rng
        if kind == ComputerKind.server:
            return (
                "Windows Server 2008 R2"
                if year < 2014
                else "Windows Server 2016"
                if year < 2019
                else "Ubuntu Server 18.04"
            ), None
        if year <= 2010:
            os_name = "Windows XP" if rng.random() < 0.45 else "Windows 7"
        elif year <= 2015:
            os_name = "Windows 7" if rng.random() < 0.75 else "Windows 8.1"
        else:
            os_name = "Windows 10" if rng.random() < 0.9 else "Windows 7"
        blocker = None
        if os_name in {"Windows XP", "Windows 7"} and year <= 2012 and rng.random() < 0.6:
            blocker = "CPU/RAM không đủ để nâng cấp Windows 10"
        return os_name, blocker

    @staticmethod
    def _cpu(year: int, kind: ComputerKind) -> str:
        if kind == ComputerKind.server:
            return "Intel Xeon E5620" if year < 2014 else "Intel Xeon Silver 4110"
        if year < 2011:
            return "Intel Core 2 Duo E7500"
        if year < 2016:
            return "Intel Core i3-3220"
        return "Intel Core i5-8500"

    def _calibrate_internet(self) -> None:
        in_use = [c for c in self.data.computers if c["status"] == ComputerStatus.in_use]
        wanted = fit_count(len(in_use), targets.INTERNET_SHARE_PCT)
        if wanted is None:  # one more spare machine put into use makes the ratio reachable
            spare = next(
                c
                for c in self.data.computers
                if c["status"] == ComputerStatus.spare
                and self.readiness[c["agency_code"]] < 1
                and not c["agency_code"].startswith("HG-H")
            )
            spare["status"] = ComputerStatus.in_use
            return self._calibrate_internet()
        connected = sum(c["internet"] for c in in_use)
        # Switch machines picked at random off (or on) until the share fits: picking at random
        # keeps the districts' differences as drawn.
        order = list(in_use)
        self.rng.shuffle(order)
        if connected > wanted:
            for c in (c for c in order if c["internet"]):
                if connected == wanted:
                    break
                c["internet"] = False
                connected -= 1
        else:
            for c in (c for c in order if not c["internet"]):
                if connected == wanted:
                    break
                c["internet"] = True
                connected += 1

    # -- connection points ----------------------------------------------------------------
    def points(self) -> None:
        rng = self.rng
        city_wards = [c for c in self.communes if c.parent_code == "024"]
        by_code = {a["code"]: a for a in self.data.agencies}
        provincial = [a for a in self.data.agencies if a["kind"] == AgencyKind.provincial]
        for i, a in enumerate(provincial, start=1):
            ward = city_wards[(i - 1) % len(city_wards)]
            self._point(
                f"HG-P{i:03d}",
                f"Điểm kết nối {a['name']}",
                a["code"],
                ward,
                f"127.10.0.{i}",
                "80,443",
                "Cục Bưu điện Trung ương",
                100.0,
            )
        for d_index, d in enumerate(self.districts, start=1):
            a = by_code[f"HG-H{d.code}"]
            seat = self._seat(d)
            self._point(
                f"HG-P{d.code}",
                f"Điểm kết nối {a['name']}",
                a["code"],
                seat,
                f"127.11.{d_index}.1",
                "443",
                "Cục Bưu điện Trung ương",
                50.0,
            )
        remaining = targets.CONNECTION_POINTS - len(self.data.points)
        weights = [targets.DISTRICT_READINESS[c.parent_code or ""] ** 2 for c in self.communes]
        chosen: list[AdminUnit] = []
        pool = list(zip(self.communes, weights, strict=True))
        while len(chosen) < remaining:
            commune = rng.choices([p[0] for p in pool], weights=[p[1] for p in pool])[0]
            chosen.append(commune)
            pool = [p for p in pool if p[0].code != commune.code]
        district_no = {d.code: i for i, d in enumerate(self.districts, start=1)}
        for n, c in enumerate(sorted(chosen, key=lambda u: u.code), start=1):
            a = by_code[f"HG-X{c.code}"]
            self._point(
                f"HG-P{c.code}",
                f"Điểm kết nối {a['name']}",
                a["code"],
                c,
                f"127.12.{district_no[c.parent_code or '']}.{n}",
                "",
                "VNPT Hà Giang",
                rng.choice([10.0, 20.0]),
            )

    def _seat(self, district: AdminUnit) -> AdminUnit:
        return district_seat(district, self.communes)

    def _point(
        self,
        code: str,
        name: str,
        agency_code: str,
        unit: AdminUnit,
        address: str,
        ports: str,
        provider: str,
        bandwidth: float,
    ) -> None:
        rng = self.rng
        lat = (unit.latitude or 0.0) + rng.uniform(-0.003, 0.003)
        lon = (unit.longitude or 0.0) + rng.uniform(-0.003, 0.003)
        self.data.points.append(
            dict(
                code=code,
                name=name,
                agency_code=agency_code,
                unit_code=unit.code,
                latitude=round(lat, 6),
                longitude=round(lon, 6),
                address=address,
                tcp_ports=ports,
                # The ports are what the real point serves; on loopback nothing listens on
                # them, so the demo checks every point by ICMP alone (docs/probes.md).
                probe_method=ProbeMethod.icmp,
                provider=provider,
                bandwidth_mbps=bandwidth,
                active=True,
            )
        )

    # -- certificates ---------------------------------------------------------------------
    def certificates(self) -> None:
        rng = self.rng
        weights = [a["signing_officials"] * self.readiness[a["code"]] for a in self.data.agencies]
        counts = {a["code"]: 0 for a in self.data.agencies}
        for a in rng.choices(self.data.agencies, weights=weights, k=targets.CERTIFICATES):
            counts[a["code"]] += 1
        start = date(2016, 1, 1)
        serial = 0x5404_0000_0000
        for a in self.data.agencies:
            for _ in range(counts[a["code"]]):
                serial += rng.randint(1, 4096)
                issued = start + timedelta(days=rng.randint(0, (targets.AS_OF - start).days - 14))
                expires = issued + timedelta(days=5 * 365)  # five-year certificates
                revoked = None
                if rng.random() < 0.02:
                    revoked = issued + timedelta(days=rng.randint(30, 700))
                self.data.certificates.append(
                    dict(
                        serial=f"{serial:X}",  # normalised, as the importer stores it
                        holder=self._person(),
                        agency_code=a["code"],
                        issued_on=issued,
                        expires_on=expires,
                        revoked_on=revoked,
                        status="revoked" if revoked else "active",
                    )
                )

    def _person(self) -> str:
        rng = self.rng
        return " ".join(
            (
                rng.choice(names.FAMILY_NAMES),
                rng.choice(names.MIDDLE_NAMES),
                rng.choice(names.GIVEN_NAMES),
            )
        )

    # -- online public services -----------------------------------------------------------
    def services(self) -> None:
        rng = self.rng
        rows = self.data.service_figures
        for a in self.data.agencies:
            r = self.readiness[a["code"]]
            kind = a["kind"]
            if kind == AgencyKind.provincial:
                procedures = rng.randint(40, 160)
                l3, l4 = rng.uniform(0.15, 0.30), rng.uniform(0.12, 0.25)
                received = rng.randint(500, 20_000)
            elif kind == AgencyKind.district_committee:
                procedures = rng.randint(250, 300)
                l3, l4 = rng.uniform(0.15, 0.25) * r, rng.uniform(0.08, 0.18) * r
                received = rng.randint(3_000, 12_000)
            else:
                procedures = rng.randint(100, 120)
                l3, l4 = rng.uniform(0.10, 0.25) * r, rng.uniform(0.05, 0.16) * r
                received = rng.randint(200, 1_500)
            rows.append(
                dict(
                    unit_code=a["unit_code"],
                    agency_code=a["code"],
                    period=targets.PERIOD,
                    procedures=procedures,
                    procedures_level3=round(procedures * l3),
                    procedures_level4=round(procedures * l4),
                    dossiers_received=received,
                    dossiers_online=round(received * rng.uniform(0.05, 0.40) * r),
                    dossiers_on_time=round(
                        received * min(0.99, rng.uniform(0.86, 0.97) * (0.9 + 0.1 * r))
                    ),
                )
            )
        self._calibrate_services()

    def _calibrate_services(self) -> None:
        rows = {r["agency_code"]: r for r in self.data.service_figures}
        first = next(iter(rows.values()))
        while True:
            total = sum(r["procedures"] for r in rows.values())
            l3 = fit_count(total, targets.PROCEDURES_LEVEL3_PCT)
            l4 = fit_count(total, targets.PROCEDURES_LEVEL4_PCT)
            cut = fit_count(total, targets.PROCEDURES_CUT_30_PCT)
            if l3 is not None and l4 is not None and cut is not None:
                break
            first["procedures"] += 1
        for column, other, wanted in (
            ("procedures_level3", "procedures_level4", l3),
            ("procedures_level4", "procedures_level3", l4),
        ):
            counts = {k: r[column] for k, r in rows.items()}

            def room(
                k: str, step: int, counts: dict[str, int] = counts, other: str = other
            ) -> bool:
                if step < 0:
                    return counts[k] > 0
                return counts[k] + rows[k][other] < rows[k]["procedures"]

            _spread(self.rng, counts, wanted - sum(counts.values()), room)
            for k, r in rows.items():
                r[column] = counts[k]

        received = sum(r["dossiers_received"] for r in rows.values())
        while (on_time := fit_count(received, targets.DOSSIERS_ON_TIME_PCT)) is None:
            first["dossiers_received"] += 1
            received += 1
        counts = {k: r["dossiers_on_time"] for k, r in rows.items()}
        _spread(
            self.rng,
            counts,
            on_time - sum(counts.values()),
            lambda k, step: counts[k] > 0 if step < 0 else counts[k] < rows[k]["dossiers_received"],
        )
        for k, r in rows.items():
            r["dossiers_on_time"] = counts[k]
        self._calibrate_cut_30(rows, cut)

    def _calibrate_cut_30(self, rows: dict[str, dict[str, Any]], wanted: int) -> None:
        """Procedures cut by more than 30 %: a share of each agency's, then spread to the
        province's figure. Drawn after every other figure, so those stay as they were."""
        rng = self.rng
        counts = {
            k: round(r["procedures"] * rng.uniform(0.20, 0.42) * (0.8 + 0.2 * self.readiness[k]))
            for k, r in rows.items()
        }
        _spread(
            rng,
            counts,
            wanted - sum(counts.values()),
            lambda k, step: counts[k] > 0 if step < 0 else counts[k] < rows[k]["procedures"],
        )
        for k, r in rows.items():
            r["procedures_cut_30"] = counts[k]


def generate(units: list[AdminUnit]) -> DemoData:
    gen = _Generator(units)
    gen.agencies()
    gen.computers()
    gen.points()
    gen.certificates()
    gen.services()
    return gen.data
