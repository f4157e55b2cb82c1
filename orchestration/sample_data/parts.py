"""An export file before serialisation: typed columns in the simulation's units, and their rendering.

Columns keep simulation values (epoch seconds, day numbers, booleans) until the very end, so bad
records can be injected by value; `to_arrow` then renders timestamps, dates and booleans the way the
exporting platform does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample_data.clock import Clock


@dataclass
class Col:
    """kind: str | int | ts | date | bool | struct | arrow. `valid` False = null (NaN is null too)."""

    kind: str
    values: object  # numpy array; for struct a dict[str, Col]; for arrow a pa.Array
    valid: np.ndarray | None = None

    def is_valid(self) -> np.ndarray:
        values = self.values
        if self.kind in ("ts", "int", "date"):
            ok = np.isfinite(values)
        elif self.kind == "str":
            ok = np.asarray(values.is_valid(), dtype=bool)
        else:
            ok = np.ones(len(self), dtype=bool)
        return ok if self.valid is None else ok & self.valid

    def __len__(self) -> int:
        if self.kind == "struct":
            return len(next(iter(self.values.values())))
        return len(self.values)


def ts(values) -> Col:
    return Col("ts", np.asarray(values, dtype=float))


def integer(values) -> Col:
    return Col("int", np.asarray(values, dtype=float))


def text(values) -> Col:
    return Col("str", values if isinstance(values, pa.Array) else pa.array(values, pa.string()))


def boolean(values, valid=None) -> Col:
    return Col("bool", np.asarray(values, dtype=bool), valid)


def day(values) -> Col:
    """A calendar date as a day number since 1970-01-01 (NaN = null)."""
    return Col("date", np.asarray(values, dtype=float))


def struct(fields: dict[str, Col], valid=None) -> Col:
    return Col("struct", fields, None if valid is None else np.asarray(valid, dtype=bool))


@dataclass
class Part:
    """One export file: `<source>/<YYYY-MM-DD>/<name>.<fmt>[.gz]`."""

    source: str
    day: int
    name: str
    fmt: str  # csv | jsonl | parquet
    columns: dict[str, Col]
    client: np.ndarray  # per-row client index, for local timestamps
    local_time: bool = False
    yes_no: bool = False  # CSV booleans as Y/N instead of true/false
    compress: bool = False
    casts: dict[str, str] = field(default_factory=dict)  # DuckDB casts applied when writing JSON
    order: np.ndarray | None = None  # row order, with repeats for duplicated rows

    @property
    def rows(self) -> int:
        return len(self.client) if self.order is None else len(self.order)

    def filename(self) -> str:
        return f"{self.name}.{self.fmt}" + (".gz" if self.compress else "")


def _render(col: Col, part: Part, clock: Clock) -> pa.Array:
    mask = ~col.is_valid()
    if col.kind == "ts":
        array = clock.format(np.where(mask, np.nan, col.values), part.client, part.local_time)
    elif col.kind == "date":
        days = np.where(mask, 0, col.values).astype(np.int64).astype("datetime64[D]")
        array = pa.array(np.datetime_as_string(days), mask=mask)
    elif col.kind == "int":
        array = pa.array(np.where(mask, 0, col.values).astype(np.int64), mask=mask)
    elif col.kind == "bool":
        if part.yes_no and part.fmt == "csv":
            array = pa.array(np.where(col.values, "Y", "N"), mask=mask)
        else:
            array = pa.array(col.values, mask=mask)
    elif col.kind == "struct":
        children = [_render(child, part, clock) for child in col.values.values()]
        array = pa.StructArray.from_arrays(children, list(col.values), mask=pa.array(mask))
    else:
        array = col.values
        if col.valid is not None:
            array = pc.if_else(pa.array(mask), pa.scalar(None, array.type), array)
    return array


def to_arrow(part: Part, clock: Clock) -> pa.Table:
    table = pa.table({name: _render(col, part, clock) for name, col in part.columns.items()})
    return table if part.order is None else table.take(pa.array(part.order))
