"""Tests of the GPU price snapshot: per GPU-hour prices, names, clouds, date and staleness.

Expected prices are worked from the shipped CSV's own rows (read here with the csv module): the
instance's price divided by its GPU count.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import openpyxl
import pytest

from xl_roi.casefile import load_case
from xl_roi.cli import main
from xl_roi.errors import CaseFileError
from xl_roi.gpu_prices import (
    STALE_AFTER_DAYS,
    UnknownGpuError,
    gpu_catalogue,
    gpu_price,
    gpu_prices,
)

DATA = Path(__file__).parent.parent / "xl_roi" / "data" / "gpu_prices.csv"
REQUIRED = ("H100", "H200", "A100", "A100-80GB", "L40S", "L4", "A10G")


def shipped_rows():
    lines = [line for line in DATA.read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


class TestSnapshot:
    @pytest.mark.parametrize("gpu", REQUIRED)
    def test_every_common_gpu_priced_per_gpu_hour(self, gpu):
        """Each common GPU has an on-demand and a spot price: the instance's ÷ its GPUs."""
        row = next(r for r in shipped_rows() if r["gpu"] == gpu)
        price = gpu_price(gpu, row["cloud"])
        gpus = int(row["gpus_per_instance"])
        assert price.per_gpu_hour() == pytest.approx(
            float(row["on_demand_per_instance_hour"]) / gpus
        )
        spot = gpu_price(gpu, row["cloud"], spot=True).per_gpu_hour(spot=True)
        assert spot == pytest.approx(float(row["spot_per_instance_hour"]) / gpus)
        assert 0 < spot < price.per_gpu_hour()

    @pytest.mark.parametrize("typed", ["h100", "A100 80GB", "a100-80gb", "A100-40GB"])
    def test_names_ignore_case_spaces_and_hyphens(self, typed):
        """GPU names match however they are spelled (and the 40 GB A100 is the A100)."""
        assert gpu_prices(typed)[0].gpu in ("H100", "A100-80GB", "A100")

    def test_unknown_gpu_lists_the_known_and_the_closest(self):
        """An unknown GPU is refused, naming the closest known one and listing all."""
        with pytest.raises(UnknownGpuError, match=r"'H1000'.*closest: H100.*known: A100"):
            gpu_prices("H1000")

    def test_unknown_cloud_lists_the_clouds(self):
        """A cloud the snapshot has no price on is refused, listing the clouds it has."""
        with pytest.raises(UnknownGpuError, match=r"cloud 'awss'.*closest: aws"):
            gpu_prices("H100", "awss")

    def test_date_and_staleness(self):
        """The snapshot has a date; a warning once it is more than 180 days old, none before."""
        catalogue = gpu_catalogue()
        assert catalogue.commit and catalogue.date.year >= 2024
        day = catalogue.date + dt.timedelta(days=STALE_AFTER_DAYS)
        assert catalogue.stale_warning(day) is None
        assert "181 days old" in catalogue.stale_warning(day + dt.timedelta(days=1))

    def test_notice_is_shipped(self):
        """The catalogue's notice ships beside the data, naming its source and licence."""
        notice = " ".join((DATA.parent / "gpu_prices_NOTICE.txt").read_text().split())
        assert "skypilot-catalog" in notice and "Apache License" in notice


class TestCaseFile:
    BASE = (
        "[volume]\nmonthly_calls = 10_000_000\n\n[teacher]\ncost_per_1k = 4.5\n\n"
        "[upfront]\ntotal = 10_000\n\n[maintenance]\nannual = 1_000\n\n"
    )

    def test_gpu_resolved_at_load(self, tmp_path):
        """[student] gpu and cloud give gpu_hourly_cost per GPU-hour from the snapshot; spot
        gives the spot price."""
        case = tmp_path / "case.toml"
        case.write_text(
            self.BASE + '[student]\ngpu = "L4"\ncloud = "aws"\ncalls_per_second_per_gpu = 4\n'
        )
        row = next(r for r in shipped_rows() if r["gpu"] == "L4")
        per_gpu = float(row["on_demand_per_instance_hour"]) / int(row["gpus_per_instance"])
        assert load_case(case).gpu_hourly_cost == pytest.approx(per_gpu)
        case.write_text(case.read_text().replace('cloud = "aws"', 'cloud = "aws"\nspot = true'))
        spot = float(row["spot_per_instance_hour"]) / int(row["gpus_per_instance"])
        assert load_case(case).gpu_hourly_cost == pytest.approx(spot)

    def test_typed_gpu_hourly_cost_wins_and_says_so(self, capsys, tmp_path):
        """A typed gpu_hourly_cost is the case's, and the command says it wins over gpu."""
        case = tmp_path / "case.toml"
        case.write_text(
            self.BASE
            + '[student]\ngpu = "H100"\ngpu_hourly_cost = 2.5\ncalls_per_second_per_gpu = 4\n'
        )
        assert load_case(case).gpu_hourly_cost == 2.5
        code, _, err = run(capsys, "pitch", case)
        assert code == 0 and "gpu_hourly_cost = 2.5 as typed: it wins" in err

    def test_unknown_gpu_in_a_case_is_refused(self, capsys, tmp_path):
        """An unknown GPU in a case: exit 2, naming it and the known GPUs."""
        case = tmp_path / "case.toml"
        case.write_text(self.BASE + '[student]\ngpu = "B300"\ncalls_per_second_per_gpu = 4\n')
        with pytest.raises(CaseFileError):
            load_case(case)
        code, _, err = run(capsys, "pitch", case)
        assert code == 2 and "'B300'" in err and "known: A100" in err

    def test_workbook_carries_the_value_and_the_date(self, capsys, tmp_path):
        """build writes the resolved price as the input's value, with the snapshot and its
        date in the Source cell beside it."""
        case = tmp_path / "case.toml"
        case.write_text(
            self.BASE + '[student]\ngpu = "H100"\ncloud = "aws"\ncalls_per_second_per_gpu = 4\n'
        )
        out = tmp_path / "case.xlsx"
        code, _, err = run(capsys, "build", case, "-o", out)
        assert code == 0, err
        sheet = openpyxl.load_workbook(out)["Inputs"]
        row = next(
            r
            for r in sheet.iter_rows()
            if r[0].value and "GPU" in str(r[0].value) and "hour" in str(r[0].value).lower()
        )
        assert row[1].value == pytest.approx(load_case(case).gpu_hourly_cost)
        assert "SkyPilot catalogue" in row[3].value and str(gpu_catalogue().date) in row[3].value


class TestCommand:
    def test_one_gpu(self, capsys):
        """gpu-prices H100 --cloud aws prints its price per GPU-hour, the date and how to
        name it in a case."""
        code, out, _ = run(capsys, "gpu-prices", "H100", "--cloud", "aws")
        price = gpu_price("H100", "aws").per_gpu_hour()
        assert code == 0 and f"{price:.4f}" in out and str(gpu_catalogue().date) in out
        assert 'gpu = "H100"' in out

    def test_json(self, capsys):
        """--json gives every price with the snapshot's commit and date."""
        code, out, _ = run(capsys, "gpu-prices", "--json", "--spot")
        data = json.loads(out)
        assert code == 0 and data["commit"] == gpu_catalogue().commit
        assert {p["gpu"] for p in data["prices"]} >= set(REQUIRED)
        assert all(not math.isnan(p["spot_per_gpu_hour"]) for p in data["prices"])

    def test_unknown_gpu_exits_2(self, capsys):
        """An unknown GPU: exit 2 with the closest names, no traceback."""
        code, _, err = run(capsys, "gpu-prices", "H10")
        assert code == 2 and "closest: H100" in err
