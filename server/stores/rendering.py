"""Drawing codes and label sheets away from the event loop. A QR code takes about 7 ms of pure Python, a sheet
of 400 labels about 3 s: drawn on the loop, four sheets at once held a pin for 3 s (issue 16). They are drawn
in a process of their own per worker (the GIL would let a thread take the loop's time all the same), at most
`waiting` requests queue for it (more get 503 `busy`), and what was drawn is kept: a code for its URL, a
sheet for exactly its labels."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import multiprocessing
import os
import signal
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from server.errors import DomainError
from server.stores import labels, qr

T = TypeVar("T")


def _background() -> None:
    """The drawing process yields the CPU to the workers: a sheet may take longer, a pin must not. It leaves
    Ctrl-C to the server (the terminal sends SIGINT to the whole group): the server's shutdown closes the
    pool, where the worker's own KeyboardInterrupt printed a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


NICENESS = 15


class Busy(DomainError):
    status = 503
    code = "busy"


class Drawn:
    """An LRU of what was drawn, by key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: str, value: bytes) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class Renderer:
    def __init__(self, *, processes: int = 1, waiting: int = 8, codes: int = 4096, sheets: int = 16) -> None:
        self.processes = processes
        self.waiting = waiting
        self._pool: ProcessPoolExecutor | None = None
        self._queued = 0
        self._codes = Drawn(codes)
        self._sheets = Drawn(sheets)

    async def png(self, url: str) -> bytes:
        return await self._drawn(self._codes, f"png:{url}", qr.png, url)

    async def svg(self, url: str) -> bytes:
        return await self._drawn(self._codes, f"svg:{url}", qr.svg, url)

    async def sheet(self, store_name: str, items: list[labels.Label], lang: str = "en") -> bytes:
        key = hashlib.sha256(repr((store_name, items, lang)).encode()).hexdigest()
        return await self._drawn(self._sheets, key, labels.sheet, store_name, items, lang)

    async def _drawn(self, cache: Drawn, key: str, draw: Callable[..., bytes], *args: Any) -> bytes:
        found = cache.get(key)
        if found is None:
            found = await self._in_pool(draw, *args)
            cache.put(key, found)
        return found

    async def _in_pool(self, draw: Callable[..., T], *args: Any) -> T:
        if self._queued >= self.waiting + self.processes:
            raise Busy("too many codes and label sheets are being drawn: try again in a few seconds")
        if self._pool is None:
            # spawn: a fork of a process with threads (the database driver's) is not safe
            self._pool = ProcessPoolExecutor(max_workers=self.processes, initializer=_background,
                                             mp_context=multiprocessing.get_context("spawn"))
        self._queued += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, draw, *args)
        finally:
            self._queued -= 1

    async def close(self) -> None:
        """Waiting sheets are cancelled and the one being drawn finishes; the pool's own thread is joined, so that
        nothing of it is left for the interpreter's exit (a pool shut down without waiting raced its exit hook:
        OSError "Bad file descriptor" printed after a Ctrl-C)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
