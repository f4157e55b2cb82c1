"""The declared contract of each source as a Great Expectations 1.x suite, written in code from `schemas.py`.

One suite per source: required columns, types, ids present and unique within the day, ranges, enums,
timestamp order, non-negative durations. Each expectation carries its ingest rule name in `meta["rule"]`,
the same names as the quarantine's. GX is imported lazily (it takes seconds), never at code-location load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orchestration.ingest.rules import unique_key, unique_rule
from orchestration.ingest.schemas import LINEAGE_COLUMNS, Source
from orchestration.ingest.sql import is_nested

# The dtypes a landed column may have in pandas (nullable or not), and its DuckDB type: the
# suite must hold on both engines that run it (GX on pandas, and its compilation to DuckDB SQL).
PANDAS_TYPES = {
    "VARCHAR": ["object", "str"],  # object columns are checked value by value: str
    "INTEGER": ["int32", "Int32Dtype"],
    "BIGINT": ["int64", "Int64Dtype"],
    "DOUBLE": ["float64", "Float64Dtype"],
    "BOOLEAN": ["bool", "BooleanDtype"],
    "TIMESTAMP": ["datetime64[us]", "datetime64[ns]"],
    "DATE": ["datetime64[us]", "datetime64[ns]"],
}


@dataclass(frozen=True)
class Expectation:
    """An engine-neutral expectation: the GX class name, its arguments and the ingest rule it mirrors."""

    kind: str
    kwargs: dict[str, Any]
    rule: str


def expectations(source: Source) -> list[Expectation]:
    """The source's contract over a landed partition, in the order the checks report it."""
    columns = [*source.columns, *LINEAGE_COLUMNS]
    found = [
        Expectation("ExpectTableColumnsToMatchSet", {"column_set": columns, "exact_match": False}, "columns")
    ]
    for name in source.required:
        found.append(Expectation("ExpectColumnValuesToNotBeNull", {"column": name}, f"required:{name}"))
    for name, dtype in source.columns.items():
        if not is_nested(dtype):
            type_list = [*PANDAS_TYPES[dtype], dtype]
            found.append(
                Expectation(
                    "ExpectColumnValuesToBeInTypeList",
                    {"column": name, "type_list": type_list},
                    f"type:{name}",
                )
            )
    key = unique_key(source)
    if len(key) == 1:
        found.append(Expectation("ExpectColumnValuesToBeUnique", {"column": key[0]}, unique_rule(source)))
    else:
        found.append(
            Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": key}, unique_rule(source))
        )
    for name, values in source.enums.items():
        found.append(
            Expectation(
                "ExpectColumnValuesToBeInSet", {"column": name, "value_set": list(values)}, f"enum:{name}"
            )
        )
    for bound in source.ranges:
        kwargs = {"column": bound.column, "min_value": bound.low, "max_value": bound.high}
        found.append(Expectation("ExpectColumnValuesToBeBetween", kwargs, f"range:{bound.column}"))
    for name in source.non_negative:
        found.append(
            Expectation(
                "ExpectColumnValuesToBeBetween", {"column": name, "min_value": 0}, f"non_negative:{name}"
            )
        )
    for earlier, later in source.ordered:
        kwargs = {
            "column_A": later,
            "column_B": earlier,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        }
        found.append(
            Expectation("ExpectColumnPairValuesAToBeGreaterThanB", kwargs, f"order:{earlier}<={later}")
        )
    return found


def build_suite(source: Source):
    """The GX ExpectationSuite `raw.<source>` (imports great_expectations: call it only when validating)."""
    import great_expectations as gx

    return gx.ExpectationSuite(
        name=f"raw.{source.name}",
        expectations=[
            getattr(gx.expectations, e.kind)(**e.kwargs, meta={"rule": e.rule}) for e in expectations(source)
        ],
    )


def validate_with_gx(source: Source, frame) -> dict[str, int]:
    """Run the suite with GX on a DataFrame of landed rows: rule → unexpected count (no values kept)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # pandas 3 reads text as StringDtype, which GX's dtype check does not know: give it object columns
    text = [name for name, dtype in frame.dtypes.items() if str(dtype) in ("str", "string")]
    frame = frame.astype(dict.fromkeys(text, object)) if text else frame
    batch_definition = (
        context.data_sources.add_pandas("landed")
        .add_dataframe_asset(source.name)
        .add_batch_definition_whole_dataframe("partition")
    )
    suite = context.suites.add(build_suite(source))
    results = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format="BASIC"
    )
    counts = {}
    for result in results.results:
        rule = result.expectation_config.meta["rule"]
        unexpected = result.result.get("unexpected_count")
        if unexpected is None:  # table- and column-level expectations (columns, dtype): 1 = broken
            unexpected = 0 if result.success else 1
        counts[rule] = int(unexpected)
    return counts
