"""Benchmark: page latency against a bare baseline, the report against hand-written SQL, memory.

    python bench/run.py --db sqlite --scale 1
    python bench/run.py --db postgresql --scale 1          # needs a local PostgreSQL

For every scale (the main one and, for memory flatness, --compare-scale) the
script generates a scratch database (bench/generate.py), then measures in a
fresh process, in the same run and interleaved round-robin so that machine
noise hits every target alike:

- bare Flask: a tiny Flask app (no Puls) whose route runs one indexed query;
- bare Puls route: a route registered by the benchmark on the Puls app that
  runs the same query behind Puls' login, session and commit machinery;
- floor page: that route plus an audit row and the page layout, the least a
  page with personal data can cost;
- the pages: individuals list, a case page, the FK worklist (fk1's start
  page), a user's ICS feed, the yearly report of the platform project;
- the report's main tables as hand-written SQL (one connection, no ORM).

It prints p50/p95 per target, the ratios and whether the targets of issue 8
are met (pages ≤ 3× bare at p95, report ≤ 2× the SQL), and the peak RSS of
the measuring process per scale. `--results` rewrites bench/RESULTS.md.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
PAGE_TARGET = 3.0
REPORT_TARGET = 2.0
PAGES = ("individuals", "case", "worklist", "ics", "report")


# --- the measuring process ---------------------------------------------------------------------------


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _bare_flask(database_url: str, public_id: str):
    """A Flask app with nothing but one route and one indexed query: the floor."""
    from flask import Flask
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, pool_pre_ping=True)
    app = Flask("bare")
    query = text("SELECT id, last_name FROM individuals WHERE public_id = :public_id")

    @app.route("/bare")
    def bare():
        with engine.connect() as connection:
            row = connection.execute(query, {"public_id": public_id}).one()
        return f"{row.id} {row.last_name}"

    return app.test_client()


def _register_bare_routes(app, public_id: str) -> None:
    """The same query as two Puls routes: `bare` behind login, session and one commit (no audit,
    no page); `floor` adds what every Puls page must also do with personal data, an audit row in
    the chain and the page layout (base.html) around the one name, so no page can be cheaper."""
    from flask import Blueprint, render_template
    from sqlalchemy import text

    from tracker.audit.models import AuditAction
    from tracker.audit.services import record
    from tracker.extensions import db

    bp = Blueprint("bench", __name__)
    query = text("SELECT id, last_name FROM individuals WHERE public_id = :public_id")
    layout = app.jinja_env.from_string(
        "{% extends 'base.html' %}{% block content %}<p>{{ row.last_name }}</p>{% endblock %}"
    )

    @bp.route("/bench/bare")
    def bare():
        row = db.session.execute(query, {"public_id": public_id}).one()
        return f"{row.id} {row.last_name}"

    @bp.route("/bench/floor")
    def floor():
        row = db.session.execute(query, {"public_id": public_id}).one()
        record(AuditAction.VIEW, object_type="Individual", object_id=row.id, individual_id=row.id)
        return render_template(layout, row=row)

    app.register_blueprint(bp)


REPORT_SQL = {
    "participants": """
        SELECT i.home_municipality, i.gender, COUNT(DISTINCT e.individual_id)
        FROM enrolments e JOIN individuals i ON i.id = e.individual_id
        WHERE e.project_id = :p AND e.enrolled_on <= :end
          AND (e.discharged_on IS NULL OR e.discharged_on >= :start)
        GROUP BY i.home_municipality, i.gender""",
    "new_vs_already": """
        SELECT SUM(CASE WHEN e.enrolled_on >= :start THEN 1 ELSE 0 END), COUNT(e.id)
        FROM enrolments e
        WHERE e.project_id = :p AND e.enrolled_on <= :end
          AND (e.discharged_on IS NULL OR e.discharged_on >= :start)""",
    "authorities": """
        SELECT e.involves_fk, e.involves_region, e.involves_kommun, e.involves_af, COUNT(e.id)
        FROM enrolments e
        WHERE e.project_id = :p AND e.enrolled_on <= :end
          AND (e.discharged_on IS NULL OR e.discharged_on >= :start)
        GROUP BY e.involves_fk, e.involves_region, e.involves_kommun, e.involves_af""",
    "discharges": """
        SELECT e.discharge_reason, i.gender, COUNT(e.id)
        FROM enrolments e JOIN individuals i ON i.id = e.individual_id
        WHERE e.project_id = :p AND e.discharged_on BETWEEN :start AND :end
        GROUP BY e.discharge_reason, i.gender""",
    "referrers": """
        SELECT r.referrer_type, r.status, COUNT(r.id) FROM referrals r
        WHERE r.project_id = :p AND r.referred_on BETWEEN :start AND :end
        GROUP BY r.referrer_type, r.status""",
    "hours": """
        SELECT t.category, SUM(t.hours) FROM time_entries t
        WHERE t.project_id = :p AND t.booked_on BETWEEN :start AND :end
        GROUP BY t.category""",
    "invoicing": """
        SELECT t.user_id, t.booked_on, SUM(t.hours) FROM time_entries t
        WHERE t.project_id = :p AND t.booked_on BETWEEN :start AND :end
        GROUP BY t.user_id, t.booked_on""",
    "budgets": """
        SELECT b.forbund_id, b.year, b.amount FROM project_budgets b
        WHERE b.project_id = :p AND b.year BETWEEN :y0 AND :y1""",
    "consents": """
        SELECT COUNT(DISTINCT c.individual_id) FROM consents c
        WHERE c.individual_id IN (
            SELECT e.individual_id FROM enrolments e
            WHERE e.project_id = :p AND e.enrolled_on <= :end
              AND (e.discharged_on IS NULL OR e.discharged_on >= :start))
          AND c.given_on <= :end""",
}


def _login(app, email: str):
    from tracker.demo import DEMO_PASSWORD

    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"login {email}: {response.status_code}"
    return client


def build_targets(database_url: str) -> tuple[dict, object, object]:
    """Every target as a zero-argument call (logged-in clients ready), the app and its engine."""
    from flask import url_for
    from sqlalchemy import select, text

    from bench.generate import app_for
    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.meetings.feeds import issue_token
    from tracker.people.models import Individual
    from tracker.referrals.models import Project, ProjectKind

    app = app_for(database_url)
    app.config.update(WTF_CSRF_ENABLED=False, SERVER_NAME=None)
    with app.app_context():
        rehab1 = db.session.scalar(select(User).where(User.email == "rehab1@demo.puls.example"))
        case = db.session.scalar(
            select(Individual)
            .where(Individual.coordinator_id == rehab1.id, Individual.closed_on.is_(None))
            .order_by(Individual.id.desc())
            .limit(1)
        )
        case_id = case.public_id
        samordnare = db.session.scalar(select(User).where(User.email == "samordnare@demo.puls.example"))
        token = issue_token(samordnare)
        platform_id = db.session.scalar(select(Project.id).where(Project.kind == ProjectKind.PLATFORM))
        db.session.commit()
        year = db.session.scalar(text("SELECT MAX(booked_on) FROM time_entries"))
        year = year.year if hasattr(year, "year") else int(str(year)[:4])
    _register_bare_routes(app, case_id)
    with app.test_request_context():
        urls = {
            "individuals": url_for("people.index"),
            "case": url_for("people.show", public_id=case_id),
            "worklist": url_for("core.home"),
            "ics": url_for("meetings.feed", token=token),
            "report": url_for("reports.show", project_id=platform_id, typ="ar", ar=year - 1),
        }
    clients = {
        "rehab": _login(app, "rehab1@demo.puls.example"),
        "fk": _login(app, "fk1@demo.puls.example"),
        "ledning": _login(app, "ledning@demo.puls.example"),
        "anonymous": app.test_client(),
    }
    bare_flask = _bare_flask(database_url, case_id)
    engine = None
    with app.app_context():
        engine = db.engine
    period = {"p": platform_id, "start": f"{year - 1}-01-01", "end": f"{year - 1}-12-31"}
    from datetime import date

    period.update(start=date(year - 1, 1, 1), end=date(year - 1, 12, 31), y0=year - 1, y1=year - 1)

    def hand_written_sql():
        with engine.connect() as connection:
            for sql in REPORT_SQL.values():
                connection.execute(text(sql), period).all()

    def get(client, url):
        def call():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            response.get_data()

        return call

    targets = {
        "bare_flask": get(bare_flask, "/bare"),
        "bare_puls": get(clients["rehab"], "/bench/bare"),
        "floor_page": get(clients["rehab"], "/bench/floor"),
        "individuals": get(clients["rehab"], urls["individuals"]),
        "case": get(clients["rehab"], urls["case"]),
        "worklist": get(clients["fk"], urls["worklist"]),
        "ics": get(clients["anonymous"], urls["ics"]),
        "report": get(clients["ledning"], urls["report"]),
        "report_sql": hand_written_sql,
    }
    if engine.dialect.name == "postgresql":
        # The same pages with PostgreSQL's JIT on (the server default that Puls switches off).
        jit_app = app_for(
            database_url,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": {"options": "-c jit=on"}},
        )
        jit_app.config.update(WTF_CSRF_ENABLED=False)
        targets["individuals_jit_on"] = get(_login(jit_app, "rehab1@demo.puls.example"), urls["individuals"])
        targets["worklist_jit_on"] = get(_login(jit_app, "fk1@demo.puls.example"), urls["worklist"])
    return targets, app, engine


def measure(database_url: str, requests: int, warmup: int) -> dict:
    """Run in a fresh process: every target `requests` times, interleaved; returns timings."""
    from sqlalchemy import text

    from tracker.extensions import db

    targets, app, engine = build_targets(database_url)
    for _ in range(warmup):
        for call in targets.values():
            call()
    rss_before = _rss_kib()
    timings: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(requests):
        for name, call in targets.items():
            started = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
    with app.app_context():
        individuals = db.session.scalar(text("SELECT COUNT(*) FROM individuals"))
    return {
        "database": engine.dialect.name,
        "individuals": individuals,
        "requests": requests,
        "ms": {name: _stats(values) for name, values in timings.items()},
        "rss_before_kib": rss_before,
        "rss_after_kib": _rss_kib(),
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def _stats(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


# --- the orchestrating process -----------------------------------------------------------------------


def _scratch_url(db: str, scale: float, workdir: Path) -> str:
    tag = f"s{str(scale).replace('.', '')}"
    if db == "sqlite":
        path = workdir / f"puls_bench_{tag}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text

    name = f"puls_bench_{tag}"
    admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return f"{PG_BASE}/{name}"


def _drop_scratch(db: str, url: str) -> None:
    if db != "postgresql":
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))
    admin.dispose()


def _python(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603  (our own scripts)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(args)}")
    return done.stdout


def run_scale(db: str, scale: float, requests: int, warmup: int, workdir: Path, keep: bool) -> dict:
    url = _scratch_url(db, scale, workdir)
    try:
        started = time.perf_counter()
        print(f"[{db} scale {scale}] generating ...", flush=True)
        print("  " + _python("bench/generate.py", "--database-url", url, "--scale", str(scale)).strip())
        generated = time.perf_counter() - started
        print(f"[{db} scale {scale}] measuring {requests} requests per target ...", flush=True)
        out = _python("bench/run.py", "--measure", url, "--requests", str(requests), "--warmup", str(warmup))
        result = json.loads(out.strip().splitlines()[-1])
        result.update(scale=scale, generate_seconds=round(generated))
        return result
    finally:
        if not keep:
            _drop_scratch(db, url)


def ratios(result: dict) -> dict:
    ms = result["ms"]
    out = {}
    for page in PAGES:
        out[page] = {
            "p50_vs_bare_flask": ms[page]["p50"] / ms["bare_flask"]["p50"],
            "vs_bare_flask": ms[page]["p95"] / ms["bare_flask"]["p95"],
            "vs_bare_puls": ms[page]["p95"] / ms["bare_puls"]["p95"],
            "vs_floor": ms[page]["p95"] / ms["floor_page"]["p95"],
        }
    out["floor_page"] = {
        "p50_vs_bare_flask": ms["floor_page"]["p50"] / ms["bare_flask"]["p50"],
        "vs_bare_flask": ms["floor_page"]["p95"] / ms["bare_flask"]["p95"],
        "vs_bare_puls": ms["floor_page"]["p95"] / ms["bare_puls"]["p95"],
    }
    out["report"]["vs_sql"] = ms["report"]["p95"] / ms["report_sql"]["p95"]
    out["report"]["p50_vs_sql"] = ms["report"]["p50"] / ms["report_sql"]["p50"]
    return out


def format_table(result: dict) -> str:
    ms, r = result["ms"], ratios(result)
    lines = [
        f"{result['database']}, scale {result['scale']} ({result['individuals']} individuals), "
        f"{result['requests']} requests per target, interleaved",
        "",
        "| target | p50 ms | p95 ms | p50 ÷ bare Flask | p95 ÷ bare Flask | p95 ÷ bare Puls route "
        "| p95 ÷ floor page | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    extra = [name for name in ms if name.endswith("_jit_on")]
    for name in ("bare_flask", "bare_puls", "floor_page", *PAGES, "report_sql", *extra):
        row = f"| {name} | {ms[name]['p50']:.1f} | {ms[name]['p95']:.1f} |"
        if name in PAGES:
            ratio = r[name]
            verdict = (
                f"≤3× bare Flask: {'ja' if ratio['vs_bare_flask'] <= PAGE_TARGET else 'NEJ'}; "
                f"≤3× bare Puls: {'ja' if ratio['vs_bare_puls'] <= PAGE_TARGET else 'NEJ'}"
            )
            if name == "report":
                verdict += (
                    f"; ≤2× SQL: {'ja' if ratio['vs_sql'] <= REPORT_TARGET else 'NEJ'} "
                    f"(p95 {ratio['vs_sql']:.1f}×, p50 {ratio['p50_vs_sql']:.1f}×)"
                )
            row += (
                f" {ratio['p50_vs_bare_flask']:.1f}× | {ratio['vs_bare_flask']:.1f}× |"
                f" {ratio['vs_bare_puls']:.1f}× | {ratio['vs_floor']:.1f}× | {verdict} |"
            )
        elif name == "floor_page":
            ratio = r[name]
            row += (
                f" {ratio['p50_vs_bare_flask']:.1f}× | {ratio['vs_bare_flask']:.1f}× |"
                f" {ratio['vs_bare_puls']:.1f}× | | the least any page costs |"
            )
        else:
            row += " | | | | |"
        lines.append(row)
    return "\n".join(lines)


def format_memory(results: list[dict]) -> str:
    lines = [
        "| scale | individuals | peak RSS MiB | RSS before → after the requests MiB |",
        "|---|---:|---:|---|",
    ]
    for result in results:
        lines.append(
            f"| {result['scale']} | {result['individuals']} | {result['peak_rss_kib'] / 1024:.0f} | "
            f"{result['rss_before_kib'] / 1024:.0f} → {result['rss_after_kib'] / 1024:.0f} |"
        )
    if len(results) > 1:
        small, big = results[0], results[-1]
        growth = big["peak_rss_kib"] / small["peak_rss_kib"]
        data = big["individuals"] / max(small["individuals"], 1)
        lines.append("")
        lines.append(f"Data ×{data:.0f}, peak RSS ×{growth:.2f} ({'flat' if growth < 1.25 else 'NOT flat'}).")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Puls benchmark (issue 8)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--compare-scale", type=float, default=0.1, help="0 to skip the memory comparison")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--write-results", action="store_true", help="replace this database's section in bench/RESULTS.md"
    )
    parser.add_argument("--measure", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.requests, args.warmup)))
        return
    scales = [s for s in (args.compare_scale, args.scale) if s]
    results = []
    with tempfile.TemporaryDirectory(prefix="puls_bench_") as workdir:
        for scale in dict.fromkeys(scales):
            results.append(run_scale(args.db, scale, args.requests, args.warmup, Path(workdir), args.keep))
    main_result = results[-1]
    print()
    print(format_table(main_result))
    print()
    print(format_memory(results))
    command = "python " + " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    machine = f"{platform.platform()}, {os.cpu_count()} CPU, Python {platform.python_version()}"
    if args.json:
        payload = {"command": command, "machine": machine, "results": results}
        args.json.write_text(json.dumps(payload, indent=2))
    if args.write_results:
        write_results(args.db, command, machine, results)


def write_results(db: str, command: str, machine: str, results: list[dict]) -> None:
    """Replace the section between this database's markers in bench/RESULTS.md."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    begin, end = f"<!-- {db} -->", f"<!-- /{db} -->"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(
        [
            begin,
            f"## {db}",
            "",
            f"Run {when} on {machine}.",
            "",
            "```",
            command,
            "```",
            "",
            format_table(results[-1]),
            "",
            "Memory of the measuring process:",
            "",
            format_memory(results),
            end,
        ]
    )
    if begin in text:
        text = text[: text.index(begin)] + body + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
