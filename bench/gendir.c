/*
 * gendir.c - seeded generator of the directory benchmark's LDIF file
 *
 * NAME
 *	gendir - write a reproducible recipient directory as LDIF
 *
 * SYNOPSIS
 *	gendir [--seed N] [--count N] [-o FILE]
 *
 * DESCRIPTION
 *	Writes an LDIF content file (RFC 2849) of --count recipients
 *	(default 1000000) to FILE or standard output, in libaddr's writer
 *	form (spec-directory.md §6.5): every line is made by addr_ldif_put,
 *	so values are base64 exactly when RFC 2849 requires it (the
 *	non-ASCII names) and lines are folded at 78 columns; "version: 1"
 *	first, records separated by one blank line. The same seed and count
 *	always give the same bytes (splitmix64, not rand()).
 *
 *	1 % of the records (at least 4) are groups, the rest mailboxes,
 *	mailboxes first. A mailbox has objectClass top, person,
 *	organizationalPerson, user; cn, givenName, sn, displayName,
 *	mailNickname, mail, and exactly three proxyAddresses: the primary
 *	"SMTP:Given.Surname<i>@example.com", the secondary
 *	"smtp:<alias>@corp.example.com" and "X500:" with a pre-migration DN
 *	"/o=ExampleOld/ou=SiteNN/cn=Recipients/cn=<alias>"; then
 *	legacyExchangeDN "/o=Example/ou=Site/cn=Recipients/cn=<alias>". The
 *	alias is the first letter of the given name, the surname in ASCII and
 *	the record number, so every name is unique. About 30 % of the DNs
 *	are "CN=Surname\, Given <i>,..." (an escaped comma), about 5 % of the
 *	people have non-ASCII names (their cn, givenName, sn, displayName
 *	and DN are base64; alias and addresses use an ASCII spelling).
 *
 *	Groups (objectClass top, group; groupType 8; the same naming
 *	attributes and three proxies) nest four levels deep:
 *	  teams (80 %)        20-80 consecutive mailboxes plus 0-3 random ones;
 *	  departments (15 %)  the teams t with t % ndept == k, one random
 *	                      team more and 0-2 random mailboxes;
 *	  divisions (5 %)     the departments with k % ndiv == u and one
 *	                      random department more;
 *	  "All Staff"         the first divisions until they reach at least
 *	                      max(10 % of the mailboxes, 1000) mailboxes
 *	                      transitively (all of them for small files),
 *	                      plus 5 random mailboxes.
 *	Member lists overlap, so an expansion meets duplicates; there are no
 *	cycles and every member resolves. The largest group is
 *	"CN=All Staff,OU=Groups,DC=example,DC=com"; gendir prints its
 *	transitive mailbox count and the file's shape on standard error.
 *
 * DIAGNOSTICS
 *	Exit status 0 on success, 1 on a write or memory error, 2 on bad
 *	usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define LARGEST_DN "CN=All Staff,OU=Groups,DC=example,DC=com"

/* ------------------------------------------------------------ randomness */

static uint64_t rng_state, seed;

/* mix - splitmix64 finaliser */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* rnd - next 64 random bits of the sequential stream (splitmix64) */
static uint64_t rnd(void)
{
	return mix(rng_state += 0x9e3779b97f4a7c15ULL);
}

/* rn - uniform integer in [0, n) */
static uint32_t rn(uint32_t n)
{
	return (uint32_t)((rnd() >> 32) * n >> 32);
}

/* --------------------------------------------------------------- people */

/* A non-ASCII name: as written (UTF-8) and the ASCII spelling of its
 * addresses. */
struct name {
	const char *utf8, *ascii;
};

/* ASCII names: the ASCII spelling is the name without spaces and "'" */
static const char *const given_ascii[] = {
	"John", "Mary", "James", "Patricia", "Robert", "Jennifer",
	"Michael", "Linda", "William", "Elizabeth", "David", "Barbara",
	"Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
	"Charles", "Karen", "Daniel", "Lisa", "Matthew", "Anthony",
	"Margaret", "Paul", "Steven", "Andrew", "Emily", "Kevin", "Hans",
	"Ingrid", "Pierre", "Sophie", "Giulia", "Marco", "Akira", "Yuki",
	"Wei", "Priya", "Olga", "Ahmed", "Lars", "Astrid", "Ana", "Jo"
};

static const char *const surname_ascii[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia",
	"Miller", "Davis", "Rodriguez", "Martinez", "Wilson", "Anderson",
	"Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White",
	"Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright",
	"Nguyen", "Hill", "Green", "Baker", "Schmidt", "Fischer", "Weber",
	"Dubois", "Rossi", "Tanaka", "Wang", "Kumar", "Singh", "Ivanov",
	"Hansen", "Silva", "van der Berg", "O'Brien", "McDonald"
};

/* Non-ASCII names and the ASCII spelling their addresses use. */
static const struct name given_utf8[] = {
	{ "Zo\xc3\xab", "Zoe" }, { "J\xc3\xbcrgen", "Juergen" },
	{ "Jos\xc3\xa9", "Jose" }, { "\xc3\x85sa", "Asa" },
	{ "Fran\xc3\xa7ois", "Francois" }, { "S\xc3\xb8ren", "Soren" },
	{ "Ren\xc3\xa9\x65", "Renee" }, { "\xc5\x81ukasz", "Lukasz" },
	{ "\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0", "Anna" },
	{ "\xe5\xa4\xaa\xe9\x83\x8e", "Taro" }
};

static const struct name surname_utf8[] = {
	{ "\xc3\x87\x65lik", "Celik" }, { "M\xc3\xbcller", "Mueller" },
	{ "N\xc3\xba\xc3\xb1\x65z", "Nunez" },
	{ "\xc3\x98\x64\x65g\xc3\xa5rd", "Odegard" },
	{ "Gro\xc3\x9f", "Gross" }, { "W\xc3\xb3jcik", "Wojcik" },
	{ "\xc5\xa0imi\xc4\x87", "Simic" }, { "Dvo\xc5\x99\xc3\xa1k", "Dvorak" },
	{ "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd\xd0\xbe\xd0\xb2\xd0\xb0", "Ivanova" },
	{ "\xe5\xb1\xb1\xe7\x94\xb0", "Yamada" }
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One mailbox, a pure function of the seed and its number, so that a
 * group can name any mailbox without keeping the whole file in memory. */
struct person {
	struct name given, sn;
	int comma;		/* cn "Surname, Given <i>" */
	unsigned site;		/* 1..12 */
};

/* person_of - the person of mailbox i */
static void person_of(struct person *p, uint64_t i)
{
	uint64_t h = mix(seed ^ mix(i + 0x632be59bd9b4e019ULL));
	unsigned r = (unsigned)(h & 0xffff);

	if (r % 100 < 5) {	/* non-ASCII names: 5 % */
		p->given = given_utf8[(h >> 16) % NELEM(given_utf8)];
		p->sn = surname_utf8[(h >> 24) % NELEM(surname_utf8)];
	} else {
		p->given.utf8 = p->given.ascii =
			given_ascii[(h >> 16) % NELEM(given_ascii)];
		p->sn.utf8 = p->sn.ascii =
			surname_ascii[(h >> 24) % NELEM(surname_ascii)];
	}
	p->comma = (h >> 40) % 100 < 30;
	p->site = (unsigned)((h >> 48) % 12) + 1;
}

/* ---------------------------------------------------------------- output */

static struct addr_buf rec, tmp;

/* put - one "name: value" line of the record (addr_ldif_put form) */
static void put(const char *name, const char *v, size_t len)
{
	if (addr_ldif_put(&rec, name, v, len) < 0) {
		fputs("gendir: out of memory\n", stderr);
		exit(1);
	}
}

/* puts_ - put a C string */
static void puts_(const char *name, const char *v)
{
	put(name, v, strlen(v));
}

/* putf - put a formatted value */
static void putf(const char *name, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void putf(const char *name, const char *fmt, ...)
{
	char v[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v)) {
		fputs("gendir: value too long\n", stderr);
		exit(1);
	}
	put(name, v, (size_t)n);
}

/* rdn_escape - v escaped as an RFC 4514 attribute value into tmp */
static const char *rdn_escape(const char *v)
{
	addr_buf_clear(&tmp);
	for (; *v; v++) {
		if (strchr(",+\"\\<>;", *v))
			addr_buf_putc(&tmp, '\\');
		addr_buf_putc(&tmp, *v);
	}
	return tmp.ptr;
}

/* cn_of - the cn of mailbox i into out (NUL-terminated) */
static void cn_of(char *out, size_t size, uint64_t i, const struct person *p)
{
	if (p->comma)
		snprintf(out, size, "%s, %s %llu", p->sn.utf8, p->given.utf8,
			 (unsigned long long)i);
	else
		snprintf(out, size, "%s %s %llu", p->given.utf8, p->sn.utf8,
			 (unsigned long long)i);
}

/* mailbox_dn - the DN of mailbox i into out */
static void mailbox_dn(char *out, size_t size, uint64_t i)
{
	struct person p;
	char cn[256];

	person_of(&p, i);
	cn_of(cn, sizeof(cn), i, &p);
	snprintf(out, size, "CN=%s,OU=Staff,OU=Site%02u,DC=example,DC=com",
		 rdn_escape(cn), p.site);
}

/* alias_of - first letter of the given name, the ASCII surname without
 * spaces and quotes, lower case, then i */
static void alias_of(char *out, size_t size, uint64_t i, const struct person *p)
{
	size_t n = 0;
	const char *s;

	out[n++] = (char)(p->given.ascii[0] | 0x20);
	for (s = p->sn.ascii; *s && n + 1 < size; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			out[n++] = (char)(*s | 0x20);
	snprintf(out + n, size - n, "%llu", (unsigned long long)i);
}

/* begin, end - one record into the output */
static void begin(void)
{
	addr_buf_clear(&rec);
	addr_buf_clear(&tmp);
}

static int end(FILE *fp)
{
	if (rec.oom) {
		fputs("gendir: out of memory\n", stderr);
		exit(1);
	}
	return fwrite(rec.ptr, 1, rec.size, fp) == rec.size ? 0 : -1;
}

/* write_addresses - mail, the three proxies and legacyExchangeDN */
static void write_addresses(const char *local, const char *alias,
			    unsigned site)
{
	putf("mail", "%s@example.com", local);
	putf("proxyAddresses", "SMTP:%s@example.com", local);
	putf("proxyAddresses", "smtp:%s@corp.example.com", alias);
	putf("proxyAddresses", "X500:/o=ExampleOld/ou=Site%02u/cn=Recipients/cn=%s",
	     site, alias);
	putf("legacyExchangeDN", "/o=Example/ou=Site/cn=Recipients/cn=%s", alias);
}

/* write_mailbox - record of mailbox i */
static void write_mailbox(uint64_t i)
{
	struct person p;
	char cn[256], dn[512], alias[128], local[256];

	person_of(&p, i);
	cn_of(cn, sizeof(cn), i, &p);
	mailbox_dn(dn, sizeof(dn), i);
	alias_of(alias, sizeof(alias), i, &p);
	snprintf(local, sizeof(local), "%s.%s%llu", p.given.ascii,
		 p.sn.ascii, (unsigned long long)i);
	for (char *s = local; *s; s++)
		if (*s == ' ' || *s == '\'')
			memmove(s, s + 1, strlen(s));
	puts_("dn", dn);
	puts_("objectClass", "top");
	puts_("objectClass", "person");
	puts_("objectClass", "organizationalPerson");
	puts_("objectClass", "user");
	puts_("cn", cn);
	puts_("givenName", p.given.utf8);
	puts_("sn", p.sn.utf8);
	if (p.comma)
		putf("displayName", "%s, %s", p.sn.utf8, p.given.utf8);
	else
		putf("displayName", "%s %s", p.given.utf8, p.sn.utf8);
	puts_("mailNickname", alias);
	write_addresses(local, alias, p.site);
}

/* ---------------------------------------------------------------- groups */

/* A group's members: ref < nmbx is a mailbox, else group ref - nmbx. */
struct group {
	uint32_t *m;
	size_t n, cap;
};

static struct group *grp;
static uint64_t nmbx, ngrp, ndiv, ndept, nteam;

/* Group numbers: 0 All Staff, then divisions, departments, teams. */
#define DIV(u)	(1 + (u))
#define DEPT(k)	(1 + ndiv + (k))
#define TEAM(t)	(1 + ndiv + ndept + (t))

static void add_member(struct group *g, uint64_t ref)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->m = realloc(g->m, g->cap * sizeof(*g->m));
		if (g->m == NULL) {
			fputs("gendir: out of memory\n", stderr);
			exit(1);
		}
	}
	g->m[g->n++] = (uint32_t)ref;
}

/* group_name - cn and alias of group g */
static void group_name(char *cn, char *alias, size_t size, uint64_t g)
{
	if (g == 0) {
		snprintf(cn, size, "All Staff");
		snprintf(alias, size, "all-staff");
	} else if (g < DEPT(0)) {
		snprintf(cn, size, "Division %llu", (unsigned long long)(g - DIV(0)));
		snprintf(alias, size, "div-%llu", (unsigned long long)(g - DIV(0)));
	} else if (g < TEAM(0)) {
		snprintf(cn, size, "Department %llu", (unsigned long long)(g - DEPT(0)));
		snprintf(alias, size, "dept-%llu", (unsigned long long)(g - DEPT(0)));
	} else {
		snprintf(cn, size, "Team %llu", (unsigned long long)(g - TEAM(0)));
		snprintf(alias, size, "team-%llu", (unsigned long long)(g - TEAM(0)));
	}
}

static void group_dn(char *out, size_t size, uint64_t g)
{
	char cn[128], alias[128];

	group_name(cn, alias, sizeof(cn), g);
	snprintf(out, size, "CN=%s,OU=Groups,DC=example,DC=com", cn);
}

/* reach - mark the mailboxes group g reaches in seen; returns how many
 * were new */
static uint64_t reach(uint64_t g, unsigned char *seen)
{
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < grp[g].n; i++) {
		uint64_t r = grp[g].m[i];

		if (r >= nmbx)
			k += reach(r - nmbx, seen);
		else if (!seen[r]) {
			seen[r] = 1;
			k++;
		}
	}
	return k;
}

/* build_groups - the member lists; returns All Staff's reach */
static uint64_t build_groups(void)
{
	uint64_t t, k, u, want, got = 0;
	unsigned char *seen;

	grp = calloc(ngrp, sizeof(*grp));
	seen = calloc(nmbx ? nmbx : 1, 1);
	if (grp == NULL || seen == NULL) {
		fputs("gendir: out of memory\n", stderr);
		exit(1);
	}
	for (t = 0; t < nteam; t++) {
		struct group *g = &grp[TEAM(t)];
		uint64_t start = t * nmbx / nteam, size = 20 + rn(61), j;
		uint32_t extra = rn(4);

		for (j = 0; j < size && j < nmbx; j++)
			add_member(g, (start + j) % nmbx);
		while (extra--)
			add_member(g, rn((uint32_t)nmbx));
	}
	for (k = 0; k < ndept; k++) {
		struct group *g = &grp[DEPT(k)];
		uint32_t extra = rn(3);

		for (t = k; t < nteam; t += ndept)
			add_member(g, nmbx + TEAM(t));
		add_member(g, nmbx + TEAM(rn((uint32_t)nteam)));
		while (extra--)
			add_member(g, rn((uint32_t)nmbx));
	}
	for (u = 0; u < ndiv; u++) {
		struct group *g = &grp[DIV(u)];

		for (k = u; k < ndept; k += ndiv)
			add_member(g, nmbx + DEPT(k));
		add_member(g, nmbx + DEPT(rn((uint32_t)ndept)));
	}
	want = nmbx / 10 > 1000 ? nmbx / 10 : 1000;
	for (u = 0; u < ndiv && got < want; u++) {
		add_member(&grp[0], nmbx + DIV(u));
		got += reach(DIV(u), seen);
	}
	for (k = 0; k < 5; k++) {
		uint32_t r = rn((uint32_t)nmbx);

		add_member(&grp[0], r);
		if (!seen[r]) {
			seen[r] = 1;
			got++;
		}
	}
	free(seen);
	return got;
}

/* write_group - record of group g */
static void write_group(uint64_t g)
{
	char cn[128], alias[128], dn[512];
	size_t i;

	group_name(cn, alias, sizeof(cn), g);
	group_dn(dn, sizeof(dn), g);
	puts_("dn", dn);
	puts_("objectClass", "top");
	puts_("objectClass", "group");
	puts_("cn", cn);
	puts_("displayName", cn);
	puts_("mailNickname", alias);
	puts_("groupType", "8");
	write_addresses(alias, alias, (unsigned)(g % 12) + 1);
	for (i = 0; i < grp[g].n; i++) {
		uint64_t r = grp[g].m[i];

		if (r >= nmbx)
			group_dn(dn, sizeof(dn), r - nmbx);
		else
			mailbox_dn(dn, sizeof(dn), r);
		puts_("member", dn);
	}
}

/* ------------------------------------------------------------------ main */

static void usage(int status)
{
	fputs("usage: gendir [--seed N] [--count N] [-o FILE]\n",
	      status ? stderr : stdout);
	exit(status);
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		usage(2);
	return v;
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
	uint64_t count = 1000000, i, reached, nmember = 0;
	const char *out = NULL;
	FILE *fp = stdout;
	int c, bad = 0;

	seed = 20260101;
	while ((c = getopt_long(argc, argv, "s:n:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = parse_u64(optarg); break;
		case 'n': count = parse_u64(optarg); break;
		case 'o': out = optarg; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind != argc || count < 100 || count > UINT32_MAX / 2)
		usage(2);
	ngrp = count / 100 < 4 ? 4 : count / 100;
	nmbx = count - ngrp;
	ndiv = ngrp * 5 / 100 ? ngrp * 5 / 100 : 1;
	ndept = ngrp * 15 / 100 ? ngrp * 15 / 100 : 1;
	nteam = ngrp - 1 - ndiv - ndept;
	rng_state = seed;
	reached = build_groups();

	if (out && !(fp = fopen(out, "w"))) {
		fprintf(stderr, "gendir: %s: %s\n", out, strerror(errno));
		return 1;
	}
	addr_buf_init(&rec);
	addr_buf_init(&tmp);
	if (fputs("version: 1\n", fp) == EOF)
		bad = 1;
	for (i = 0; i < nmbx + ngrp && !bad; i++) {
		begin();
		if (i > 0)
			addr_buf_putc(&rec, '\n');
		if (i < nmbx)
			write_mailbox(i);
		else
			write_group(i - nmbx);
		bad = end(fp) < 0;
	}
	if (bad || fflush(fp) != 0 || ferror(fp) || (out && fclose(fp) != 0)) {
		fprintf(stderr, "gendir: write error: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < ngrp; i++) {
		nmember += grp[i].n;
		free(grp[i].m);
	}
	free(grp);
	addr_buf_free(&rec);
	addr_buf_free(&tmp);
	fprintf(stderr, "gendir: seed %llu: %llu records: %llu mailboxes, "
		"%llu groups (1 + %llu divisions, %llu departments, %llu teams), "
		"%llu member values; largest group \"%s\" reaches %llu "
		"mailboxes\n",
		(unsigned long long)seed, (unsigned long long)count,
		(unsigned long long)nmbx, (unsigned long long)ngrp,
		(unsigned long long)ndiv, (unsigned long long)ndept,
		(unsigned long long)nteam, (unsigned long long)nmember,
		LARGEST_DN, (unsigned long long)reached);
	return 0;
}
