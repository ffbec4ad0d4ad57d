"""A real SMTP server on loopback for KammerDesk's tests and benchmarks.

It stores every accepted message as NNNNNN.eml in --store, with the envelope beside it in
NNNNNN.json, and prints "READY <port>" once it listens (--port 0 picks a free port).

Faults are chosen by the recipient's local part, so parallel tests never share state:
  reject…@…        -> 550 5.1.1 at RCPT TO (a permanent refusal)
  tempfail<N>…@…   -> 451 4.7.1 at RCPT TO for the first N attempts to that address, then accepted
  slow<S>…@…       -> waits S seconds before answering DATA (for timeouts); while it waits,
                      the recipient is listed in the file "waiting" of the store, so a test
                      knows the message is on the wire but not yet accepted

TLS: --starttls or --implicit-tls with --cert/--key serve the same store over TLS.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import ssl
import time

from aiosmtpd.smtp import SMTP

TEMPFAIL = re.compile(r"^tempfail(\d+)")
SLOW = re.compile(r"^slow(\d+)")


class Store:
    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        existing = [f for f in os.listdir(directory) if f.endswith(".eml")]
        self.next = len(existing) + 1
        self.tempfail_seen = {}

    def note_waiting(self, rcpt):
        with open(os.path.join(self.directory, "waiting"), "a") as f:
            f.write(rcpt + "\n")

    def save(self, envelope):
        name = f"{self.next:06d}"
        self.next += 1
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "received_at": time.time(),
        }
        # Write beside, then rename: a reader never sees half a message.
        for ext, data in ((".json", json.dumps(meta).encode()), (".eml", envelope.original_content)):
            tmp = os.path.join(self.directory, f".{name}{ext}.tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(self.directory, name + ext))
        return name


class Handler:
    def __init__(self, store):
        self.store = store

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown (test)" % address
        m = TEMPFAIL.match(local)
        if m:
            seen = self.store.tempfail_seen.get(address.lower(), 0)
            if seen < int(m.group(1)):
                self.store.tempfail_seen[address.lower()] = seen + 1
                return "451 4.7.1 <%s>: Greylisted, please try again later (test)" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            m = SLOW.match(rcpt.split("@", 1)[0].lower())
            if m:
                self.store.note_waiting(rcpt)
                await asyncio.sleep(int(m.group(1)))
        name = self.store.save(envelope)
        return "250 2.0.0 Ok: queued as %s" % name


def tls_context(args):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)
    return ctx


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--store", required=True)
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    handler = Handler(Store(args.store))
    ctx = tls_context(args) if (args.starttls or args.implicit_tls) else None

    def factory():
        if args.starttls:
            return SMTP(handler, hostname="localhost", tls_context=ctx, require_starttls=True)
        return SMTP(handler, hostname="localhost")

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, host=args.host, port=args.port, ssl=ctx if args.implicit_tls else None, reuse_address=True
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
