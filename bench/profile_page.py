"""Where does one benchmark target spend its time? Statements and Python, per request.

    python bench/generate.py --database-url sqlite:////tmp/puls_prof.db --scale 1
    python bench/profile_page.py --database-url sqlite:////tmp/puls_prof.db --target case

Runs the target (a name from bench/run.py: individuals, case, worklist, ics,
report, bare_puls, ...) a few times to warm up, then `--requests` times while
counting and timing every SQL statement, and once more under cProfile. Prints
the mean wall time, the statements of one request (slowest first, with the
share of the request they take) and the top functions by cumulative time.
"""

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _statement_timer(engine):
    from sqlalchemy import event

    timings: dict[str, list[float]] = defaultdict(list)

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("puls_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        started = conn.info["puls_started"].pop()
        timings[" ".join(statement.split())].append((time.perf_counter() - started) * 1000)

    return timings


def main(argv=None) -> None:
    from bench.run import build_targets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    args = parser.parse_args(argv)

    targets, _app, engine = build_targets(args.database_url)
    call = targets[args.target]
    for _ in range(5):
        call()
    timings = _statement_timer(engine)
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        call()
    wall = (time.perf_counter() - started) * 1000 / args.requests
    cpu = (time.process_time() - cpu_started) * 1000 / args.requests
    sql_ms = sum(sum(v) for v in timings.values()) / args.requests
    statements = sum(len(v) for v in timings.values()) / args.requests
    print(
        f"{args.target}: {wall:.2f} ms per request ({cpu:.2f} ms CPU of this process; "
        f"compare CPU on a busy machine), {statements:.1f} statements taking {sql_ms:.2f} ms"
    )
    print()
    for statement, values in sorted(timings.items(), key=lambda kv: -sum(kv[1])):
        per_request = sum(values) / args.requests
        print(f"{per_request:7.3f} ms  x{len(values) / args.requests:4.1f}  {statement[:160]}")
    print()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
