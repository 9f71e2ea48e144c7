"""Fixtures of the accounts' tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.api import Api, make_api
from tests.support.api import test_settings as settings_for


@pytest.fixture
def two_nodes(pg_url: str, redis_url: str) -> Iterator[tuple[Api, Api]]:
    """Two apps sharing Redis and PostgreSQL, as two nodes do."""
    settings = settings_for(database_url=pg_url, redis_url=redis_url)
    first, second = make_api(settings), make_api(settings)
    yield next(first), next(second)
    for done in (first, second):
        with pytest.raises(StopIteration):
            next(done)
