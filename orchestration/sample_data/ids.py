"""Record identifiers: a prefix and a zero-padded sequence number, one scheme per export."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# channel → (prefix, first number, digits): call, chat, ticket and mention ids
INTERACTIONS = {
    0: ("CL", 100_000_001, 9),
    1: ("CH-", 5_000_001, 8),
    2: ("", 3_000_001, 7),
    3: ("SM-", 7_000_001, 8),
}


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded number, e.g. ids("CL", [7], 9) → "CL000000007"."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def interaction_ids(channel: int, seq: np.ndarray) -> pa.Array:
    """The source id (call_id, chat_id, ticket_id, mention_id) of each interaction's sequence number."""
    prefix, first, width = INTERACTIONS[channel]
    return ids(prefix, np.asarray(seq) + first, width)
