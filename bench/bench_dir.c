/*
 * bench_dir.c - load an LDIF directory with libaddr, or parse it with libldap
 *
 * NAME
 *	bench_dir - one measurement of the directory benchmark
 *
 * SYNOPSIS
 *	bench_dir --lib libaddr [--stream] [--threads N] [--group DN]
 *		  [--expand-rounds N] [--roundtrip] FILE
 *	bench_dir --lib libldap [--stream] FILE
 *
 * DESCRIPTION
 *	One program run is one measurement, so that the maximum resident
 *	set size (getrusage ru_maxrss) belongs to one library and one file.
 *	Both modes first read FILE into one malloc'ed buffer of exactly its
 *	size (+1 for a NUL), outside the timing; the timed part starts with
 *	the bytes in memory and ends when the library is done with them.
 *
 *	libaddr: addr_dir_new, then addr_dir_load_ldif on the buffer
 *	(strict reader, model rules, proxies to stored form, hash indexes
 *	and the whole-directory check of spec-directory.md §3: uniqueness
 *	of every proxy, legacyExchangeDN and DN, every member resolved).
 *	That is the load time. Then addr_dir_find of --group (default
 *	"CN=All Staff,OU=Groups,DC=example,DC=com", the largest group
 *	gendir writes) and --expand-rounds (default 5) timed runs of
 *	addr_dl_expand(res, d, group, NULL, 0, 0) into one reused result;
 *	the median is reported. --roundtrip then writes the directory back
 *	with addr_dir_write_ldif (untimed, after the RSS is taken) and
 *	reports whether the bytes equal the input (gendir writes libaddr's
 *	writer form, so they should).
 *
 *	--threads N: libaddr's load with addr_dir_set_threads(d, N): N
 *	worker threads make and check the entries while the loading
 *	thread reads and inserts (load_cpu then counts every thread; the
 *	wall time is what the workers save), and mallopt(M_ARENA_MAX, 1)
 *	as addrdir does with workers.
 *
 *	--stream: neither mode reads the file beforehand; each library
 *	reads it itself inside the timed part: libaddr with
 *	addr_dir_load_ldif_read and a read(2) callback on the open file
 *	(the reader holds about a MiB of it at a time), libldap with
 *	ldif_open on the path (stdio). The peak RSS then has no file
 *	buffer in it. --roundtrip reads the file after the measurement.
 *
 *	libldap: ldif_open_mem on the buffer, then the loop of
 *	ldif_read_record + ldap_parse_ldif_record(LDIF_DEFAULT_ADD) +
 *	ldap_ldif_record_done over every record, as spec-directory.md §12
 *	defines the yardstick. Every record must parse as an add.
 *
 *	The timed parts are the functions measured_addr_load and
 *	measured_ldap_parse, never inlined, so that valgrind --tool=callgrind
 *	--toggle-collect='measured_*' counts exactly what the timers see.
 *
 *	Output: one line
 *	  RESULT lib=L bytes=B records=N errors=E load_wall=S load_cpu=S
 *	    rss_read_kb=K maxrss_kb=K load_user=S load_sys=S load_minflt=N
 *	    [expand_wall=S expand_cpu=S expand_members=N expand_nodes=N]
 *	    [roundtrip=same|differs]
 *	(times in seconds; rss_read_kb is ru_maxrss after reading the file,
 *	before the library ran; load_user, load_sys and load_minflt are the
 *	getrusage user time, system time and minor page faults of the timed
 *	part) for bench/dir.sh (libaddr also has warnings=N), and
 *	diagnostics of a failed load on standard error.
 *
 * DIAGNOSTICS
 *	Exit status 0 on success, 1 when the file cannot be read, the load
 *	reports errors, the group is missing or a record fails to parse,
 *	2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include <lber.h>	/* before ldif.h */
#include <ldif.h>
#include <ldap.h>

#define DEFAULT_GROUP "CN=All Staff,OU=Groups,DC=example,DC=com"
#define MAX_ROUNDS 99

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* now - seconds on clock clk */
static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* maxrss_kb - the peak resident set size so far, in KiB */
static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* ru_now - user and system CPU seconds and minor faults so far */
struct ru {
	double user, sys;
	long minflt;
};

static void ru_now(struct ru *u)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	u->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
	u->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
	u->minflt = ru.ru_minflt;
}

/* print_ru - " load_user=S load_sys=S load_minflt=N" from u0 to u1 */
static void print_ru(const struct ru *u0, const struct ru *u1)
{
	printf(" load_user=%.6f load_sys=%.6f load_minflt=%ld",
	       u1->user - u0->user, u1->sys - u0->sys,
	       u1->minflt - u0->minflt);
}

/* read_file - the whole file into one buffer of its exact size + NUL */
static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "bench_dir: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fprintf(stderr, "bench_dir: %s: out of memory\n", path);
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);

		if (k <= 0) {
			fprintf(stderr, "bench_dir: %s: %s\n", path,
				k < 0 ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return NULL;
		}
		got += (size_t)k;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median - of v[0..n), n >= 1; v is sorted */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---------------------------------------------------------------- libaddr */

static unsigned threads;	/* --threads */

/* measured_addr_load - the timed libaddr part: a new directory and the
 * load of buf[0..len) into it (never inlined, see measured_ldap_parse) */
static NOINLINE int measured_addr_load(struct addr_dir **d, const char *path,
				       const char *buf, size_t len,
				       struct addr_dir_report *rep)
{
	int rc = addr_dir_new(d, 0);

	if (rc == 0)
		rc = addr_dir_set_threads(*d, threads);
	return rc < 0 ? rc : addr_dir_load_ldif(*d, buf, len, path, 0, rep);
}

/* the read callback of the streamed load: read(2), EINTR retried */
struct fdin {
	int fd;
	size_t total;
};

static long fd_read(void *ctx, char *buf, size_t cap)
{
	struct fdin *f = ctx;
	ssize_t n;

	do
		n = read(f->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		f->total += (size_t)n;
	return (long)n;
}

/* measured_addr_load_stream - the timed libaddr part with --stream: the
 * file opened and read by the load itself; *len gets its size */
static NOINLINE int measured_addr_load_stream(struct addr_dir **d,
					      const char *path, size_t *len,
					      struct addr_dir_report *rep)
{
	struct fdin f = { -1, 0 };
	int rc;

	if ((rc = addr_dir_new(d, 0)) < 0 ||
	    (rc = addr_dir_set_threads(*d, threads)) < 0)
		return rc;
	if ((f.fd = open(path, O_RDONLY)) < 0)
		return ADDR_EIO;
	rc = addr_dir_load_ldif_read(*d, fd_read, &f, path, 0, rep);
	close(f.fd);
	*len = f.total;
	return rc;
}

static int run_libaddr(const char *path, char *buf, size_t len, long rss_read,
		       const char *group, int rounds, int roundtrip)
{
	struct addr_dir *d = NULL;
	struct addr_dir_report rep;
	struct addr_dl_result res;
	const struct addr_dir_entry *g;
	double w0, c0, load_wall, load_cpu, ew[MAX_ROUNDS], ec[MAX_ROUNDS];
	struct ru u0, u1;
	int rc, i, status = 0;
	size_t k;
	long rss;
	char *own = NULL;	/* --stream --roundtrip: the file, read late */

	addr_dir_report_init(&rep);
	ru_now(&u0);
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	rc = buf != NULL ? measured_addr_load(&d, path, buf, len, &rep) :
	     measured_addr_load_stream(&d, path, &len, &rep);
	load_cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	load_wall = now(CLOCK_MONOTONIC) - w0;
	ru_now(&u1);
	if (rc != 0) {
		fprintf(stderr, "bench_dir: %s: load returned %d (%s), %zu "
			"errors, %zu warnings\n", path, rc,
			rc < 0 ? addr_strerror(rc) : "errors", rep.nerrors,
			rep.nwarnings);
		for (k = 0; k < rep.n && k < 10; k++)
			fprintf(stderr, "  %s:%zu: %s: %s\n",
				rep.diag[k].file ? rep.diag[k].file : "-",
				rep.diag[k].line, rep.diag[k].rule,
				rep.diag[k].message);
		addr_dir_report_free(&rep);
		addr_dir_free(d);
		return 1;
	}

	addr_dl_result_init(&res);
	if ((g = addr_dir_find(d, group, strlen(group))) == NULL) {
		fprintf(stderr, "bench_dir: %s: no group %s\n", path, group);
		status = 1;
		rounds = 0;
	}
	for (i = 0; i < rounds; i++) {
		double w, c;

		w = now(CLOCK_MONOTONIC);
		c = now(CLOCK_PROCESS_CPUTIME_ID);
		rc = addr_dl_expand(&res, d, g, NULL, 0, 0);
		ec[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
		ew[i] = now(CLOCK_MONOTONIC) - w;
		if (rc != 0) {
			fprintf(stderr, "bench_dir: %s: expansion returned "
				"%d\n", path, rc);
			status = 1;
			rounds = i;
			break;
		}
	}
	rss = maxrss_kb();
	printf("RESULT lib=libaddr bytes=%zu records=%zu errors=%zu "
	       "warnings=%zu load_wall=%.6f load_cpu=%.6f rss_read_kb=%ld "
	       "maxrss_kb=%ld", len, addr_dir_count(d), rep.nerrors,
	       rep.nwarnings, load_wall, load_cpu, rss_read, rss);
	print_ru(&u0, &u1);
	if (rounds > 0)
		printf(" expand_wall=%.6f expand_cpu=%.6f expand_members=%zu "
		       "expand_nodes=%zu", median(ew, (size_t)rounds),
		       median(ec, (size_t)rounds), res.nmember, res.nnode);
	if (roundtrip) {
		struct addr_buf out;

		if (buf == NULL && (buf = own = read_file(path, &len)) == NULL)
			status = 1;
		addr_buf_init(&out);
		rc = buf == NULL ? -1 : addr_dir_write_ldif(d, &out);
		printf(" roundtrip=%s", rc == 0 && out.size == len &&
		       memcmp(out.ptr, buf, len) == 0 ? "same" : "differs");
		addr_buf_free(&out);
	}
	putchar('\n');
	free(own);
	addr_dl_result_free(&res);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	return status;
}

/* ---------------------------------------------------------------- libldap */

/* measured_ldap_parse - the timed libldap loop over buf[0..len); a
 * separate, never inlined function so that callgrind
 * --toggle-collect='measured_*' can count it alone. 0, or -1 when
 * libldap could not open or read the buffer. */
static NOINLINE int measured_ldap_parse(const char *path, char *buf,
					size_t len, size_t *records,
					size_t *errors)
{
	LDIFFP *fp;
	char *rbuf = NULL;
	int rlen = 0, rc;
	unsigned long lineno = 0;

	/* buf NULL (--stream): libldap reads the file through stdio */
	fp = buf != NULL ? ldif_open_mem(buf, len, "r") : ldif_open(path, "r");
	if (fp == NULL) {
		fprintf(stderr, "bench_dir: %s: ldif_open%s failed\n", path,
			buf != NULL ? "_mem" : "");
		return -1;
	}
	while ((rc = ldif_read_record(fp, &lineno, &rbuf, &rlen)) > 0) {
		struct berval bv;
		LDIFRecord lr;

		bv.bv_val = rbuf;
		bv.bv_len = strlen(rbuf);
		memset(&lr, 0, sizeof(lr));
		rc = ldap_parse_ldif_record(&bv, lineno, &lr, "bench_dir",
					    LDIF_DEFAULT_ADD);
		if (rc != 0 || lr.lr_op != LDAP_REQ_ADD) {
			if ((*errors)++ < 10)
				fprintf(stderr, "bench_dir: %s:%lu: libldap: "
					"rc %d, op %lu\n", path, lineno, rc,
					(unsigned long)lr.lr_op);
		}
		(*records)++;
		ldap_ldif_record_done(&lr);
	}
	ldif_close(fp);
	ber_memfree(rbuf);
	return rc < 0 ? -1 : 0;
}

static int run_libldap(const char *path, char *buf, size_t len, long rss_read)
{
	size_t records = 0, errors = 0;
	int rc;
	double w0, c0, wall, cpu;
	struct ru u0, u1;

	ru_now(&u0);
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	rc = measured_ldap_parse(path, buf, len, &records, &errors);
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	wall = now(CLOCK_MONOTONIC) - w0;
	ru_now(&u1);
	if (buf == NULL) {	/* --stream: the size of the file read */
		struct stat st;

		len = stat(path, &st) == 0 ? (size_t)st.st_size : 0;
	}
	printf("RESULT lib=libldap bytes=%zu records=%zu errors=%zu "
	       "load_wall=%.6f load_cpu=%.6f rss_read_kb=%ld maxrss_kb=%ld",
	       len, records, errors, wall, cpu, rss_read, maxrss_kb());
	print_ru(&u0, &u1);
	putchar('\n');
	return errors || rc < 0 ? 1 : 0;
}

/* ------------------------------------------------------------------ main */

static void usage(int status)
{
	fputs("usage: bench_dir --lib libaddr [--stream] [--threads N] "
	      "[--group DN] [--expand-rounds N] [--roundtrip] FILE\n"
	      "       bench_dir --lib libldap [--stream] FILE\n",
	      status ? stderr : stdout);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lib", required_argument, NULL, 'l' },
		{ "group", required_argument, NULL, 'g' },
		{ "expand-rounds", required_argument, NULL, 'r' },
		{ "roundtrip", no_argument, NULL, 't' },
		{ "stream", no_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *lib = NULL, *group = DEFAULT_GROUP;
	int c, rounds = 5, roundtrip = 0, stream = 0, rc;
	size_t len = 0;
	char *buf = NULL;
	long rss_read;

	while ((c = getopt_long(argc, argv, "l:g:r:tsT:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lib = optarg; break;
		case 'g': group = optarg; break;
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 0 || rounds > MAX_ROUNDS)
				usage(2);
			break;
		case 't': roundtrip = 1; break;
		case 's': stream = 1; break;
		case 'T':
			threads = (unsigned)atoi(optarg);
			if (threads > 8)
				usage(2);
			/* as addrdir does (addr_dir_set_threads) */
			if (threads > 0)
				(void)mallopt(M_ARENA_MAX, 1);
			break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind + 1 != argc || lib == NULL ||
	    (strcmp(lib, "libaddr") != 0 && strcmp(lib, "libldap") != 0))
		usage(2);
	if (!stream && (buf = read_file(argv[optind], &len)) == NULL)
		return 1;
	rss_read = maxrss_kb();
	if (strcmp(lib, "libaddr") == 0)
		rc = run_libaddr(argv[optind], buf, len, rss_read, group,
				 rounds, roundtrip);
	else
		rc = run_libldap(argv[optind], buf, len, rss_read);
	free(buf);
	return rc;
}
