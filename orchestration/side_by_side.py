"""DuckDB work on several items at once, each on a cursor of its own (the landing's files, the publish's
tables): a cursor is a connection of its own to the same database instance, so its statements run beside
the others' and its transaction is its own. No Dagster import: the publish and the landing use it outside
Dagster too."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def on_cursors(
    con,
    items: Sequence[Item],
    work: Callable[[object, Item], Result],
    workers: int,
    *,
    size: Callable[[Item], float] | None = None,
    session: Iterable[str] = (),
) -> list[Result]:
    """`work(cursor, item)` for every item, `workers` at a time, the largest first when `size` is given;
    the results in `items`' order. Each item gets a fresh cursor of `con`, closed after it, which first runs
    the `session` statements (a cursor does not inherit its parent's session settings, e.g. its TimeZone).
    With one worker or one item, everything runs on `con` itself, in order. The first error is raised once
    every item has run (the pool runs the items queued behind it too)."""
    if workers < 2 or len(items) < 2:
        return [work(con, item) for item in items]
    session = list(session)

    def on_cursor(position: int) -> Result:
        cursor = con.cursor()
        try:
            for statement in session:
                cursor.execute(statement)
            return work(cursor, items[position])
        finally:
            cursor.close()

    positions = range(len(items))
    order = sorted(positions, key=lambda position: -size(items[position])) if size else list(positions)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = dict(zip(order, pool.map(on_cursor, order), strict=True))
    return [results[position] for position in positions]
