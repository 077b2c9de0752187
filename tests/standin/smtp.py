#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests (aiosmtpd, python3-aiosmtpd).

Each message received is written to DIR/N.eml (the raw DATA, CRLF kept)
with its envelope recipients in DIR/N.rcpt, N counting from 1. The port
chosen is written to portfile once the server listens. The server offers
no STARTTLS (it has no certificate).

With the mode cleartext-auth it also offers AUTH without TLS and accepts
any login, as a careless server would: each login is appended to
DIR/cleartext-auth as "MECHANISM LOGIN", so a test sees that a password
went in clear text (the password itself is not written).

usage: smtp.py portfile dir [cleartext-auth]
"""
import asyncio
import os
import socket
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


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


def cleartext_login(server, session, envelope, mechanism, auth_data):
    """Take any login, and note that it came in clear text."""
    login = getattr(auth_data, "login", b"") or b""
    with open(os.path.join(sys.argv[2], "cleartext-auth"), "a") as f:
        f.write("%s %s\n" % (mechanism, login.decode(errors="replace")))
    return AuthResult(success=True)


def main():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    extra = {}
    if len(sys.argv) > 3 and sys.argv[3] == "cleartext-auth":
        extra = {"authenticator": cleartext_login, "auth_require_tls": False}
    ctl = Controller(Keep(), hostname="127.0.0.1", port=port, **extra)
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
