"""Shared fixtures: a socket guard, SQLite and PostgreSQL databases, and a runtime factory."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.application import Application
from bot.builder import build_application
from bot.config import AppConfig, load_config
from bot.ml import Models
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from dialogue.actions.basic import basic_actions
from dialogue.clock import ManualClock, system_clock
from tests.fakes.nlu import KeywordParser
from tests.fakes.renderer import EchoRenderer

PG_URL = os.environ.get("OPSBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")

os.environ.setdefault(
    "PTB_TIMEDELTA", "1"
)  # python-telegram-bot's future: durations as timedelta, no warning
for _var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_var, None)


def _is_local(address: Any) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_WALL_CLOCK = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--wall-clock",
        default=None,
        metavar="ISO-8601",
        help="run with the wall clock moved to this instant, e.g. 2028-02-29T10:00:00Z (time-machine: "
        "time.time, datetime.now and date.today move and tick on; monotonic time does not); .ci/date_check",
    )


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("--wall-clock", default=None)
    if value:
        import time_machine

        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if instant.tzinfo is None:
            raise pytest.UsageError("--wall-clock needs a time zone, e.g. 2028-02-29T10:00:00Z")
        traveller = time_machine.travel(instant, tick=True)
        traveller.start()
        config.stash[_WALL_CLOCK] = traveller


# Fixtures of the real encoders that remember what they encoded (tests.fakes.remembering_encoder).
SHARED_ENCODER_FIXTURES = frozenset({"minilm", "multilingual", "shared_encoder"})


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests that train or load real models (`slow`) first, in their order: with several workers the
    long ones start at once and the short ones fill in around them (not one alone at the end).

    The tests that use the shared real encoder run on one worker (`--dist loadgroup`): it loads the
    encoder once and encodes the handbook and the industries once for all of them."""
    for item in items:
        if SHARED_ENCODER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("real_encoders"))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_WALL_CLOCK, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    value = config.getoption("--wall-clock", default=None)
    return f"wall clock moved to {value} (time-machine)" if value else None


@pytest.fixture(autouse=True)
def socket_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to leave 127.0.0.1."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _is_local(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_local(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


def _in_thread(function: Callable[..., Awaitable[None]], *args: Any) -> None:
    """Run a coroutine function to completion on a loop of its own (a fixture may be inside one)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, function(*args)).result()


async def _migrate(url: str) -> None:
    eng = make_engine(url)
    try:
        await upgrade(eng)
    finally:
        await eng.dispose()


class PostgresAdmin:
    """Databases of one test process on the server of `server_url`: a migrated template, and a copy of it
    per test (CREATE DATABASE ... TEMPLATE, about 0.15 s), dropped in the background after the test.

    Every name carries a token of this process, so xdist workers, and other runs on the same server,
    never share a database: advisory locks and NOTIFY channels are per database.
    """

    def __init__(self, server_url: str) -> None:
        from sqlalchemy import create_engine

        self._base, name = server_url.rsplit("/", 1)
        admin_url = self._base.replace("+asyncpg", "+psycopg")
        self._admin = create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT", pool_size=2)
        self._prefix = f"{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
        self._count = itertools.count()
        self._dropper = ThreadPoolExecutor(1, thread_name_prefix="drop-test-db")
        self._template = f"{self._prefix}_template"
        self._execute(f'CREATE DATABASE "{self._template}"')
        _in_thread(_migrate, f"{self._base}/{self._template}")

    def _execute(self, statement: str) -> None:
        from sqlalchemy import text

        with self._admin.connect() as conn:
            conn.execute(text(statement))

    def create(self) -> str:
        """A new database, migrated (a copy of the template): its URL."""
        name = f"{self._prefix}_{next(self._count)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return f"{self._base}/{name}"

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._dropper.submit(self._execute, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._dropper.shutdown(wait=True)
        self._execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        self._admin.dispose()


def make_config(
    tmp_path: Path, overrides: dict[str, Any] | None = None, env: dict[str, str] | None = None
) -> AppConfig:
    data: dict[str, Any] = {"app": {"var_dir": str(tmp_path / "var")}, "scheduler": {"enabled": False}}
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update(values)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_config(path, environ=env or {})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per session (per xdist worker): each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    _in_thread(_migrate, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[PostgresAdmin]:
    """A migrated template database of this test process; each test gets a database copied from it."""
    admin = PostgresAdmin(PG_URL)
    try:
        yield admin
    finally:
        admin.close()


@pytest.fixture
async def database(
    db_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[str, str | None]]:
    """A migrated, empty database: (URL, PostgreSQL schema) of a temp SQLite file or a PostgreSQL database.

    Both are copies of a database migrated once per session (an SQLite file, a PostgreSQL template), which
    is the same as migrating each: Alembic took 0.4 s (SQLite) and 2-3 s (PostgreSQL) a test under load.
    """
    if db_kind == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}", None
        return
    admin: PostgresAdmin = request.getfixturevalue("pg_admin")
    url = admin.create()
    try:
        yield url, None
    finally:
        admin.drop(url)


@pytest.fixture
async def engine(database: tuple[str, str | None]) -> AsyncIterator[Any]:
    """An engine on the test database."""
    url, schema = database
    eng = make_engine(url, search_path=schema, pool_size=10)
    yield eng
    await eng.dispose()


@pytest.fixture
async def other_engine(database: tuple[str, str | None]) -> AsyncIterator[Any]:
    """A second engine on the same database: what another process would have."""
    url, schema = database
    eng = make_engine(url, search_path=schema, pool_size=10)
    yield eng
    await eng.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


MakeRuntime = Callable[..., Awaitable[Application]]


@pytest.fixture
async def make_runtime(engine: Any, tmp_path: Path, clock: ManualClock) -> AsyncIterator[MakeRuntime]:
    """Build applications on the test database, with test doubles for the models; each is stopped at the end.

    The platform adapters are the real ones, built from `overrides` and the tokens in `env` exactly as in
    production (point `api_base_url` at a fake API). The runtime runs on the system clock (Slack request
    signatures, leases and retries need real time), or with `use_clock` on the test's ManualClock; either
    way the demo data is dated by that clock, so what a test sees does not depend on the calendar day
    (.ci/date_check runs such tests with the wall clock moved to awkward days).
    """
    built: list[Application] = []

    async def factory(
        *,
        overrides: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        parser: Any = None,
        make_parser: Any = None,
        renderer: Any = None,
        actions: Any = None,
        late_warm_ups: tuple[Any, ...] = (),
        seed: bool = True,
        start: bool = True,
        use_clock: bool = False,
    ) -> Application:
        config = make_config(tmp_path, overrides, env)
        nlu = parser or KeywordParser()
        models = Models(
            make_parser=make_parser or (lambda _names: nlu),
            renderer=renderer or EchoRenderer(),
            actions=actions or basic_actions(),
            late_warm_ups=late_warm_ups,
        )
        runtime_clock = clock if use_clock else system_clock
        application = build_application(config, models=models, clock=runtime_clock, engine=engine)
        if seed:
            from bot.seed import is_empty, seed_demo

            if await is_empty(application.store.sessionmaker):  # dated by the clock the runtime runs on
                await seed_demo(application.store.sessionmaker, today=runtime_clock().date())
        if start:
            await application.start()
        built.append(application)
        return application

    yield factory
    for application in built:
        await application.stop()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent
