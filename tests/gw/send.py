# send.py - an SMTP client for the gateway tests: N messages over one
# connection, each MAIL/RCPT/DATA group pipelined (RFC 2920).
# usage: python3 tests/gw/send.py PORT N FROM TO[,TO...] [--utf8] [--8bit]
#        [--8bit-header] (an 8-bit Subject, declared BODY=8BITMIME)
# Prints the number of messages answered "250 ... queued as".
import socket, sys

port, n, frm, tos = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")
utf8, eight = "--utf8" in sys.argv, "--8bit" in sys.argv
head8 = "--8bit-header" in sys.argv
eight = eight or head8
s = socket.create_connection(("127.0.0.1", port), 10)
f = s.makefile("rb")

def reply():
    while True:
        l = f.readline()
        if not l:
            raise SystemExit("connection closed")
        if l[3:4] != b"-":
            return l.decode("utf-8", "replace").strip()

reply()
s.sendall(b"EHLO client.test\r\n"); reply()
ok = 0
for i in range(n):
    opts = (" SMTPUTF8" if utf8 else "") + (" BODY=8BITMIME" if eight or utf8 else "")
    cmds = "MAIL FROM:<%s>%s\r\n" % (frm, opts)
    cmds += "".join("RCPT TO:<%s>\r\n" % t for t in tos) + "DATA\r\n"
    s.sendall(cmds.encode("utf-8"))
    rs = [reply() for _ in range(len(tos) + 2)]
    if not rs[-1].startswith("354"):
        print("refused:", rs, file=sys.stderr)
        continue
    body = "Subject: msg %d%s\r\nMessage-ID: <m%d@client.test>\r\n\r\nmarker-%d\r\n" % (
        i, " d\u00e9j\u00e0 vu" if head8 else "", i, i)
    if eight or utf8:
        body += "caf\u00e9 na\u00efve\r\n"
    body += ".dot line\r\n"
    s.sendall(body.replace("\r\n.", "\r\n..").encode("utf-8") + b".\r\n")
    r = reply()
    if "queued as" in r:
        ok += 1
    else:
        print("not queued:", r, file=sys.stderr)
s.sendall(b"QUIT\r\n"); reply()
print(ok)
