"""Without REDIS_URL, `make run`'s processes (gunicorn workers, the task worker, the scheduler) share one
cache: what the worker writes (the 疑似重复 neighbour lists, search.duplicates) reaches the pages."""

import os
import subprocess
import sys
from pathlib import Path

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def _shell(code: str, cache_dir: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="zhengxie.settings", CACHE_DIR=str(cache_dir), LOG_LEVEL="WARNING")
    out = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def test_what_one_process_caches_another_reads(tmp_path):
    _shell("from django.core.cache import cache; cache.set('zx:probe', '疑似重复', 60)", tmp_path)
    assert _shell("from django.core.cache import cache; print(cache.get('zx:probe'))", tmp_path) == "疑似重复"
