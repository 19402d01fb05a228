"""Reading a built relation: the one module that knows each engine.

A Warehouse runs a query, describes a relation and writes a query's rows to
a file with the engine's own writer. DuckDB opens the build's file read-only;
Spark starts a session with the same settings as the profile's spark target
(its warehouse and metastore under target/).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, ClassVar

from trainset.errors import TrainsetError

# The names of a relation's columns, as a caller has them.
ColumnNames = AbstractSet[str]


class EngineError(TrainsetError):
    """The engine refused a query: its message's first line."""


# Numeric type names as DuckDB and Spark write them (INTEGER, bigint,
# DOUBLE, decimal(18,2), ...), matched upper-case inside the type.
NUMERIC_TYPES = ("INT", "DECIMAL", "DOUBLE", "FLOAT", "REAL", "NUMERIC", "BIGINT", "LONG")
# Text: DuckDB says VARCHAR, Spark says string.
TEXT_TYPES = ("CHAR", "STRING", "TEXT")
# Spark's type names that DuckDB spells otherwise.
SPARK_TO_DUCKDB = {"string": "varchar", "int": "integer", "long": "bigint"}


def is_numeric(data_type: str | None) -> bool:
    """Whether a column type of either engine holds numbers."""
    return any(t in (data_type or "").upper() for t in NUMERIC_TYPES)


def is_text(data_type: str | None) -> bool:
    """Whether a column type of either engine holds text."""
    return any(t in (data_type or "").upper() for t in TEXT_TYPES)


def duckdb_type(data_type: str | None) -> str:
    """A type DuckDB reads from text: DuckDB's own types, or Spark's."""
    text = (data_type or "varchar").lower()
    return SPARK_TO_DUCKDB.get(text, text)


def duckdb_path(project_dir: Path) -> Path:
    """The DuckDB file the duckdb target writes (profiles.yml's rule)."""
    path = Path(os.environ.get("TRAINSET_DB", "target/trainset.duckdb"))
    return path if path.is_absolute() else project_dir / path


def memory_settings() -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB's memory limit, as the profile sets it. The spill folder is
    left at DuckDB's default beside the database file, so that a reader
    never shares one with a running build."""
    return {"memory_limit": os.environ.get("TRAINSET_MEMORY_LIMIT", "4GB")}


@contextmanager
def duckdb_connection(project_dir: Path, db: Path | None = None) -> Iterator[Any]:
    """A read-only connection to the project's DuckDB build (or to db)."""
    import duckdb

    path = Path(db) if db else duckdb_path(project_dir)
    if not path.is_file():
        raise TrainsetError(f"no DuckDB build at {path}: run `dbt build` first")
    try:
        con = duckdb.connect(str(path), read_only=True, config=memory_settings())
    except duckdb.IOException as error:
        raise _open_error(path, error) from None
    try:
        yield con
    finally:
        con.close()


def _open_error(path: Path, error: Exception) -> TrainsetError:
    """One line for a DuckDB file that would not open: who holds its lock."""
    if "lock" not in str(error).lower():
        return TrainsetError(f"cannot open {path}: {error}")
    holder = re.search(r"held in (.*?\(PID \d+\))", str(error))
    return TrainsetError(
        f"{path} is locked by another build"
        f"{f' ({holder.group(1)})' if holder else ''}; try again when it has finished"
    )


def ensure_unlocked(project_dir: Path) -> None:
    """Fail in one line when another process holds the DuckDB build's lock.

    dbt would fail too, but inside its multi-line error block; this says it
    first. A build that grabs the lock after this check still fails in dbt.
    """
    import duckdb

    path = duckdb_path(project_dir)
    if not path.is_file():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        raise _open_error(path, error) from None


def preview(
    project_dir: Path,
    relation: str,
    limit: int = 5,
    adapter: str = "duckdb",
    target: str | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and the first rows of a relation in the build."""
    with open_warehouse(project_dir, adapter, target) as warehouse:
        return warehouse.head(relation, limit)


class DuckDBWarehouse:
    adapter = "duckdb"
    options: ClassVar[dict[str, str]] = {
        "parquet": "format parquet, compression zstd",
        "csv": "format csv, header true",
        "jsonl": "format json",
    }

    def __init__(self, con: Any) -> None:
        import duckdb

        self.con = con
        self.writer = f"duckdb {duckdb.__version__}"
        self.errors: tuple[type[BaseException], ...] = (duckdb.Error,)

    @staticmethod
    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = self.con.sql(query).fetchall()
        return found

    def head(self, relation: str, limit: int) -> tuple[list[str], list[tuple[Any, ...]]]:
        result = self.con.sql(f"select * from {relation} limit {int(limit)}")
        return list(result.columns), result.fetchall()

    def column_types(self, relation: str) -> dict[str, str]:
        return {row[0]: row[1] for row in self.rows(f"describe {relation}")}

    @staticmethod
    def quantile(quoted: str, fraction: float) -> str:
        """The interpolated quantile of a column, as SQL."""
        return f"quantile_cont({quoted}, {float(fraction)})"

    def write(
        self, query: str, order_by: str, path: Path, fmt: str, required: ColumnNames = frozenset()
    ) -> None:
        """The query's rows, sorted, into one file at path. DuckDB's own
        NOT NULL columns are the required ones already."""
        literal = "'" + str(path).replace("'", "''") + "'"
        self.con.sql(
            f"copy ({query} order by {self.quote(order_by)}) to {literal} ({self.options[fmt]})"
        )


class SparkWarehouse:
    """A Spark session with the profile's settings, in this process."""

    adapter = "spark"

    def __init__(self, session: Any) -> None:
        import pyspark
        from pyspark.errors import PySparkException

        self.spark = session
        self.writer = f"spark {pyspark.__version__}"
        self.errors = (PySparkException,)

    @staticmethod
    def quote(name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(query).collect()]

    def head(self, relation: str, limit: int) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = self.spark.sql(f"select * from {relation} limit {int(limit)}")
        return list(frame.columns), [tuple(row) for row in frame.collect()]

    def column_types(self, relation: str) -> dict[str, str]:
        return {f.name: f.dataType.simpleString() for f in self.spark.table(relation).schema}

    @staticmethod
    def quantile(quoted: str, fraction: float) -> str:
        """The interpolated quantile of a column, as SQL (exact, like DuckDB's)."""
        return f"percentile({quoted}, {float(fraction)})"

    def write(
        self, query: str, order_by: str, path: Path, fmt: str, required: ColumnNames = frozenset()
    ) -> None:
        """The query's rows into one file at path, written by Spark: one
        partition, sorted by order_by, with DuckDB's schema: timestamps
        without a time zone (the session's is UTC), and the required
        columns not nullable, which Spark SQL cannot declare."""
        from pyspark.sql import DataFrame

        frame = self.spark.sql(query)
        frame = frame.select(
            *(
                frame[f.name].cast("timestamp_ntz").alias(f.name)
                if f.dataType.typeName() == "timestamp"
                else frame[f.name]
                for f in frame.schema
            )
        )
        schema = frame.schema
        for f in schema.fields:
            f.nullable = f.name not in required
        # The same rows under the stricter schema, without leaving the JVM.
        jvm = self.spark._jsparkSession
        frame = DataFrame(
            jvm.createDataFrame(frame._jdf.rdd(), jvm.parseDataType(schema.json())), self.spark
        )
        frame = frame.coalesce(1).sortWithinPartitions(order_by)
        scratch = path.parent / f".{path.name}.spark-{uuid.uuid4().hex[:8]}"
        writer = frame.write.mode("error")
        if fmt == "parquet":
            writer.option("compression", "zstd").parquet(str(scratch))
        elif fmt == "csv":
            writer.options(header=True, escape='"', timestampNTZFormat="yyyy-MM-dd HH:mm:ss").csv(
                str(scratch)
            )
        else:
            writer.options(ignoreNullFields=False).json(str(scratch))
        parts = sorted(scratch.glob("part-*"))
        if len(parts) != 1:
            raise TrainsetError(f"Spark wrote {len(parts)} files for {path.name}, expected one")
        os.replace(parts[0], path)
        shutil.rmtree(scratch)


# What open_warehouse gives: either engine, behind the same methods.
Warehouse = DuckDBWarehouse | SparkWarehouse


@contextmanager
def open_warehouse(
    project_dir: Path, adapter: str = "duckdb", target: str | None = None, db: Path | None = None
) -> Iterator[Warehouse]:
    """The build's warehouse for the adapter that built it (dbt's artifacts
    say which): DuckDB's file, or a Spark session for the target."""
    opened: AbstractContextManager[Any]
    warehouse_of: type[Warehouse]
    if adapter == "duckdb":
        opened = duckdb_connection(project_dir, db)
        warehouse_of = DuckDBWarehouse
    elif adapter == "spark":
        opened = nullcontext(spark_session(project_dir, target or "spark"))
        warehouse_of = SparkWarehouse
    else:
        raise TrainsetError(f"reading a build made by dbt-{adapter} is not supported")
    with opened as handle:
        warehouse = warehouse_of(handle)
        try:
            yield warehouse
        except warehouse.errors as error:
            text = str(error).strip()
            raise EngineError(text.splitlines()[0] if text else repr(error)) from None


def profile_output(project_dir: Path, target: str | None = None) -> tuple[str, dict[str, Any]]:
    """The target's name and the profile's output for it (the profile's
    default target when none is named), env_var() calls rendered as dbt
    renders them."""
    import jinja2
    import yaml

    profiles = Path(os.environ.get("DBT_PROFILES_DIR") or project_dir) / "profiles.yml"
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}
    try:
        profile = yaml.safe_load(profiles.read_text())[project["profile"]]
        outputs = profile["outputs"]
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        raise TrainsetError(f"no profile {project.get('profile')!r} in {profiles}") from None

    def env_var(name: str, default: str | None = None) -> str:
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise TrainsetError(f"{profiles}: env var {name} is not set")
        return default

    environment = jinja2.Environment()

    def render(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: render(v) for k, v in value.items()}
        if isinstance(value, str) and "{{" in value:
            return environment.from_string(value).render(env_var=env_var)
        return value

    target = target or render(profile.get("target", "default"))
    if target not in outputs:
        raise TrainsetError(
            f"no target {target!r} in {profiles}: it has {', '.join(sorted(outputs))}"
        )
    return target, render(outputs[target])


def ensure_buildable(project_dir: Path, target: str | None = None) -> bool:
    """Say in one line what dbt would say in a block, or later, before a
    build of the target (the profile's default when None): a DuckDB file
    that another process holds; a Spark target whose packages or Java are
    missing, or whose metastore another session holds.

    True when dbt may build the target in this process. Not Spark's: its
    session's JVM would stay in this process, and the metastore's lock
    is the process's own, which ensure_metastore_free cannot see."""
    import importlib.util

    name, output = profile_output(project_dir, target)
    if output.get("type") == "duckdb":
        ensure_unlocked(project_dir)
        return True
    if output.get("type") == "spark":
        needed = {"dbt-spark": "dbt.adapters.spark"}
        if output.get("method") == "session":
            needed["pyspark"] = "pyspark"
        missing = [p for p, module in needed.items() if not importlib.util.find_spec(module)]
        if missing:
            raise TrainsetError(
                f"target {name!r} needs {' and '.join(missing)}: run `make spark-setup`"
            )
        if output.get("method") == "session" and shutil.which("java") is None:
            raise TrainsetError(f"target {name!r} runs Spark here, which needs Java 17")
        ensure_metastore_free(project_dir, output)
    return False


def ensure_metastore_free(project_dir: Path, output: dict[str, Any]) -> None:
    """Fail in one line when another Spark session holds the target's
    metastore. Embedded Derby serves one JVM at a time; a second one
    retries and logs thousands of lines before it gets in."""
    import fcntl

    options = (output.get("server_side_parameters") or {}).get("spark.driver.extraJavaOptions", "")
    home = re.search(r"-Dderby\.system\.home=(\S+)", str(options))
    if not home:
        return
    lock = Path(home.group(1))
    lock = (lock if lock.is_absolute() else project_dir / lock) / "metastore_db" / "dbex.lck"
    if not lock.is_file():
        return
    with lock.open("rb+") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise TrainsetError(
                f"{lock.parent} is in use by another Spark build; try again when it has finished"
            ) from None
        fcntl.lockf(handle, fcntl.LOCK_UN)


def spark_session(project_dir: Path, target: str) -> Any:
    """A session like the one dbt-spark's session method starts for target."""
    target, output = profile_output(project_dir, target)
    if output.get("type") != "spark" or output.get("method") != "session":
        raise TrainsetError(
            f"target {target!r} is not a dbt-spark session: export reads Spark "
            "builds through a local session only (see README, Spark)"
        )
    ensure_metastore_free(project_dir, output)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise TrainsetError("pyspark is not installed: run `make spark-setup`") from None
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in (output.get("server_side_parameters") or {}).items():
        builder = builder.config(key, str(value))
    # The profile's folders are relative to the project, as they are for dbt.
    here = Path.cwd()
    os.chdir(project_dir)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # the JVM's own message, on one line
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise TrainsetError(f"cannot start Spark for target {target!r}: {first}") from None
    finally:
        os.chdir(here)
    session.sparkContext.setLogLevel("ERROR")
    return session
