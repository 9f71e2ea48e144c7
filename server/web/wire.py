"""Moved to server/realtime/wire.py in 0.7.0. This alias keeps `--ws server.web.wire:WireProtocol` (as 0.6
documented it) working for one release; it goes in 0.8."""

from server.realtime.wire import WireProtocol as WireProtocol

__all__ = ["WireProtocol"]
