#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A TCP relay on loopback that makes an S3 server look far away.

    slow_s3_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS

Listens on 127.0.0.1:LISTEN_PORT and relays every connection to 127.0.0.1:TARGET_PORT. What the
client sends goes through at once; every byte the server sends back reaches the client DELAY_MS
later, in order and at the server's own rate. So each request waits DELAY_MS longer for its
answer (an `Expect: 100-continue` PUT twice: for the 100 and for the status), as behind a link with
that round-trip time, while large bodies still stream at full speed. Prints "ready" once it
listens; runs until killed.
"""

import asyncio
import sys
import time


async def relay_now(reader, writer):
    try:
        while chunk := await reader.read(1 << 16):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def relay_late(reader, writer, delay):
    # Each chunk is due `delay` after it arrived; a second task sends them when due, so chunks
    # arriving meanwhile are not held up behind the one waiting.
    due = asyncio.Queue()

    async def send():
        while (item := await due.get()) is not None:
            at, chunk = item
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            writer.write(chunk)
            await writer.drain()

    sender = asyncio.create_task(send())
    try:
        while chunk := await reader.read(1 << 16):
            due.put_nowait((time.monotonic() + delay, chunk))
    except ConnectionError:
        pass
    due.put_nowait(None)
    try:
        await sender
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main():
    if len(sys.argv) != 4:
        sys.exit("usage: slow_s3_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS")
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    delay = float(sys.argv[3]) / 1000.0

    async def accept(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(relay_now(client_reader, server_writer),
                             relay_late(server_reader, client_writer, delay))

    server = await asyncio.start_server(accept, "127.0.0.1", listen_port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
