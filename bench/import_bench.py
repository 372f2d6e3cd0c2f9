"""How fast `opsbot import` loads a company: 100,000 orders with 300,000 lines, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_bench.py [--orders 100000] [--no-postgres] [--no-sqlite] [--row-fk-checks]
    nice -n 10 .venv/bin/python bench/import_bench.py --memory 100000 1000000 [--no-postgres] [--no-sqlite]

Generates a deterministic company as CSV files (ids of foreign shapes: `4500987654`, `SO/2026/00042`,
`TX-77-0345`), then imports it into a fresh SQLite file and a fresh PostgreSQL database (migrated
first, not timed): once (everything inserted) and again (nothing changed). Target: the first import
of 100,000 orders in 60 s or less on SQLite. On PostgreSQL the first import into empty tables adds
the foreign keys back in one check per table (`bot.dataio.pg_copy`); `--row-fk-checks` checks them
row by row instead, as an import into tables that hold rows does, to compare. Other work on the
machine skews the figures: note the load average (`uptime`) with them.

`--memory N [N ...]` measures memory instead: for each number of orders it writes a company (in a
temporary folder under /tmp), and runs `opsbot import` on it in a subprocess, into a fresh database,
twice (first import, same files again); it reports each run's peak resident memory (the child's
`ru_maxrss`, from `os.wait4`), its wall time and its CPU time. Memory must stay about flat as the
files grow (docs/data.md, "Large files").
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.dataio import pg_copy  # noqa: E402
from bot.dataio.apply import sync_engine  # noqa: E402
from bot.dataio.importer import ImportReport, run_import  # noqa: E402
from bot.storage.db import make_engine  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from tests.fakes.databases import fresh_postgres_database  # noqa: E402

PG_URL = os.environ.get("OPSBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STATUSES = ("pending_confirmation", "confirmed", "shipped", "delivered", "cancelled")


def write_company(folder: Path, orders: int, lines_per_order: int = 3) -> dict[str, int]:
    """A deterministic company as CSV files in `folder`; the number of rows per entity."""
    rng = random.Random(23)
    suppliers = [str(4700 + n) for n in range(200)]
    customers = [f"K{n:06d}" for n in range(2000)]
    skus = [f"TX-{n % 97:02d}-{n:04d}" for n in range(5000)]
    owner = {sku: suppliers[n % len(suppliers)] for n, sku in enumerate(skus)}
    by_supplier: dict[str, list[str]] = {}
    for sku, sid in owner.items():
        by_supplier.setdefault(sid, []).append(sku)
    price = {sku: f"{rng.randrange(50, 50000) / 100:.2f}" for sku in skus}
    counts: dict[str, int] = {}

    def write(name: str, header: list[str], rows: list[list[object]]) -> None:
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(header)
            out.writerows(rows)
        counts[name] = len(rows)

    write(
        "suppliers",
        ["id", "name", "name_zh", "vip", "email"],
        [[s, f"Supplier {s}", f"供应商{s}", n % 20 == 0, f"s{s}@x.example"] for n, s in enumerate(suppliers)],
    )
    write("customers", ["id", "name", "industry"], [[c, f"Customer {c}", "retail"] for c in customers])
    write(
        "products",
        ["sku", "supplier_id", "name", "category", "unit_price", "currency"],
        [[s, owner[s], f"Product {s}", f"cat{n % 40}", price[s], "USD"] for n, s in enumerate(skus)],
    )
    order_header = ["id", "supplier_id", "customer_id", "status", "created_at", "total", "currency",
                    "carrier", "tracking_number", "eta"]  # fmt: skip
    invoice_header = [
        "id",
        "order_id",
        "supplier_id",
        "amount",
        "currency",
        "status",
        "issued_at",
        "due_date",
    ]
    names = ("orders", "order_lines", "invoices")
    # the three files are written row by row as the orders are drawn: 1,000,000 orders fit in memory
    with ExitStack() as stack:
        handles = [
            stack.enter_context((folder / f"{n}.csv").open("w", encoding="utf-8", newline="")) for n in names
        ]
        orders_out, lines_out, invoices_out = (csv.writer(h) for h in handles)
        orders_out.writerow(order_header)
        lines_out.writerow(["order_id", "sku", "quantity", "unit_price"])
        invoices_out.writerow(invoice_header)
        start = date(2024, 1, 1)
        lines = invoices = 0
        for n in range(orders):
            oid = str(4500000000 + n) if n % 2 else f"SO/{2024 + n % 3}/{n:06d}"
            sid = suppliers[n % len(suppliers)]
            created = start + timedelta(days=n % 880)
            status = STATUSES[rng.randrange(5)]
            chosen = rng.sample(by_supplier[sid], lines_per_order)
            qty = [rng.randrange(1, 500) for _ in chosen]
            total = sum(round(float(price[s]) * 100) * q for s, q in zip(chosen, qty, strict=True))
            total_text = f"{total // 100}.{total % 100:02d}"
            shipped = status in ("shipped", "delivered")
            orders_out.writerow(
                [
                    oid, sid, customers[rng.randrange(len(customers))], status, f"{created}T09:30:00Z",
                    total_text, "USD", "DHL Express" if shipped else "", f"JD{n:010d}" if shipped else "",
                    created + timedelta(days=14),
                ]
            )  # fmt: skip
            lines_out.writerows([oid, s, q, price[s]] for s, q in zip(chosen, qty, strict=True))
            lines += len(chosen)
            if shipped:
                invoices_out.writerow(
                    [
                        f"RE-{n:07d}",
                        oid,
                        sid,
                        total_text,
                        "USD",
                        "open",
                        created,
                        created + timedelta(days=30),
                    ]
                )
                invoices += 1
    counts.update(orders=orders, order_lines=lines, invoices=invoices)
    write("stock", ["supplier_id", "sku", "quantity"], [[owner[s], s, rng.randrange(0, 9000)] for s in skus])
    return counts


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    await engine.dispose()


def _timed_import(url: str, folder: Path) -> tuple[float, ImportReport]:
    engine = sync_engine(url)
    try:
        began = time.perf_counter()
        report = run_import(engine, folder, now=NOW)
        return time.perf_counter() - began, report
    finally:
        engine.dispose()


def _run(label: str, url: str, folder: Path) -> None:
    import asyncio

    asyncio.run(_migrate(url))
    for attempt in ("first import", "same files again"):
        seconds, report = _timed_import(url, folder)
        if not report.applied:
            raise SystemExit(f"{label}: import failed: {report.errors[:5]}")
        changed = sum(c.inserted + c.updated for c in report.counts.values())
        print(f"{label:10} {attempt:17} {seconds:7.1f} s   rows inserted or updated: {changed}", flush=True)


def _opsbot() -> str:
    """The `opsbot` command of this interpreter's environment."""
    beside = Path(sys.executable).parent / "opsbot"
    found = str(beside) if beside.exists() else shutil.which("opsbot")
    if found is None:
        raise SystemExit("no `opsbot` command: install the package (pip install -e .)")
    return found


def _measured_import(url: str, folder: Path, workdir: Path) -> tuple[float, float, float, str]:
    """`opsbot import folder` in a subprocess: (wall s, CPU s, peak RSS MB, its last output line)."""
    env = {**os.environ, "DATABASE_URL": url, "OPSBOT_CONFIG": ""}
    began = time.perf_counter()
    child = subprocess.Popen(
        [_opsbot(), "import", str(folder)],
        cwd=workdir,  # no config.yaml there: the defaults; its log goes to workdir/var
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert child.stdout is not None
    output = child.stdout.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(child.pid, 0)  # this child's own usage, not all children's
    seconds = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"opsbot import failed ({child.returncode}):\n{output[-3000:]}")
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return (
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        lines[-2] if len(lines) > 1 else "",
    )


def _memory_run(label: str, url: str, orders: int, folder: Path, workdir: Path, size_mb: float) -> None:
    import asyncio

    asyncio.run(_migrate(url))
    for attempt in ("first import", "same files again"):
        seconds, cpu, peak_mb, _last = _measured_import(url, folder, workdir)
        print(
            f"| {label} | {orders:,} | {size_mb:,.0f} MB | {attempt} | {peak_mb:,.0f} MB"
            f" | {seconds:,.1f} s | {cpu:,.1f} s |",
            flush=True,
        )


def _memory(sizes: list[int], *, sqlite: bool, postgres: bool) -> None:
    print("| database | orders | CSV files | run | peak RSS | wall time | CPU time |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")
    for orders in sizes:
        with tempfile.TemporaryDirectory(prefix="opsbot-import-memory-") as tmp:
            folder, workdir = Path(tmp) / "company", Path(tmp) / "work"
            folder.mkdir()
            workdir.mkdir()
            counts = write_company(folder, orders)
            size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            print(f"<!-- {orders:,} orders: {counts} -->", flush=True)
            if sqlite:
                url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
                _memory_run("SQLite", url, orders, folder, workdir, size)
            if postgres:
                with fresh_postgres_database(PG_URL, "import_memory") as url:
                    _memory_run("PostgreSQL", url, orders, folder, workdir, size)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--row-fk-checks", action="store_true", help="PostgreSQL: no bulk foreign key check")
    parser.add_argument(
        "--memory", type=int, nargs="+", metavar="ORDERS", help="peak RSS of `opsbot import` at these sizes"
    )
    args = parser.parse_args()
    if args.row_fk_checks:
        pg_copy.BULK_ROWS = sys.maxsize
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"machine: {os.cpu_count()} cores, {_cpu_model()}, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    if args.memory:
        _memory(args.memory, sqlite=not args.no_sqlite, postgres=not args.no_postgres)
        print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
        return
    with tempfile.TemporaryDirectory(prefix="opsbot-import-") as tmp:
        folder = Path(tmp) / "company"
        folder.mkdir()
        began = time.perf_counter()
        counts = write_company(folder, args.orders)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"company: {counts} ({size:.0f} MB of CSV, written in {time.perf_counter() - began:.1f} s)")
        if not args.no_sqlite:
            _run("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", folder)
        if not args.no_postgres:
            with fresh_postgres_database(PG_URL, "import_bench") as url:
                _run("postgresql", url, folder)
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
