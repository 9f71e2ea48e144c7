"""What "a backing service is unavailable" looks like from here: the exceptions a lost, stopped, restarted
or overloaded Redis or PostgreSQL raises. They become a 503 `unavailable` over HTTP, an `unavailable` error
frame (with the purchase's key) on a socket, and a 1013 "try again later" close for a socket that cannot
join; never a 500, an `internal`, or a socket dropped without a word."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class ChannelUnavailable(RuntimeError):
    """A show's channel could not subscribe to the bus."""


OUTAGES: tuple[type[BaseException], ...] = (
    RedisConnectionError, RedisTimeoutError,  # Redis down, restarting, or not answering in time
    OperationalError, InterfaceError,  # PostgreSQL (or SQLite) gone, restarting, or its connection broken
    PoolTimeout,  # every database connection busy: overloaded
    ChannelUnavailable,
    OSError,  # ConnectionResetError, ConnectionRefusedError, TimeoutError (asyncio's too) from the drivers
)
