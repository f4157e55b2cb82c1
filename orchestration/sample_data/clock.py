"""Time in the sample world: UTC epoch seconds (float, NaN = null) and each client's local clock.

All events are simulated in UTC epoch seconds; a client's local day and hour come from its IANA
timezone (daylight-saving changes included), and timestamps are formatted on export.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400.0
HOUR = 3_600.0


def rng(seed: int, *keys: str | int) -> np.random.Generator:
    """An independent, reproducible random stream per (seed, component, …)."""
    parts = [zlib.crc32(str(key).encode()) for key in keys]
    return np.random.default_rng(np.random.SeedSequence([seed, *parts]))


class Clock:
    """The window `start … start + days` and each client's local time."""

    def __init__(self, start: date, days: int, timezones: list[str]) -> None:
        self.start = start
        self.days = days
        self.timezones = timezones
        self.start_epoch_day = (start - date(1970, 1, 1)).days
        # UTC epoch of each client's local midnight, days 0 … days (inclusive)
        self.midnights = np.array(
            [
                [
                    datetime.combine(
                        date.fromordinal(start.toordinal() + d), time(), ZoneInfo(tz)
                    ).timestamp()
                    for d in range(days + 1)
                ]
                for tz in timezones
            ]
        )

    def window_end(self, client: np.ndarray) -> np.ndarray:
        """UTC epoch of the end of the window in each row's client's local time."""
        return self.midnights[client, self.days]

    def offsets(self, ts: np.ndarray, client: np.ndarray) -> np.ndarray:
        """UTC offset in seconds of each row's client timezone at instant `ts`."""
        out = np.zeros(len(ts))
        finite = np.isfinite(ts)
        for index, tz in enumerate(self.timezones):
            rows = np.flatnonzero((client == index) & finite)
            if len(rows) == 0:
                continue
            utc = pd.DatetimeIndex(ts[rows].astype("int64").astype("datetime64[s]")).tz_localize("UTC")
            local = utc.tz_convert(tz).tz_localize(None)
            out[rows] = (local - utc.tz_localize(None)).total_seconds().to_numpy()
        return out

    def from_local(self, client: np.ndarray, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """UTC epoch of local wall-clock `seconds` after local midnight of window day `day`."""
        naive = (self.start_epoch_day + day) * DAY + seconds
        guess = naive - self.offsets(naive, client)
        return np.floor(naive - self.offsets(guess, client))

    def local_day(self, ts: np.ndarray, client: np.ndarray) -> np.ndarray:
        """Window day index of each instant in its client's local time (may fall outside 0 … days-1)."""
        local = ts + self.offsets(ts, client)
        day = np.floor(np.nan_to_num(local) / DAY) - self.start_epoch_day
        return np.where(np.isfinite(ts), day, -(10**6)).astype(np.int64)

    def local_hour(self, ts: np.ndarray, client: np.ndarray) -> np.ndarray:
        local = ts + self.offsets(ts, client)
        return (np.floor(local / HOUR) % 24).astype(np.int64)

    def day_date(self, day: int) -> date:
        return date.fromordinal(self.start.toordinal() + day)

    def format(self, ts: np.ndarray, client: np.ndarray, local: bool) -> pa.Array:
        """ISO-8601 strings: `…Z` in UTC, or the client's local time with its offset (`…-06:00`)."""
        valid = np.isfinite(ts)
        seconds = np.where(valid, ts, 0).astype(np.int64)
        if not local:
            return pc.binary_join_element_wise(_iso(seconds, valid), "Z", "")
        offsets = np.where(valid, self.offsets(np.where(valid, ts, 0), client), 0).astype(np.int64)
        uniques, inverse = np.unique(offsets, return_inverse=True)
        labels = pa.array([_offset_label(int(o)) for o in uniques]).take(pa.array(inverse.ravel()))
        return pc.binary_join_element_wise(_iso(seconds + offsets, valid), labels, "")


def _iso(seconds: np.ndarray, valid: np.ndarray) -> pa.Array:
    """`YYYY-MM-DDTHH:MM:SS` of epoch seconds (null where not valid)."""
    text = pa.array(seconds, pa.timestamp("s"), mask=~valid).cast(pa.string())
    return pc.utf8_replace_slice(text, 10, 11, "T")


def _offset_label(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
