"""CX Warehouse: the Dagster code location."""
