/*
 * bench_parse.c - libaddr against libetpan and GMime on one corpus
 *
 * NAME
 *	bench_parse - address-parser throughput and acceptance benchmark
 *
 * SYNOPSIS
 *	bench_parse [--rounds N] [--count N] [--subset S] [--show-diff N] CORPUS
 *	bench_parse --only libaddr|libetpan|gmime [--count N] [--subset S]
 *		    [--baseline] [--warmup N] CORPUS
 *
 * DESCRIPTION
 *	CORPUS is the output of gencorpus: "SUBSET<TAB>ADDRESS<LF>" lines.
 *	The whole corpus (or its first --count lines) is loaded into memory
 *	once; every address is then both pointer + length and a C string.
 *	--subset S keeps only the addresses of subset S (then the first
 *	--count of them), e.g. to measure instructions per address per subset.
 *
 *	Each parser parses one address as one mailbox:
 *	  libaddr   addr_mailbox_parse(&res, s, len, ADDR_P_MAILBOX,
 *		    ADDR_F_LENIENT | ADDR_F_UTF8, NULL) with its full
 *		    validation (IDNA, NFC, lengths), one result struct reused;
 *		    accepted = return 0 (category not ERROR).
 *	  libetpan  mailimf_mailbox_parse(s, len, &idx, &mb); accepted =
 *		    MAILIMF_NO_ERROR and idx == len (full consumption); the
 *		    result is freed.
 *	  gmime     internet_address_list_parse(NULL, s) after one
 *		    g_mime_init(); accepted = a list with >= 1 address; the
 *		    list is unreferenced.
 *
 *	Benchmark mode (default): --rounds rounds (default 7) in one
 *	process; round r runs the three parsers over the whole corpus in the
 *	order rotated by r, so that no parser always runs first or last.
 *	Prints per round and parser the wall and thread-CPU seconds, then
 *	the median addresses/s of each parser (wall and CPU), the ratio
 *	libaddr/libetpan, accepted counts per subset and parser, and libaddr's
 *	category per subset (one extra untimed pass). Lines starting with
 *	"RESULT" are for bench/run.sh. --show-diff N prints up to N addresses
 *	per subset on which libaddr and libetpan disagree.
 *
 *	--only mode runs one parser once over the first --count addresses,
 *	for valgrind --tool=callgrind. Both it and --baseline first parse
 *	the first --warmup addresses (default 1000) so that one-time set-up
 *	(ICU data, GMime tables) falls in both runs; --baseline then stops.
 *	(Ir(run) - Ir(baseline)) / count is the steady-state number of
 *	instructions per address; callgrind --toggle-collect='measured_pass*'
 *	on the run gives the same figure directly and a profile of just the
 *	parse loop.
 *
 * DIAGNOSTICS
 *	Exit status 0 on success, 1 when the corpus cannot be read or the
 *	accepted counts differ between rounds, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include <libetpan/libetpan.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <gmime/gmime.h>
#pragma GCC diagnostic pop

#define MAX_SUBSETS 32
#define MAX_ROUNDS 99

/* ------------------------------------------------------------ the corpus */

/* The order in which known subsets are reported; others follow. */
static const char *const known_subsets[] = {
	"plain", "display", "quoted", "comment", "imcea", "utf8", "invalid"
};

struct corpus {
	char *data;		/* the file, LFs replaced by NULs */
	size_t n;		/* addresses */
	const char **s;		/* NUL-terminated address i */
	size_t *len;		/* its length */
	unsigned char *sub;	/* its subset index */
	char *subset_name[MAX_SUBSETS];
	size_t nsubsets;
	size_t subset_total[MAX_SUBSETS];
};

/* subset_index - the index of a subset label, adding it when new */
static int subset_index(struct corpus *c, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->nsubsets; i++)
		if (strlen(c->subset_name[i]) == len &&
		    memcmp(c->subset_name[i], name, len) == 0)
			return (int)i;
	if (c->nsubsets == MAX_SUBSETS)
		return -1;
	if (!(c->subset_name[c->nsubsets] = strndup(name, len)))
		return -1;
	return (int)c->nsubsets++;
}

/* corpus_load - read the first max lines (0: all) of a corpus file */
static int corpus_load(struct corpus *c, const char *path, size_t max)
{
	FILE *fp = fopen(path, "rb");
	size_t size = 0, cap = 1 << 20, k, i, lines = 0;
	char *p, *end;

	memset(c, 0, sizeof(*c));
	if (!fp) {
		fprintf(stderr, "bench_parse: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(known_subsets) / sizeof(known_subsets[0]); i++)
		subset_index(c, known_subsets[i], strlen(known_subsets[i]));
	if (!(c->data = malloc(cap)))
		goto oom;
	for (;;) {
		if (size + 1 >= cap) {
			char *q = realloc(c->data, cap *= 2);
			if (!q)
				goto oom;
			c->data = q;
		}
		k = fread(c->data + size, 1, cap - size - 1, fp);
		size += k;
		if (k == 0)
			break;
		if (max) {	/* stop reading once max lines are in */
			for (p = c->data + size - k; p < c->data + size; p++)
				if (*p == '\n' && ++lines >= max)
					break;
			if (lines >= max)
				break;
		}
	}
	if (ferror(fp)) {
		fprintf(stderr, "bench_parse: %s: read error\n", path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	c->data[size] = '\0';
	for (lines = 0, p = c->data; p < c->data + size; p++)
		if (*p == '\n')
			lines++;
	if (max && lines > max)
		lines = max;
	c->s = malloc((lines ? lines : 1) * sizeof(*c->s));
	c->len = malloc((lines ? lines : 1) * sizeof(*c->len));
	c->sub = malloc(lines ? lines : 1);
	if (!c->s || !c->len || !c->sub)
		goto oom;
	for (p = c->data, end = c->data + size; p < end && c->n < lines;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *tab = memchr(p, '\t', (size_t)(nl - p));
		int si;

		if (!tab) {
			fprintf(stderr, "bench_parse: %s:%zu: no TAB\n", path,
				c->n + 1);
			return -1;
		}
		if ((si = subset_index(c, p, (size_t)(tab - p))) < 0)
			goto oom;
		*nl = '\0';
		c->s[c->n] = tab + 1;
		c->len[c->n] = (size_t)(nl - tab - 1);
		c->sub[c->n] = (unsigned char)si;
		c->subset_total[si]++;
		c->n++;
		p = nl + 1;
	}
	return 0;
oom:
	fprintf(stderr, "bench_parse: out of memory\n");
	if (fp)
		fclose(fp);
	return -1;
}

/* corpus_keep - keep only the first max (0: all) addresses of one subset */
static int corpus_keep(struct corpus *c, const char *name, size_t max)
{
	size_t i, j = 0;
	int si = -1;

	for (i = 0; i < c->nsubsets; i++)
		if (strcmp(c->subset_name[i], name) == 0)
			si = (int)i;
	if (si < 0 || !c->subset_total[si]) {
		fprintf(stderr, "bench_parse: no subset %s in the corpus\n", name);
		return -1;
	}
	for (i = 0; i < c->n && (!max || j < max); i++)
		if (c->sub[i] == si) {
			c->s[j] = c->s[i];
			c->len[j] = c->len[i];
			c->sub[j] = c->sub[i];
			j++;
		}
	c->n = j;
	memset(c->subset_total, 0, sizeof(c->subset_total));
	c->subset_total[si] = j;
	return 0;
}

/* -------------------------------------------------------------- parsers */

enum { P_LIBADDR, P_LIBETPAN, P_GMIME, NPARSERS };
static const char *const parser_name[NPARSERS] = {
	"libaddr", "libetpan", "gmime"
};

static struct addr_mailbox_result libaddr_res;
static int libaddr_other_errors;	/* returns other than 0 / ESYNTAX */

/* one_libaddr - 1 when libaddr accepts the address as a mailbox */
static inline int one_libaddr(const char *s, size_t len)
{
	int r = addr_mailbox_parse(&libaddr_res, s, len, ADDR_P_MAILBOX,
				   ADDR_F_LENIENT | ADDR_F_UTF8, NULL);

	if (r != 0 && r != ADDR_ESYNTAX)
		libaddr_other_errors++;
	return r == 0;
}

/* one_libetpan - 1 when libetpan parses all of the address as a mailbox */
static inline int one_libetpan(const char *s, size_t len)
{
	struct mailimf_mailbox *mb = NULL;
	size_t idx = 0;
	int ok = 0;

	if (mailimf_mailbox_parse(s, len, &idx, &mb) == MAILIMF_NO_ERROR) {
		ok = idx == len;
		mailimf_mailbox_free(mb);
	}
	return ok;
}

/* one_gmime - 1 when GMime finds at least one address */
static inline int one_gmime(const char *s)
{
	InternetAddressList *l = internet_address_list_parse(NULL, s);
	int ok = 0;

	if (l) {
		ok = internet_address_list_length(l) >= 1;
		g_object_unref(l);
	}
	return ok;
}

/*
 * The loops are noinline so that callgrind_annotate shows them and so that
 * the three are compiled alike. acc[subset] counts accepted addresses.
 */
__attribute__((noinline))
static void run_libaddr(const struct corpus *c, size_t from, size_t to,
			size_t *acc)
{
	for (size_t i = from; i < to; i++)
		acc[c->sub[i]] += (size_t)one_libaddr(c->s[i], c->len[i]);
}

__attribute__((noinline))
static void run_libetpan(const struct corpus *c, size_t from, size_t to,
			 size_t *acc)
{
	for (size_t i = from; i < to; i++)
		acc[c->sub[i]] += (size_t)one_libetpan(c->s[i], c->len[i]);
}

__attribute__((noinline))
static void run_gmime(const struct corpus *c, size_t from, size_t to,
		      size_t *acc)
{
	for (size_t i = from; i < to; i++)
		acc[c->sub[i]] += (size_t)one_gmime(c->s[i]);
}

typedef void (*run_fn)(const struct corpus *, size_t, size_t, size_t *);
static const run_fn runner[NPARSERS] = { run_libaddr, run_libetpan, run_gmime };

/* parser_by_name - P_* for a name, or -1 */
static int parser_by_name(const char *name)
{
	for (int p = 0; p < NPARSERS; p++)
		if (strcmp(name, parser_name[p]) == 0)
			return p;
	return -1;
}

/* ------------------------------------------------------------ utilities */

/* now - seconds on the given clock */
static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* cmp_double - qsort comparator */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median - the median of n values (sorts a copy) */
static double median(const double *v, size_t n)
{
	double t[MAX_ROUNDS];

	memcpy(t, v, n * sizeof(*v));
	qsort(t, n, sizeof(*t), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* print_escaped - an address with non-printable octets as \xHH */
static void print_escaped(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
}

/* --------------------------------------------------------------- modes */

/*
 * measured_pass - the pass that --only measures. A function of its own so
 * that callgrind --toggle-collect='measured_pass*' can count just it.
 */
__attribute__((noinline))
static void measured_pass(const struct corpus *c, int p, size_t *acc)
{
	runner[p](c, 0, c->n, acc);
}

/* only_mode - one parser, one pass, for callgrind */
static int only_mode(const struct corpus *c, int p, int baseline,
		     size_t warmup)
{
	size_t acc[MAX_SUBSETS] = { 0 }, total = 0;

	if (p == P_GMIME)
		g_mime_init();
	addr_mailbox_result_init(&libaddr_res);
	runner[p](c, 0, warmup < c->n ? warmup : c->n, acc);
	memset(acc, 0, sizeof(acc));
	if (!baseline)
		measured_pass(c, p, acc);
	for (size_t k = 0; k < c->nsubsets; k++)
		total += acc[k];
	printf("%s: %zu addresses%s, %zu accepted\n", parser_name[p], c->n,
	       baseline ? " (baseline: load and warm-up only)" : "", total);
	addr_mailbox_result_free(&libaddr_res);
	if (p == P_GMIME)
		g_mime_shutdown();
	return 0;
}

/* bench_mode - interleaved rounds over all three parsers */
static int bench_mode(const struct corpus *c, unsigned rounds,
		      unsigned show_diff)
{
	static size_t acc[NPARSERS][MAX_SUBSETS];
	static size_t first[NPARSERS][MAX_SUBSETS];
	double wall[NPARSERS][MAX_ROUNDS], cpu[NPARSERS][MAX_ROUNDS];
	double med_wall[NPARSERS], med_cpu[NPARSERS];
	size_t cat[MAX_SUBSETS][6] = { { 0 } };
	static const int cats[6] = {
		ADDR_CAT_VALID, ADDR_CAT_RFC5321, ADDR_CAT_CFWS,
		ADDR_CAT_DEPRECATED, ADDR_CAT_RFC5322, ADDR_CAT_ERROR
	};
	int status = 0;

	g_mime_init();
	addr_mailbox_result_init(&libaddr_res);
	printf("corpus: %zu addresses, %u rounds, parser order rotates each "
	       "round\n", c->n, rounds);
	for (unsigned r = 0; r < rounds; r++) {
		printf("round %u:", r + 1);
		for (unsigned k = 0; k < NPARSERS; k++) {
			int p = (int)((r + k) % NPARSERS);
			double w0, c0;

			memset(acc[p], 0, sizeof(acc[p]));
			w0 = now(CLOCK_MONOTONIC);
			c0 = now(CLOCK_THREAD_CPUTIME_ID);
			runner[p](c, 0, c->n, acc[p]);
			cpu[p][r] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
			wall[p][r] = now(CLOCK_MONOTONIC) - w0;
			printf("  %s %.3fs (cpu %.3fs)", parser_name[p],
			       wall[p][r], cpu[p][r]);
			fflush(stdout);
			if (r == 0)
				memcpy(first[p], acc[p], sizeof(acc[p]));
			else if (memcmp(first[p], acc[p], sizeof(acc[p])) != 0) {
				printf(" [accepted counts changed!]");
				status = 1;
			}
		}
		printf("\n");
	}

	printf("\n%-9s %16s %16s %22s\n", "parser", "median addr/s",
	       "median addr/s", "wall s min..max");
	printf("%-9s %16s %16s\n", "", "(wall)", "(thread cpu)");
	for (int p = 0; p < NPARSERS; p++) {
		double lo = wall[p][0], hi = wall[p][0];

		for (unsigned r = 1; r < rounds; r++) {
			if (wall[p][r] < lo)
				lo = wall[p][r];
			if (wall[p][r] > hi)
				hi = wall[p][r];
		}
		med_wall[p] = (double)c->n / median(wall[p], rounds);
		med_cpu[p] = (double)c->n / median(cpu[p], rounds);
		printf("%-9s %16.0f %16.0f %10.3f..%.3f\n", parser_name[p],
		       med_wall[p], med_cpu[p], lo, hi);
	}
	printf("ratio libaddr/libetpan: %.2fx (wall), %.2fx (cpu)\n",
	       med_wall[P_LIBADDR] / med_wall[P_LIBETPAN],
	       med_cpu[P_LIBADDR] / med_cpu[P_LIBETPAN]);
	printf("ratio libaddr/gmime:    %.2fx (wall), %.2fx (cpu)\n",
	       med_wall[P_LIBADDR] / med_wall[P_GMIME],
	       med_cpu[P_LIBADDR] / med_cpu[P_GMIME]);
	if (libaddr_other_errors)
		printf("libaddr: %d parses returned neither 0 nor "
		       "ADDR_ESYNTAX\n", libaddr_other_errors);

	printf("\naccepted  %9s %9s %9s %9s\n", "count", "libaddr",
	       "libetpan", "gmime");
	{
		size_t tot[NPARSERS] = { 0 };

		for (size_t k = 0; k < c->nsubsets; k++) {
			if (!c->subset_total[k])
				continue;
			printf("%-9s %9zu", c->subset_name[k],
			       c->subset_total[k]);
			for (int p = 0; p < NPARSERS; p++) {
				printf(" %9zu", first[p][k]);
				tot[p] += first[p][k];
			}
			printf("\n");
		}
		printf("%-9s %9zu %9zu %9zu %9zu\n", "total", c->n,
		       tot[P_LIBADDR], tot[P_LIBETPAN], tot[P_GMIME]);
	}

	/* untimed: libaddr's category per subset, and disagreements */
	for (size_t i = 0; i < c->n; i++) {
		addr_mailbox_parse(&libaddr_res, c->s[i], c->len[i],
				   ADDR_P_MAILBOX, ADDR_F_LENIENT | ADDR_F_UTF8,
				   NULL);
		for (int k = 0; k < 6; k++)
			if (libaddr_res.category == cats[k])
				cat[c->sub[i]][k]++;
	}
	printf("\nlibaddr category per subset\n%-9s", "");
	for (int k = 0; k < 6; k++)
		printf(" %10s", addr_category_name(cats[k]) ?
		       addr_category_name(cats[k]) : "?");
	printf("\n");
	for (size_t k = 0; k < c->nsubsets; k++) {
		if (!c->subset_total[k])
			continue;
		printf("%-9s", c->subset_name[k]);
		for (int j = 0; j < 6; j++)
			printf(" %10zu", cat[k][j]);
		printf("\n");
	}

	if (show_diff) {
		size_t shown[MAX_SUBSETS] = { 0 };

		printf("\nlibaddr/libetpan/gmime disagreements (1 = accepted), "
		       "up to %u per subset\n", show_diff);
		for (size_t i = 0; i < c->n; i++) {
			int a = one_libaddr(c->s[i], c->len[i]);
			int e = one_libetpan(c->s[i], c->len[i]);

			if (a == e || shown[c->sub[i]] >= show_diff)
				continue;
			shown[c->sub[i]]++;
			printf("%-8s %d %d %d  ", c->subset_name[c->sub[i]], a, e,
			       one_gmime(c->s[i]));
			print_escaped(c->s[i], c->len[i]);
			printf("\n");
		}
	}

	for (int p = 0; p < NPARSERS; p++) {
		size_t tot = 0;

		for (size_t k = 0; k < c->nsubsets; k++)
			tot += first[p][k];
		printf("RESULT %s wall_aps=%.0f cpu_aps=%.0f accepted=%zu\n",
		       parser_name[p], med_wall[p], med_cpu[p], tot);
	}
	addr_mailbox_result_free(&libaddr_res);
	g_mime_shutdown();
	return status;
}

/* usage - print the synopsis and exit */
static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: bench_parse [--rounds N] [--count N] [--subset S] "
		"[--show-diff N] CORPUS\n"
		"       bench_parse --only libaddr|libetpan|gmime [--count N] "
		"[--subset S] [--baseline] [--warmup N] CORPUS\n");
	exit(status);
}

/* parse_num - a decimal option argument, or exit 2 */
static size_t parse_num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end != '\0' || *s == '-')
		usage(2);
	return (size_t)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "only", required_argument, NULL, 'o' },
		{ "baseline", no_argument, NULL, 'b' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "show-diff", required_argument, NULL, 'd' },
		{ "subset", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	size_t rounds = 7, count = 0, warmup = 1000, show_diff = 0;
	const char *subset = NULL;
	int only = -1, baseline = 0, ch;
	struct corpus c;

	while ((ch = getopt_long(argc, argv, "r:n:o:bw:d:s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': rounds = parse_num(optarg); break;
		case 'n': count = parse_num(optarg); break;
		case 'o':
			if ((only = parser_by_name(optarg)) < 0)
				usage(2);
			break;
		case 'b': baseline = 1; break;
		case 'w': warmup = parse_num(optarg); break;
		case 'd': show_diff = parse_num(optarg); break;
		case 's': subset = optarg; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind + 1 != argc || rounds < 1 || rounds > MAX_ROUNDS ||
	    (baseline && only < 0))
		usage(2);
	if (corpus_load(&c, argv[optind], subset ? 0 : count) != 0)
		return 1;
	if (subset && corpus_keep(&c, subset, count) != 0)
		return 1;
	if (only >= 0)
		return only_mode(&c, only, baseline, warmup);
	return bench_mode(&c, (unsigned)rounds, (unsigned)show_diff);
}
