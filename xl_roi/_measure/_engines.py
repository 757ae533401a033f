"""The two engines: DuckDB in the process (default) and Spark (the user's cluster).

Each registers the log files as relations, tells the readers their columns, and runs the SQL
of :mod:`xl_roi._measure._sql`. Neither loads rows into Python: only the aggregates come back.
"""

from __future__ import annotations

import itertools
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xl_roi._measure._formats import LogFormatError, Schema
from xl_roi._measure._sql import DUCKDB, SPARK, Dialect

_counter = itertools.count()


class CsvTypesError(Exception):
    """A CSV value did not fit the column types detected from the file's start: read as text."""


def file_kind(path: Path) -> str:
    """``csv``, ``json`` or ``parquet`` from the name (``.gz`` looked through)."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".gzip"):
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in (".csv", ".tsv", ".txt"):
        return "csv"
    if last in (".jsonl", ".ndjson", ".json"):
        return "json"
    if last in (".parquet", ".pq"):
        return "parquet"
    raise LogFormatError(
        f"{path}: give logs as .csv, .jsonl (JSON Lines), or .parquet, optionally gzipped (.gz)"
    )


class Engine:
    """What both engines offer the measurement."""

    dialect: Dialect
    name: str

    def unreadable_lines(self) -> int:
        """JSON Lines lines that are not JSON, read as rows of nothing (see DuckDBEngine)."""
        return 0

    def register(self, kind: str, files: Sequence[Path]) -> tuple[str, Schema]:
        """Make the files one relation; return its name and columns."""
        raise NotImplementedError

    def define(self, name: str, sql: str, materialize: bool = False) -> None:
        """Name a query, to be read by later queries (``materialize``: computed once, kept, where
        the engine can: for a query whose every reading is costly, such as a window)."""
        raise NotImplementedError

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query; return its (small) result."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds."""


def _duckdb_schema(types: Sequence[Any], names: Sequence[str]) -> Schema:
    schema: Schema = {}
    for name, kind in zip(names, types, strict=True):
        if kind.id == "struct":
            children = kind.children
            schema[name] = (
                "struct",
                _duckdb_schema([t for _, t in children], [n for n, _ in children]),
            )
        else:
            schema[name] = (str(kind.id), None)
    return schema


class DuckDBEngine(Engine):
    """DuckDB in the process: out-of-core, within a memory limit, spilling to a temp folder."""

    dialect = DUCKDB
    name = "duckdb"

    def __init__(
        self, memory_limit: str = "2GB", threads: int | None = None, typed_csv: bool = False
    ) -> None:
        import duckdb

        self.typed_csv = typed_csv
        self._temp = tempfile.TemporaryDirectory(prefix="xl-roi-duckdb-")
        config: dict[str, Any] = {
            "memory_limit": memory_limit,
            "temp_directory": self._temp.name,
            "preserve_insertion_order": False,
        }
        if threads is not None:
            config["threads"] = threads
        self.connection = duckdb.connect(":memory:", config=config)
        self.connection.execute("SET TimeZone = 'UTC'")
        self.connection.execute("SET enable_progress_bar = false")  # it prints into --json
        self._error = duckdb.Error
        self._unreadable: dict[str, int] = {}

    def _bad_json_lines(self, path: Path) -> int:
        quoted = "'" + str(path).replace("'", "''") + "'"
        (bad,) = self.connection.execute(
            f"SELECT count(*) FROM read_json_objects({quoted}, format = 'newline_delimited',"
            " ignore_errors = true) WHERE json IS NULL"
        ).fetchone() or (0,)
        return int(bad)

    def unreadable_lines(self) -> int:
        return sum(self._unreadable.values())

    def register(self, kind: str, files: Sequence[Path]) -> tuple[str, Schema]:
        name = f"xl_roi_source_{next(_counter)}"
        listed = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
        reader = {
            "csv": (
                f"read_csv({listed}, union_by_name = true, header = true)"
                if self.typed_csv
                else f"read_csv({listed}, all_varchar = true, union_by_name = true, header = true)"
            ),
            # the careful read: column types from every line (so no value that does not fit them
            # is made null), and a line that is not JSON read as a row of nothing, counted below
            "json": f"read_json({listed}, format = 'newline_delimited', union_by_name = true"
            + ("" if self.typed_csv else ", ignore_errors = true, sample_size = -1")
            + ")",
            "parquet": f"read_parquet({listed}, union_by_name = true)",
        }[kind]
        try:
            self.connection.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {reader}")
            relation = self.connection.sql(f"SELECT * FROM {name}")
            schema = _duckdb_schema(relation.types, relation.columns)
            if kind == "json" and not self.typed_csv:
                # a line that is not JSON (cut short, say) is read as a row of nothing, to be
                # refused by itself: count such lines, so they are said to be what they are
                for path in files:
                    if str(path) not in self._unreadable:
                        self._unreadable[str(path)] = self._bad_json_lines(path)
        except self._error as error:
            first = str(error).splitlines()[0]
            if self.typed_csv and kind in ("csv", "json"):
                raise CsvTypesError(first) from None
            raise LogFormatError(
                f"{', '.join(map(str, files[:3]))}: cannot be read as {kind}: {first}"
            ) from None
        return name, schema

    def define(self, name: str, sql: str, materialize: bool = False) -> None:
        if not materialize:
            self.connection.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
            return
        # a temporary table within the memory limit, spilling to the temporary folder
        self.rows(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self.connection.execute(sql).fetchall()
        except self._error as error:
            first = str(error).splitlines()[0]
            text = str(error)
            if self.typed_csv and (
                "CSV" in text or "JSON" in text or "Conversion" in type(error).__name__
            ):
                raise CsvTypesError(first) from None
            raise LogFormatError(f"the logs cannot be read: {first}") from None

    def close(self) -> None:
        self.connection.close()
        self._temp.cleanup()


def _spark_schema(struct: Any) -> Schema:
    schema: Schema = {}
    for field in struct.fields:
        kind = field.dataType
        if kind.typeName() == "struct":
            schema[field.name] = ("struct", _spark_schema(kind))
        else:
            schema[field.name] = (kind.typeName(), None)
    return schema


class SparkEngine(Engine):
    """Spark: the session given, or the one the usual Spark configuration makes."""

    dialect = SPARK
    name = "spark"

    def __init__(self, session: Any = None) -> None:
        if session is None:
            try:
                from pyspark.sql import SparkSession
            except ImportError:
                raise LogFormatError(
                    "engine='spark' needs pyspark: pip install pyspark (and a Java runtime)"
                ) from None
            try:
                with warnings.catch_warnings():  # pyspark's own notes on pandas versions
                    warnings.simplefilter("ignore", FutureWarning)
                    session = SparkSession.builder.appName("xl-roi measure").getOrCreate()
            except Exception as error:  # no Java, no cluster: py4j raises many kinds
                first = (str(error).splitlines() or [type(error).__name__])[0]
                raise LogFormatError(
                    f"Spark could not start ({first}): it needs a Java runtime and, for a "
                    "cluster, the usual Spark configuration (SPARK_HOME, spark-defaults.conf)"
                ) from None
        self.session = session
        # Months and days are UTC calendar months and days, whatever the cluster's zone
        self.session.conf.set("spark.sql.session.timeZone", "UTC")

    def register(self, kind: str, files: Sequence[Path]) -> tuple[str, Schema]:
        name = f"xl_roi_source_{next(_counter)}"
        reader = self.session.read
        paths = [str(f) for f in files]
        try:
            if kind == "csv":
                frame = reader.option("header", "true").option("escape", '"').csv(paths)
            elif kind == "json":
                frame = reader.json(paths)
            else:
                frame = reader.option("mergeSchema", "true").parquet(*paths)
        except Exception as error:  # py4j and Spark raise many kinds
            first = str(error).splitlines()[0]
            raise LogFormatError(f"{paths[0]}: cannot be read as {kind}: {first}") from None
        frame.createOrReplaceTempView(name)
        return name, _spark_schema(frame.schema)

    def define(self, name: str, sql: str, materialize: bool = False) -> None:
        self.session.sql(sql).createOrReplaceTempView(name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.session.sql(sql).collect()]


def make_engine(
    engine: str, spark: Any = None, memory_limit: str = "2GB", typed_csv: bool = False
) -> Engine:
    """The engine by name: ``duckdb`` (default) or ``spark``."""
    if engine == "duckdb":
        return DuckDBEngine(memory_limit=memory_limit, typed_csv=typed_csv)
    if engine == "spark":
        return SparkEngine(spark)
    raise LogFormatError(f"engine must be 'duckdb' or 'spark', got {engine!r}")
