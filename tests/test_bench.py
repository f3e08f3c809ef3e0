"""The benchmark runs with one command and measures every target (at a tiny scale, on the
database of the test run)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.run import PAGES, format_table

ROOT = Path(__file__).resolve().parent.parent


def _database() -> tuple[str, dict]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return "postgresql", {**os.environ, "BENCH_PG_URL": url.rsplit("/", 1)[0]}
    return "sqlite", dict(os.environ)


def test_the_benchmark_measures_every_target_and_prints_the_ratios(tmp_path):
    out = tmp_path / "bench.json"
    database, env = _database()
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--db", database, "--scale", "0.01", "--requests", "3"]
        + ["--warmup", "1", "--compare-scale", "0", "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (result,) = json.loads(out.read_text())["results"]
    for target in ("bare_flask", "bare_puls", "floor_page", *PAGES, "report_sql"):
        assert result["ms"][target]["p95"] >= result["ms"][target]["p50"] > 0, target
    # Every page carries its ratios against the bare routes and the floor page (no timing is
    # asserted: speed is judged in bench/RESULTS.md, not in tests).
    table = format_table(result)
    assert "| floor_page |" in table and "the least any page costs" in table
    for page in PAGES:
        assert f"| {page} |" in table
    assert "≤2× SQL:" in table
    assert "| individuals |" in done.stdout
    assert result["individuals"] > 0 and result["peak_rss_kib"] > 0
