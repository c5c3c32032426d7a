"""The PostgreSQL server for tests that need one.

CI starts a throwaway server and exports ``KPIRULES_TEST_PG_URL`` (a
SQLAlchemy URL, e.g. ``postgresql+psycopg://postgres@127.0.0.1:54329/kpitest``).
Without it a PostgreSQL test *fails*, so that a CI without the server cannot
pass silently; set ``KPIRULES_SKIP_PG=1`` to skip them on purpose.

Each test gets a schema of its own, dropped afterwards, so that tests may run
in parallel against one database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

ENV_URL = "KPIRULES_TEST_PG_URL"
ENV_SKIP = "KPIRULES_SKIP_PG"


def pg_url() -> str:
    """The server's URL; fails the test when unset (skips with KPIRULES_SKIP_PG=1)."""
    url = os.environ.get(ENV_URL)
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    if os.environ.get(ENV_SKIP) == "1":
        pytest.skip(f"{ENV_SKIP}=1: PostgreSQL tests skipped on purpose")
    pytest.fail(f"{ENV_URL} is not set: start a PostgreSQL server for the tests "
                f"(see docs/jobs.md), or set {ENV_SKIP}=1 to skip them on purpose")


@pytest.fixture
def pg_schema() -> Iterator[tuple[str, str]]:
    """``(url, schema)``: a fresh schema on the test server, dropped afterwards."""
    import sqlalchemy as sa

    url = pg_url()
    schema = f"kpitest_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
