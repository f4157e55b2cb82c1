"""The naive baseline for one day: pandas readers, GX 1.x on pandas DataFrames, pandas → DuckDB.

What a first version of the ingest would do: read each export with `pandas.read_csv` /
`pandas.read_json(lines=True)`, type the columns with pandas, add the lineage columns, validate the
partition with the same GX suites the asset checks use (`gx_suites.validate_with_gx`), and write the
frame into a DuckDB table. It does not quarantine row by row; it is timed, not used.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from orchestration.settings import Settings

TRUE = {"true", "t", "y", "yes", "1"}
FALSE = {"false", "f", "n", "no", "0"}


def read_export(path: Path):
    import pandas as pd

    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return pd.read_csv(path)
    if name.endswith(".jsonl"):
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_parquet(path)


def typed(frame, source):
    """The export's columns with the contract's types, as pandas would give them."""
    import pandas as pd

    from orchestration.ingest.sql import is_nested

    out = {}
    for name, dtype in source.columns.items():
        column = frame[name] if name in frame.columns else pd.Series([None] * len(frame), dtype=object)
        if is_nested(dtype):
            out[name] = column
        elif dtype == "TIMESTAMP":
            parsed = pd.to_datetime(column, utc=True, errors="coerce", format="ISO8601")
            out[name] = parsed.dt.tz_convert(None)
        elif dtype == "DATE":
            out[name] = pd.to_datetime(column, errors="coerce", format="ISO8601")
        elif dtype in ("INTEGER", "BIGINT"):
            out[name] = pd.to_numeric(column, errors="coerce").astype(
                "Int32" if dtype == "INTEGER" else "Int64"
            )
        elif dtype == "DOUBLE":
            out[name] = pd.to_numeric(column, errors="coerce").astype("Float64")
        elif dtype == "BOOLEAN":
            text = column.astype("string").str.strip().str.lower()
            out[name] = text.map(lambda v: True if v in TRUE else False if v in FALSE else None).astype(
                "boolean"
            )
        else:
            out[name] = column.astype(object).where(column.notna(), None)
    return pd.DataFrame(out)


def _write(con, table: str, frame, source) -> None:
    from orchestration.ingest.sql import is_nested

    try:
        con.execute(f'create or replace table "{table}" as select * from frame')
    except Exception:  # nested objects DuckDB cannot infer from pandas: as JSON text, as a naive loader would
        nested = [name for name, dtype in source.columns.items() if is_nested(dtype)]
        frame = frame.assign(**{name: frame[name].map(json.dumps) for name in nested})
        con.execute(f'create or replace table "{table}" as select * from frame')


def run(params: dict, rec) -> None:
    import duckdb

    settings, day = Settings.from_env(), params["day"]
    with rec.stage("naive.import_pandas_gx"):
        import great_expectations  # noqa: F401
        import pandas as pd

        from orchestration.ingest.files import local_export_files
        from orchestration.ingest.gx_suites import validate_with_gx
        from orchestration.ingest.schemas import SOURCES

    with tempfile.TemporaryDirectory(prefix="cx-bench-naive-", dir=params["scratch"]) as folder:
        con = duckdb.connect(str(Path(folder) / "naive.duckdb"))
        con.execute(f"set memory_limit = '{settings.duckdb_memory_limit}'")
        loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for name, source in SOURCES.items():
            with rec.stage(f"naive.{name}") as entry:
                with rec.stage(f"naive.read.{name}"):
                    frames = []
                    with local_export_files(settings.landing_root, name, day) as files:
                        for export in files:
                            frame = typed(read_export(export.path), source)
                            frame["_source_file"] = export.name
                            frame["_row_number"] = pd.RangeIndex(1, len(frame) + 1)
                            frames.append(frame)
                    frame = pd.concat(frames, ignore_index=True) if frames else typed(pd.DataFrame(), source)
                    frame["_export_date"] = pd.Timestamp(day)
                    frame["_loaded_at"] = pd.Timestamp(loaded_at)
                    frame["_extra"] = None
                with rec.stage(f"naive.validate.{name}"):
                    unexpected = validate_with_gx(source, frame)
                with rec.stage(f"naive.write.{name}"):
                    _write(con, name, frame, source)
                entry.update(rows=len(frame), unexpected=sum(unexpected.values()))
                del frame, frames
        con.close()
