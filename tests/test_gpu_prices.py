"""Tests of the GPU price snapshot: per GPU-hour prices, names, clouds, dates and staleness.

Expected prices are derived here, independently of the package, from raw SkyPilot catalogue
rows kept as fixtures (``tests/fixtures/gpu_catalogue``, copied from the catalogue files and
commits the snapshot names) by the rule the README states: one named region per cloud, the
instance with the lowest on-demand price per GPU-hour (ties: one listing a spot price, then
fewer GPUs), the spot price the lowest of the region's availability zones.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections import defaultdict
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
from xl_roi.prices import price_table

DATA = Path(__file__).parent.parent / "xl_roi" / "data" / "gpu_prices.csv"
FIXTURES = Path(__file__).parent / "fixtures" / "gpu_catalogue"
REQUIRED = ("H100", "H200", "A100", "A100-80GB", "L40S", "L4", "A10G")
REGION = {"aws": "us-east-1", "gcp": "us-central1"}
AGREE_WITHIN = 1.25

# GCP lists a machine's GPUs apart from the machine: which GPUs each machine type carries.
GCP_MACHINE_GPUS = {
    **{f"a2-highgpu-{n}g": ("A100", n) for n in (1, 2, 4, 8)},
    "a2-megagpu-16g": ("A100", 16),
    **{f"a2-ultragpu-{n}g": ("A100-80GB", n) for n in (1, 2, 4, 8)},
    **{f"a3-highgpu-{n}g": ("H100", n) for n in (1, 2, 4, 8)},
    "a3-ultragpu-8g": ("H200", 8),
    **{f"g2-standard-{k}": ("L4", n) for k, n in ((4, 1), (8, 1), (32, 1), (48, 4), (96, 8))},
}


def fixture_rows(name):
    with (FIXTURES / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def money(text):
    return float(text) if text.strip() else math.nan


def pick(candidates):
    """The lowest on-demand per GPU; ties go to one listing a spot price, then fewer GPUs."""
    return min(candidates, key=lambda c: (c[1] / c[2], math.isnan(c[3]), c[2]))


def derived_aws():
    """AWS: {gpu: (instance, on-demand, GPUs, spot)} in us-east-1, from the raw rows."""
    by_instance = defaultdict(list)
    for row in fixture_rows("aws_v8_vms_rows.csv"):
        count = float(row["AcceleratorCount"] or 0)
        if row["Region"] == REGION["aws"] and count >= 1 and row["Price"]:
            by_instance[(row["AcceleratorName"], row["InstanceType"], int(count))].append(row)
    found = defaultdict(list)
    for (gpu, instance, gpus), rows in by_instance.items():
        zones = [money(r["SpotPrice"]) for r in rows if r["AvailabilityZone"].count("-") == 1]
        spot = min((s for s in zones if not math.isnan(s)), default=math.nan)
        found[gpu].append((instance, float(rows[0]["Price"]), gpus, spot))
    return {gpu: pick(candidates) for gpu, candidates in found.items()}


def gcp_agrees(gpu_rows, gpu):
    """The GPU's price per GPU agrees within 25 % across the US regions listing it, and its
    spot price is below on-demand in us-central1."""
    listed = [r for r in gpu_rows if r["AcceleratorName"] == gpu and r["Region"].startswith("us-")]
    fewest = min(int(r["AcceleratorCount"]) for r in listed)
    per_gpu = [float(r["Price"]) / fewest for r in listed if int(r["AcceleratorCount"]) == fewest]
    central = [r for r in listed if r["Region"] == REGION["gcp"]]
    cheap_spot = all(money(r["SpotPrice"]) < float(r["Price"]) for r in central)
    return max(per_gpu) / min(per_gpu) <= AGREE_WITHIN and cheap_spot


def derived_gcp():
    """GCP: {gpu: (machine, on-demand, GPUs, spot)} in us-central1: machine + its GPUs."""
    rows = fixture_rows("gcp_v8_vms_rows.csv")
    gpu_rows = [r for r in rows if not r["InstanceType"]]
    gpu_price_at = {
        (r["AcceleratorName"], int(r["AcceleratorCount"]), r["AvailabilityZone"]): r
        for r in gpu_rows
    }
    found = defaultdict(list)
    for machine, (gpu, gpus) in GCP_MACHINE_GPUS.items():
        hosts = [r for r in rows if r["InstanceType"] == machine and r["Region"] == REGION["gcp"]]
        pairs = [(h, gpu_price_at.get((gpu, gpus, h["AvailabilityZone"]))) for h in hosts]
        pairs = [(h, g) for h, g in pairs if g is not None]
        if not pairs:
            continue
        host, part = pairs[0]
        on_demand = float(host["Price"]) + float(part["Price"])
        spot = min(money(h["SpotPrice"]) + money(g["SpotPrice"]) for h, g in pairs)
        found[gpu].append((machine, on_demand, gpus, spot))
    return {gpu: pick(candidates) for gpu, candidates in found.items() if gcp_agrees(gpu_rows, gpu)}


def derived():
    return {"aws": derived_aws(), "gcp": derived_gcp()}


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


class TestSnapshot:
    @pytest.mark.parametrize(
        ("cloud", "gpu"),
        [(cloud, gpu) for cloud, found in derived().items() for gpu in sorted(found)],
    )
    def test_prices_follow_the_rule_from_the_raw_rows(self, cloud, gpu):
        """Each shipped price is the raw catalogue rows' instance price ÷ its GPUs, for the
        instance the stated rule picks, on-demand and spot."""
        instance, on_demand, gpus, spot = derived()[cloud][gpu]
        price = gpu_price(gpu, cloud)
        assert (price.instance_type, price.gpus_per_instance, price.region) == (
            instance,
            gpus,
            REGION[cloud],
        )
        assert price.per_gpu_hour() == pytest.approx(on_demand / gpus, rel=1e-9)
        assert price.per_gpu_hour(spot=True) == pytest.approx(spot / gpus, rel=1e-9)

    def test_every_common_gpu_on_aws_and_nothing_unpriced_shipped(self):
        """AWS prices all seven common GPUs; the snapshot ships exactly what the rule derives."""
        assert set(derived()["aws"]) == set(REQUIRED)
        shipped = {(p.cloud, p.gpu) for gpu in REQUIRED for p in gpu_prices(gpu)}
        assert shipped == {(cloud, gpu) for cloud, found in derived().items() for gpu in found}

    @pytest.mark.parametrize("gpu", ["H100", "H200", "A100-80GB"])
    def test_gcp_gpus_whose_regions_disagree_are_left_out_and_say_why(self, gpu):
        """A GCP GPU whose US regions disagree over 25 % is refused on gcp, naming the reason."""
        with pytest.raises(UnknownGpuError, match=r"on cloud 'gcp'.*left out.*aws"):
            gpu_prices(gpu, "gcp")

    def test_azure_is_refused_with_the_reason(self):
        """Azure is not in the snapshot: asking for it says why and lists the clouds priced."""
        with pytest.raises(UnknownGpuError, match=r"'azure'.*left out.*Azure.*(gcp, aws|aws, gcp)"):
            gpu_prices("L4", "azure")

    @pytest.mark.parametrize("typed", ["h100", "A100 80GB", "a100-80gb", "A100-40GB"])
    def test_names_ignore_case_spaces_and_hyphens(self, typed):
        """GPU names match however they are spelled (and the 40 GB A100 is the A100)."""
        assert gpu_prices(typed)[0].gpu in ("H100", "A100-80GB", "A100")

    def test_unknown_gpu_lists_the_known_closest_first(self):
        """An unknown GPU is refused, listing every known GPU with the closest first."""
        with pytest.raises(UnknownGpuError) as caught:
            gpu_prices("H1000")
        listed = re.search(r"closest first: ([^)]*)\)", str(caught.value)).group(1).split(", ")
        assert listed[0] == "H100" and sorted(listed) == sorted(REQUIRED)

    def test_unknown_cloud_lists_the_clouds_closest_first(self):
        """A misspelt cloud is refused, listing the clouds with that GPU, closest first."""
        with pytest.raises(UnknownGpuError, match=r"cloud 'gpc'.*closest first: gcp, aws"):
            gpu_prices("L4", "gpc")

    def test_sources_name_file_commit_and_dates(self):
        """Each cloud's prices name their catalogue file, full commit and dated bounds."""
        for cloud, source in gpu_catalogue().sources.items():
            assert source.path == f"catalogs/v8/{cloud}/vms.csv"
            assert re.fullmatch(r"[0-9a-f]{40}", source.commit)
            assert source.after < source.before_about and source.evidence

    def test_staleness_per_cloud(self):
        """A cloud's prices are flagged once over 180 days past their date, not before; the
        warning names the cloud and says the age is approximate."""
        catalogue = gpu_catalogue()
        oldest = min(catalogue.sources.values(), key=lambda source: source.before_about)
        day = oldest.before_about + dt.timedelta(days=STALE_AFTER_DAYS)
        assert catalogue.stale_warning(day) is None
        warning = catalogue.stale_warning(day + dt.timedelta(days=1))
        assert f"the {oldest.cloud} GPU prices" in warning and "about 181 days old" in warning

    def test_snapshot_is_stale_today(self):
        """Every shipped cloud's prices are over 180 days old on 2026-12-07 and say so."""
        warning = gpu_catalogue().stale_warning(dt.date(2026, 12, 7))
        assert all(f"the {cloud} GPU prices" in warning for cloud in gpu_catalogue().sources)

    def test_command_warns_only_of_the_clouds_it_shows(self, capsys):
        """`gpu-prices H100 --cloud aws` warns of the AWS prices' age alone, not of a cloud it
        does not show; a GPU priced on two clouds warns of both."""
        code, out, err = run(capsys, "gpu-prices", "H100", "--cloud", "aws")
        assert code == 0 and "the aws GPU prices" in err and "the gcp GPU prices" not in err
        code, out, err = run(capsys, "gpu-prices", "L4")
        shown = {line.split()[1] for line in out.splitlines() if line.startswith("  L4 ")}
        assert shown == {"aws", "gcp"}
        assert all(f"the {cloud} GPU prices" in err for cloud in shown)

    def test_one_stale_rule_for_token_and_gpu_prices(self):
        """Token prices and GPU prices go stale on the same day count, by the same function."""
        table = price_table()
        day = table.date + dt.timedelta(days=STALE_AFTER_DAYS + 1)
        token = table.stale_warning(day)
        assert token.startswith(f"the prices from {table.describe()} are 181 days old")
        assert token.endswith("or upgrade genai-prices")

    def test_notice_is_shipped(self):
        """The notice ships beside the data, naming the source, commits and the licence."""
        notice = " ".join((DATA.parent / "gpu_prices_NOTICE.txt").read_text().split())
        assert "skypilot-catalog" in notice and "licence" in notice.lower()
        assert all(source.commit in notice for source in gpu_catalogue().sources.values())


class TestCaseFile:
    BASE = (
        "[volume]\nmonthly_calls = 10_000_000\n\n[teacher]\ncost_per_1k = 4.5\n\n"
        "[upfront]\ntotal = 10_000\n\n[maintenance]\nannual = 1_000\n\n"
    )

    @pytest.mark.parametrize("cloud", ["aws", "gcp"])
    def test_gpu_resolved_at_load(self, tmp_path, cloud):
        """[student] gpu and cloud give gpu_hourly_cost per GPU-hour from the snapshot, on
        each cloud; spot gives the spot price."""
        case = tmp_path / "case.toml"
        case.write_text(
            self.BASE + f'[student]\ngpu = "L4"\ncloud = "{cloud}"\ncalls_per_second_per_gpu = 4\n'
        )
        _, on_demand, gpus, spot = derived()[cloud]["L4"]
        assert load_case(case).gpu_hourly_cost == pytest.approx(on_demand / gpus)
        case.write_text(case.read_text().replace("calls_per", "spot = true\ncalls_per"))
        assert load_case(case).gpu_hourly_cost == pytest.approx(spot / gpus)

    def test_named_gpu_is_priced_as_shown_and_warns_of_its_own_cloud(self, capsys, tmp_path):
        """A case on a GCP L4: the pitch's ask shows the hourly price to the digits that make
        GPUs × 730 × 12 × price the bill it states; only GCP's prices' age is warned of; the
        deck's sources slide names the snapshot for the GPU's price."""
        import json

        from pptx import Presentation

        case = tmp_path / "case.toml"
        case.write_text(
            self.BASE + '[student]\ngpu = "L4"\ncloud = "gcp"\ncalls_per_second_per_gpu = 4\n'
        )
        code, out, err = run(capsys, "pitch", case)
        assert code == 0 and "the gcp GPU prices" in err and "the aws GPU prices" not in err
        hourly = load_case(case).gpu_hourly_cost
        assert f"{hourly:.4f}".rstrip("0") in out  # every digit the price has, up to four
        code, data, _ = run(capsys, "pitch", case, "--json")
        figures = json.loads(data)
        assert f"× USD {hourly:.4f}".rstrip("0") in out
        assert round(figures["gpus"] * 730 * 12 * hourly) == round(figures["annual_serving_cost"])
        deck = tmp_path / "pitch.pptx"
        assert run(capsys, "deck", case, "-o", deck)[0] == 0
        rows = [
            [cell.text for cell in row.cells]
            for slide in Presentation(str(deck)).slides
            for shape in slide.shapes
            if shape.has_table
            for row in shape.table.rows
        ]
        gpu = next(row for row in rows if row[0] == "GPU hourly cost")
        assert "SkyPilot catalogue" in gpu[2] and "not stated" not in gpu[2]

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
        assert code == 2 and "'B300'" in err and "closest first: " in err and "H200" in err

    def test_left_out_cloud_in_a_case_is_refused(self, capsys, tmp_path):
        """A case naming a GPU on a cloud left out of the snapshot: exit 2 with the reason."""
        case = tmp_path / "case.toml"
        case.write_text(
            self.BASE + '[student]\ngpu = "H100"\ncloud = "gcp"\ncalls_per_second_per_gpu = 4\n'
        )
        code, _, err = run(capsys, "pitch", case)
        assert code == 2 and "left out of the snapshot" in err and "aws" in err

    def test_workbook_carries_the_value_and_the_date(self, capsys, tmp_path):
        """build writes the resolved price as the input's value, with the catalogue file, its
        commit and date in the Source cell beside it, and that the prices are old."""
        case = tmp_path / "case.toml"
        case.write_text(
            self.BASE + '[student]\ngpu = "L4"\ncloud = "gcp"\ncalls_per_second_per_gpu = 4\n'
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
        source = gpu_catalogue().sources["gcp"]
        assert row[1].value == pytest.approx(load_case(case).gpu_hourly_cost)
        assert source.commit[:12] in row[3].value and str(source.before_about) in row[3].value
        assert "days old" in row[3].value


class TestCommand:
    def test_one_gpu(self, capsys):
        """gpu-prices H100 --cloud aws prints its price per GPU-hour, the date and how to
        name it in a case."""
        code, out, _ = run(capsys, "gpu-prices", "H100", "--cloud", "aws")
        _, on_demand, gpus, _ = derived()["aws"]["H100"]
        assert code == 0 and f"{on_demand / gpus:.4f}" in out
        assert str(gpu_catalogue().sources["aws"].before_about) in out
        assert 'gpu = "H100"' in out

    def test_gcp_spot(self, capsys):
        """gpu-prices L4 --cloud gcp --spot prints GCP's spot price per GPU-hour."""
        code, out, err = run(capsys, "gpu-prices", "L4", "--cloud", "gcp", "--spot")
        _, _, gpus, spot = derived()["gcp"]["L4"]
        assert code == 0 and f"{spot / gpus:.4f}" in out and 'cloud = "gcp"' in out
        assert "warning:" in err and "days old" in err

    def test_json(self, capsys):
        """--json gives every price with the snapshot's commits and date."""
        code, out, _ = run(capsys, "gpu-prices", "--json", "--spot")
        data = json.loads(out)
        assert code == 0 and data["commit"] == gpu_catalogue().commit
        assert {p["gpu"] for p in data["prices"]} >= set(REQUIRED)
        assert {p["cloud"] for p in data["prices"]} == {"aws", "gcp"}
        assert all(not math.isnan(p["spot_per_gpu_hour"]) for p in data["prices"])

    def test_unknown_gpu_exits_2(self, capsys):
        """An unknown GPU: exit 2 with the known GPUs, closest first, no traceback."""
        code, _, err = run(capsys, "gpu-prices", "H10")
        assert code == 2 and "closest first: H100" in err

    def test_left_out_cloud_exits_2(self, capsys):
        """A GPU on a cloud left out of the snapshot: exit 2 with the reason."""
        code, _, err = run(capsys, "gpu-prices", "H200", "--cloud", "gcp")
        assert code == 2 and "left out of the snapshot" in err

    def test_all_gpus_on_one_cloud(self, capsys):
        """gpu-prices --cloud gcp lists every GPU priced on GCP, and only those."""
        code, out, err = run(capsys, "gpu-prices", "--cloud", "gcp")
        assert code == 0, err
        listed = {line.split()[0] for line in out.splitlines() if line.startswith("  ")}
        assert listed == set(derived()["gcp"])

    def test_all_gpus_on_a_left_out_cloud_exits_2(self, capsys):
        """gpu-prices --cloud azure: exit 2, saying why Azure is not in the snapshot."""
        code, _, err = run(capsys, "gpu-prices", "--cloud", "azure")
        assert code == 2 and "left out of the snapshot" in err and "Azure" in err
