"""GPU prices with a date: a snapshot of a public catalogue of cloud GPU prices, read offline.

A self-hosted student's serving cost starts from what a GPU costs an hour. The package ships a
small dated snapshot (``xl_roi/data/gpu_prices.csv``, taken from the SkyPilot catalogue; its
notice is ``gpu_prices_NOTICE.txt`` beside it): for each common GPU, an instance type on a main
cloud, its on-demand price and its spot price, per instance-hour. The price **per GPU-hour** is
the instance's price divided by the GPUs it holds.

A case file may then say ``gpu = "H100"`` (and ``cloud = "aws"``, ``spot = true``) under
``[student]`` instead of typing ``gpu_hourly_cost``: the price is resolved when the case is read,
as ``model = "…"`` token prices are, and workbooks carry it as a value with the snapshot's date.
A typed ``gpu_hourly_cost`` still wins (and the reader says so). A GPU or cloud the snapshot does
not know is an error listing the known ones; a snapshot older than :data:`STALE_AFTER_DAYS` is
flagged.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from xl_roi.errors import InputError
from xl_roi.text import closest_names

__all__ = [
    "STALE_AFTER_DAYS",
    "GpuCatalogue",
    "GpuPrice",
    "UnknownGpuError",
    "gpu_catalogue",
    "gpu_price",
    "gpu_prices",
]

STALE_AFTER_DAYS = 180
"""GPU prices from a snapshot older than this many days get a warning."""

_ALIASES = {"A10040GB": "A100", "A100SXM440GB": "A100", "A100SXM480GB": "A100-80GB"}


class UnknownGpuError(InputError):
    """The snapshot knows no such GPU, or no such cloud for it."""


@dataclass(frozen=True)
class GpuCatalogue:
    """The snapshot in use: its name, source, commit and date.

    ``date`` is the newest the prices can be: the snapshot's own date, or (``before`` true) a
    bound they are known to precede.

    Examples
    --------
    >>> gpu_catalogue().name.startswith("SkyPilot catalogue")
    True
    """

    name: str
    source: str
    commit: str
    date: dt.date
    before: bool = False
    date_note: str = ""

    def describe(self) -> str:
        """The snapshot and its date, in a few words, as a source says it."""
        when = f"prices from before {self.date}" if self.before else f"prices as of {self.date}"
        return f"{self.name}, commit {self.commit[:12]} ({when})"

    def age_days(self, today: dt.date | None = None) -> int:
        """Days from the snapshot's date to ``today`` (default: today); at least this old."""
        return ((today or dt.date.today()) - self.date).days

    def stale_warning(self, today: dt.date | None = None) -> str | None:
        """A warning when the snapshot is older than :data:`STALE_AFTER_DAYS`, else ``None``."""
        age = self.age_days(today)
        if age <= STALE_AFTER_DAYS:
            return None
        more = "more than " if self.before else ""
        return (
            f"the GPU prices from {self.describe()} are {more}{age} days old (over "
            f"{STALE_AFTER_DAYS}): check them against the cloud's price page, or give "
            "gpu_hourly_cost"
        )


@dataclass(frozen=True)
class GpuPrice:
    """One GPU's price on one cloud: per instance-hour and per GPU-hour, with the snapshot.

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

    def per_gpu_hour(self, spot: bool = False) -> float:
        """USD per GPU-hour: the instance's price ÷ its GPUs (NaN: no spot price listed)."""
        price = self.spot_per_instance_hour if spot else self.on_demand_per_instance_hour
        return price / self.gpus_per_instance

    def source(self, spot: bool = False) -> str:
        """Where the price came from, in words: GPU, cloud, instance, snapshot and date."""
        kind = "spot (lowest of the region's zones)" if spot else "on-demand"
        return (
            f"{self.gpu} on {self.cloud} {self.region}, {kind}: {self.instance_type} "
            f"({self.gpus_per_instance} GPUs) ÷ {self.gpus_per_instance}, from "
            f"{self.catalogue.describe()}"
        )


def _data_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("xl_roi.data").joinpath("gpu_prices.csv")))


@cache
def _snapshot() -> tuple[GpuCatalogue, tuple[GpuPrice, ...]]:
    lines = _data_path().read_text(encoding="utf-8").splitlines()
    meta: dict[str, str] = {}
    body = []
    for line in lines:
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip()
        elif line.strip():
            body.append(line)
    before = "prices_before" in meta
    catalogue = GpuCatalogue(
        name=meta["name"],
        source=meta["source"],
        commit=meta["commit"],
        date=dt.date.fromisoformat(meta["prices_before"] if before else meta["prices_as_of"]),
        before=before,
        date_note=meta.get("date_note", ""),
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
            )
        )
    return catalogue, tuple(rows)


def gpu_catalogue() -> GpuCatalogue:
    """The shipped snapshot: name, source, commit and date."""
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


def gpu_prices(gpu: str, cloud: str | None = None) -> list[GpuPrice]:
    """Every price the snapshot has for a GPU (on one cloud, or all), cheapest on-demand first.

    Names are matched ignoring case, spaces and hyphens (``a100 80gb`` is ``A100-80GB``).

    Raises
    ------
    UnknownGpuError
        When the snapshot knows no such GPU, or no such cloud for it: the message lists the
        known ones and the closest names.

    Examples
    --------
    >>> [p.cloud for p in gpu_prices("h100")]
    ['aws']
    >>> gpu_prices("B300")
    Traceback (most recent call last):
    ...
    xl_roi.gpu_prices.UnknownGpuError: no GPU 'B300' in the GPU price snapshot ... (known: ...
    """
    catalogue, rows = _snapshot()
    wanted = _key(gpu)
    wanted = _key(_ALIASES.get(wanted, wanted))
    if not wanted:
        raise InputError("gpu is blank: name the GPU, e.g. H100")
    found = [row for row in rows if _key(row.gpu) == wanted]
    if not found:
        known = known_gpus()
        close = closest_names(gpu, known)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise UnknownGpuError(
            f"no GPU {gpu!r} in the GPU price snapshot ({catalogue.describe()}){hint} (known: "
            f"{', '.join(known)}); or give gpu_hourly_cost yourself"
        )
    if cloud is not None:
        clouds = sorted({row.cloud for row in found})
        on_cloud = [row for row in found if row.cloud.lower() == str(cloud).strip().lower()]
        if not on_cloud:
            close = closest_names(cloud, clouds)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UnknownGpuError(
                f"no price for {found[0].gpu} on cloud {cloud!r} in the GPU price snapshot"
                f"{hint} (clouds with {found[0].gpu}: {', '.join(clouds)})"
            )
        found = on_cloud
    return sorted(found, key=lambda row: (row.per_gpu_hour(), row.cloud))


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
