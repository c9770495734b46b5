/*
 * gw_config.c - fuzz target: the gateway configuration parser
 *
 * DESCRIPTION
 *	Input: the text of an addrgw.conf. gw_config_parse must never
 *	crash, leak or read outside the text; every problem line it
 *	reports names the file and a line number inside the text, and a
 *	configuration it accepts has at least one listener. For an
 *	accepted configuration, the lookups that use what it parsed agree
 *	with it: gw_netlist_match finds every network of relay_from,
 *	relay_deny and transcript by its own address (an IPv4 one also as
 *	::ffff:a.b.c.d, as a dual-stack listener sees it) and no other
 *	address family; gw_domain_is_local finds every local domain, also
 *	upper-cased and with a final dot, and a subdomain of every plain
 *	(not "#") entry. gw_config_load of the same text from a file (an
 *	in-memory one, /proc/self/fd/N) reports as many problems, as many
 *	lines of them, and one "cannot read" for a file that is not there.
 *	Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "../gateway/config.c"
#include "fuzz.h"

/* nets - each network of l matches its own address */
static void nets(const struct gw_netlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct gw_net *n = &l->v[i];
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;

		memset(&sin, 0, sizeof(sin));
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		if (n->family == AF_INET) {
			sin.sin_family = AF_INET;
			memcpy(&sin.sin_addr, n->addr, 4);
			FZ_CHECK(gw_netlist_match(l, (struct sockaddr *)&sin),
				 "an IPv4 network matches its address");
			memset((char *)&sin6.sin6_addr + 10, 0xff, 2);
			memcpy((char *)&sin6.sin6_addr + 12, n->addr, 4);
		} else {
			memcpy(&sin6.sin6_addr, n->addr, 16);
		}
		FZ_CHECK(gw_netlist_match(l, (struct sockaddr *)&sin6),
			 "a network matches its (IPv6 or mapped) address");
	}
	{
		struct sockaddr sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_family = AF_UNIX;
		FZ_CHECK(!gw_netlist_match(l, &sa) && !gw_netlist_match(l, NULL),
			 "no network matches another family");
	}
}

/* lines - how many "\n"-terminated lines b holds */
static size_t lines_of(const struct addr_buf *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->size; i++)
		n += b->ptr[i] == '\n';
	return n;
}

/* load - gw_config_load of data[0..size) from a file agrees with parse */
static void load(const uint8_t *data, size_t size, size_t problems,
		 const struct addr_buf *errs)
{
	struct gw_config c;
	struct addr_buf e;
	char path[64];
	size_t n, off = 0;
	long fd = syscall(SYS_memfd_create, "fuzz.conf", 0);

	if (fd < 0)
		return;
	while (off < size) {
		ssize_t w = write((int)fd, data + off, size - off);
		if (w <= 0) {
			close((int)fd);
			return;
		}
		off += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%ld", fd);
	addr_buf_init(&e);
	n = gw_config_load(&c, path, &e);
	FZ_CHECK(n == problems && lines_of(&e) == lines_of(errs),
		 "a file gives the problems its text gives");
	gw_config_free(&c);
	close((int)fd);
	addr_buf_clear(&e);
	n = gw_config_load(&c, "/nonexistent/fuzz.conf", &e);
	FZ_CHECK(n == 1 && strstr(e.ptr, "/nonexistent/fuzz.conf: cannot read")
		 == e.ptr, "a missing file is one problem that names it");
	gw_config_free(&c);
	addr_buf_free(&e);
}

/* domains - every local domain is local, as the relay decision asks */
static void domains(const struct gw_config *cfg)
{
	char buf[300];
	size_t i, j, n;

	for (i = 0; i < cfg->local_domains.n; i++) {
		const char *e = cfg->local_domains.v[i];
		int exact = e[0] == '#';

		e += exact;
		n = strlen(e);
		if (n + 3 > sizeof(buf))
			continue;
		FZ_CHECK(gw_domain_is_local(cfg, e, n), "a local domain is local");
		for (j = 0; j < n; j++)
			buf[j] = (char)(e[j] >= 'a' && e[j] <= 'z' ? e[j] - 32 : e[j]);
		buf[n] = '.';
		FZ_CHECK(gw_domain_is_local(cfg, buf, n + 1),
			 "a local domain is local in upper case, absolute");
		if (!exact) {
			buf[0] = 'x';
			buf[1] = '.';
			memcpy(buf + 2, e, n);
			FZ_CHECK(gw_domain_is_local(cfg, buf, n + 2),
				 "a subdomain of a plain entry is local");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_config cfg;
	struct addr_buf errs;
	size_t problems, lines = 1, i;
	const char *p;

	addr_buf_init(&errs);
	problems = gw_config_parse(&cfg, "fuzz.conf", (const char *)data, size,
				   &errs);
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	/* every message is "fuzz.conf:LINE: ..." or "fuzz.conf: ..." */
	for (p = errs.ptr; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		if (strncmp(p, "fuzz.conf:", 10) != 0)
			abort();
		if (p[10] >= '0' && p[10] <= '9' &&
		    strtoul(p + 10, NULL, 10) > lines)
			abort();
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (problems == 0 && cfg.nlisten == 0)
		abort();
	load(data, size, problems, &errs);
	if (problems == 0) {
		nets(&cfg.relay_from);
		nets(&cfg.relay_deny);
		nets(&cfg.transcript_nets);
		domains(&cfg);
	}
	gw_config_free(&cfg);
	addr_buf_free(&errs);
	return 0;
}
