"""Small SQL-text helpers shared by the readers, the rules and the suites."""

from __future__ import annotations

import json

import duckdb


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier (export column names are not trusted to be plain)."""
    return '"' + name.replace('"', '""') + '"'


def raw(column: str) -> str:
    """The staged raw-value column of an export column."""
    return ident(f"raw:{column}")


def is_nested(dtype: str) -> bool:
    return dtype.startswith("STRUCT") or dtype.endswith("[]")


def json_structure(dtype: str) -> str:
    """The json_transform structure of a DuckDB type, timestamps as TIMESTAMPTZ so offsets apply."""

    def walk(node: duckdb.sqltypes.DuckDBPyType):
        if node.id == "struct":
            return {name: walk(child) for name, child in node.children}
        if node.id == "list":
            return [walk(node.child)]
        return "TIMESTAMPTZ" if node.id.startswith("timestamp") else str(node)

    return json.dumps(walk(duckdb.sqltype(dtype)))
