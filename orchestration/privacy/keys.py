"""HMAC-SHA256 of identities, in Python and as a DuckDB temporary macro that never shows the key to dbt.

The macro is HMAC written with DuckDB's own `sha256`: sha256(K⊕opad ‖ sha256(K⊕ipad ‖ m)). It is created
per connection as a TEMP macro (never persisted in the warehouse file) by the dbt-duckdb plugin, which
reads the key from the environment itself, so the key never appears in compiled SQL, artifacts or logs.
"""

from __future__ import annotations

import hashlib
import hmac

_BLOCK = 64  # SHA-256 block size in bytes


def hmac_hex(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _blob_literal(data: bytes) -> str:
    return "'" + "".join(f"\\x{b:02X}" for b in data) + "'::blob"


def register_hash_macro(con, key: bytes, name: str = "cx_hash") -> None:
    """Create `cx_hash(text) -> hex HMAC-SHA256` on this DuckDB connection only (null in, null out)."""
    inner, outer = _pads(key)
    con.execute(
        f"create or replace temp macro {name}(value) as "
        f"case when value is null then null else "
        f"sha256({_blob_literal(outer)} || unhex(sha256({_blob_literal(inner)} || encode(value::varchar)))) "
        f"end"
    )
