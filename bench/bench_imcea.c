/*
 * bench_imcea.c - IMCEA encode and decode cost per input byte
 *
 * NAME
 *	bench_imcea - instructions per byte of addr_imcea_encode_proxy and
 *	addr_imcea_decode over the IMCEA lines of the bench corpus
 *
 * SYNOPSIS
 *	bench_imcea [--count N] [--warmup N] [--mode encode|decode|both]
 *		    [--baseline] CORPUS
 *
 * DESCRIPTION
 *	CORPUS is the output of gencorpus ("SUBSET<TAB>ADDRESS<LF>"); only
 *	the lines of subset "imcea" are used, the first --count of them
 *	(default: all). A line in angle brackets ("Name <IMCEA...@d>")
 *	contributes the addr-spec between them.
 *
 *	Set-up (not measured): every address is decoded once to get its
 *	"TYPE:value" and its domain, the inputs of the encode pass.
 *	Then --warmup addresses (default 1000) go through both passes, so
 *	one-time costs fall into the set-up. Then the measured passes run
 *	over every address, once:
 *	  measured_pass_decode   addr_imcea_decode(out, addr, len, NULL, 0,
 *				 0, NULL), the default mode without a gate
 *	  measured_pass_encode   addr_imcea_encode_proxy(out, proxy, len,
 *				 domain, dlen, 0, NULL)
 *	one output buffer reused. --baseline stops after the warm-up.
 *
 *	It prints the number of addresses, the input bytes of each pass
 *	(decode: the IMCEA addresses; encode: the "TYPE:value" strings and
 *	the domains, everything addr_imcea_encode_proxy reads, and the
 *	"TYPE:value" strings alone), and the results, which must all
 *	succeed.
 *	Under callgrind, --toggle-collect='measured_pass_*' counts each
 *	pass alone (Ir per function in the output); Ir / bytes is the
 *	cost per input byte. bench/imcea.sh runs it all.
 *
 * DIAGNOSTICS
 *	Exit 0; 1 when the corpus cannot be read, has no imcea line, or an
 *	address does not decode / re-encode to itself; 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* One IMCEA address and what the encode pass gets from it. */
struct item {
	const char *addr;	/* into the corpus text */
	size_t len;
	char *proxy;		/* "TYPE:value" (malloc) */
	size_t plen;
	const char *domain;	/* into addr */
	size_t dlen;
};

struct items {
	struct item *v;
	size_t n, cap;
	size_t addr_bytes, proxy_bytes, domain_bytes;
};

/* load - read the file and pick the imcea lines; returns the text */
static char *load(const char *path, struct items *it, size_t max)
{
	FILE *fp = fopen(path, "rb");
	size_t size = 0, cap = 1 << 20, k;
	char *data, *p, *end;

	if (fp == NULL) {
		fprintf(stderr, "bench_imcea: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((data = malloc(cap)) == NULL)
		goto oom;
	while ((k = fread(data + size, 1, cap - size - 1, fp)) > 0) {
		size += k;
		if (size + 1 >= cap) {
			char *q;

			if (cap > ((size_t)-1) / 2 || !(q = realloc(data, cap *= 2)))
				goto oom;
			data = q;
		}
	}
	fclose(fp);
	fp = NULL;
	data[size] = '\0';
	for (p = data, end = data + size; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *tab, *lt, *gt;

		if (nl == NULL)
			nl = end;
		*nl = '\0';
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (tab != NULL && tab - p == 5 && memcmp(p, "imcea", 5) == 0 &&
		    (max == 0 || it->n < max)) {
			char *a = tab + 1, *e = nl;

			if ((lt = strchr(a, '<')) != NULL &&
			    (gt = strchr(lt, '>')) != NULL) {
				a = lt + 1;
				e = gt;
			}
			if (it->n == it->cap) {
				struct item *v;

				it->cap = it->cap ? 2 * it->cap : 1024;
				if (!(v = realloc(it->v, it->cap * sizeof(*v))))
					goto oom;
				it->v = v;
			}
			memset(&it->v[it->n], 0, sizeof(it->v[0]));
			it->v[it->n].addr = a;
			it->v[it->n].len = (size_t)(e - a);
			it->n++;
		}
		p = nl + 1;
	}
	return data;
oom:
	fprintf(stderr, "bench_imcea: out of memory\n");
	if (fp)
		fclose(fp);
	free(data);
	return NULL;
}

/* prepare - decode every address once for the encode pass's inputs */
static int prepare(struct items *it)
{
	struct addr_buf out;
	size_t i;

	addr_buf_init(&out);
	for (i = 0; i < it->n; i++) {
		struct item *x = &it->v[i];
		const char *at = x->addr + x->len;

		if (addr_imcea_decode(&out, x->addr, x->len, NULL, 0, 0,
				      NULL) != 1) {
			fprintf(stderr, "bench_imcea: does not decode: %.*s\n",
				(int)x->len, x->addr);
			return -1;
		}
		if ((x->proxy = malloc(out.size + 1)) == NULL)
			return -1;
		memcpy(x->proxy, out.ptr, out.size + 1);
		x->plen = out.size;
		while (at > x->addr && at[-1] != '@')
			at--;
		x->domain = at;
		x->dlen = (size_t)(x->addr + x->len - at);
		it->addr_bytes += x->len;
		it->proxy_bytes += x->plen;
		it->domain_bytes += x->dlen;
	}
	addr_buf_free(&out);
	return 0;
}

/* The measured passes: named so that callgrind can toggle on them. */
size_t measured_pass_decode(const struct items *it, size_t n,
			    struct addr_buf *out);
size_t measured_pass_encode(const struct items *it, size_t n,
			    struct addr_buf *out);

size_t measured_pass_decode(const struct items *it, size_t n,
			    struct addr_buf *out)
{
	size_t i, ok = 0;

	for (i = 0; i < n; i++)
		ok += addr_imcea_decode(out, it->v[i].addr, it->v[i].len, NULL,
					0, 0, NULL) == 1;
	return ok;
}

size_t measured_pass_encode(const struct items *it, size_t n,
			    struct addr_buf *out)
{
	size_t i, ok = 0;

	for (i = 0; i < n; i++)
		ok += addr_imcea_encode_proxy(out, it->v[i].proxy,
					      it->v[i].plen, it->v[i].domain,
					      it->v[i].dlen, 0, NULL) == 0;
	return ok;
}

/* check_roundtrip - the encode pass gives back the corpus addresses */
static int check_roundtrip(const struct items *it)
{
	struct addr_buf out;
	size_t i;
	int bad = 0;

	addr_buf_init(&out);
	for (i = 0; i < it->n && bad < 5; i++) {
		const struct item *x = &it->v[i];

		if (addr_imcea_encode_proxy(&out, x->proxy, x->plen, x->domain,
					    x->dlen, 0, NULL) != 0 ||
		    out.size != x->len || memcmp(out.ptr, x->addr, x->len) != 0) {
			fprintf(stderr, "bench_imcea: %s does not re-encode to "
				"%.*s (got %s)\n", x->proxy, (int)x->len,
				x->addr, out.ptr);
			bad++;
		}
	}
	addr_buf_free(&out);
	return bad ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_imcea [--count N] [--warmup N] "
		"[--mode encode|decode|both] [--baseline] CORPUS\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "mode", required_argument, NULL, 'm' },
		{ "baseline", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	struct items it;
	struct addr_buf out;
	size_t count = 0, warmup = 1000, ok;
	int opt, baseline = 0, dec = 1, enc = 1, rc = 0;
	char *data;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			warmup = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			dec = strcmp(optarg, "encode") != 0;
			enc = strcmp(optarg, "decode") != 0;
			break;
		case 'b':
			baseline = 1;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage();
		return 2;
	}
	memset(&it, 0, sizeof(it));
	if ((data = load(argv[optind], &it, count)) == NULL)
		return 1;
	if (it.n == 0) {
		fprintf(stderr, "bench_imcea: no imcea line in %s\n",
			argv[optind]);
		return 1;
	}
	if (prepare(&it) < 0 || check_roundtrip(&it) < 0)
		return 1;
	addr_buf_init(&out);
	if (warmup > it.n)
		warmup = it.n;
	measured_pass_decode(&it, 0, &out);	/* keeps the symbols alive */
	for (size_t i = 0; i < warmup; i++) {
		addr_imcea_decode(&out, it.v[i].addr, it.v[i].len, NULL, 0, 0,
				  NULL);
		addr_imcea_encode_proxy(&out, it.v[i].proxy, it.v[i].plen,
					it.v[i].domain, it.v[i].dlen, 0, NULL);
	}
	printf("imcea addresses %zu, decode input bytes %zu, encode input "
	       "bytes %zu (TYPE:value %zu + domain %zu)\n", it.n,
	       it.addr_bytes, it.proxy_bytes + it.domain_bytes,
	       it.proxy_bytes, it.domain_bytes);
	if (!baseline) {
		if (dec) {
			ok = measured_pass_decode(&it, it.n, &out);
			printf("decode: %zu of %zu decoded\n", ok, it.n);
			rc |= ok != it.n;
		}
		if (enc) {
			ok = measured_pass_encode(&it, it.n, &out);
			printf("encode: %zu of %zu encoded\n", ok, it.n);
			rc |= ok != it.n;
		}
	}
	addr_buf_free(&out);
	for (size_t i = 0; i < it.n; i++)
		free(it.v[i].proxy);
	free(it.v);
	free(data);
	return rc;
}
