/*
 * gencorpus.c - seeded generator of the address benchmark corpus
 *
 * NAME
 *	gencorpus - write a reproducible mix of e-mail addresses
 *
 * SYNOPSIS
 *	gencorpus [--seed N] [--count N] [-o FILE]
 *
 * DESCRIPTION
 *	Writes --count lines (default 1000000) to FILE or standard output.
 *	Each line is
 *
 *		SUBSET <TAB> ADDRESS <LF>
 *
 *	SUBSET is one of the labels below; ADDRESS is everything after the
 *	first TAB up to the LF. ADDRESS never contains LF, CR, TAB or NUL,
 *	so a line splits unambiguously and every address is also a valid C
 *	string (GMime needs one). The same seed and count always give the
 *	same file (the generator is splitmix64, not rand()).
 *
 *	subset   share  what
 *	plain     40%   addr-spec: dot-atoms, sub-addresses, some literals
 *	display   22%   name-addr: atom and quoted display names, <a@b>,
 *	                obs-phrase ("John Q. Public"), encoded-words
 *	quoted     6%   quoted local parts, alone or in angle brackets
 *	comment    9%   comments before, after and inside addresses
 *	imcea     13%   IMCEA-encapsulated EX, X400, FAX, SMTP, NOTES
 *	                addresses (spec-imcea-proxy.md §1.3 encoder rules)
 *	utf8       5%   non-ASCII local parts, IDN domains (U- and
 *	                A-labels), UTF-8 display names
 *	invalid    5%   inputs that are not a mailbox under RFC 5322 with
 *	                obs-syntax (no @, unclosed quotes, bad UTF-8, ...)
 *
 * DIAGNOSTICS
 *	Exit status 0 on success, 1 on a write error, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 4096

/* ------------------------------------------------------------ randomness */

static uint64_t rng_state;

/* rnd - next 64 random bits (splitmix64) */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* rn - uniform integer in [0, n) */
static unsigned rn(unsigned n)
{
	return (unsigned)((rnd() >> 32) * n >> 32);
}

/* pct - true with probability p percent */
static int pct(unsigned p)
{
	return rn(100) < p;
}

#define PICK(arr) ((arr)[rn((unsigned)(sizeof(arr) / sizeof((arr)[0])))])

/* ----------------------------------------------------------- a line buffer */

struct line {
	char s[LINE_MAX_LEN];
	size_t n;
};

/* put - append a string (silently truncated at LINE_MAX_LEN - 1) */
static void put(struct line *l, const char *s)
{
	size_t k = strlen(s);

	if (k > sizeof(l->s) - 1 - l->n)
		k = sizeof(l->s) - 1 - l->n;
	memcpy(l->s + l->n, s, k);
	l->n += k;
	l->s[l->n] = '\0';
}

/* putch - append one octet */
static void putch(struct line *l, char c)
{
	char s[2] = { c, '\0' };

	put(l, s);
}

/* putcap - append a word with its first letter in upper case */
static void putcap(struct line *l, const char *s)
{
	if (*s >= 'a' && *s <= 'z') {
		putch(l, (char)(*s - 'a' + 'A'));
		s++;
	}
	put(l, s);
}

/* putnum - append a decimal number */
static void putnum(struct line *l, unsigned v)
{
	char b[16];

	snprintf(b, sizeof(b), "%u", v);
	put(l, b);
}

/* ---------------------------------------------------------------- material */

static const char *const first_names[] = {
	"john", "mary", "james", "patricia", "robert", "jennifer", "michael",
	"linda", "william", "elizabeth", "david", "barbara", "richard", "susan",
	"joseph", "jessica", "thomas", "sarah", "charles", "karen", "chris",
	"nancy", "daniel", "lisa", "matthew", "betty", "anthony", "margaret",
	"mark", "sandra", "paul", "ashley", "steven", "kim", "andrew", "emily",
	"kenneth", "donna", "joshua", "michelle", "kevin", "carol", "brian",
	"amanda", "george", "melissa", "tim", "deborah", "hans", "ingrid",
	"pierre", "sophie", "giulia", "marco", "akira", "yuki", "wei", "li",
	"raj", "priya", "olga", "ivan", "ahmed", "fatima", "lars", "astrid",
	"jose", "ana", "jo", "al"
};

static const char *const last_names[] = {
	"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
	"davis", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez",
	"wilson", "anderson", "taylor", "moore", "jackson", "martin", "lee",
	"thompson", "white", "harris", "clark", "lewis", "robinson", "walker",
	"young", "allen", "king", "wright", "scott", "nguyen", "hill", "green",
	"adams", "baker", "nelson", "carter", "mitchell", "mueller", "schmidt",
	"schneider", "fischer", "weber", "dubois", "moreau", "rossi", "russo",
	"tanaka", "suzuki", "wang", "zhang", "kumar", "singh", "ivanov",
	"petrova", "hansen", "johansson", "silva", "santos", "van-der-berg",
	"obrien", "mcdonald"
};

static const char *const common_domains[] = {
	"example.com", "example.org", "example.net", "mail.example.com",
	"corp.example.co.uk", "gmail.com", "yahoo.com", "hotmail.com",
	"outlook.com", "icloud.com", "aol.com", "gmx.de", "web.de",
	"orange.fr", "libero.it", "mail.ru", "yandex.ru", "qq.com", "163.com",
	"contoso.com", "fabrikam.com", "acme-widgets.com",
	"sub.dept.university.edu", "research.lab.example.ac.jp", "isp.net.au",
	"t-online.de", "posteo.de", "proton.me", "fastmail.com",
	"a.b.c.d.example.info", "EXAMPLE.COM", "Mail.Example.Org"
};

static const char *const tlds[] = {
	"com", "org", "net", "de", "fr", "it", "nl", "io", "info", "co.uk",
	"com.au", "ch", "se", "jp", "edu", "gov", "biz", "email", "museum"
};

static const char *const tags[] = {
	"news", "shop", "bills", "2024", "lists", "spam", "git", "x", "work"
};

static const char *const comments[] = {
	"John Doe", "work", "home", "via list", "Sales Dept.", "mobile",
	"nested (comment) here", "do not reply", "a", "", "the (deeply "
	"(nested)) one", "escaped \\) paren", "x@y.z"
};

static const char *const phrase_words[] = {
	"Dr.", "Prof.", "Jr.", "Sales", "Support", "Team", "The", "Office",
	"of", "Admin", "Billing", "no-reply", "Info"
};

static const char *const subset_names[] = {
	"plain", "display", "quoted", "comment", "imcea", "utf8", "invalid"
};

enum { S_PLAIN, S_DISPLAY, S_QUOTED, S_COMMENT, S_IMCEA, S_UTF8, S_INVALID };

/* shares in percent, in subset_names order (sum 100) */
static const unsigned subset_share[] = { 40, 22, 6, 9, 13, 5, 5 };

/* ------------------------------------------------------------ components */

/* put_label - a random LDH label of 2..12 octets */
static void put_label(struct line *l)
{
	static const char ch[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned n = 2 + rn(11), i;

	for (i = 0; i < n; i++) {
		if (i > 0 && i + 1 < n && pct(5))
			putch(l, '-');
		else
			putch(l, ch[rn(i == 0 ? 26 : 36)]);
	}
}

/* put_domain - a domain name: a common one or 1..3 random labels + TLD */
static void put_domain(struct line *l)
{
	unsigned k;

	if (pct(55)) {
		put(l, PICK(common_domains));
		return;
	}
	for (k = 1 + rn(3); k > 0; k--) {
		put_label(l);
		putch(l, '.');
	}
	put(l, PICK(tlds));
}

/* put_local - a dot-atom local part in one of the usual shapes */
static void put_local(struct line *l)
{
	const char *f = PICK(first_names), *s = PICK(last_names);
	int cap = pct(8);
	void (*w)(struct line *, const char *) = cap ? putcap : put;

	switch (rn(12)) {
	case 0: case 1: case 2:
		w(l, f); putch(l, '.'); w(l, s);
		break;
	case 3:
		putch(l, f[0]); w(l, s);
		break;
	case 4:
		w(l, f); w(l, s); putnum(l, rn(1000));
		break;
	case 5:
		w(l, f); putch(l, '_'); w(l, s);
		break;
	case 6:
		w(l, f); putch(l, '-'); w(l, s);
		break;
	case 7:
		w(l, f); putch(l, '.'); w(l, s); putch(l, '+'); put(l, PICK(tags));
		break;
	case 8:
		w(l, f); putnum(l, 10 + rn(90));
		break;
	case 9:
		w(l, s); putch(l, '.'); w(l, f);
		break;
	case 10:	/* atext specials */
		switch (rn(6)) {
		case 0: put(l, "o'"); put(l, s); break;
		case 1: put(l, f); put(l, "&"); put(l, s); break;
		case 2: put(l, "user=x"); putnum(l, rn(100)); break;
		case 3: put(l, "{"); put(l, f); put(l, "}"); break;
		case 4: put(l, "!#$%&'*+-/=?^_`{|}~"); break;
		default: put(l, f); put(l, "/"); put(l, s); break;
		}
		break;
	default:
		w(l, f);
		break;
	}
}

/* put_addr_spec - local@domain, now and then a domain literal */
static void put_addr_spec(struct line *l)
{
	put_local(l);
	putch(l, '@');
	if (pct(1)) {
		if (pct(70)) {
			put(l, "[192.0.2.");
			putnum(l, 1 + rn(254));
			put(l, "]");
		} else {
			put(l, "[IPv6:2001:db8::");
			putnum(l, 1 + rn(9999));
			put(l, "]");
		}
		return;
	}
	put_domain(l);
}

/* put_display - a display name (no trailing space) */
static void put_display(struct line *l)
{
	const char *f = PICK(first_names), *s = PICK(last_names);

	switch (rn(10)) {
	case 0: case 1: case 2:	/* atoms */
		putcap(l, f); putch(l, ' '); putcap(l, s);
		break;
	case 3: case 4:		/* quoted */
		putch(l, '"'); putcap(l, f); putch(l, ' '); putcap(l, s);
		putch(l, '"');
		break;
	case 5:			/* "Last, First" */
		putch(l, '"'); putcap(l, s); put(l, ", "); putcap(l, f);
		putch(l, '"');
		break;
	case 6:			/* obs-phrase: a "." in an unquoted phrase */
		putcap(l, f); putch(l, ' ');
		putch(l, (char)('A' + rn(26))); put(l, ". "); putcap(l, s);
		break;
	case 7:			/* several words */
		put(l, PICK(phrase_words)); putch(l, ' ');
		put(l, PICK(phrase_words)); putch(l, ' '); putcap(l, s);
		break;
	case 8:			/* RFC 2047 encoded-word */
		put(l, "=?UTF-8?Q?J=C3=B6rg_");
		putcap(l, s);
		put(l, "?=");
		break;
	default:		/* quoted with specials and a quoted-pair */
		put(l, "\"");
		putcap(l, f);
		put(l, pct(50) ? " (Work) " : " \\\"Bud\\\" ");
		putcap(l, s);
		put(l, "\"");
		break;
	}
}

/* ------------------------------------------------------------- subsets */

/* gen_plain - an addr-spec */
static void gen_plain(struct line *l)
{
	put_addr_spec(l);
}

/* gen_display - name-addr, or an angle-addr alone */
static void gen_display(struct line *l)
{
	if (pct(12)) {
		putch(l, '<');
		put_addr_spec(l);
		putch(l, '>');
		return;
	}
	put_display(l);
	if (!pct(5))
		putch(l, ' ');
	putch(l, '<');
	put_addr_spec(l);
	putch(l, '>');
}

/* gen_quoted - a quoted local part */
static void gen_quoted(struct line *l)
{
	const char *f = PICK(first_names), *s = PICK(last_names);
	int angle = pct(25);

	if (angle) {
		put_display(l);
		put(l, " <");
	}
	switch (rn(9)) {
	case 0: case 1:
		putch(l, '"'); put(l, f); putch(l, ' '); put(l, s); putch(l, '"');
		break;
	case 2:
		putch(l, '"'); put(l, f); put(l, ".."); put(l, s); putch(l, '"');
		break;
	case 3:
		putch(l, '"'); put(l, f); putch(l, '.'); putch(l, '"');
		break;
	case 4:
		putch(l, '"'); put(l, f); put(l, "\\\"nick\\\""); put(l, s);
		putch(l, '"');
		break;
	case 5:
		putch(l, '"'); put(l, f); putch(l, '@'); put(l, s); putch(l, '"');
		break;
	case 6:
		putch(l, '"'); put(l, f); put(l, "\\\\"); put(l, s); putch(l, '"');
		break;
	case 7:			/* obs-local-part: quoted word . atom */
		putch(l, '"'); put(l, f); putch(l, '"'); putch(l, '.'); put(l, s);
		break;
	default:
		put(l, "\"(none), <"); put(l, f); put(l, ">\"");
		break;
	}
	putch(l, '@');
	put_domain(l);
	if (angle)
		putch(l, '>');
}

/* gen_comment - comments around or inside an address */
static void gen_comment(struct line *l)
{
	const char *c = PICK(comments);

	switch (rn(7)) {
	case 0: case 1:		/* addr (comment): the classic form */
		put_addr_spec(l); put(l, " ("); put(l, c); putch(l, ')');
		break;
	case 2:			/* (comment) addr */
		putch(l, '('); put(l, c); put(l, ") "); put_addr_spec(l);
		break;
	case 3:			/* name <addr> (comment) */
		put_display(l); put(l, " <"); put_addr_spec(l); put(l, "> (");
		put(l, c); putch(l, ')');
		break;
	case 4:			/* "name" (comment) <addr> */
		put_display(l); put(l, " ("); put(l, c); put(l, ") <");
		put_addr_spec(l); putch(l, '>');
		break;
	case 5:			/* comment next to the @ */
		put_local(l); put(l, "(");	put(l, c); put(l, ")@");
		put_domain(l);
		break;
	default:		/* comment inside the domain part */
		put_local(l); put(l, "@("); put(l, c); put(l, ")");
		put_domain(l);
		break;
	}
}

/* put_imcea_escaped - spec-imcea-proxy.md §1.3 R2..R5 (Latin-1 form) */
static void put_imcea_escaped(struct line *l, const char *a)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)a;

	for (; *p; p++) {
		unsigned c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '=') {
			putch(l, (char)c);
		} else if (c == '/') {
			putch(l, '_');
		} else {
			putch(l, '+');
			putch(l, hex[c >> 4]);
			putch(l, hex[c & 15]);
		}
	}
}

/* gen_imcea - an IMCEA address: "IMCEA" type "-" enc(address) "@" domain */
static void gen_imcea(struct line *l)
{
	static const char *const orgs[] = {
		"ORG", "Contoso", "ExchangeLabs", "First Organization", "ACME"
	};
	static const char *const groups[] = {
		"Exchange Administrative Group (FYDIBOHF23SPDLT)", "SITE",
		"First Administrative Group"
	};
	static const char *const imcea_domains[] = {
		"example.com", "contoso.com", "mail.contoso.com", "fabrikam.com",
		"exchange.example.org"
	};
	const char *f = PICK(first_names), *s = PICK(last_names);
	struct line in = { .n = 0 };
	const char *type;
	int angle = pct(25);

	in.s[0] = '\0';
	switch (rn(10)) {
	case 0: case 1: case 2: case 3: case 4:	/* legacyExchangeDN */
		type = "EX";
		if (pct(40)) {
			put(&in, "/O=ORG/OU=SITE/CN=RECIPIENTS/CN=");
			putch(&in, (char)(f[0] - 'a' + 'A'));
			for (const char *p = s; *p; p++)
				putch(&in, *p >= 'a' && *p <= 'z' ?
				      (char)(*p - 'a' + 'A') : *p);
		} else {
			put(&in, "/o="); put(&in, PICK(orgs));
			put(&in, "/ou="); put(&in, PICK(groups));
			put(&in, "/cn=Recipients/cn=");
			if (pct(50)) {
				static const char hx[] = "0123456789abcdef";
				for (int i = 0; i < 32; i++)
					putch(&in, hx[rn(16)]);
				putch(&in, '-');
			}
			put(&in, f);
			if (pct(20))
				put(&in, "\xfc");	/* Latin-1 u-umlaut: +FC */
		}
		break;
	case 5: case 6:				/* X.400 O/R address */
		type = "X400";
		put(&in, "c=US;a= ;p=");
		put(&in, pct(50) ? "Org" : "Contoso");
		if (pct(50)) {
			put(&in, ";o=Sales");
		}
		put(&in, ";s="); putcap(&in, s);
		if (pct(60)) {
			put(&in, ";g="); putcap(&in, f);
		}
		putch(&in, ';');
		break;
	case 7:					/* FAX */
		type = "FAX";
		put(&in, "+1 (555) ");
		putnum(&in, 100 + rn(900)); putch(&in, '-');
		putnum(&in, 1000 + rn(9000));
		break;
	case 8:					/* SMTP inside SMTP */
		type = "SMTP";
		put(&in, f); putch(&in, '.'); put(&in, s); put(&in, "@");
		put(&in, PICK(common_domains));
		break;
	default:				/* Lotus Notes */
		type = "NOTES";
		putcap(&in, f); putch(&in, ' '); putcap(&in, s);
		put(&in, "/Sales/Acme@Acme");
		break;
	}
	if (angle) {
		put_display(l);
		put(l, " <");
	}
	put(l, "IMCEA");
	put(l, type);
	putch(l, '-');
	put_imcea_escaped(l, in.s);
	putch(l, '@');
	put(l, PICK(imcea_domains));
	if (angle)
		putch(l, '>');
}

/* gen_utf8 - non-ASCII local parts, IDN domains, UTF-8 display names */
static void gen_utf8(struct line *l)
{
	static const char *const locals[] = {
		"jos\xc3\xa9", "m\xc3\xbcller", "\xc3\xb1o\xc3\xb1o",
		"\xe7\x94\xa8\xe6\x88\xb7",			/* 用户 */
		"\xce\xb4\xce\xbf\xce\xba\xce\xb9\xce\xbc\xce\xae", /* δοκιμή */
		"\xd0\xbc\xd0\xb5\xd0\xb4\xd0\xb2\xd0\xb5\xd0\xb4\xd1\x8c",
		"\xe0\xa4\x85\xe0\xa4\x9c\xe0\xa4\xaf",		/* अजय */
		"\xe3\x81\x82\xe3\x81\x84\xe3\x81\x86",		/* あいう */
		"fran\xc3\xa7ois.dupont", "bj\xc3\xb6rn.\xc3\xa5str\xc3\xb6m",
		"\xe2\x98\x83"					/* ☃ */
	};
	static const char *const idn[] = {
		"b\xc3\xbc" "cher.de", "m\xc3\xbcnchen.de",
		"\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a", /* 例子.广告 */
		"\xcf\x80\xce\xb1\xcf\x81\xce\xac\xce\xb4\xce\xb5\xce\xb9"
		"\xce\xb3\xce\xbc\xce\xb1.\xce\xb4\xce\xbf\xce\xba\xce\xb9"
		"\xce\xbc\xce\xae",				/* παράδειγμα.δοκιμή */
		"\xd1\x81-\xd0\xb1\xd0\xb0\xd0\xbb\xd0\xb0\xd0\xbb\xd0\xb0"
		"\xd0\xb9\xd0\xba\xd0\xbe\xd0\xb9.\xd1\x80\xd1\x84", /* с-балалайкой.рф */
		"\xe0\xa4\xa1\xe0\xa4\xbe\xe0\xa4\x9f\xe0\xa4\xbe."
		"\xe0\xa4\xad\xe0\xa4\xbe\xe0\xa4\xb0\xe0\xa4\xa4", /* डाटा.भारत */
		"ni\xc3\xb1o.es", "xn--bcher-kva.de", "xn--mnchen-3ya.de",
		"\xe4\xbe\x8b\xe3\x81\x88.jp", "B\xc3\x9c" "CHER.de"
	};
	static const char *const names[] = {
		"J\xc3\xb6rg M\xc3\xbcller", "Zo\xc3\xab Saldana",
		"\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e",
		"\xce\x96\xce\xb5\xcf\x8d\xcf\x82", "Fran\xc3\xa7ois"
	};

	switch (rn(5)) {
	case 0:			/* UTF-8 local, ASCII domain */
		put(l, PICK(locals)); putch(l, '@'); put_domain(l);
		break;
	case 1:			/* ASCII local, IDN domain */
		put_local(l); putch(l, '@'); put(l, PICK(idn));
		break;
	case 2:			/* both */
		put(l, PICK(locals)); putch(l, '@'); put(l, PICK(idn));
		break;
	case 3:			/* UTF-8 display name, quoted or not */
		if (pct(50)) {
			putch(l, '"'); put(l, PICK(names)); putch(l, '"');
		} else {
			put(l, PICK(names));
		}
		put(l, " <");
		if (pct(50))
			put_addr_spec(l);
		else {
			put(l, PICK(locals)); putch(l, '@'); put(l, PICK(idn));
		}
		putch(l, '>');
		break;
	default:		/* quoted UTF-8 local part */
		putch(l, '"'); put(l, PICK(names)); put(l, "\"@");
		put(l, PICK(idn));
		break;
	}
}

/* gen_invalid - something that is not a mailbox */
static void gen_invalid(struct line *l)
{
	const char *f = PICK(first_names), *s = PICK(last_names);

	switch (rn(24)) {
	case 0:  put(l, f); putch(l, '.'); put(l, s); putch(l, '.');
		 put_domain(l); break;				/* no @ */
	case 1:  put(l, f); putch(l, '@'); put(l, s); putch(l, '@');
		 put_domain(l); break;				/* two @ */
	case 2:  put(l, f); put(l, ".."); put(l, s); putch(l, '@');
		 put_domain(l); break;
	case 3:  putch(l, '.'); put(l, f); putch(l, '@'); put_domain(l); break;
	case 4:  put(l, f); put(l, ".@"); put_domain(l); break;
	case 5:  put(l, f); put(l, "@example..com"); break;
	case 6:  put(l, f); put(l, "@.example.com"); break;
	case 7:  putch(l, '"'); put(l, f); putch(l, '@'); put_domain(l); break;
	case 8:  putcap(l, f); putch(l, ' '); putcap(l, s); put(l, " <");
		 put(l, f); putch(l, '@'); put_domain(l); break;	/* no > */
	case 9:  put(l, f); putch(l, '@'); put_domain(l); put(l, " (unclosed");
		 break;
	case 10: putch(l, '@'); put_domain(l); break;
	case 11: put(l, f); putch(l, '@'); break;
	case 12: put(l, f); putch(l, ' '); put(l, s); putch(l, '@');
		 put_domain(l); break;
	case 13: put(l, f); put(l, "@[192.0.2.1"); break;
	case 14: put(l, "\""); put(l, f); put(l, "\""); put(l, s); putch(l, '@');
		 put_domain(l); break;			/* atext after QS */
	case 15: put(l, f); putch(l, '@'); put_domain(l); putch(l, '>'); break;
	case 16: put(l, f); put(l, "\\@"); put_domain(l); break;
	case 17: put(l, f); put(l, "\xc3\x28@"); put_domain(l); break;	/* bad UTF-8 */
	case 18: put(l, "\xff\xfe"); put(l, f); putch(l, '@'); put_domain(l);
		 break;
	case 19: put(l, f); putch(l, '\x01'); put(l, s); putch(l, '@');
		 put_domain(l); break;			/* raw control */
	case 20: put(l, f); putch(l, '@'); put_domain(l); put(l, ", ");
		 put(l, s); putch(l, '@'); put_domain(l); break;	/* a list */
	case 21: putcap(l, f); putch(l, ' '); putcap(l, s); break;	/* no addr */
	case 22: put(l, PICK(phrase_words)); put(l, " recipients:;"); break;	/* group */
	default: put(l, pct(50) ? "<>" : ""); break;
	}
}

static void (*const generators[])(struct line *) = {
	gen_plain, gen_display, gen_quoted, gen_comment, gen_imcea, gen_utf8,
	gen_invalid
};

/* pick_subset - a subset index drawn with subset_share */
static unsigned pick_subset(void)
{
	unsigned r = rn(100), i, acc = 0;

	for (i = 0; i + 1 < sizeof(subset_share) / sizeof(subset_share[0]); i++) {
		acc += subset_share[i];
		if (r < acc)
			return i;
	}
	return i;
}

/* usage - print the synopsis and exit */
static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: gencorpus [--seed N] [--count N] [-o FILE]\n");
	exit(status);
}

/* parse_u64 - a decimal number from an option argument, or exit 2 */
static uint64_t parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end != '\0' || *s == '-')
		usage(2);
	return (uint64_t)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t seed = 20260101, count = 1000000, i;
	const char *out = NULL;
	FILE *fp = stdout;
	int c;

	while ((c = getopt_long(argc, argv, "s:n:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = parse_u64(optarg); break;
		case 'n': count = parse_u64(optarg); break;
		case 'o': out = optarg; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (out && !(fp = fopen(out, "w"))) {
		fprintf(stderr, "gencorpus: %s: %s\n", out, strerror(errno));
		return 1;
	}
	rng_state = seed;
	for (i = 0; i < count; i++) {
		struct line l = { .n = 0 };
		unsigned sub = pick_subset();

		l.s[0] = '\0';
		generators[sub](&l);
		/* the format forbids these inside an address */
		for (size_t k = 0; k < l.n; k++)
			if (l.s[k] == '\n' || l.s[k] == '\r' || l.s[k] == '\t' ||
			    l.s[k] == '\0')
				l.s[k] = '?';
		fputs(subset_names[sub], fp);
		fputc('\t', fp);
		fwrite(l.s, 1, l.n, fp);
		fputc('\n', fp);
	}
	if (fflush(fp) != 0 || ferror(fp) || (out && fclose(fp) != 0)) {
		fprintf(stderr, "gencorpus: write error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
