"""GPU prices with a date: a snapshot of a public catalogue of cloud GPU prices, read offline.

A self-hosted student's serving cost starts from what a GPU costs an hour. The package ships a
small dated snapshot (``xl_roi/data/gpu_prices.csv``, taken from the SkyPilot catalogue; its
notice is ``gpu_prices_NOTICE.txt`` beside it): for each common GPU and cloud, one instance in
one named region (AWS us-east-1, GCP us-central1), its on-demand price and its spot price, per
instance-hour. The price **per GPU-hour** is the instance's price divided by the GPUs it holds.
Each cloud's prices come from one catalogue file at one commit, with the dates the catalogue's
own contents bound them to (the copy read records no commit date); a GPU or cloud left out of
the snapshot says why.

A case file may then say ``gpu = "H100"`` (and ``cloud = "aws"``, ``spot = true``) under
``[student]`` instead of typing ``gpu_hourly_cost``: the price is resolved when the case is read,
as ``model = "…"`` token prices are, and workbooks carry it as a value with the snapshot's date.
A typed ``gpu_hourly_cost`` still wins (and the reader says so). A GPU or cloud the snapshot does
not price is an error listing the known ones, closest first; prices older than
:data:`STALE_AFTER_DAYS` days are flagged (:func:`xl_roi.prices.stale_warning`, the one
definition of stale for token and GPU prices).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from xl_roi.errors import InputError
from xl_roi.prices import STALE_AFTER_DAYS, stale_warning
from xl_roi.text import closest_names

__all__ = [
    "STALE_AFTER_DAYS",
    "GpuCatalogue",
    "GpuPrice",
    "GpuSource",
    "UnknownGpuError",
    "cloud_gpu_prices",
    "gpu_catalogue",
    "gpu_price",
    "gpu_prices",
    "known_clouds",
    "known_gpus",
]

_ALIASES = {"A10040GB": "A100", "A100SXM440GB": "A100", "A100SXM480GB": "A100-80GB"}
_ADVICE = "check them against the cloud's price page, or give gpu_hourly_cost"


class UnknownGpuError(InputError):
    """The snapshot prices no such GPU, or no such cloud for it."""


@dataclass(frozen=True)
class GpuSource:
    """One cloud's catalogue file in the snapshot: its path, commit and the dates that bound it.

    The copy read records no commit date, so the prices are dated by the catalogue's own
    contents: ``after`` is a date they are known to follow, ``before_about`` one they precede
    by the evidence in ``evidence`` (roughly: the evidence is a change dated by when it was
    proposed, and it took effect on or after that day).

    Examples
    --------
    >>> source = gpu_catalogue().sources["aws"]
    >>> source.after < source.before_about
    True
    """

    cloud: str
    path: str
    commit: str
    after: dt.date
    before_about: dt.date
    evidence: str

    def describe(self) -> str:
        """The file, commit and dates in a few words, as a source says it."""
        return (
            f"SkyPilot catalogue {self.path}, commit {self.commit[:12]} (prices from after "
            f"{self.after}, before about {self.before_about})"
        )

    def age_days(self, today: dt.date | None = None) -> int:
        """Days from ``before_about`` to ``today`` (default: today): about this old at least."""
        return ((today or dt.date.today()) - self.before_about).days

    def stale_warning(self, today: dt.date | None = None) -> str | None:
        """A warning when these prices are older than :data:`STALE_AFTER_DAYS`, else ``None``."""
        return stale_warning(
            f"the {self.cloud} GPU prices from {self.describe()}",
            self.age_days(today),
            _ADVICE,
            about=True,
        )


@dataclass(frozen=True)
class GpuCatalogue:
    """The snapshot in use: its name, repository, the file each cloud's prices come from, and
    the GPUs or clouds left out (with why).

    ``date`` is the newest any of its prices can be (about: see :class:`GpuSource`); ``before``
    is always true (no commit date is recorded).

    Examples
    --------
    >>> gpu_catalogue().name.startswith("SkyPilot catalogue")
    True
    >>> sorted(gpu_catalogue().sources)
    ['aws', 'gcp']
    """

    name: str
    source: str
    sources: dict[str, GpuSource]
    left_out: dict[str, str] = field(default_factory=dict)
    rule: str = ""

    @property
    def commit(self) -> str:
        """Each cloud's commit, ``aws <sha>; gcp <sha>``."""
        return "; ".join(f"{cloud} {src.commit}" for cloud, src in sorted(self.sources.items()))

    @property
    def date(self) -> dt.date:
        """The newest date any price can be from (about)."""
        return max(src.before_about for src in self.sources.values())

    @property
    def before(self) -> bool:
        """Always true: the prices are dated by bounds, never by a recorded commit date."""
        return True

    @property
    def date_note(self) -> str:
        """How each cloud's prices are dated, in words."""
        return "; ".join(f"{cloud}: {src.evidence}" for cloud, src in sorted(self.sources.items()))

    def describe(self) -> str:
        """The snapshot and its dates, in a few words, as a source says it."""
        parts = ", ".join(
            f"{cloud} {src.path} at commit {src.commit[:12]} (prices from before about "
            f"{src.before_about})"
            for cloud, src in sorted(self.sources.items())
        )
        return f"{self.name}: {parts}"

    def age_days(self, today: dt.date | None = None) -> int:
        """Days since the newest date any price can be from (about; at least this old)."""
        return ((today or dt.date.today()) - self.date).days

    def stale_warning(self, today: dt.date | None = None) -> str | None:
        """A warning naming each cloud whose prices are older than :data:`STALE_AFTER_DAYS`
        days, else ``None``."""
        found = [src.stale_warning(today) for _, src in sorted(self.sources.items())]
        warnings = [warning for warning in found if warning]
        return "; ".join(warnings) or None


@dataclass(frozen=True)
class GpuPrice:
    """One GPU's price on one cloud: per instance-hour and per GPU-hour, with the source.

    Examples
    --------
    >>> price = gpu_price("H100", "aws")
    >>> price.per_gpu_hour() == price.on_demand_per_instance_hour / price.gpus_per_instance
    True
    """

    gpu: str
    cloud: str
    region: str
    instance_type: str
    gpus_per_instance: int
    on_demand_per_instance_hour: float
    spot_per_instance_hour: float
    catalogue: GpuCatalogue
    priced_as: str = ""

    @property
    def catalogue_source(self) -> GpuSource:
        """The catalogue file and commit this cloud's prices come from."""
        return self.catalogue.sources[self.cloud]

    def per_gpu_hour(self, spot: bool = False) -> float:
        """USD per GPU-hour: the instance's price ÷ its GPUs (NaN: no spot price listed)."""
        price = self.spot_per_instance_hour if spot else self.on_demand_per_instance_hour
        return price / self.gpus_per_instance

    def source(self, spot: bool = False) -> str:
        """Where the price came from, in words: GPU, cloud, instance, catalogue file and date."""
        kind = "spot (lowest of the region's zones)" if spot else "on-demand"
        how = f" [{self.priced_as}]" if self.priced_as else ""
        gpus = f"{self.gpus_per_instance} GPU{'' if self.gpus_per_instance == 1 else 's'}"
        return (
            f"{self.gpu} on {self.cloud} {self.region}, {kind}: {self.instance_type}{how} "
            f"({gpus}) ÷ {self.gpus_per_instance}, from "
            f"{self.catalogue_source.describe()}"
        )


def _data_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("xl_roi.data").joinpath("gpu_prices.csv")))


def _parse_source(cloud: str, value: str) -> GpuSource:
    path, commit, after, before, evidence = (part.strip() for part in value.split("|", 4))
    return GpuSource(
        cloud=cloud,
        path=path,
        commit=commit,
        after=dt.date.fromisoformat(after),
        before_about=dt.date.fromisoformat(before),
        evidence=evidence,
    )


@cache
def _snapshot() -> tuple[GpuCatalogue, tuple[GpuPrice, ...]]:
    meta: dict[str, str] = {}
    sources: dict[str, GpuSource] = {}
    left_out: dict[str, str] = {}
    body = []
    for line in _data_path().read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if line.strip():
                body.append(line)
            continue
        key, _, value = line[1:].partition(":")
        kind, _, what = key.strip().partition(" ")
        if kind == "source":
            sources[what] = _parse_source(what, value)
        elif kind == "left_out":
            left_out[what] = value.strip()
        else:
            meta[key.strip()] = value.strip()
    catalogue = GpuCatalogue(
        name=meta["name"],
        source=meta["repository"],
        sources=sources,
        left_out=left_out,
        rule=meta.get("rule", ""),
    )
    rows = []
    for row in csv.DictReader(body):
        spot = row["spot_per_instance_hour"].strip()
        rows.append(
            GpuPrice(
                gpu=row["gpu"],
                cloud=row["cloud"],
                region=row["region"],
                instance_type=row["instance_type"],
                gpus_per_instance=int(row["gpus_per_instance"]),
                on_demand_per_instance_hour=float(row["on_demand_per_instance_hour"]),
                spot_per_instance_hour=float(spot) if spot else math.nan,
                catalogue=catalogue,
                priced_as=row["priced_as"].strip(),
            )
        )
    return catalogue, tuple(rows)


def gpu_catalogue() -> GpuCatalogue:
    """The shipped snapshot: name, repository, each cloud's file and dates, what is left out."""
    return _snapshot()[0]


def _key(name: str) -> str:
    return "".join(char for char in str(name).upper() if char.isalnum())


def known_gpus() -> list[str]:
    """The GPUs the snapshot prices, as it names them.

    Examples
    --------
    >>> "H100" in known_gpus()
    True
    """
    return sorted({row.gpu for row in _snapshot()[1]})


def known_clouds() -> list[str]:
    """The clouds the snapshot prices GPUs on.

    Examples
    --------
    >>> known_clouds()
    ['aws', 'gcp']
    """
    return sorted({row.cloud for row in _snapshot()[1]})


def _closest_first(name: str, known: list[str]) -> str:
    close = closest_names(name, known, count=len(known))
    return ", ".join(close + [item for item in known if item not in close])


def gpu_prices(gpu: str, cloud: str | None = None) -> list[GpuPrice]:
    """Every price the snapshot has for a GPU (on one cloud, or all), cheapest on-demand first.

    Names are matched ignoring case, spaces and hyphens (``a100 80gb`` is ``A100-80GB``).

    Raises
    ------
    UnknownGpuError
        When the snapshot prices no such GPU, or no such cloud for it: the message lists the
        known ones, closest first, and says why a GPU or cloud was left out of the snapshot.

    Examples
    --------
    >>> [p.cloud for p in gpu_prices("l4")]
    ['gcp', 'aws']
    >>> gpu_prices("B300")
    Traceback (most recent call last):
    ...
    xl_roi.gpu_prices.UnknownGpuError: no GPU 'B300' in the GPU price snapshot (known, closest ...
    """
    catalogue, rows = _snapshot()
    wanted = _key(gpu)
    wanted = _key(_ALIASES.get(wanted, wanted))
    if not wanted:
        raise InputError("gpu is blank: name the GPU, e.g. H100")
    found = [row for row in rows if _key(row.gpu) == wanted]
    if not found:
        raise UnknownGpuError(
            f"no GPU {gpu!r} in the GPU price snapshot (known, closest first: "
            f"{_closest_first(gpu, known_gpus())}); or give gpu_hourly_cost yourself"
        )
    if cloud is not None:
        named = str(cloud).strip().lower()
        on_cloud = [row for row in found if row.cloud == named]
        if not on_cloud:
            clouds = sorted({row.cloud for row in found})
            why = catalogue.left_out.get(f"{named} {found[0].gpu}") or catalogue.left_out.get(named)
            reason = f": left out of the snapshot, {why}" if why else ""
            raise UnknownGpuError(
                f"no price for {found[0].gpu} on cloud {cloud!r} in the GPU price snapshot"
                f"{reason} (clouds with {found[0].gpu}, closest first: "
                f"{_closest_first(str(cloud), clouds)}); or give gpu_hourly_cost yourself"
            )
        found = on_cloud
    return sorted(found, key=lambda row: (row.per_gpu_hour(), row.cloud))


def cloud_gpu_prices(cloud: str | None = None) -> list[GpuPrice]:
    """Every price the snapshot has on one cloud (or on all), by GPU, cheapest first.

    Raises
    ------
    UnknownGpuError
        When the snapshot prices nothing on that cloud: the message lists the clouds, closest
        first, and says why a cloud was left out of the snapshot.

    Examples
    --------
    >>> sorted({p.gpu for p in cloud_gpu_prices("gcp")})
    ['A100', 'L4']
    """
    catalogue, rows = _snapshot()
    if cloud is not None:
        named = str(cloud).strip().lower()
        rows = tuple(row for row in rows if row.cloud == named)
        if not rows:
            why = catalogue.left_out.get(named)
            reason = f": left out of the snapshot, {why}" if why else ""
            raise UnknownGpuError(
                f"no GPU prices on cloud {cloud!r} in the GPU price snapshot{reason} (clouds, "
                f"closest first: {_closest_first(str(cloud), known_clouds())}); or give "
                "gpu_hourly_cost yourself"
            )
    return sorted(rows, key=lambda row: (row.gpu, row.per_gpu_hour(), row.cloud))


def gpu_price(gpu: str, cloud: str | None = None, spot: bool = False) -> GpuPrice:
    """One GPU's price: on the cloud named, or the cheapest cloud for it (per GPU-hour).

    Raises
    ------
    UnknownGpuError
        As :func:`gpu_prices`; also when ``spot`` and no spot price is listed.

    Examples
    --------
    >>> price = gpu_price("L4", "aws", spot=True)
    >>> price.per_gpu_hour(spot=True) < price.per_gpu_hour()
    True
    """
    found = gpu_prices(gpu, cloud)
    if spot:
        found = [row for row in found if not math.isnan(row.spot_per_instance_hour)]
        if not found:
            raise UnknownGpuError(f"no spot price for {gpu!r} in the GPU price snapshot")
        found.sort(key=lambda row: (row.per_gpu_hour(spot=True), row.cloud))
    return found[0]
