/*
 * ldif_read.c - fuzz target: the LDIF reader and the directory load
 *
 * DESCRIPTION
 *	Input: one selector octet, then LDIF text (spec-directory.md §6).
 *	Selector bits:
 *
 *	  0x01	ADDR_LDIF_LENIENT for the reader
 *	  0x02	load into a lenient directory (ADDR_DIR_LENIENT)
 *	  0x04	load with ADDR_DIR_X400_STRICT
 *	  0x08	also apply the input as a change file to a small base
 *		directory (addr_dir_apply, addr_dir_apply_check)
 *	  0x10	also load with one worker thread (addr_dir_set_threads) and
 *		apply with addr_dir_apply_ldif_read with and without one
 *	  0xe0	unused
 *
 *	Checks, for every input:
 *	 - addr_ldif_parse returns the number of error diagnostics (or
 *	   ADDR_ENOMEM); every diagnostic has a line inside the input, a
 *	   known severity and an "ldif." or "limit.value" rule; records have items whose
 *	   strings are NUL-terminated where the reader promises it;
 *	 - addr_dir_load_ldif returns its error count and never more
 *	   entries than records;
 *	 - for an input loaded without errors: the writer's output reads
 *	   back without any reader diagnostic,
 *	   and writing what was read back gives the same octets (the round
 *	   trip of §6.5 is stable on the second round).
 *	 - the rejects file of the input for its error lines is either a
 *	   byte copy (a file-level error) or starts with "version: 1";
 *	 - (0x08) applying every record counts each refused record's errors,
 *	   and a base directory that took the changes without an error
 *	   writes LDIF that reads back without a diagnostic.
 *	 - (0x10) a load, and a change run, with a worker thread give the
 *	   same result, report (every field, in order) and written
 *	   directory as without; the directory streamed as it grows
 *	   (addr_dir_stream_begin), when the stream held, is the writer's.
 *	Any violation aborts. Nothing is ever fetched: ":<" and "include:"
 *	are refused by the reader.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"
#include "fuzzthreads.h"

static int count_record(void *ctx, const struct addr_ldif_record *r)
{
	size_t *n = ctx, i;

	FZ_CHECK(r->line >= 1, "record line");
	for (i = 0; i < r->nitem; i++) {
		FZ_CHECK(r->item[i].name.ptr[r->item[i].name.len] == '\0' ||
		      r->item[i].kind == ADDR_LDIF_CONTROL ||
		      r->item[i].kind >= ADDR_LDIF_MOD_ADD, "name NUL");
		FZ_CHECK(r->item[i].line >= r->line, "item line");
	}
	(*n)++;
	return 0;
}

/* load_write - load text into a new directory, write it to out */
static int load_write(const char *text, size_t len, unsigned dflags,
		      struct addr_buf *out, size_t *nerr)
{
	struct addr_dir *d;
	struct addr_dir_report rep;
	int rc;

	if (addr_dir_new(&d, dflags) < 0)
		return -1;
	addr_dir_report_init(&rep);
	rc = addr_dir_load_ldif(d, text, len, "fuzz", 0, &rep);
	if (rc >= 0) {
		FZ_CHECK((size_t)rc == rep.nerrors, "load count");
		*nerr = rep.nerrors;
		rc = addr_dir_write_ldif(d, out);
	}
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	return rc;
}

static const char base_ldif[] =
	"version: 1\n"
	"dn: CN=a,DC=x\nobjectClass: user\nproxyAddresses: SMTP:a@x.test\n"
	"proxyAddresses: smtp:b@x.test\ncn: a\n\n"
	"dn: CN=g,DC=x\nobjectClass: group\nmember: CN=a,DC=x\n"
	"proxyAddresses: SMTP:g@x.test\n";

static int go_load(struct addr_dir *d, const char *text, size_t len,
		   struct addr_dir_report *rep)
{
	return addr_dir_load_ldif(d, text, len, "fuzz", 0, rep);
}

static int go_apply(struct addr_dir *d, const char *text, size_t len,
		    struct addr_dir_report *rep)
{
	struct fz_memrd m = { text, len };

	return addr_dir_apply_ldif_read(d, fz_mem_rd, &m, "c", 0,
					ADDR_APPLY_REPLACE_EXISTING, NULL, NULL,
					rep);
}


struct applier {
	struct addr_dir *d;
	struct addr_dir_report *rep;
};

static int apply_one(void *ctx, const struct addr_ldif_record *r)
{
	struct applier *ap = ctx;
	size_t before = ap->rep->nerrors;
	int rc = addr_dir_apply(ap->d, r, "c", ADDR_APPLY_REPLACE_EXISTING,
				ap->rep);

	if (rc == ADDR_ENOMEM)
		return rc;
	FZ_CHECK(rc >= 0 && (size_t)rc == ap->rep->nerrors - before,
		 "apply counts its errors");
	return 0;
}

/* apply_changes - the input as a change file on the base directory */
static void apply_changes(const char *text, size_t len, unsigned flags)
{
	struct addr_dir_report rep;
	struct applier ap;
	struct addr_buf w;

	addr_dir_report_init(&rep);
	if (addr_dir_new(&ap.d, 0) < 0)
		return;
	FZ_CHECK(addr_dir_load_ldif(ap.d, base_ldif, sizeof(base_ldif) - 1,
				    NULL, 0, NULL) == 0, "base loads");
	ap.rep = &rep;
	if (addr_ldif_parse(text, len, "c", flags, apply_one, &ap, &rep) >= 0 &&
	    addr_dir_apply_check(ap.d, "d", "c", &rep) >= 0 &&
	    rep.nerrors == 0 && !rep.oom) {
		struct addr_dir_report r2;

		addr_buf_init(&w);
		if (addr_dir_write_ldif(ap.d, &w) == 0) {
			addr_dir_report_init(&r2);
			FZ_CHECK(addr_ldif_parse(w.ptr, w.size, "w", 0, NULL,
						 NULL, &r2) == 0 && r2.n == 0,
				 "applied directory writes valid LDIF");
			addr_dir_report_free(&r2);
		}
		addr_buf_free(&w);
	}
	addr_dir_report_free(&rep);
	addr_dir_free(ap.d);
}

/* check_rejects - the rejects file for the error lines of rep */
static void check_rejects(const char *text, size_t len,
			  const struct addr_dir_report *rep)
{
	size_t lines[64], n = 0, i, j;
	struct addr_buf out;

	for (i = 0; i < rep->n && n < 64; i++) {
		if (rep->diag[i].severity != ADDR_SEV_ERROR)
			continue;
		for (j = n; j > 0 && lines[j - 1] > rep->diag[i].line; j--)
			lines[j] = lines[j - 1];
		lines[j] = rep->diag[i].line;
		n++;
	}
	addr_buf_init(&out);
	if (addr_ldif_rejects(&out, text, len, lines, n) == 0)
		FZ_CHECK((out.size == len && memcmp(out.ptr, text, len) == 0) ||
			 (out.size >= 11 && memcmp(out.ptr, "version: 1\n", 11) == 0),
			 "rejects: a copy or version 1 and records");
	addr_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	size_t len, lines = 1, i, nrec = 0, nerr = 0;
	struct addr_dir_report rep;
	struct addr_buf w1, w2;
	unsigned sel, dflags = 0;
	int rc;

	if (size < 1)
		return 0;
	sel = data[0];
	len = size - 1;
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	addr_dir_report_init(&rep);
	rc = addr_ldif_parse(text, len, "fuzz", (sel & 1) ? ADDR_LDIF_LENIENT : 0,
			     count_record, &nrec, &rep);
	FZ_CHECK(rc == ADDR_ENOMEM || (rc >= 0 && (size_t)rc == rep.nerrors),
	      "parse count");
	for (i = 0; i < rep.n; i++) {
		FZ_CHECK(rep.diag[i].line >= 1 && rep.diag[i].line <= lines,
		      "diagnostic line");
		FZ_CHECK(rep.diag[i].severity == ADDR_SEV_ERROR ||
		      rep.diag[i].severity == ADDR_SEV_WARNING, "severity");
		FZ_CHECK(strncmp(rep.diag[i].rule, "ldif.", 5) == 0 ||
		      strcmp(rep.diag[i].rule, "limit.value") == 0, "rule");
	}
	check_rejects(text, len, &rep);
	addr_dir_report_free(&rep);
	if (sel & 8)
		apply_changes(text, len, (sel & 1) ? ADDR_LDIF_LENIENT : 0);

	if (sel & 2)
		dflags |= ADDR_DIR_LENIENT;
	if (sel & 4)
		dflags |= ADDR_DIR_X400_STRICT;
	if (sel & 0x10) {
		fz_same_threads(go_load, text, len, dflags, NULL);
		fz_same_threads(go_apply, text, len, 0, base_ldif);
	}
	addr_buf_init(&w1);
	addr_buf_init(&w2);
	/* the round trip is promised for what the readers accept */
	if (load_write(text, len, dflags, &w1, &nerr) == 0 && nerr == 0) {
		size_t e2 = 0;

		/* what the writer wrote reads back without reader errors */
		addr_dir_report_init(&rep);
		rc = addr_ldif_parse(w1.ptr, w1.size, "w1", 0, NULL, NULL, &rep);
		FZ_CHECK(rc == 0 && rep.n == 0, "writer output is valid LDIF");
		addr_dir_report_free(&rep);
		/* w3 is made only when w2 differs from w1: otherwise it is
		 * the same function of the same text */
		if (load_write(w1.ptr, w1.size, dflags, &w2, &e2) == 0 &&
		    (w1.size != w2.size || memcmp(w1.ptr, w2.ptr, w1.size))) {
			struct addr_buf w3;

			addr_buf_init(&w3);
			/* second round stable */
			if (load_write(w2.ptr, w2.size, dflags, &w3, &e2) == 0)
				FZ_CHECK(w2.size == w3.size &&
				      memcmp(w2.ptr, w3.ptr, w2.size) == 0,
				      "round trip stable");
			addr_buf_free(&w3);
		}
	}
	addr_buf_free(&w1);
	addr_buf_free(&w2);
	return 0;
}
