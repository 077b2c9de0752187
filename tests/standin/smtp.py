#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests (aiosmtpd, python3-aiosmtpd).

Each message received is written to DIR/N.eml (the raw DATA, CRLF kept)
with its envelope recipients in DIR/N.rcpt, N counting from 1. The port
chosen is written to portfile once the server listens.

usage: smtp.py portfile dir
"""
import asyncio
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Keep:
    n = 0

    async def handle_DATA(self, server, session, envelope):
        Keep.n += 1
        base = os.path.join(sys.argv[2], str(Keep.n))
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos) + "\n")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted for delivery"


def main():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    ctl = Controller(Keep(), hostname="127.0.0.1", port=port)
    ctl.start()
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        ctl.stop()


if __name__ == "__main__":
    main()
