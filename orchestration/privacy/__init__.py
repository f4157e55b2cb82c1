"""Anonymisation: keyed hashing of identities and redaction of free text."""

from orchestration.privacy.keys import hmac_hex, register_hash_macro
from orchestration.privacy.redact import redact

__all__ = ["hmac_hex", "redact", "register_hash_macro"]
