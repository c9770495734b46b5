#!/usr/bin/env python3
"""mkseeds.py - write the seed corpora of the address fuzz targets

SYNOPSIS
    python3 fuzz/mkseeds.py [--spec PATH] [--corpora DIR] [--out DIR]

DESCRIPTION
    Collects every input of the worked examples of spec-address.md §6 and
    of every external suite (CORPORA/*/*.tsv, unescaped as CORPORA/README.md
    says), adds hand-written inputs for the constructs those miss, and
    writes one file per (selector octet, input) pair into
        OUT/envelope_path/     first octet: fuzz/envelope_path.c selector
        OUT/header_addrlist/   first octet: fuzz/header_addrlist.c selector
    named by the SHA-1 of the contents (libFuzzer's own convention), so
    re-running is idempotent and duplicates collapse. Each input gets its
    natural selector (the mode the spec or suite uses) plus, for the spec
    examples, the hand-written inputs and one in four suite inputs, a
    variant chosen by hash. Files already there are kept: fuzzer finds merged in with
    -merge=1 survive a re-run.

    Defaults: --spec /work/shared/docs/spec-address.md,
    --corpora /work/shared/corpora, --out fuzz/corpus.
"""
import argparse
import glob
import hashlib
import os
import re
import sys

# Selector bits (see the head comments of the two targets).
E_LENIENT, E_UTF8, E_FORWARD, E_ULABEL, E_7BIT = 0x01, 0x02, 0x04, 0x08, 0x10
H_LENIENT, H_UTF8, H_2047, H_ULABEL, H_7BIT = 0x01, 0x02, 0x04, 0x40, 0x80
P_ADDR_SPEC, P_MAILBOX, P_ADDRESS, P_MAILBOX_LIST, P_ADDRESS_LIST = range(5)


def hsel(prod, flags):
    return (prod << 3) | flags


def unescape_tsv(s):
    """The C-like escapes of corpora/README.md -> bytes."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != '\\' or i + 1 == len(s):
            out += c.encode('utf-8')
            i += 1
            continue
        n = s[i + 1]
        if n == '\\':
            out += b'\\'
            i += 2
        elif n == 't':
            out += b'\t'
            i += 2
        elif n == 'r':
            out += b'\r'
            i += 2
        elif n == 'n':
            out += b'\n'
            i += 2
        elif n == 'x':
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif n == 'u':
            cp = int(s[i + 2:i + 6], 16)
            out += chr(cp).encode('utf-8', 'surrogatepass')
            i += 6
        else:
            out += c.encode('utf-8')
            i += 1
    return bytes(out)


SPEC_OCTETS = {'CR': b'\r', 'LF': b'\n', 'HT': b'\t', 'NUL': b'\0',
               'BEL': b'\x07', 'DEL': b'\x7f'}


def unescape_spec(s):
    """The ⟨...⟩ notation of spec-address.md §0 -> bytes."""
    def one(m):
        t = m.group(1)
        if t in SPEC_OCTETS:
            return SPEC_OCTETS[t].decode('latin-1')
        if t.startswith('x'):
            return chr(int(t[1:], 16))
        if t.startswith('U+'):
            return chr(int(t[2:], 16)).encode('utf-8').decode('latin-1')
        raise ValueError(t)
    # Work in latin-1 so that raw octets survive; literal text is UTF-8.
    lat = s.encode('utf-8').decode('latin-1')
    lat = re.sub('\u00e2\u009f\u00a8(.*?)\u00e2\u009f\u00a9', one, lat)
    return lat.encode('latin-1')


def spec_rows(path):
    """(mode, input) for each §6 row whose input is one code span."""
    rows = []
    in6 = False
    row = re.compile(r'^\| (\d+) \| [^|]* \| ([^|]*) \| `(.*?)` \| '
                     r'(VALID|RFC5321|CFWS|DEPRECATED|RFC5322|ERROR) \|')
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('## 6'):
                in6 = True
            elif line.startswith('## 7'):
                break
            if not in6:
                continue
            m = row.match(line)
            if m and '` + ' not in m.group(3):
                rows.append((m.group(2).strip(), unescape_spec(m.group(3))))
    return rows + SPEC_DESCRIBED


def _label_domain(total, label=63):
    """A domain of exactly total octets made of labels of <= label octets."""
    parts, left = [], total
    while left > label + 1:
        parts.append(b'd' * label)
        left -= label + 1
    parts.append(b'd' * left)
    return b'.'.join(parts)


# §6 rows whose input is described rather than quoted.
SPEC_DESCRIBED = [
    ('H', b'a' * 65 + b'@iana.org'),                                  # 21
    ('H', b'"' + b'a' * 60 + b'g\\h"@iana.org'),                     # 22
    ('H', b'test@' + b'x' * 64 + b'.com'),                            # 23
    ('H', b'a' * 64 + b'@' + _label_domain(190)),                     # 24
    ('H', b'a@' + _label_domain(256)),                                # 25
    ('H', b'a@' + _label_domain(255)),                                # 26
    ('H+u', b'my.\xef\xac\xac.address@' + _label_domain(237)),        # 114
    ('H+u', b'\xf0\x9f\x98\x86' * 17 + b'@iana.org'),                # 116
]


def tsv_inputs(corpora):
    """(suite, input, note) for every line of every suite."""
    for path in sorted(glob.glob(os.path.join(corpora, '*', '*.tsv'))):
        suite = os.path.basename(os.path.dirname(path))
        with open(path, encoding='utf-8') as f:
            for line in f:
                line = line.rstrip('\n')
                if not line:
                    continue
                parts = line.split('\t')
                yield suite, unescape_tsv(parts[0]), parts[2] if len(parts) > 2 else ''


def header_mode_sel(mode):
    """Spec §6 mode (H, M+s, L+u+d, ...) -> header selector, or None."""
    base, _, extra = mode.partition('+')
    opts = set(mode.split('+')[1:])
    prod = {'H': P_ADDR_SPEC, 'M': P_MAILBOX, 'L': P_ADDRESS_LIST}.get(base)
    if prod is None:
        return None
    flags = 0 if 's' in opts else H_LENIENT
    if 'u' in opts:
        flags |= H_UTF8
    if 'd' in opts:
        flags |= H_2047
    return hsel(prod, flags)


def natural_header_sel(suite, data, note):
    """The setting spec §7 gives each suite."""
    u = H_UTF8
    if suite == 'isemail':
        return hsel(P_ADDR_SPEC, H_LENIENT)
    if suite == 'hapi-isemail':
        return hsel(P_ADDR_SPEC, H_LENIENT | u)
    if suite == 'go-net-mail':
        if 'ParseAddress' in note or 'TestAddressParsingError' in note:
            return hsel(P_MAILBOX, H_LENIENT | u | H_2047)
        return hsel(P_ADDRESS_LIST, H_LENIENT | u | H_2047)
    if suite in ('python-email-validator', 'validator-js'):
        prod = P_MAILBOX if b'<' in data else P_ADDR_SPEC
        return hsel(prod, u)
    if suite == 'email-addresses':
        prod = P_ADDRESS if 'parseOneAddress' in note else P_ADDRESS_LIST
        return hsel(prod, H_LENIENT | u)
    if suite == 'rfc-examples':
        prod = P_ADDRESS_LIST if 'RFC5322' in note or '5322' in note[:12] \
            else P_ADDR_SPEC
        return hsel(prod, H_LENIENT | u)
    return hsel(P_ADDRESS_LIST, H_LENIENT | u | H_2047)


def variant(data, salt, choices):
    """A deterministic pick among choices, by the input's hash."""
    h = hashlib.sha1(salt + data).digest()
    return choices[h[0] % len(choices)]


# Hand-written inputs for constructs the suites and examples miss.
ENV_EXTRA = [
    b'<>', b'<Postmaster>', b'<postmaster>', b'<POSTMASTER>', b'<Postmaster@example.com>',
    b'<postmaster@[127.0.0.1]>', b'<@a.example:u@b.example>',
    b'<@a.example,@b.example,@c.example:u@d.example>', b'<@[1.2.3.4]:u@d.example>',
    b'<@a_b.example:u@d.example>', b'<@:u@d.example>', b'<@a.example,u@d.example>',
    b'<u@[192.0.2.1]>', b'<u@[IPv6:2001:db8::1]>', b'<u@[IPv6:::ffff:192.0.2.1]>',
    b'<u@[IPv6:2001:db8:0:0:1:0:0:1]>', b'<u@[ipv6:0:0:0:0:0:0:0:0]>',
    b'<u@[IPv6:1:2:3:4:5:6:7::]>', b'<u@[IPv6:1::2::3]>', b'<u@[IPv6:1:2:3:4:5:6:7:8:9]>',
    b'<u@[IPv6:12345::]>', b'<u@[IPv6::1]>', b'<u@[IPv6:1:]>', b'<u@[IPv6:1:2:3:4:5:6:1.2.3.4]>',
    b'<u@[IPv6:::1.2.3.4]>', b'<u@[IPv6:1::1.2.3.004]>', b'<u@[x-tag:foo]>', b'<u@[X-Tag:a:b]>',
    b'<u@[256.1.1.1]>', b'<u@[1.2.3]>', b'<u@[001.002.003.004]>', b'<u@[a b]>', b'<u@[a\\]b]>',
    b'<u@[\xc3\xa9]>', b'<u@[]>', b'<u@[', b'<u@[1.2.3.4]x>', b'<"a b"@example.com>',
    b'<"a\\"b"@example.com>', b'<"a\\\\b"@example.com>', b'<"\\a"@example.com>',
    b'<""@example.com>', b'<"a\tb"@example.com>', b'<"a\x00b"@example.com>', b'<"a\\',
    b'<"\xc3\xa9"@example.com>', b'<"\\\xc3\xa9"@example.com>', b'<\xc3\xa9@example.com>',
    b'<u@\xc3\xa9xample.com>', b'<u@xn--fiqq24b10vi0d.tw>', b'<u@xn--0.tld>',
    b'<u@\xe3\x80\x82example.com>', b'<u@a\xef\xbc\x8eexample.com>', b'<u@B\xc3\x9cCHER.DE>',
    b'<u@a--b.example>', b'<u@ab--c.example>', b'<u@-a.example>', b'<u@a-.example>',
    b'<u@a.123>', b'<u@localhost>', b'<u@a..b>', b'<u@.a>', b'<u@a.>', b'<.u@a.b>',
    b'<u.@a.b>', b'<u..v@a.b>', b'<u@a.b> x', b'<u@a.b>>', b'<<u@a.b>', b'u@a.b',
    b'<u@a.b', b'<u a@b.c>', b'<u(c)@a.b>', b'<u@a.b\r\n>', b'<u@>', b'<@a.b>', b'<u>',
    b'<u@@a.b>', b'<"u>"@a.b>', b'<u@a\x00.b>', b'<\xed\xa0\x80@a.b>', b'<\xc0\xaf@a.b>',
    b'<\xf4\x90\x80\x80@a.b>', b'<\xe2\x80\xa8@a.b>', b'<\xc2\x80x@a.b>', b'<s\xcc\xa3\xcc\x87@a.b>',
    b'<' + b'a' * 64 + b'@example.com>', b'<' + b'a' * 65 + b'@example.com>',
    b'<a@' + b'b' * 63 + b'.com>', b'<a@' + b'b' * 64 + b'.com>',
    b'<a@' + b'.'.join([b'b' * 63] * 4) + b'>',
    b'<' + b'a' * 64 + b'@' + b'.'.join([b'b' * 60] * 3) + b'.cc>',
    b'<@' + b'r' * 60 + b'.example,@' + b'r' * 60 + b'.example:' + b'a' * 60 + b'@' +
    b'd' * 60 + b'.example>',
    b'<a@' + b'.'.join([b'\xc3\xa9' * 20] * 4) + b'>',
]

HDR_EXTRA = [
    b'Undisclosed recipients:;', b'A Group:a@b.example,c@d.example;, e@f.example',
    b'g: a@b.example, ; x@y.example', b'g:,,a@b.example,,;', b'g:(c);', b'g:a@b.example',
    b'g1: g2: a@b.example;;', b'"quoted group":;', b'=?utf-8?q?G=C3=B6?=:;', b'g:;x',
    b'g:; , h:;', b'a@b.example, , c@d.example,', b', a@b.example', b',,', b' ',
    b'', b'(comment only)', b'a@b.example (c1) (c2)', b'(a(b(c)))a@b.example',
    b'a@b.example (unclosed', b'a(\\()@b.example', b'"a\r\n b"@c.example',
    b'a@b.example\r\n ', b'a@b.example\r\n', b'a@b.example\r\n\r\n ', b'a@b\r.example',
    b'a@b.example\n', b'\r\n a@b.example', b'a \r\n \r\n .b@c.example',
    b'John "the Man" Doe <j@d.example>', b'"John\\\\Doe" <j@d.example>',
    b'John.Q.Doe <j@d.example>', b'"" <a@b.example>', b'<a@b.example>',
    b'Name <a@b.example> (trailing comment)', b'Name <a@b.example> x', b'Name < a @ b . example >',
    b'Name <@r1.example,@r2.example:a@b.example>', b'Name <@r1.example,,@r2.example:a@b.example>',
    b'Name <@:a@b.example>', b'Name <a@b.example', b'Name a@b.example', b'Name <>',
    b'Name <"a b"@[1.2.3.4]>', b'a@[ 1.2.3.4 ]', b'a@[1.2.3.4\r\n ]', b'a@[\x01]', b'a@[\\a]',
    b'a@[IPv6:1::1]', b'a@[IPv6:1:2:3:4:5:6::7]', b'a@[IPv6:::ffff:1.2.3.4]', b'a@[x:y]',
    b'"a"."b"@c.example', b'a."b".c@d.example', b'"a" . b@c.example', b'a . b @ c . example',
    b'a.(x)b@c.example', b'"\x07"@a.example', b'"\\\x07"@a.example', b'(\x07)a@b.example',
    b'"\x7f"@a.example', b'a\x7f@b.example', b'"a\\\r"@b.example', b'"a\\\n"@b.example',
    b'=?utf-8?q?J=C3=B6rg?= <j@e.example>', b'=?UTF-8?B?SsO2cmc=?= <j@e.example>',
    b'=?utf-8?b?SsO2cmc?= <j@e.example>', b'=?utf-8*en?q?x?= <j@e.example>',
    b'=?x-unknown?q?x?= <j@e.example>', b'=?utf-8?x?abc?= <j@e.example>',
    b'=?utf-8?b?!!!?= <j@e.example>', b'=?utf-8?q?=ZZ?= <j@e.example>',
    b'=?utf-8?q?a=00b?= <j@e.example>', b'=?utf-8?q?a?= =?utf-8?q?b?= c <j@e.example>',
    b'=?utf-8?q?a?=\r\n =?utf-8?q?b?= <j@e.example>', b'"=?utf-8?q?a?=" <j@e.example>',
    b'=?windows-1252?q?=80?= <j@e.example>', b'=?shift_jis?b?gqA=?= <j@e.example>',
    b'=?iso-2022-jp?b?GyRCJCIbKEI=?= <j@e.example>', b'=??q?x?= <j@e.example>',
    b'=?utf-8?q??= <j@e.example>', b'=?utf-8?q?_?= <j@e.example>',
    b'\xc3\xa9 <a@b.example>', b'"\xc3\xa9" <a@b.example>', b'(\xc3\xa9)a@b.example',
    b'\xc2\x80 <a@b.example>', b'"\xc2\x85"@a.example', b'\xe2\x80\xa8x <a@b.example>',
    b'e\xcc\x81 <a@b.example>', b'\xc3\xa9@\xc3\xa9.example', b'a@\xef\xbd\x81.example',
    b'a@xn--fa-hia.de', b'a@fa\xc3\x9f.de', b'a@\xe2\x92\x88.com', b'a@1\xd7\x90.example',
    b'a@a\xe2\x80\x8cb.example', b'a@\xcc\x80', b'a@\xe3\x80\x82', b'a@b.\xe3\x80\x82',
    b'a@xn--.example', b'a@xn--a-.example', b'a@XN--FIQQ24B10VI0D.TW', b'a@ab--cd.example',
    b'a@' + b'x' * 64 + b'.example', b'a' * 65 + b'@b.example',
    b'"' + b'a' * 62 + b'\\b"@c.example', b'a@' + b'.'.join([b'b' * 63] * 4),
    b'a@' + b'.'.join([b'\xc3\xa9' * 30] * 3),
    b'Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>',
    b'Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>',
]


def write(outdir, content, written):
    name = hashlib.sha1(content).hexdigest()
    path = os.path.join(outdir, name)
    if name not in written:
        written.add(name)
        if not os.path.exists(path):
            with open(path, 'wb') as f:
                f.write(content)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--spec', default='/work/shared/docs/spec-address.md')
    ap.add_argument('--corpora', default='/work/shared/corpora')
    ap.add_argument('--out', default='fuzz/corpus')
    a = ap.parse_args()

    env_dir = os.path.join(a.out, 'envelope_path')
    hdr_dir = os.path.join(a.out, 'header_addrlist')
    os.makedirs(env_dir, exist_ok=True)
    os.makedirs(hdr_dir, exist_ok=True)
    env, hdr = set(), set()

    def add_env(data, natural):
        write(env_dir, bytes([natural]) + data, env)
        write(env_dir, bytes([variant(data, b'e', [0x00, 0x01, 0x02, 0x04,
                                                   0x05, 0x06, 0x0f, 0x1e])]) + data, env)

    def add_hdr(data, natural, extra=True):
        write(hdr_dir, bytes([natural]) + data, hdr)
        if extra:
            v = variant(data, b'h', [hsel(P_ADDRESS_LIST, H_LENIENT | H_UTF8 | H_2047),
                                     hsel(P_MAILBOX_LIST, H_UTF8 | H_2047 | H_7BIT),
                                     hsel(P_ADDRESS, H_LENIENT | H_2047 | H_ULABEL),
                                     hsel(P_MAILBOX, H_LENIENT | H_UTF8 | H_7BIT),
                                     hsel(P_ADDR_SPEC, H_UTF8 | H_ULABEL),
                                     hsel(P_ADDRESS_LIST, 0)])
            write(hdr_dir, bytes([v]) + data, hdr)

    # Spec §6: exact mode, plus variants.
    for mode, data in spec_rows(a.spec):
        base = mode.split('+')[0]
        if base in ('R', 'F'):
            sel = E_FORWARD if base == 'F' else 0
            add_env(data, sel | E_UTF8)
            write(env_dir, bytes([sel ^ E_FORWARD]) + data, env)
            write(env_dir, bytes([sel | E_LENIENT]) + data, env)
        else:
            add_hdr(data, header_mode_sel(mode))
            inner = data if data.startswith(b'<') else b'<' + data + b'>'
            write(env_dir, bytes([E_FORWARD | E_UTF8 | E_LENIENT]) + inner, env)

    # External suites: natural setting plus one variant; envelope: <input>.
    for suite, data, note in tsv_inputs(a.corpora):
        # A variant for one input in four keeps the corpus, with what
        # fuzzing added (-merge=1 -use_counters=0), under 2000 files.
        add_hdr(data, natural_header_sel(suite, data, note),
                variant(data, b'x', [True, False, False, False]))
        inner = data if data.startswith(b'<') else b'<' + data + b'>'
        write(env_dir, bytes([variant(data, b'n', [0x06, 0x07, 0x03, 0x02])]) + inner, env)

    for data in ENV_EXTRA:
        add_env(data, E_FORWARD | E_UTF8)
    for data in HDR_EXTRA:
        add_hdr(data, hsel(P_ADDRESS_LIST, H_LENIENT | H_UTF8 | H_2047), False)
        add_hdr(data, hsel(P_MAILBOX, H_LENIENT | H_UTF8 | H_2047 | H_7BIT), False)

    print('envelope_path: %d inputs, header_addrlist: %d inputs' % (len(env), len(hdr)),
          file=sys.stderr)


if __name__ == '__main__':
    main()
