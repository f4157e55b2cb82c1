"""Paths and environment names, read when asked (no side effects at import).

Every setting is one environment variable, read by both Dagster (here) and dbt (`profiles.yml`,
the privacy plugin). Relative paths are taken from the project root.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

LANDING_ROOT_ENV = "CX_LANDING_ROOT"
WAREHOUSE_DIR_ENV = "CX_WAREHOUSE_DIR"
HASH_KEY_ENV = "CX_HASH_KEY"
DUCKDB_MEMORY_LIMIT_ENV = "CX_DUCKDB_MEMORY_LIMIT"
# its default: every DuckDB connection of the pipeline (ingest, dbt's profile, publish, alerts, compaction)
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
PUBLISH_PARQUET_ENV = "CX_PUBLISH_PARQUET"
# The export-day window of an incremental `dbt build`, set on the dbt process only (macro export_window)
DBT_WINDOW_ENV = ("CX_DBT_MIN_EXPORT_DATE", "CX_DBT_MAX_EXPORT_DATE")
# What a daily build runs: unit tests check SQL on fixtures, not data; `make test` runs them.
DBT_DAILY_BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")

# For the bundled sample data only. A real deployment sets CX_HASH_KEY; keys made with this one are
# reversible by anyone who reads this file.
DEV_HASH_KEY = "cx-dev-key-SAMPLE-DATA-ONLY-NOT-FOR-PRODUCTION"


def dbt_window_env(first_day: str, last_day: str) -> dict[str, str]:
    """Environment for a dbt process building export days first_day..last_day (ISO dates, inclusive)."""
    return dict(zip(DBT_WINDOW_ENV, (first_day, last_day), strict=True))


def _path(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def hash_key() -> bytes:
    """The anonymisation key from `CX_HASH_KEY`; the development default warns loudly."""
    key = os.environ.get(HASH_KEY_ENV)
    if key:
        return key.encode()
    warnings.warn(
        f"{HASH_KEY_ENV} is not set: using the DEVELOPMENT key, fit for the bundled sample data only.",
        stacklevel=2,
    )
    return DEV_HASH_KEY.encode()


@dataclass(frozen=True)
class Settings:
    landing_root: str
    warehouse_dir: Path
    duckdb_memory_limit: str
    publish_parquet: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        landing = os.environ.get(LANDING_ROOT_ENV, "data/landing")
        if "://" not in landing:
            landing = str(_path(landing))
        return cls(
            landing_root=landing,
            warehouse_dir=_path(os.environ.get(WAREHOUSE_DIR_ENV, "data/warehouse")),
            duckdb_memory_limit=os.environ.get(DUCKDB_MEMORY_LIMIT_ENV, DEFAULT_DUCKDB_MEMORY_LIMIT),
            publish_parquet=os.environ.get(PUBLISH_PARQUET_ENV, "").lower() in ("1", "true", "yes"),
        )

    @property
    def warehouse_path(self) -> Path:
        """The private working warehouse: raw, quarantine, staging, intermediate, marts."""
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def marts_path(self) -> Path:
        """The published, BI-facing file: the marts and nothing else."""
        return self.warehouse_dir / "marts.duckdb"

    @property
    def parquet_dir(self) -> Path:
        """One Parquet file per mart, when CX_PUBLISH_PARQUET is set."""
        return self.warehouse_dir / "parquet"

    @property
    def docs_dir(self) -> Path:
        """The dbt docs site as one static page."""
        return self.warehouse_dir / "docs"

    @property
    def temp_dir(self) -> Path:
        return self.warehouse_dir / "tmp"
