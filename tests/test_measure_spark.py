"""The same aggregation on Spark (local mode) as on DuckDB: equal counts, costs and tokens, equal
exact percentiles, and approximate ones within Spark's stated bound.

Needs pyspark (the test extra) and a Java runtime (.ci/run installs one); skipped without them.
One SparkSession, local[1], serves the whole module.
"""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from xl_roi._measure import measure
from xl_roi._measure._sql import SPARK_APPROX_ACCURACY

LOGS = Path(__file__).parent / "fixtures" / "logs"
FIXTURES = sorted(path.name for path in LOGS.iterdir())

pytestmark = [
    pytest.mark.filterwarnings("ignore::FutureWarning"),  # pyspark on pandas 3
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: .ci/run installs default-jre-headless")
    from pyspark.sql import SparkSession

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = (
            SparkSession.builder.master("local[1]")
            .appName("xl-roi tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.driver.memory", "512m")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.default.parallelism", "1")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


EXACT_COLUMNS = (
    "calls",
    "input_tokens_per_call",
    "output_tokens_per_call",
    "cached_input_tokens_per_call",
    "cost_per_1k",
    "monthly_calls",
    "monthly_growth",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "error_share",
    "failed_calls",
    "failed_cost_per_1k",
    "failed_latency_p50_ms",
    "failed_latency_p95_ms",
)


def _same(left: float, right: float) -> bool:
    if isinstance(left, float) and math.isnan(left):
        return isinstance(right, float) and math.isnan(right)
    return bool(left == pytest.approx(right, rel=1e-12, abs=1e-12))


@pytest.mark.parametrize("fixture", FIXTURES)
def test_spark_equals_duckdb(spark, fixture):
    """Every fixture: the same models, calls, tokens, costs, volume and exact percentiles,
    and the same rows refused, on Spark as on DuckDB."""
    duck = measure(LOGS / fixture)
    on_spark = measure(LOGS / fixture, engine="spark", spark=spark)
    assert on_spark["model"].tolist() == duck["model"].tolist()
    for column in EXACT_COLUMNS:
        for left, right in zip(on_spark[column], duck[column], strict=True):
            assert _same(left, right), (fixture, column, left, right)
    assert on_spark["cost_source"].tolist() == duck["cost_source"].tolist()
    for key in ("rows_read", "rows_used", "rows_refused", "complete_months", "window"):
        assert on_spark.attrs["source"][key] == duck.attrs["source"][key], key
    assert on_spark.attrs["source"]["engine"] == "spark"


@pytest.mark.parametrize(
    "fixture", ["litellm_self_hosted.csv", "langfuse_self_hosted.jsonl", "otel_self_hosted.jsonl"]
)
def test_spark_equals_duckdb_with_failed_calls_included(spark, fixture):
    """With the failed calls counted in (a grouping set over all of a model's calls), Spark
    gives the same figures as DuckDB."""
    duck = measure(LOGS / fixture, include_failed=True)
    on_spark = measure(LOGS / fixture, engine="spark", spark=spark, include_failed=True)
    assert on_spark["model"].tolist() == duck["model"].tolist()
    for column in EXACT_COLUMNS:
        for left, right in zip(on_spark[column], duck[column], strict=True):
            assert _same(left, right), (fixture, column, left, right)
    assert on_spark["cost_source"].tolist() == duck["cost_source"].tolist()


def test_spark_on_many_rows_and_approx_bound(spark, tmp_path):
    """5,000 random latencies in Parquet: exact P95 equals numpy's on both engines; Spark's
    approximate P95 lies within its stated rank error (n ÷ 10,000 calls) of the exact rank."""
    import duckdb

    rng = np.random.default_rng(7)
    latencies = np.round(rng.lognormal(6.5, 0.6, 5_000), 3)
    path = tmp_path / "many.parquet"
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE t AS SELECT TIMESTAMP '2026-01-01' + to_seconds(i * 600) AS timestamp,"
        " 'gpt-4o' AS model, 1000 AS input_tokens, 200 AS output_tokens, 0.0045 AS cost,"
        " CAST(NULL AS DOUBLE) AS latency_ms FROM range(5000) r(i)"
    )
    connection.execute("ALTER TABLE t ADD COLUMN n BIGINT DEFAULT 0")
    connection.execute("UPDATE t SET n = epoch(timestamp - TIMESTAMP '2026-01-01') / 600")
    connection.register("lat", {"n": np.arange(5_000), "v": latencies})
    connection.execute(
        f"COPY (SELECT timestamp, model, input_tokens, output_tokens, cost, v AS latency_ms"
        f" FROM t JOIN lat USING (n)) TO '{path}' (FORMAT parquet)"
    )
    connection.close()
    exact = np.percentile(latencies, 95)
    assert measure(path)["latency_p95_ms"][0] == pytest.approx(exact, rel=1e-12)
    assert measure(path, engine="spark", spark=spark)["latency_p95_ms"][0] == pytest.approx(
        exact, rel=1e-12
    )
    approx = measure(path, engine="spark", spark=spark, approx=True)
    value = approx["latency_p95_ms"][0]
    ordered = np.sort(latencies)
    slack = math.ceil(len(ordered) / SPARK_APPROX_ACCURACY) + 1
    rank = 0.95 * (len(ordered) - 1)
    low = ordered[max(0, math.floor(rank) - slack)]
    high = ordered[min(len(ordered) - 1, math.ceil(rank) + slack)]
    assert low <= value <= high
    assert "at most 1/10,000" in approx.attrs["source"]["percentiles"]
