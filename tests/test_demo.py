"""`python -m server demo` run again: it reuses what it made (README's Quick start promises it)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from server.accounts.auth import Principal
from server.demo import HOST, seed
from server.infra.migrate import upgrade
from server.models import Product, Show, User
from server.models.stores import Store
from server.services import build_services
from tests.support.api import test_settings as settings_for


@pytest.mark.anyio
async def test_a_second_demo_after_its_show_ended_reuses_the_store_and_goes_live_again(tmp_path: Path) -> None:
    """0.8.0 made a second show and a second store of the same name (and a second set of products) once the demo
    show had ended."""
    settings = settings_for(database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    await asyncio.to_thread(upgrade, settings.database_url)  # it runs a loop of its own
    first = await seed(settings)
    services = build_services(settings)
    try:
        async with services.db.session() as session:
            host = (await session.exec(select(User).where(User.email == HOST))).one()
        await services.shows.end(principal=Principal(id=host.id, role="host"), show_id=first.show_id)
        second = await seed(settings)
        third = await seed(settings)
        async with services.db.session() as session:
            stores = (await session.exec(select(Store))).all()
            shows = {show.id: show for show in (await session.exec(select(Show))).all()}
            titles = Counter((await session.exec(select(Product.title))).all())
    finally:
        await services.db.dispose()
    assert [store.id for store in stores] == [first.store_id] == [second.store_id]
    assert second.show_id != first.show_id and shows[first.show_id].status == "ended"
    assert shows[second.show_id].status == "live" and stores[0].show_id == second.show_id
    assert (third.show_id, third.store_id) == (second.show_id, second.store_id)
    assert len(shows) == 2 and set(titles.values()) == {1}, titles
