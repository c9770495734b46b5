#!/usr/bin/env python3
"""mkseeds_x400.py - write the seed corpora of the X.400 fuzz targets

SYNOPSIS
    python3 fuzz/mkseeds_x400.py [--out DIR]

DESCRIPTION
    Writes the X.400 inputs of spec-x400.md §9 (and a few hand-written
    ones for the constructs the vectors miss) into
        OUT/x400_parse/     selector: form (0 auto, 1 Exchange, 2 RFC 1685,
                            3 std-or) | 0x04 strict
        OUT/rfc2156_map/    selector: 0x01 822 -> X.400, 0x02 algorithmic,
                            0x04 return address, 0x18 X.400 input form
        OUT/ps_decode/      selector: 0x01 passthrough, 0x02 encode mode
    one file per (selector, input), named by the SHA-1 of its contents, as
    fuzz/mkseeds.py does for the address targets. Default --out fuzz/corpus.
"""
import argparse
import hashlib
import os

EXC, R1685, STDOR = 1, 2, 3

X400 = [
    (R1685, "X.400: G=john; S=smith; O=a bank ltd; P=abl; A=snomail; C=aq"),
    (R1685, "/G=john/S=smith/O=a bank ltd/P=abl/A=snomail/C=aq"),
    (R1685, "DDA:RFC-822=fred(a)widget.co.uk; O=gateway; P=abc; C=gb"),
    (R1685, "DDA:a==b=c"),
    (R1685, "DDA:RFC-822=we(a)sell.it; P=internet; A= ; C=xx;"),
    (R1685, "/C=US/A=x/;S=y"),
    (R1685, "T-TY=g3fax; ADMD=x; C=us; PD-C=x"),
    (EXC, "s=Smith;g=John;o=Exchange;p=Contoso;a= ;c=US;"),
    (EXC, "/c=US/a= /p=Contoso/o=P//Q/s=x/"),
    (EXC, "c=US;o=A\\;B;s=x;"),
    (EXC, "c=US;o=A;;B;s=x;"),
    (EXC, "  c=US; a=; p=Contoso;"),
    (EXC, "c=us;a= ;p=ms;o=EX1; dda:ms=ms/po1/admin"),
    (EXC, "c=US;ou2=Sales;"),
    (EXC, "cn=John Smith;x.121=12345;n-id=42;t-id=T1;t-ty=5;"),
    (EXC, "c=US;a= ;p=First Organization;"),
    (EXC, "c=US;;a= ;"),
    (EXC, "x=1;"),
    (EXC, "=x;"),
    (EXC, "c =US;"),
    (EXC, "dda:RFC-822=" + "a" * 130),
    (EXC, "C=US;A= ;P=Org;O=Sales;OU1=a;OU2=b;OU3=c;OU4=d"),
    (EXC, "X400:c=US;a= ;p=A;;B;o=X;"),
    (EXC, "C=TC;A=BTT;O=Widget;OU1=Marketing;S=Linnimouth;I=J;Q=5;"),
    (EXC, "C=GB;A=GOLD 400;P=UK.AC;O=Salford;OU1=R-D;S=Jones;"),
    (EXC, "c=de;a=admd;p=microsoft;o=pss;s=alias;"),
    (EXC, "S=Linnimouth;I=J;Q=5;"),
    (EXC, "G=a=b;S=x;"),
    (STDOR, "/I=J/S=Linnimouth/GQ=5/"),
    (STDOR, "/G=a$=b/S=x/"),
    (STDOR, "/S=x/PRMD=abc/C=gb/"),
    (STDOR, "/S=a$@b/"),
    (STDOR, "S=Support; O=sales;  A=Master400; C=it;"),
    (STDOR, "S=Rossi; DD.cap=20100; DD.ph1=Via Larga 11; DDA.city=Milano;"
            " A=PtPostel; C=it;"),
    (STDOR, "C=zz; ADMD=ade; PRMD=fhbo; O=tlec; S=plork;"),
    (STDOR, "DD.RFC-822=bush(a)dole.us; C=nl; ADMD=tlec; PRMD=GW"),
    (STDOR, "/S=plork/GQ=jr/OU=u/OU=spc ctr/"),
    (STDOR, "/PN=Marshall.M.T.Rose/T-TY=g3fax(5)/DD2.b=2/DD1.a=1/C=gb/"),
    (STDOR, "/CN=yen*{165}/"),
]

RFC822 = [
    "Marshall.Rose@Widget.COM", "Marshall.M.T.Rose@Widget.COM",
    "/I=J/S=Linnimouth/GQ=5/@Widget.COM", "/G=a$=b/S=x/@Widget.COM",
    "/S=x/PRMD=abc/C=gb/@gw.example", "\"/S=a$@b/\"@x.org",
    "@relay.co.uk:userb@host2", "postmaster@UK.alter.net",
    "100%user@work.tlec.nl", "\"/S=plork/GQ=jr/OU=u/OU=spc ctr/\"@owe.tlec.nl",
    "x@microsoft.com", "Joe.Soap@Widget.PTT.XY", "x@ZI.GMD.DE",
    "Smith@ZZ.YY.XX", "Jones@R-D.Salford.AC.UK", "\" x\"@Widget.COM",
]

PS_DEC = ["a demo.", "(q)(u)(p)(q)", "(l)a(r)", "(", "(064)",
          "first(040)u(041)last@domain.com", "100(p)name(a)address",
          "UserA (038) UserB", "(A)(P)(B)(Q)(U)(L)(R)", "(128)", "(12)"]
PS_ENC = ["a demo.", "\"_%\"", "(a)", "100%name@address", "UserA & UserB",
          "@", "\\!", "j\u00f6rg"]


def put(out, name, sel, text):
    data = bytes([sel]) + text.encode("utf-8")
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="fuzz/corpus")
    out = ap.parse_args().out
    for form, text in X400:
        put(out, "x400_parse", form, text)
        put(out, "x400_parse", form | 0x04, text)
        put(out, "x400_parse", 0, text)
        put(out, "rfc2156_map", form << 3, text)
        put(out, "rfc2156_map", (form << 3) | 0x02, text)
    for text in RFC822:
        put(out, "rfc2156_map", 0x01, text)
        put(out, "rfc2156_map", 0x03, text)
        put(out, "rfc2156_map", 0x05, text)
    for text in PS_DEC:
        put(out, "ps_decode", 0x00, text)
        put(out, "ps_decode", 0x01, text)
    for text in PS_ENC:
        put(out, "ps_decode", 0x02, text)


if __name__ == "__main__":
    main()
