"""A small TCP load balancer for the scale-out benchmark: round robin per connection over loopback backends.

    .venv/bin/python bench/proxy.py LISTEN_PORT BACKEND_PORT [BACKEND_PORT …]

It only ever connects to 127.0.0.1. Layer 4, like a load balancer in TCP mode: a keep-alive client stays on
the replica its connection reached, which is all a stateless replica needs (sessions live in the database).
"""

from __future__ import annotations

import asyncio
import itertools
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(listen: int, backends: list[int]) -> None:
    """Serve until killed."""
    turn = itertools.cycle(backends)

    async def accept(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", next(turn))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer))

    server = await asyncio.start_server(accept, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), [int(port) for port in sys.argv[2:]]))
