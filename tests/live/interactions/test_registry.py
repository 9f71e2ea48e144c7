"""The interaction seam (server/live/interactions/) and the event registry (server/realtime/events.py): one
owner per frame type and per key of the show's view, every part gives the keys it declares, every event
class is registered with its traits."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

import server
from server.live.interactions.base import FrameHandler, Interaction, ShowView
from server.live.shows import find
from server.live.ws import handler_table
from server.realtime import events
from server.realtime.events import REGISTRY, Event, traits_of
from tests.support.api import Api

# what the show's view has before any interaction adds to it, and what the socket adds to the snapshot
CORE = {"id", "title", "status", "host", "stream_url", "scheduled_at", "started_at", "ended_at", "viewers",
        "products", "buyer_limit"}
SOCKET = {"seq", "epoch", "recovered", "you"}


async def _nothing(session: Any, frame: dict[str, Any]) -> bytes | None:
    return None


class _Talks(Interaction):
    name = "talks"

    def frames(self) -> Mapping[str, FrameHandler]:
        return {"chat": _nothing}


def test_two_owners_of_a_frame_type_are_refused(memory_api: Api) -> None:
    table = handler_table(memory_api.services.interactions)
    assert set(table) == {"ping", "react", "chat", "pin", "unpin", "buy", "vote", "answer", "enter"}
    with pytest.raises(ValueError, match="'chat' has two owners"):
        handler_table([*memory_api.services.interactions, _Talks()])


def test_keys_of_the_view_have_one_owner(memory_api: Api) -> None:
    owners: dict[str, str] = dict.fromkeys(CORE | SOCKET, "the show")
    for interaction in memory_api.services.interactions:
        for key in (*interaction.show_keys, *interaction.snapshot_keys):
            assert key not in owners, f"{key!r} is {owners[key]}'s and {interaction.name}'s"
            owners[key] = interaction.name
    assert len({i.name for i in memory_api.services.interactions}) == len(memory_api.services.interactions)


def test_each_part_gives_the_keys_it_declares(memory_api: Api) -> None:
    seller, host = memory_api.user("seller"), memory_api.user("host")
    product = memory_api.product(seller)
    show_id = memory_api.live_show(host, [product["id"]])["id"]
    services = memory_api.services

    async def parts() -> list[tuple[Interaction, set[str], set[str]]]:
        async with services.db.session() as session:
            show = await find(session, show_id)
            view = ShowView(session=session, show=show, products=[])
            return [(i, set(await i.show_part(view)), set(await i.snapshot_part(view)))
                    for i in services.interactions]

    for interaction, shown, snapped in memory_api.call(parts):
        assert shown == set(interaction.show_keys), interaction.name
        assert snapped == set(interaction.snapshot_keys), interaction.name
    shows_keys = {k for i in services.interactions for k in i.show_keys}
    snapshot_keys = {k for i in services.interactions for k in i.snapshot_keys}
    assert set(memory_api.client.get(f"/api/shows/{show_id}").json()) == CORE | shows_keys
    with memory_api.client.websocket_connect(f"/ws/shows/{show_id}") as ws:
        snapshot = ws.receive_json()
    assert snapshot["type"] == "snapshot"
    assert set(snapshot["data"]) == CORE | shows_keys | snapshot_keys | SOCKET


def _all_event_classes() -> list[type[Event]]:
    for module in pkgutil.walk_packages(server.__path__, "server."):
        if module.name != "server.__main__":
            importlib.import_module(module.name)
    found, todo = [], list(Event.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def test_every_event_class_is_registered_under_its_type() -> None:
    classes = _all_event_classes()
    # the v1 contract's broadcast events, at least
    assert {c.type for c in classes} >= {"show.started", "show.ended", "product.pinned", "product.unpinned",
                                         "reactions", "viewers", "chat.message", "chat.deleted", "stock", "sale",
                                         "deal.started", "deal.ended"}
    for cls in classes:
        registered = REGISTRY[cls.type]
        # @dataclass(slots=True) makes a second class of the same name: the registry keeps the last one
        assert (registered.__module__, registered.__name__) == (cls.__module__, cls.__name__)


def test_a_type_taken_by_another_class_is_refused() -> None:
    @dataclass(frozen=True, slots=True)
    class First(Event):
        type: ClassVar[str] = "test.registry.taken"

    try:
        with pytest.raises(TypeError, match="is taken by"):
            @dataclass(frozen=True, slots=True)
            class Second(Event):
                type: ClassVar[str] = "test.registry.taken"
    finally:
        REGISTRY.pop("test.registry.taken", None)
        events._TRAITS.pop(b"test.registry.taken", None)


def test_the_hub_reads_each_type_s_traits_off_its_frame() -> None:
    _all_event_classes()
    paced = {name for name, cls in REGISTRY.items() if cls.paced and not name.startswith("test.")}
    kept = {name for name, cls in REGISTRY.items() if cls.keeps_snapshot}
    assert paced == {"reactions", "viewers", "stock", "sale", "poll.results", "quiz.answers",
                     "giveaway.entries"}  # a tick's figures
    # figures a joining socket gets after its snapshot
    assert kept == {"reactions", "poll.results", "quiz.answers", "giveaway.entries"}
    frame = events.broadcast_frame("stock", 7, 0, b"{}")
    assert traits_of(frame).paced and not traits_of(frame).keeps_snapshot
    assert traits_of(events.broadcast_frame("product.pinned", 8, 0, b"{}")) == events.Traits()
    assert traits_of(events.broadcast_frame("from.a.newer.node", 9, 0, b"{}")) == events.UNKNOWN
