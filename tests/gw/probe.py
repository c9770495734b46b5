# probe.py - one SMTP transaction for the rewriting tests, one command
# at a time so every RCPT reply can be checked.
# usage: python3 tests/gw/probe.py PORT FROM TO [TO...] [--header "Name: value"]...
#        [--file MESSAGE]   (send MESSAGE, CR LF lines, instead of a made-up one)
# Prints "RCPT <to> <reply>" per recipient and "DATA <reply>" (or
# "DATA skipped" when no recipient was accepted).
import socket, sys

args = sys.argv[1:]
port, frm = int(args[0]), args[1]
tos, headers, msgfile = [], [], None
i = 2
while i < len(args):
    if args[i] == "--header":
        headers.append(args[i + 1]); i += 2
    elif args[i] == "--file":
        msgfile = args[i + 1]; i += 2
    else:
        tos.append(args[i]); i += 1
s = socket.create_connection(("127.0.0.1", port), 10)
f = s.makefile("rb")

def reply():
    while True:
        l = f.readline()
        if not l:
            raise SystemExit("connection closed")
        if l[3:4] != b"-":
            return l.decode("utf-8", "replace").strip()

def cmd(c):
    s.sendall(c.encode("utf-8") + b"\r\n")
    return reply()

reply()
cmd("EHLO client.test")
print("MAIL", cmd("MAIL FROM:<%s>" % frm))
ok = 0
for t in tos:
    r = cmd("RCPT TO:<%s>" % t)
    print("RCPT", t, r)
    ok += r.startswith("250")
if ok:
    r = cmd("DATA")
    if r.startswith("354"):
        if msgfile:
            raw = open(msgfile, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            if not raw.endswith(b"\r\n"):
                raw += b"\r\n"
            raw = (b"\r\n" + raw).replace(b"\r\n.", b"\r\n..")[2:]
            s.sendall(raw + b".\r\n")
        else:
            body = "".join(h + "\r\n" for h in headers)
            body += "Subject: probe\r\nMessage-ID: <probe@client.test>\r\n\r\nprobe body\r\n.\r\n"
            s.sendall(body.encode("utf-8"))
        r = reply()
    print("DATA", r)
else:
    print("DATA skipped")
cmd("QUIT")
