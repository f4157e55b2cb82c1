"""Test-session setup: the dbt manifest the code location is built from is prepared on purpose, here.

`make install` prepares it too; this covers a pytest run straight after editing a model. It runs before
collection, because importing `orchestration.definitions` reads the manifest.
"""

import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR


def _stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [
        path
        for folder in ("models", "seeds", "macros", "tests")
        for path in (DBT_PROJECT_DIR / folder).rglob("*")
        if path.suffix in (".sql", ".yml", ".csv")
    ]
    sources.append(DBT_PROJECT_DIR / "dbt_project.yml")
    return any(path.stat().st_mtime > built for path in sources)


def pytest_configure(config):
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if _stale(manifest):
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run([str(dbt), "parse", "--profiles-dir", ".", "--quiet"], cwd=DBT_PROJECT_DIR, check=True)
