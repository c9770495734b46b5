#!/usr/bin/env python3
"""mkdirectory.py - write testdata/sample/directory.ldif

A fictional company directory for the tests, the README examples and the
gateway's embedded default: 32 mailboxes, contacts, nested groups with a
cycle (Engineering -> QA -> Engineering), secondary SMTP domains, X400 and
X500 proxies, non-ASCII names, delivery restrictions, a hidden mailbox.
The output is in libaddr's writer form (spec-directory.md §6.5), so
addrdir reproduces it byte for byte. Run: python3 mkdirectory.py > directory.ldif
"""
import base64
import sys
import unicodedata

BASE = "DC=example,DC=com"
STAFF = "OU=Staff," + BASE
CONTACTS = "OU=Contacts," + BASE
DLS = "OU=Distribution Lists," + BASE
SITE_X400 = "C=US;A= ;P=Example;O=HQ;"
LEGDN = "/o=Example/ou=HQ/cn=Recipients/cn="
OLD_DN = "/o=Example/ou=Boston/cn=Recipients/cn="


def needs_b64(v):
    b = v.encode()
    if not b:
        return False
    if b[0] in b" :<" or b[-1:] == b" ":
        return True
    return any(c in (0, 10, 13) or c >= 0x80 for c in b)


def put(out, name, v):
    if needs_b64(v):
        line = name + ":: " + base64.b64encode(v.encode()).decode()
    elif v == "":
        line = name + ":"
    else:
        line = name + ": " + v
    w = 78
    while len(line) > w:
        out.append(line[:w])
        line = " " + line[w:]
        w = 78
    out.append(line)


def ascii_fold(s):
    s = s.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    s = s.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue").replace("ø", "o").replace("Ø", "O")
    s = s.replace("å", "a").replace("Å", "A").replace("æ", "ae")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if ord(c) < 128)


def ps(s):
    ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?"
    return "".join(c for c in ascii_fold(s) if c in ok)


PEOPLE = [
    # given, initials, surname, alias, secondary domain, old X500?
    ("John", "Q", "Doe", "jdoe", "example.org", True),
    ("Jane", "", "Doe", "jane.doe", "example.org", False),
    ("Zoë", "", "Çelik", "zoe.celik", "corp.example.net", True),
    ("Michael", "", "Müller", "m.mueller", "example.org", False),
    ("Jürgen", "K", "Groß", "j.gross", "corp.example.net", False),
    ("Ian", "", "O'Connell", "ian.oconnell", "example.org", False),
    ("Åsa", "", "Lindström", "asa.lindstrom", "example.org", True),
    ("François", "", "Dupont", "f.dupont", "corp.example.net", False),
    ("José", "L", "Núñez", "jose.nunez", "example.org", False),
    ("Søren", "", "Kierkegaard", "soren.k", "example.org", False),
    ("Mark", "M", "Clark", "markc", "example.org", True),
    ("Nancy", "M", "Lee", "nancyl", "example.org", False),
    ("Pat", "", "Parkes", "patp", "corp.example.net", False),
    ("Maximiliane Josefine", "MJ", "Müller", "mj.mueller", "example.org", True),
    ("Ahmed", "", "Haddad", "a.haddad", "example.org", False),
    ("Mei", "", "Chen", "mei.chen", "example.org", False),
    ("Olga", "", "Petrova", "o.petrova", "corp.example.net", False),
    ("Raj", "", "Patel", "raj.patel", "example.org", False),
    ("Sofia", "", "Rossi", "s.rossi", "example.org", False),
    ("Thomas", "", "Becker", "t.becker", "example.org", True),
    ("Ingrid", "", "Bergman", "i.bergman", "corp.example.net", False),
    ("Kenji", "", "Tanaka", "k.tanaka", "example.org", False),
    ("Lucía", "", "García", "lucia.garcia", "example.org", False),
    ("Ørjan", "", "Vik", "orjan.vik", "example.org", False),
    ("Emma", "", "Wilson", "e.wilson", "example.org", False),
    ("Noah", "", "Schmidt", "n.schmidt", "corp.example.net", False),
    ("Chloé", "", "Martin", "chloe.martin", "example.org", False),
    ("Lukas", "", "Novák", "l.novak", "example.org", False),
    ("Aoife", "", "Ní Bhriain", "aoife.nb", "example.org", False),
    ("Grace", "", "Hopper", "ghopper", "example.org", True),
    ("Ada", "", "Lovelace", "alovelace", "example.org", False),
    ("Carlos", "", "Silva", "c.silva", "corp.example.net", False),
]


def person_dn(g, s):
    return "CN=%s %s,%s" % (g, s, STAFF)


def smtp_local(g, s):
    return ascii_fold(g.split()[0]).replace("'", "") + "." + ascii_fold(s).replace(" ", "").replace("'", "")


def mailbox(p, extra=None):
    g, i, s, alias, dom2, old = p
    out = []
    put(out, "dn", person_dn(g, s))
    for oc in ("top", "person", "organizationalPerson", "user"):
        put(out, "objectClass", oc)
    put(out, "cn", "%s %s" % (g, s))
    put(out, "givenName", g)
    if i:
        put(out, "initials", i)
    put(out, "sn", s)
    put(out, "displayName", "%s %s" % (g, s))
    put(out, "mailNickname", alias)
    primary = smtp_local(g, s) + "@example.com"
    put(out, "mail", primary)
    put(out, "proxyAddresses", "SMTP:" + primary)
    put(out, "proxyAddresses", "smtp:%s@%s" % (alias, dom2))
    x400 = SITE_X400 + "S=%s;G=%s;" % (ps(s)[:40], ps(g)[:16])
    if i:
        x400 += "I=%s;" % ps(i)[:5]
    put(out, "proxyAddresses", "X400:" + x400)
    if old:
        put(out, "proxyAddresses", "X500:" + OLD_DN + alias)
    put(out, "legacyExchangeDN", LEGDN + alias)
    for k, v in (extra or []):
        put(out, k, v)
    return out


def main():
    recs = []
    for n, p in enumerate(PEOPLE):
        extra = [("telephoneNumber", "+1 617 555 %04d" % (1000 + n)),
                 ("physicalDeliveryOfficeName", "HQ %d" % (100 + n))]
        if p[3] == "ghopper":
            extra.append(("msExchHideFromAddressLists", "TRUE"))
        if p[3] == "jdoe":
            extra.append(("description", "Signs every mail with a smile "))
        recs.append(mailbox(p, extra))
    # contacts
    def contact(cn, target, proxies, legdn=None):
        out = []
        put(out, "dn", "CN=%s,%s" % (cn, CONTACTS))
        for oc in ("top", "person", "organizationalPerson", "contact"):
            put(out, "objectClass", oc)
        put(out, "cn", cn.replace("\\", ""))
        put(out, "displayName", cn.replace("\\", ""))
        put(out, "targetAddress", target)
        for px in proxies:
            if px.startswith("SMTP:"):
                put(out, "mail", px[5:])
            put(out, "proxyAddresses", px)
        if legdn:
            put(out, "legacyExchangeDN", legdn)
        return out
    recs.append(contact("Partner\\, Pat", "SMTP:pat@partner.example.net",
                        ["SMTP:pat@partner.example.net"]))
    recs.append(contact("Jo Smith (Partner UK)",
                        "X400:C=GB;A= ;P=Partner;O=London;S=Smith;G=Jo;",
                        ["SMTP:jo.smith.partner@example.com",
                         "X400:C=GB;A= ;P=Partner;O=London;S=Smith;G=Jo;"],
                        LEGDN + "jo.smith.partner"))
    recs.append(contact("Renée Fournier", "SMTP:renee@fournier.example.fr",
                        ["SMTP:renee.fournier@example.com"]))
    recs.append(contact("Supplier Orders", "SMTP:orders@supplier.example",
                        ["SMTP:supplier.orders@example.com",
                         "smtp:orders@example.org"]))

    def group(cn, alias, members, extra=None, x400=True):
        out = []
        put(out, "dn", "CN=%s,%s" % (cn, DLS))
        put(out, "objectClass", "top")
        put(out, "objectClass", "group")
        put(out, "cn", cn)
        put(out, "displayName", cn)
        put(out, "mailNickname", alias)
        put(out, "mail", alias + "@example.com")
        put(out, "proxyAddresses", "SMTP:%s@example.com" % alias)
        put(out, "proxyAddresses", "smtp:%s@example.org" % alias)
        if x400:
            put(out, "proxyAddresses", "X400:" + SITE_X400 + "S=%s;" % ps(cn).replace(" ", "")[:40])
        put(out, "legacyExchangeDN", LEGDN + alias)
        put(out, "groupType", "8")
        for m in members:
            put(out, "member", m)
        for k, v in (extra or []):
            put(out, k, v)
        return out

    P = [person_dn(p[0], p[2]) for p in PEOPLE]
    G = lambda cn: "CN=%s,%s" % (cn, DLS)
    recs.append(group("All Staff", "allstaff",
                      [G("Engineering"), G("Sales"), P[0], P[1], P[24], P[30]]))
    recs.append(group("Engineering", "engineering",
                      [P[0], P[3], P[4], P[15], P[21], G("QA")]))
    # QA contains Engineering again: the cycle of the sample
    recs.append(group("QA", "qa", [P[5], P[6], P[29], G("Engineering")]))
    recs.append(group("Sales", "sales",
                      [G("Sales East"), P[7], P[8], "CN=Partner\\, Pat," + CONTACTS]))
    recs.append(group("Sales East", "sales.east",
                      [P[9], P[10], P[11], "CN=Supplier Orders," + CONTACTS]))
    recs.append(group("Executives", "executives", [P[0], P[12], P[13]],
                      [("authOrig", P[12]), ("dLMemSubmitPerms", G("Assistants"))]))
    recs.append(group("Assistants", "assistants", [P[14], P[16]]))
    recs.append(group("Announcements", "announce", [G("All Staff")],
                      [("unauthOrig", "CN=Supplier Orders," + CONTACTS),
                       ("msExchHideFromAddressLists", "TRUE")], x400=False))
    recs.append(group("Café Ünïcode Fans", "cafe.fans", [P[2], P[3], P[22], P[26]]))
    # a mailbox reachable only by X.400 (no SMTP proxy, no
    # legacyExchangeDN): mail from it leaves as IMCEAX400 (issue 7)
    x4 = []
    put(x4, "dn", "CN=Xavier Fourhundred,OU=Staff,DC=example,DC=com")
    for oc in ("top", "person", "organizationalPerson", "user"):
        put(x4, "objectClass", oc)
    put(x4, "cn", "Xavier Fourhundred")
    put(x4, "displayName", "Xavier Fourhundred")
    put(x4, "proxyAddresses", "X400:" + SITE_X400 + "S=Fourhundred;G=Xavier;")
    recs.append(x4)

    lines = ["version: 1"]
    for n, r in enumerate(recs):
        if n:
            lines.append("")
        lines.extend(r)
    sys.stdout.write("\n".join(lines) + "\n")


main()
