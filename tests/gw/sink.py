# sink.py - a next hop for the gateway tests (python3-aiosmtpd).
# usage: python3 tests/gw/sink.py PORT DIR [MODE] [--no-8bit] [--utf8]
# Writes each accepted message to DIR/N.eml: "X-Env-From:", one
# "X-Env-Rcpt:" per recipient, "X-Env-Opts:" (MAIL parameters), then the
# content as received. MODE: ok (default), 4xx (every RCPT 451), 5xx
# (RCPT of anything starting with "bad" 550, others ok).
import asyncio, os, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

port, out = int(sys.argv[1]), sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 and not sys.argv[3].startswith("--") else "ok"
utf8 = "--utf8" in sys.argv
no8 = "--no-8bit" in sys.argv
os.makedirs(out, exist_ok=True)

class Handler:
    n = 0
    async def handle_RCPT(self, server, session, envelope, address, opts):
        if mode == "4xx":
            return "451 4.3.0 try again later"
        if mode == "5xx" and address.startswith("bad"):
            return "550 5.1.1 <%s>: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        Handler.n += 1
        name = os.path.join(out, "%d-%d.eml" % (os.getpid(), Handler.n))
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        hdr = "X-Env-From: <%s>\r\n" % envelope.mail_from.strip("<>")
        hdr += "".join("X-Env-Rcpt: <%s>\r\n" % r for r in envelope.rcpt_tos)
        hdr += "X-Env-Opts: %s\r\n" % " ".join(envelope.mail_options)
        with open(name + ".tmp", "wb") as f:
            f.write(hdr.encode("utf-8") + data)
        os.rename(name + ".tmp", name)
        return "250 OK stored"

class NoEightBit(SMTP):
    async def smtp_EHLO(self, hostname):
        # drop 8BITMIME from the EHLO reply
        orig = self.push
        async def push(status):
            if "8BITMIME" in status:
                return
            await orig(status)
        self.push = push
        try:
            await super().smtp_EHLO(hostname)
        finally:
            self.push = orig

class C(Controller):
    def factory(self):
        if no8:
            return NoEightBit(self.handler, enable_SMTPUTF8=utf8, decode_data=False)
        return SMTP(self.handler, enable_SMTPUTF8=utf8, decode_data=False)

c = C(Handler(), hostname="127.0.0.1", port=port)
c.start()
with open(os.path.join(out, ".ready"), "w") as f:
    f.write("ok")
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
finally:
    c.stop()
