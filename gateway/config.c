/*
 * config.c - parse addrgw.conf, the INI-style configuration
 *
 * SYNOPSIS
 *	gw_config_defaults(), gw_config_parse(), gw_config_load(),
 *	gw_config_free(), gw_net_parse(), gw_netlist_match(),
 *	gw_domain_is_local(), gw_duration_parse()
 *
 * DESCRIPTION
 *	The file is a sequence of "[section]" headers and "key = value"
 *	lines. A comment is a whole line whose first non-blank character is
 *	"#" or ";"; anywhere else "#" is data (local_domains = #exact.org),
 *	so there are no trailing comments. Durations take s, m, h, d (a bare
 *	number is seconds); lists are comma-separated (retry and
 *	client_timeouts also take blanks). In [routes] the key is the address
 *	space and the value "next-hop cost"; the line is split at its last
 *	" = " so that X.400 patterns, which contain "=", stay whole.
 *
 *	Every key of architecture.md's table is known; an unknown section
 *	or key, a repeated key (listen is repeatable), a value out of range
 *	and a missing required setting are errors. All problems are reported,
 *	not only the first.
 *
 * DIAGNOSTICS
 *	One line per problem, "FILE:LINE: what is wrong"; problems that
 *	belong to no line (a missing setting) are "FILE: what is wrong".
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"

#define MAX_LINE 8192		/* one configuration line */
#define MAX_LIST 4096		/* entries in one list */

struct parser {
	struct gw_config *cfg;
	const char *name;
	struct addr_buf *errs;
	size_t nerr;
	size_t line;
	int oom;
};

static void
perr(struct parser *p, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* perr - record one problem; line 0 means "no line" */
static void
perr(struct parser *p, size_t line, const char *fmt, ...)
{
	char msg[512];
	char head[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(head, sizeof(head), "%s:%zu: ", p->name, line);
	else
		snprintf(head, sizeof(head), "%s: ", p->name);
	if (p->errs) {
		addr_buf_puts(p->errs, head);
		addr_buf_puts(p->errs, msg);
		addr_buf_putc(p->errs, '\n');
	}
	p->nerr++;
}

static char *
xstrdup(struct parser *p, const char *s)
{
	char *d = strdup(s);

	if (d == NULL && !p->oom) {
		p->oom = 1;
		perr(p, p->line, "out of memory");
	}
	return d;
}

static void
set_str(struct parser *p, char **dst, const char *v)
{
	char *d = xstrdup(p, v);

	if (d == NULL)
		return;
	free(*dst);
	*dst = d;
}

/* gw_duration_parse - "30", "30s", "5m", "1h", "5d" to seconds */
int
gw_duration_parse(const char *s, unsigned *out)
{
	unsigned long long v = 0, mult = 1;
	const char *q = s;

	if (!isdigit((unsigned char)*q))
		return -1;
	while (isdigit((unsigned char)*q)) {
		v = v * 10 + (unsigned)(*q - '0');
		if (v > UINT_MAX)
			return -1;
		q++;
	}
	switch (*q) {
	case '\0': break;
	case 's': mult = 1; q++; break;
	case 'm': mult = 60; q++; break;
	case 'h': mult = 3600; q++; break;
	case 'd': mult = 86400; q++; break;
	default: return -1;
	}
	if (*q != '\0' || v * mult > UINT_MAX)
		return -1;
	*out = (unsigned)(v * mult);
	return 0;
}

/* parse_u64 - a decimal number in [min, max]; 0 or -1 */
static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*s != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "on") || !strcmp(s, "true")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(s, "no") || !strcmp(s, "off") || !strcmp(s, "false")) {
		*out = 0;
		return 0;
	}
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* split_list - split v at commas (and blanks when blanks is set) into
 * trimmed, non-empty items; -1 on a problem already reported */
static int
split_list(struct parser *p, const char *key, const char *v, int blanks,
	   struct gw_strlist *out)
{
	char *copy, *s, *item;
	const char *seps = blanks ? ", \t" : ",";

	out->v = NULL;
	out->n = 0;
	if ((copy = xstrdup(p, v)) == NULL)
		return -1;
	s = copy;
	for (;;) {
		size_t l = strcspn(s, seps);
		int last = s[l] == '\0';

		s[l] = '\0';
		item = trim(s);
		if (*item == '\0') {
			if (!blanks && (!last || out->n > 0)) {
				perr(p, p->line, "%s: empty list entry", key);
				goto fail;
			}
		} else {
			char **nv;
			if (out->n >= MAX_LIST) {
				perr(p, p->line, "%s: more than %d entries",
				    key, MAX_LIST);
				goto fail;
			}
			nv = realloc(out->v, (out->n + 1) * sizeof(*nv));
			if (nv == NULL) {
				perr(p, p->line, "out of memory");
				goto fail;
			}
			out->v = nv;
			if ((out->v[out->n] = xstrdup(p, item)) == NULL)
				goto fail;
			out->n++;
		}
		if (last)
			break;
		s += l + 1;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	while (out->n)
		free(out->v[--out->n]);
	free(out->v);
	out->v = NULL;
	return -1;
}

static void
strlist_free(struct gw_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* gw_net_parse - "net/prefix" or a bare address (a host network) */
/* the prefix of IPv4-mapped IPv6 addresses, ::ffff:0:0/96 */
static const unsigned char v4mapped[12] =
    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int
gw_net_parse(struct gw_net *net, const char *s, char *err, size_t errsize)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	unsigned maxp, i;
	uint64_t pfx;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errsize, "\"%.60s\" is not a network", s);
		return -1;
	}
	strcpy(buf, s);
	memset(net, 0, sizeof(*net));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, net->addr) == 1) {
		net->family = AF_INET;
		maxp = 32;
	} else if (inet_pton(AF_INET6, buf, net->addr) == 1) {
		net->family = AF_INET6;
		maxp = 128;
	} else {
		snprintf(err, errsize, "\"%s\" is not an IPv4 or IPv6 address",
		    buf);
		return -1;
	}
	net->prefix = maxp;
	if (slash != NULL) {
		if (parse_u64(slash + 1, 0, maxp, &pfx) < 0) {
			snprintf(err, errsize, "\"%s\": prefix length must be "
			    "0 to %u", s, maxp);
			return -1;
		}
		net->prefix = (unsigned)pfx;
	}
	/* host bits set usually means a typo in the prefix: say so */
	for (i = net->prefix; i < maxp; i++)
		if (net->addr[i / 8] & (0x80u >> (i % 8))) {
			snprintf(err, errsize, "\"%s\" has host bits set "
			    "beyond /%u", s, net->prefix);
			return -1;
		}
	/* ::ffff:a.b.c.d/96+n is the IPv4 network a.b.c.d/n: that is how
	 * gw_netlist_match sees a client of a dual-stack listener */
	if (net->family == AF_INET6 && net->prefix >= 96 &&
	    memcmp(net->addr, v4mapped, sizeof(v4mapped)) == 0) {
		memmove(net->addr, net->addr + 12, 4);
		memset(net->addr + 4, 0, 12);
		net->family = AF_INET;
		net->prefix -= 96;
	}
	return 0;
}

static int
net_contains(const struct gw_net *n, int family, const unsigned char *a)
{
	unsigned full = n->prefix / 8, rest = n->prefix % 8;

	if (n->family != family)
		return 0;
	if (memcmp(n->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((n->addr[full] ^ a[full]) & (0xffu << (8 - rest)) & 0xff) == 0;
}

/* gw_netlist_match - is the client address in one of the networks? */
int
gw_netlist_match(const struct gw_netlist *list, const struct sockaddr *sa)
{
	const unsigned char *a;
	int family;
	size_t i;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		a = (const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		family = AF_INET;
	} else if (sa->sa_family == AF_INET6) {
		a = (const unsigned char *)
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		family = AF_INET6;
		/* a dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d */
		if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0) {
			a += 12;
			family = AF_INET;
		}
	} else
		return 0;
	for (i = 0; i < list->n; i++)
		if (net_contains(&list->v[i], family, a))
			return 1;
	return 0;
}

static void
set_netlist(struct parser *p, const char *key, const char *v,
	    struct gw_netlist *out)
{
	struct gw_strlist l;
	struct gw_net *nv;
	char err[200];
	size_t i;

	free(out->v);
	out->v = NULL;
	out->n = 0;
	if (split_list(p, key, v, 0, &l) < 0)
		return;
	if (l.n && (nv = calloc(l.n, sizeof(*nv))) != NULL) {
		out->v = nv;
		for (i = 0; i < l.n; i++) {
			if (gw_net_parse(&nv[out->n], l.v[i], err,
			    sizeof(err)) < 0)
				perr(p, p->line, "%s: %s", key, err);
			else
				out->n++;
		}
	} else if (l.n)
		perr(p, p->line, "out of memory");
	strlist_free(&l);
}

/* domain_ok - a plausible domain name: labels of letters, digits, "-",
 * UTF-8 (IDN) and "_"; the address layer judges real addresses later */
static int
domain_ok(const char *d)
{
	size_t len = strlen(d), lab = 0;
	const char *s;

	if (len == 0 || len > 255 || d[0] == '.' || d[len - 1] == '.')
		return 0;
	for (s = d; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
			continue;
		}
		if (!(isalnum(c) || c == '-' || c == '_' || c >= 0x80))
			return 0;
		if (++lab > 63)
			return 0;
	}
	return addr_utf8_check(d, len) == len;
}

/* addr_spec_ok - the address layer accepts s as an addr-spec */
static int
addr_spec_ok(const char *s)
{
	struct addr_mailbox_result r;
	int rc;

	addr_mailbox_result_init(&r);
	rc = addr_mailbox_parse(&r, s, strlen(s), ADDR_P_ADDR_SPEC,
	    ADDR_F_UTF8, NULL);
	addr_mailbox_result_free(&r);
	return rc == 0;
}

/* parse_listen - "ADDR:PORT" or "[V6]:PORT", optional " relay" */
static void
parse_listen(struct parser *p, const char *v)
{
	struct gw_config *cfg = p->cfg;
	struct gw_listen l, *nv;
	char host[INET6_ADDRSTRLEN + 2], rest[64];
	const char *colon, *h, *end;
	size_t hl;
	uint64_t port;

	memset(&l, 0, sizeof(l));
	if (strlen(v) >= sizeof(l.text)) {
		perr(p, p->line, "listen: \"%.40s...\" is too long", v);
		return;
	}
	if (v[0] == '[') {
		h = v + 1;
		if ((end = strchr(h, ']')) == NULL || end[1] != ':') {
			perr(p, p->line, "listen: \"%s\": expected [IPV6]:PORT",
			    v);
			return;
		}
		colon = end + 1;
	} else {
		h = v;
		if (strchr(v, ':') != strrchr(v, ':')) {
			perr(p, p->line, "listen: \"%s\": write an IPv6 "
			    "address as [ADDR]:PORT", v);
			return;
		}
		if ((colon = strchr(v, ':')) == NULL) {
			perr(p, p->line, "listen: \"%s\": expected ADDR:PORT", v);
			return;
		}
		end = colon;
	}
	hl = (size_t)(end - h);
	if (hl == 0 || hl >= sizeof(host)) {
		perr(p, p->line, "listen: \"%s\": bad address", v);
		return;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	{
		const char *ps = colon + 1;
		size_t pl = strcspn(ps, " \t");
		const char *flag = ps + pl;
		char pbuf[8];

		while (*flag == ' ' || *flag == '\t')
			flag++;
		if (pl == 0 || pl >= sizeof(pbuf)) {
			perr(p, p->line, "listen: \"%s\": bad port", v);
			return;
		}
		memcpy(pbuf, ps, pl);
		pbuf[pl] = '\0';
		if (parse_u64(pbuf, 1, 65535, &port) < 0) {
			perr(p, p->line, "listen: \"%s\": port must be 1 to "
			    "65535", v);
			return;
		}
		snprintf(rest, sizeof(rest), "%s", flag);
		if (rest[0] != '\0') {
			if (strcmp(rest, "relay") != 0) {
				perr(p, p->line, "listen: \"%s\": unknown flag "
				    "\"%s\" (only \"relay\")", v, rest);
				return;
			}
			l.relay = 1;
		}
	}
	if (v[0] != '[') {
		struct sockaddr_in *sin = (struct sockaddr_in *)&l.ss;
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
			perr(p, p->line, "listen: \"%s\" is not an IPv4 "
			    "address", host);
			return;
		}
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		l.sslen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&l.ss;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
			perr(p, p->line, "listen: \"%s\" is not an IPv6 address",
			    host);
			return;
		}
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		l.sslen = sizeof(*sin6);
	}
	snprintf(l.text, sizeof(l.text), "%s", v);
	if (cfg->nlisten >= 64) {
		perr(p, p->line, "listen: more than 64 listeners");
		return;
	}
	nv = realloc(cfg->listen, (cfg->nlisten + 1) * sizeof(*nv));
	if (nv == NULL) {
		perr(p, p->line, "out of memory");
		return;
	}
	cfg->listen = nv;
	cfg->listen[cfg->nlisten++] = l;
}

/* route_free - the strings of one route */
static void
route_free(struct gw_route *r)
{
	free(r->type);
	free(r->pattern);
	free(r->hop);
	free(r->hop_text);
}

/* parse_hop - "smtp:host[:port]", "smtp:[host]:port" or "drop:DIR" (as
 * written in h) into r's hop fields; 0, or -1 after a message naming
 * key */
static int
parse_hop(struct parser *p, const char *key, const char *h, struct gw_route *r)
{
	if (!strncasecmp(h, "drop:", 5)) {
		r->hop_kind = GW_HOP_DROP;
		if (h[5] == '\0') {
			perr(p, p->line, "route \"%s\": drop: needs a "
			    "directory", key);
			return -1;
		}
		r->hop = xstrdup(p, h + 5);
	} else if (!strncasecmp(h, "smtp:", 5)) {
		const char *hs = h + 5, *pc = NULL;
		char host[300];
		size_t hl;
		uint64_t port = 0;

		if (*hs == '[') {
			const char *e = strchr(hs, ']');
			if (e == NULL) {
				perr(p, p->line, "route \"%s\": "
				    "unclosed [ in next hop", key);
				return -1;
			}
			r->hop_kind = GW_HOP_SMTP_HOST;
			hl = (size_t)(e - hs - 1);
			hs++;
			pc = e[1] == ':' ? e + 1 : NULL;
			if (e[1] != '\0' && e[1] != ':') {
				perr(p, p->line, "route \"%s\": junk "
				    "after ]", key);
				return -1;
			}
		} else {
			r->hop_kind = GW_HOP_SMTP_MX;
			pc = strrchr(hs, ':');
			hl = pc ? (size_t)(pc - hs) : strlen(hs);
		}
		if (hl == 0 || hl >= sizeof(host)) {
			perr(p, p->line, "route \"%s\": bad next-hop "
			    "host", key);
			return -1;
		}
		memcpy(host, hs, hl);
		host[hl] = '\0';
		if (pc && parse_u64(pc + 1, 1, 65535, &port) < 0) {
			perr(p, p->line, "route \"%s\": port must be 1 "
			    "to 65535", key);
			return -1;
		}
		r->port = (unsigned)port;
		r->hop = xstrdup(p, host);
	} else {
		perr(p, p->line, "route \"%s\": next hop \"%s\" must "
		    "start with smtp: or drop:", key, h);
		return -1;
	}
	r->hop_text = xstrdup(p, h);
	return 0;
}

/* parse_route - "TYPE:pattern" = "next-hop cost" */
static void
parse_route(struct parser *p, const char *key, const char *v)
{
	struct gw_config *cfg = p->cfg;
	struct gw_route r, *nv;
	const char *colon = strchr(key, ':');
	char hop[1024];
	char *sp;
	uint64_t cost;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.line = p->line;
	if (colon == NULL || colon == key) {
		perr(p, p->line, "route \"%s\": expected TYPE:pattern", key);
		return;
	}
	for (i = 0; key + i < colon; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '-') {
			perr(p, p->line, "route \"%s\": bad address type", key);
			return;
		}
	if (strlen(v) >= sizeof(hop)) {
		perr(p, p->line, "route \"%s\": next hop too long", key);
		return;
	}
	strcpy(hop, v);
	if ((sp = strrchr(hop, ' ')) == NULL && (sp = strrchr(hop, '\t')) == NULL) {
		perr(p, p->line, "route \"%s\": expected \"next-hop cost\"", key);
		return;
	}
	*sp = '\0';
	if (parse_u64(sp + 1, 1, 100, &cost) < 0) {
		perr(p, p->line, "route \"%s\": cost \"%s\" must be 1 to 100",
		    key, sp + 1);
		return;
	}
	r.cost = (unsigned)cost;
	if (parse_hop(p, key, trim(hop), &r) < 0)
		return;
	r.type = xstrdup(p, key);
	if (r.type) {
		r.type[colon - key] = '\0';
		for (sp = r.type; *sp; sp++)
			*sp = (char)toupper((unsigned char)*sp);
	}
	r.pattern = xstrdup(p, colon + 1);
	if (!r.type || !r.pattern || !r.hop || !r.hop_text)
		goto fail;
	if (cfg->nroutes >= 10000) {
		perr(p, p->line, "more than 10000 routes");
		goto fail;
	}
	nv = realloc(cfg->routes, (cfg->nroutes + 1) * sizeof(*nv));
	if (nv == NULL) {
		perr(p, p->line, "out of memory");
		goto fail;
	}
	cfg->routes = nv;
	cfg->routes[cfg->nroutes++] = r;
	return;
fail:
	free(r.type);
	free(r.pattern);
	free(r.hop);
	free(r.hop_text);
}

/* ------------------------------------------------------------ key table */

enum kt {
	K_STR, K_PATH, K_BOOL, K_UINT, K_U64, K_DUR, K_NETS, K_ADDR, K_DOMAIN,
	K_LIST, K_SPECIAL
};

struct key {
	const char *section;
	const char *name;
	enum kt type;
	size_t off;
	uint64_t min, max;
};

#define O(f) offsetof(struct gw_config, f)
static const struct key keys[] = {
	{ "server", "listen", K_SPECIAL, 0, 0, 0 },
	{ "server", "hostname", K_DOMAIN, O(hostname), 0, 0 },
	{ "server", "spool", K_PATH, O(spool), 0, 0 },
	{ "server", "user", K_STR, O(user), 0, 0 },
	{ "server", "version", K_SPECIAL, 0, 0, 0 },
	{ "server", "accept", K_BOOL, O(accept), 0, 0 },
	{ "server", "max_message_size", K_U64, O(max_message_size), 1,
	    (uint64_t)1 << 40 },
	{ "server", "max_recipients", K_UINT, O(max_recipients), 100, 1000000 },
	{ "server", "max_outbound_recipients", K_UINT,
	    O(max_outbound_recipients), 1, 1000000 },
	/* 512 is RFC 5321's minimum; 65536 keeps a session's buffer small */
	{ "server", "max_command_line", K_UINT, O(max_command_line), 512,
	    65536 },
	{ "server", "max_text_line", K_UINT, O(max_text_line), 0, 1000000 },
	{ "server", "hop_limit", K_UINT, O(hop_limit), 1, 1000 },
	{ "server", "timeout", K_DUR, O(timeout), 1, 86400 },
	{ "server", "soft_error_limit", K_UINT, O(soft_error_limit), 0, 1000 },
	{ "server", "hard_error_limit", K_UINT, O(hard_error_limit), 1, 1000 },
	{ "server", "bare_newline", K_SPECIAL, 0, 0, 0 },
	{ "server", "transcript", K_SPECIAL, 0, 0, 0 },
	{ "directory", "file", K_PATH, O(dir_file), 0, 0 },
	{ "directory", "mode", K_SPECIAL, 0, 0, 0 },
	{ "directory", "max_expansion", K_UINT, O(max_expansion), 1, 10000000 },
	{ "directory", "rewrite_headers", K_BOOL, O(rewrite_headers), 0, 0 },
	/* a CSV directory names its objects relative to these (addrdir's
	 * --base, --container, --org, --site, --encoding) */
	{ "directory", "csv_base", K_PATH, O(csv_base), 0, 0 },
	{ "directory", "csv_container", K_PATH, O(csv_container), 0, 0 },
	{ "directory", "csv_org", K_PATH, O(csv_org), 0, 0 },
	{ "directory", "csv_site", K_PATH, O(csv_site), 0, 0 },
	{ "directory", "csv_encoding", K_PATH, O(csv_encoding), 0, 0 },
	{ "routing", "local_domains", K_SPECIAL, 0, 0, 0 },
	{ "routing", "imcea_domain", K_DOMAIN, O(imcea_domain), 0, 0 },
	{ "routing", "relay_from", K_NETS, O(relay_from), 0, 0 },
	{ "routing", "relay_deny", K_NETS, O(relay_deny), 0, 0 },
	{ "delivery", "deliver", K_BOOL, O(deliver), 0, 0 },
	{ "delivery", "retry", K_SPECIAL, 0, 0, 0 },
	{ "delivery", "lifetime", K_DUR, O(lifetime), 60, 365 * 86400 },
	{ "delivery", "delay_warning", K_SPECIAL, 0, 0, 0 },
	{ "delivery", "postmaster", K_ADDR, O(postmaster), 0, 0 },
	{ "delivery", "ndr_policy", K_SPECIAL, 0, 0, 0 },
	{ "delivery", "ndr_copy_postmaster", K_BOOL, O(ndr_copy_postmaster),
	    0, 0 },
	{ "delivery", "unknown_recipient", K_SPECIAL, 0, 0, 0 },
	{ "delivery", "concurrency", K_UINT, O(concurrency), 1, 10000 },
	{ "delivery", "client_timeouts", K_SPECIAL, 0, 0, 0 },
	{ "restrictions", "accept_from", K_LIST, O(accept_from), 0, 0 },
	{ "restrictions", "reject_from", K_LIST, O(reject_from), 0, 0 },
	{ "journal", "inbound", K_ADDR, O(journal_inbound), 0, 0 },
	{ "journal", "outbound", K_ADDR, O(journal_outbound), 0, 0 },
	{ "journal", "ndr_to", K_ADDR, O(journal_ndr_to), 0, 0 },
	{ "journal", "recipient_attribute", K_STR, O(journal_attribute), 0, 0 },
	{ "disclaimer", "inbound_prepend", K_PATH, O(disclaimer[0]), 0, 0 },
	{ "disclaimer", "inbound_append", K_PATH, O(disclaimer[1]), 0, 0 },
	{ "disclaimer", "outbound_prepend", K_PATH, O(disclaimer[2]), 0, 0 },
	{ "disclaimer", "outbound_append", K_PATH, O(disclaimer[3]), 0, 0 },
	{ "archive", "inbound_dir", K_SPECIAL, 0, 0, 0 },
	{ "archive", "outbound_dir", K_SPECIAL, 0, 0, 0 },
	{ "archive", "max_size", K_U64, O(archive_max_size), 1,
	    (uint64_t)1 << 50 },
	{ "logging", "file", K_PATH, O(log_file), 0, 0 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#undef O

static const char *const sections[] = {
	"server", "directory", "routing", "routes", "delivery", "restrictions",
	"journal", "disclaimer", "archive", "logging"
};

static void
special(struct parser *p, const char *name, const char *v)
{
	struct gw_config *cfg = p->cfg;
	uint64_t n;

	if (!strcmp(name, "listen")) {
		parse_listen(p, v);
	} else if (!strcmp(name, "version")) {
		if (parse_u64(v, 1, UINT_MAX, &n) < 0)
			perr(p, p->line, "version: \"%s\" is not a positive "
			    "number", v);
		else if (n > GW_CONFIG_VERSION)
			perr(p, p->line, "version %s is newer than this addrgw "
			    "understands (%d): upgrade addrgw", v,
			    GW_CONFIG_VERSION);
		else
			cfg->version = (unsigned)n;
	} else if (!strcmp(name, "bare_newline")) {
		if (!strcmp(v, "reject"))
			cfg->bare_newline = GW_BARE_REJECT;
		else if (!strcmp(v, "normalize"))
			cfg->bare_newline = GW_BARE_NORMALIZE;
		else
			perr(p, p->line, "bare_newline: \"%s\": expected reject "
			    "or normalize", v);
	} else if (!strcmp(name, "transcript")) {
		free(cfg->transcript_nets.v);
		cfg->transcript_nets.v = NULL;
		cfg->transcript_nets.n = 0;
		if (!strcmp(v, "off"))
			cfg->transcript = GW_TRANSCRIPT_OFF;
		else if (!strcmp(v, "all"))
			cfg->transcript = GW_TRANSCRIPT_ALL;
		else {
			cfg->transcript = GW_TRANSCRIPT_NETS;
			set_netlist(p, "transcript", v, &cfg->transcript_nets);
		}
	} else if (!strcmp(name, "mode")) {
		if (!strcmp(v, "strict"))
			cfg->dir_lenient = 0;
		else if (!strcmp(v, "lenient"))
			cfg->dir_lenient = 1;
		else
			perr(p, p->line, "mode: \"%s\": expected strict or "
			    "lenient", v);
	} else if (!strcmp(name, "local_domains")) {
		struct gw_strlist l;
		size_t i;

		strlist_free(&cfg->local_domains);
		if (split_list(p, name, v, 0, &l) < 0)
			return;
		for (i = 0; i < l.n; i++) {
			const char *d = l.v[i][0] == '#' ? l.v[i] + 1 : l.v[i];
			if (!domain_ok(d))
				perr(p, p->line, "local_domains: \"%s\" is not "
				    "a domain%s", l.v[i], strchr(l.v[i], ' ') ?
				    " (a \"#\" inside a value is data, not a "
				    "comment)" : "");
		}
		cfg->local_domains = l;
	} else if (!strcmp(name, "retry")) {
		struct gw_strlist l;
		size_t i;

		free(cfg->retry);
		cfg->retry = NULL;
		cfg->nretry = 0;
		if (split_list(p, name, v, 1, &l) < 0)
			return;
		if (l.n == 0)
			perr(p, p->line, "retry: needs at least one interval");
		else if ((cfg->retry = calloc(l.n, sizeof(unsigned))) == NULL)
			perr(p, p->line, "out of memory");
		for (i = 0; cfg->retry && i < l.n; i++) {
			if (gw_duration_parse(l.v[i], &cfg->retry[i]) < 0 ||
			    cfg->retry[i] == 0)
				perr(p, p->line, "retry: \"%s\" is not a "
				    "duration (NUMBER[s|m|h|d], not 0)", l.v[i]);
		}
		if (cfg->retry)
			cfg->nretry = l.n;
		strlist_free(&l);
	} else if (!strcmp(name, "delay_warning")) {
		unsigned d;
		if (!strcmp(v, "off"))
			cfg->delay_warning = 0;
		else if (gw_duration_parse(v, &d) < 0 || d == 0)
			perr(p, p->line, "delay_warning: \"%s\": expected off or "
			    "a duration", v);
		else
			cfg->delay_warning = d;
	} else if (!strcmp(name, "ndr_policy")) {
		if (!strcmp(v, "send"))
			cfg->ndr_suppress = 0;
		else if (!strcmp(v, "suppress"))
			cfg->ndr_suppress = 1;
		else
			perr(p, p->line, "ndr_policy: \"%s\": expected send or "
			    "suppress", v);
	} else if (!strcmp(name, "unknown_recipient")) {
		free(cfg->unknown_forward);
		cfg->unknown_forward = NULL;
		if (!strcmp(v, "reject"))
			return;
		if (strncmp(v, "forward:", 8) != 0 || v[8] == '\0') {
			perr(p, p->line, "unknown_recipient: \"%s\": expected "
			    "reject or forward:NEXT-HOP", v);
			return;
		}
		route_free(&cfg->unknown_route);
		memset(&cfg->unknown_route, 0, sizeof(cfg->unknown_route));
		if (parse_hop(p, name, v + 8, &cfg->unknown_route) == 0) {
			cfg->unknown_forward = xstrdup(p, v + 8);
			cfg->unknown_route.type = xstrdup(p, "SMTP");
			cfg->unknown_route.pattern = xstrdup(p, "*");
			cfg->unknown_route.cost = 1;
			cfg->unknown_route.line = p->line;
		}
	} else if (!strcmp(name, "client_timeouts")) {
		struct gw_strlist l;
		size_t i;

		if (split_list(p, name, v, 1, &l) < 0)
			return;
		if (l.n != GW_CLIENT_TIMEOUTS)
			perr(p, p->line, "client_timeouts: expected %d durations "
			    "(connect; greeting, EHLO, MAIL, RCPT; DATA; data "
			    "block; final .), got %zu", GW_CLIENT_TIMEOUTS, l.n);
		else
			for (i = 0; i < l.n; i++)
				if (gw_duration_parse(l.v[i],
				    &cfg->client_timeouts[i]) < 0 ||
				    cfg->client_timeouts[i] == 0)
					perr(p, p->line, "client_timeouts: "
					    "\"%s\" is not a duration", l.v[i]);
		strlist_free(&l);
	} else if (!strcmp(name, "inbound_dir") || !strcmp(name, "outbound_dir")) {
		char **dst = name[0] == 'i' ? &cfg->archive_inbound :
		    &cfg->archive_outbound;
		free(*dst);
		*dst = NULL;
		if (strcmp(v, "off") != 0)
			set_str(p, dst, v);
	}
}

static void
set_key(struct parser *p, const struct key *k, const char *v)
{
	char *base = (char *)p->cfg;
	uint64_t n;
	unsigned d;

	switch (k->type) {
	case K_STR:
	case K_PATH:
		if (*v == '\0')
			perr(p, p->line, "%s: empty value", k->name);
		else
			set_str(p, (char **)(void *)(base + k->off), v);
		break;
	case K_DOMAIN:
		if (!domain_ok(v))
			perr(p, p->line, "%s: \"%s\" is not a domain name",
			    k->name, v);
		else
			set_str(p, (char **)(void *)(base + k->off), v);
		break;
	case K_ADDR:
		if (!addr_spec_ok(v))
			perr(p, p->line, "%s: \"%s\" is not an address "
			    "(local@domain)", k->name, v);
		else
			set_str(p, (char **)(void *)(base + k->off), v);
		break;
	case K_BOOL:
		if (parse_bool(v, (int *)(void *)(base + k->off)) < 0)
			perr(p, p->line, "%s: \"%s\": expected yes or no",
			    k->name, v);
		break;
	case K_UINT:
		if (parse_u64(v, k->min, k->max, &n) < 0)
			perr(p, p->line, "%s: \"%s\": expected a number from "
			    "%llu to %llu", k->name, v,
			    (unsigned long long)k->min,
			    (unsigned long long)k->max);
		else
			*(unsigned *)(void *)(base + k->off) = (unsigned)n;
		break;
	case K_U64:
		if (parse_u64(v, k->min, k->max, &n) < 0)
			perr(p, p->line, "%s: \"%s\": expected a number of bytes "
			    "from %llu to %llu", k->name, v,
			    (unsigned long long)k->min,
			    (unsigned long long)k->max);
		else
			*(uint64_t *)(void *)(base + k->off) = n;
		break;
	case K_DUR:
		if (gw_duration_parse(v, &d) < 0 || d < k->min || d > k->max)
			perr(p, p->line, "%s: \"%s\": expected a duration "
			    "(NUMBER[s|m|h|d]) from %llus to %llus", k->name, v,
			    (unsigned long long)k->min,
			    (unsigned long long)k->max);
		else
			*(unsigned *)(void *)(base + k->off) = d;
		break;
	case K_NETS:
		set_netlist(p, k->name, v,
		    (struct gw_netlist *)(void *)(base + k->off));
		break;
	case K_LIST: {
		struct gw_strlist *l = (struct gw_strlist *)(void *)(base + k->off);
		strlist_free(l);
		split_list(p, k->name, v, 0, l);
		break;
	}
	case K_SPECIAL:
		special(p, k->name, v);
		break;
	}
}

/* gw_config_defaults - the defaults of architecture.md's table */
int
gw_config_defaults(struct gw_config *cfg)
{
	static const unsigned retry[] = { 300, 600, 1200, 2400, 3600 };
	static const unsigned ct[GW_CLIENT_TIMEOUTS] = { 30, 300, 120, 180, 600 };
	char host[256];
	struct sockaddr_in *sin;

	memset(cfg, 0, sizeof(*cfg));
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	cfg->hostname = strdup(host);
	cfg->spool = strdup("var/spool");
	cfg->listen = calloc(1, sizeof(*cfg->listen));
	cfg->retry = malloc(sizeof(retry));
	if (!cfg->hostname || !cfg->spool || !cfg->listen || !cfg->retry)
		return -1;
	sin = (struct sockaddr_in *)&cfg->listen[0].ss;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(2525);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfg->listen[0].sslen = sizeof(*sin);
	strcpy(cfg->listen[0].text, "127.0.0.1:2525");
	cfg->nlisten = 1;
	cfg->version = 1;
	cfg->accept = 1;
	cfg->max_message_size = 10240000;
	cfg->max_recipients = 1000;
	cfg->max_outbound_recipients = 50;
	cfg->max_command_line = 2048;
	cfg->max_text_line = 1000;
	cfg->hop_limit = 50;
	cfg->timeout = 300;
	cfg->soft_error_limit = 10;
	cfg->hard_error_limit = 20;
	cfg->max_expansion = 10000;
	cfg->rewrite_headers = 1;
	cfg->deliver = 1;
	memcpy(cfg->retry, retry, sizeof(retry));
	cfg->nretry = sizeof(retry) / sizeof(retry[0]);
	cfg->lifetime = 5 * 86400;
	cfg->concurrency = 20;
	memcpy(cfg->client_timeouts, ct, sizeof(ct));
	cfg->archive_max_size = 1073741824;
	return 0;
}

static int
is_comment_or_blank(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return *s == '\0' || *s == '#' || *s == ';';
}

/* gw_config_parse - parse a whole configuration text */
size_t
gw_config_parse(struct gw_config *cfg, const char *name, const char *text,
		size_t len, struct addr_buf *errs)
{
	struct parser p;
	char line[MAX_LINE + 2];
	unsigned char seen[NKEYS];
	size_t seen_line[NKEYS];
	const char *s = text, *end = text + len;
	const char *section = NULL;
	char secbuf[32];
	int listen_set = 0, has_sections[sizeof(sections) / sizeof(sections[0])];
	size_t i;

	memset(&p, 0, sizeof(p));
	memset(seen, 0, sizeof(seen));
	memset(has_sections, 0, sizeof(has_sections));
	p.cfg = cfg;
	p.name = name;
	p.errs = errs;
	if (gw_config_defaults(cfg) < 0) {
		perr(&p, 0, "out of memory");
		return p.nerr;
	}
	cfg->file = strdup(name);

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *t, *eq;

		p.line++;
		if (l > MAX_LINE) {
			perr(&p, p.line, "line longer than %d octets", MAX_LINE);
			s += l + (nl != NULL);
			continue;
		}
		memcpy(line, s, l);
		line[l] = '\0';
		s += l + (nl != NULL);
		if (memchr(line, '\0', l) != NULL) {
			perr(&p, p.line, "NUL octet in line");
			continue;
		}
		if (addr_utf8_check(line, l) != l) {
			perr(&p, p.line, "line is not valid UTF-8");
			continue;
		}
		if (is_comment_or_blank(line))
			continue;
		t = trim(line);
		if (*t == '[') {
			char *close = strchr(t, ']');
			size_t k;

			if (close == NULL || *trim(close + 1) != '\0') {
				perr(&p, p.line, "expected [section]");
				section = NULL;
				continue;
			}
			*close = '\0';
			section = NULL;
			for (k = 0; k < sizeof(sections) / sizeof(*sections); k++)
				if (!strcmp(trim(t + 1), sections[k])) {
					section = sections[k];
					has_sections[k] = 1;
				}
			if (section == NULL) {
				perr(&p, p.line, "unknown section [%s]", trim(t + 1));
				/* skip its keys without a message for each */
				snprintf(secbuf, sizeof(secbuf), "?");
				section = secbuf;
			}
			continue;
		}
		if (section == NULL) {
			perr(&p, p.line, "\"%s\" outside a [section]", t);
			section = "?";
			secbuf[0] = '?';
			continue;
		}
		if (section[0] == '?')
			continue;
		/* routes: the pattern may hold "=" (X.400): split at the last
		 * " = "; elsewhere at the first "=" */
		if (!strcmp(section, "routes")) {
			char *q, *last = NULL;
			for (q = t; (q = strstr(q, " = ")) != NULL; q++)
				last = q;
			eq = last ? last + 1 : strchr(t, '=');
		} else
			eq = strchr(t, '=');
		if (eq == NULL) {
			perr(&p, p.line, "expected key = value");
			continue;
		}
		*eq = '\0';
		{
			char *key = trim(t), *val = trim(eq + 1);
			const struct key *k = NULL;

			if (*key == '\0') {
				perr(&p, p.line, "missing key before \"=\"");
				continue;
			}
			if (!strcmp(section, "routes")) {
				parse_route(&p, key, val);
				continue;
			}
			for (i = 0; i < NKEYS; i++)
				if (!strcmp(keys[i].section, section) &&
				    !strcmp(keys[i].name, key)) {
					k = &keys[i];
					break;
				}
			if (k == NULL) {
				perr(&p, p.line, "unknown key \"%s\" in [%s]", key,
				    section);
				continue;
			}
			if (!strcmp(key, "listen")) {
				/* the first listen line replaces the default */
				if (!listen_set) {
					cfg->nlisten = 0;
					listen_set = 1;
				}
			} else if (seen[i]) {
				perr(&p, p.line, "[%s] %s repeated (first set at "
				    "line %zu)", section, key, seen_line[i]);
				continue;
			}
			seen[i] = 1;
			seen_line[i] = p.line;
			set_key(&p, k, val);
		}
	}

	/* settings that depend on each other */
	if (cfg->postmaster == NULL)
		perr(&p, 0, "[delivery] postmaster is required (the From: of "
		    "non-delivery reports)");
	if ((cfg->journal_inbound || cfg->journal_outbound) &&
	    cfg->journal_ndr_to == NULL)
		perr(&p, 0, "[journal] ndr_to is required when a journal is on");
	if (cfg->soft_error_limit >= cfg->hard_error_limit)
		perr(&p, 0, "[server] soft_error_limit (%u) must be below "
		    "hard_error_limit (%u)", cfg->soft_error_limit,
		    cfg->hard_error_limit);
	for (i = 0; i < sizeof(sections) / sizeof(*sections); i++)
		if (has_sections[i] && !strcmp(sections[i], "directory"))
			cfg->has_directory = 1;
	if (cfg->has_directory && cfg->dir_file == NULL)
		perr(&p, 0, "[directory] file is required in a [directory] "
		    "section");
	if (cfg->imcea_domain == NULL && cfg->local_domains.n > 0) {
		const char *d = cfg->local_domains.v[0];
		cfg->imcea_domain = strdup(d[0] == '#' ? d + 1 : d);
	}
	/* the IMCEA gate (§6.1): the local_domains entries taken exactly,
	 * plus imcea_domain */
	cfg->gate = calloc(cfg->local_domains.n + 1, sizeof(*cfg->gate));
	if (cfg->gate == NULL)
		perr(&p, 0, "out of memory");
	for (i = 0; cfg->gate && i < cfg->local_domains.n; i++) {
		const char *d = cfg->local_domains.v[i];
		cfg->gate[cfg->ngate++] = d[0] == '#' ? d + 1 : d;
	}
	if (cfg->gate && cfg->imcea_domain)
		cfg->gate[cfg->ngate++] = cfg->imcea_domain;
	return p.nerr;
}

/* gw_config_load - read and parse a file */
size_t
gw_config_load(struct gw_config *cfg, const char *path, struct addr_buf *errs)
{
	FILE *fp;
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[8192];
	size_t nerr;

	if ((fp = fopen(path, "r")) == NULL) {
		gw_config_defaults(cfg);
		if (errs) {
			addr_buf_puts(errs, path);
			addr_buf_puts(errs, ": cannot read: ");
			addr_buf_puts(errs, strerror(errno));
			addr_buf_putc(errs, '\n');
		}
		return 1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		/* a configuration file is small; refuse a runaway one */
		if (len + n > (size_t)16 << 20 || len + n < len) {
			fclose(fp);
			free(text);
			gw_config_defaults(cfg);
			if (errs) {
				addr_buf_puts(errs, path);
				addr_buf_puts(errs, ": larger than 16 MiB\n");
			}
			return 1;
		}
		if (len + n > cap) {
			char *nt;
			cap = (len + n) * 2;
			if ((nt = realloc(text, cap)) == NULL) {
				fclose(fp);
				free(text);
				gw_config_defaults(cfg);
				if (errs)
					addr_buf_puts(errs, "out of memory\n");
				return 1;
			}
			text = nt;
		}
		memcpy(text + len, chunk, n);
		len += n;
	}
	if (ferror(fp)) {
		int e = errno;
		fclose(fp);
		free(text);
		gw_config_defaults(cfg);
		if (errs) {
			addr_buf_puts(errs, path);
			addr_buf_puts(errs, ": read error: ");
			addr_buf_puts(errs, strerror(e));
			addr_buf_putc(errs, '\n');
		}
		return 1;
	}
	fclose(fp);
	nerr = gw_config_parse(cfg, path, text ? text : "", len, errs);
	free(text);
	return nerr;
}

/* gw_config_free - release a configuration */
void
gw_config_free(struct gw_config *cfg)
{
	size_t i;

	free(cfg->file);
	free(cfg->listen);
	free(cfg->hostname);
	free(cfg->spool);
	free(cfg->user);
	free(cfg->transcript_nets.v);
	free(cfg->dir_file);
	free(cfg->csv_base);
	free(cfg->csv_container);
	free(cfg->csv_org);
	free(cfg->csv_site);
	free(cfg->csv_encoding);
	strlist_free(&cfg->local_domains);
	free(cfg->imcea_domain);
	free(cfg->relay_from.v);
	free(cfg->relay_deny.v);
	for (i = 0; i < cfg->nroutes; i++)
		route_free(&cfg->routes[i]);
	free(cfg->routes);
	route_free(&cfg->unknown_route);
	free(cfg->gate);
	addr_dir_free(cfg->dir);
	addr_dir_entry_free(cfg->connector);
	free(cfg->retry);
	free(cfg->postmaster);
	free(cfg->unknown_forward);
	strlist_free(&cfg->accept_from);
	strlist_free(&cfg->reject_from);
	free(cfg->journal_inbound);
	free(cfg->journal_outbound);
	free(cfg->journal_ndr_to);
	free(cfg->journal_attribute);
	for (i = 0; i < 4; i++)
		free(cfg->disclaimer[i]);
	for (i = 0; i < 4; i++)
		free(cfg->disclaimer_text[i]);
	free(cfg->archive_inbound);
	free(cfg->archive_outbound);
	free(cfg->log_file);
	memset(cfg, 0, sizeof(*cfg));
}

/* gw_domain_is_local - relay decision: is domain one of ours? */
int
gw_domain_is_local(const struct gw_config *cfg, const char *domain,
		   size_t len)
{
	size_t i;

	while (len > 0 && domain[len - 1] == '.')	/* absolute form */
		len--;
	for (i = 0; i < cfg->local_domains.n; i++) {
		const char *e = cfg->local_domains.v[i];
		int exact = e[0] == '#';
		size_t el;

		if (exact)
			e++;
		el = strlen(e);
		if (len == el && strncasecmp(domain, e, len) == 0)
			return 1;
		/* a plain entry also covers its subdomains: "x.example.com" */
		if (!exact && len > el + 1 && domain[len - el - 1] == '.' &&
		    strncasecmp(domain + len - el, e, el) == 0)
			return 1;
	}
	return 0;
}
