/*
 * dsml_read.c - fuzz target: the DSML reader, directory load, writer
 * and rejects file
 *
 * DESCRIPTION
 *	Input: one selector octet, then a DSML document (spec-directory.md
 *	§7). Selector bits:
 *
 *	  0x01	ADDR_DSML_LENIENT for the reader
 *	  0x02	load into a lenient directory (ADDR_DIR_LENIENT)
 *	  0x04	load with ADDR_DIR_X400_STRICT
 *	  0x08	also build the rejects file from the error lines
 *	  0x10	also load, and apply as a change file to a small base,
 *		with and without a worker thread (fuzzthreads.h)
 *	  0xe0	unused
 *
 *	Checks, for every input:
 *	 - addr_dsml_parse returns the number of error diagnostics (or
 *	   ADDR_ENOMEM); every diagnostic has a line inside the input, a
 *	   known severity and a "dsml." or "limit.value" rule; records and
 *	   items have lines inside the input, items not before their record,
 *	   and NUL-terminated names and values;
 *	 - addr_dir_load_dsml returns its error count;
 *	 - a batchResponse that parses and loads without errors writes
 *	   (never refused: what DSML carried, DSML can carry), the output
 *	   parses and loads again without errors, and writing that gives
 *	   the same octets (the round trip of §7.4);
 *	 - with 0x08: the rejects file is the input itself or a document
 *	   that parses without a file-level problem (dsml.xml, dsml.doctype,
 *	   dsml.root, dsml.v1).
 *	 - with 0x10: a load and a change run with a worker thread give
 *	   the same result, diagnostics in the same order and the same
 *	   directory as without; the directory streamed as it grows
 *	   (addr_dir_stream_begin), when the stream held, is the writer's.
 *	Any violation aborts. Nothing is ever fetched: a DOCTYPE is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"
#include "fuzzthreads.h"

static int go_load(struct addr_dir *d, const char *text, size_t len,
		   struct addr_dir_report *rep)
{
	return addr_dir_load_dsml(d, text, len, "fuzz", 0, rep);
}

static int go_apply(struct addr_dir *d, const char *text, size_t len,
		    struct addr_dir_report *rep)
{
	struct fz_memrd m = { text, len };

	return addr_dir_apply_dsml_read(d, fz_mem_rd, &m, "c", 0,
					ADDR_APPLY_REPLACE_EXISTING, NULL, NULL,
					rep);
}

static const char base_ldif[] =
	"version: 1\n"
	"dn: CN=a,DC=x\nobjectClass: user\nproxyAddresses: SMTP:a@x.test\n"
	"cn: a\n\n"
	"dn: CN=g,DC=x\nobjectClass: group\nmember: CN=a,DC=x\n"
	"proxyAddresses: SMTP:g@x.test\n";

struct seen {
	size_t lines;		/* lines of the input */
	size_t nrec;
};

static int check_record(void *ctx, const struct addr_ldif_record *r)
{
	struct seen *sn = ctx;
	size_t i;

	FZ_CHECK(r->line >= 1 && r->line <= sn->lines, "record line");
	FZ_CHECK(r->dn.ptr[r->dn.len] == '\0', "dn NUL");
	for (i = 0; i < r->nitem; i++) {
		FZ_CHECK(r->item[i].name.ptr[r->item[i].name.len] == '\0',
			 "name NUL");
		FZ_CHECK(r->item[i].value.ptr[r->item[i].value.len] == '\0',
			 "value NUL");
		FZ_CHECK(r->item[i].line >= r->line &&
			 r->item[i].line <= sn->lines, "item line");
	}
	sn->nrec++;
	return 0;
}

static size_t count_lines(const char *s, size_t n)
{
	size_t i, lines = 1;

	for (i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

/* load_write - load text into a new directory and write it to out;
 * *nerr gets the load's error count. The write's return value, or the
 * load's when negative. */
static int load_write(const char *text, size_t len, unsigned dflags,
		      struct addr_buf *out, size_t *nerr)
{
	struct addr_dir *d;
	struct addr_dir_report rep;
	int rc;

	if (addr_dir_new(&d, dflags) < 0)
		return -1;
	addr_dir_report_init(&rep);
	rc = addr_dir_load_dsml(d, text, len, "fuzz", 0, &rep);
	if (rc >= 0) {
		FZ_CHECK((size_t)rc == rep.nerrors, "load count");
		*nerr = rep.nerrors;
		rc = rep.nerrors ? 0 : addr_dir_write_dsml(d, out);
	}
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	return rc;
}

/* file_level - an error that rejects a whole file; libxml2's warnings
 * ("xmlns: URI ... is not absolute", dsml.xml warnings) do not */
static int file_level(const struct addr_dir_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->diag[i].severity != ADDR_SEV_ERROR)
			continue;
		else if (strcmp(rep->diag[i].rule, "dsml.xml") == 0 ||
		    strcmp(rep->diag[i].rule, "dsml.doctype") == 0 ||
		    strcmp(rep->diag[i].rule, "dsml.root") == 0 ||
		    strcmp(rep->diag[i].rule, "dsml.v1") == 0)
			return 1;
	return 0;
}

/* rejects - the rejects file for the error lines of rep */
static void rejects(const char *text, size_t len,
		    const struct addr_dir_report *rep)
{
	size_t *lines = malloc((rep->n + 1) * sizeof(*lines)), n = 0, i;
	struct addr_dir_report r2;
	struct addr_buf out;

	if (lines == NULL)
		return;
	for (i = 0; i < rep->n; i++)
		if (rep->diag[i].severity == ADDR_SEV_ERROR &&
		    (n == 0 || rep->diag[i].line > lines[n - 1]))
			lines[n++] = rep->diag[i].line;
	addr_buf_init(&out);
	if (addr_dsml_rejects(&out, text, len, lines, n) == 0 &&
	    !(out.size == len && memcmp(out.ptr, text, len) == 0)) {
		addr_dir_report_init(&r2);
		FZ_CHECK(addr_dsml_parse(out.ptr, out.size, "rej", 0, NULL,
					 NULL, &r2) >= 0, "rejects parse");
		FZ_CHECK(!file_level(&r2), "rejects file is a DSML document");
		addr_dir_report_free(&r2);
	}
	addr_buf_free(&out);
	free(lines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	struct addr_dir_report rep;
	struct addr_buf w1, w2;
	struct seen sn;
	unsigned sel, dflags = 0;
	size_t len, i, e1 = 0, e2 = 0;
	int rc;

	if (size < 1)
		return 0;
	sel = data[0];
	len = size - 1;
	sn.lines = count_lines(text, len);
	sn.nrec = 0;
	addr_dir_report_init(&rep);
	rc = addr_dsml_parse(text, len, "fuzz", (sel & 1) ? ADDR_DSML_LENIENT : 0,
			     check_record, &sn, &rep);
	FZ_CHECK(rc == ADDR_ENOMEM || (rc >= 0 && (size_t)rc == rep.nerrors),
		 "parse count");
	for (i = 0; i < rep.n; i++) {
		FZ_CHECK(rep.diag[i].line >= 1 && rep.diag[i].line <= sn.lines,
			 "diagnostic line");
		FZ_CHECK(rep.diag[i].severity == ADDR_SEV_ERROR ||
			 rep.diag[i].severity == ADDR_SEV_WARNING, "severity");
		FZ_CHECK(strncmp(rep.diag[i].rule, "dsml.", 5) == 0 ||
			 strcmp(rep.diag[i].rule, "limit.value") == 0, "rule");
	}
	if (sel & 8)
		rejects(text, len, &rep);
	addr_dir_report_free(&rep);
	if (sel & 0x10) {
		fz_same_threads(go_load, text, len,
				((sel & 2) ? ADDR_DIR_LENIENT : 0) |
				((sel & 4) ? ADDR_DIR_X400_STRICT : 0), NULL);
		fz_same_threads(go_apply, text, len, 0, base_ldif);
	}
	if (rc != 0)
		return 0;

	if (sel & 2)
		dflags |= ADDR_DIR_LENIENT;
	if (sel & 4)
		dflags |= ADDR_DIR_X400_STRICT;
	addr_buf_init(&w1);
	addr_buf_init(&w2);
	/* the round trip is promised for what the reader and the model
	 * accept: a batchResponse loaded without errors */
	rc = load_write(text, len, dflags, &w1, &e1);
	FZ_CHECK(rc == 0 || rc == ADDR_ENOMEM, "writer refuses what it read");
	if (rc == 0 && e1 == 0) {
		addr_dir_report_init(&rep);
		rc = addr_dsml_parse(w1.ptr, w1.size, "w1", 0, NULL, NULL, &rep);
		FZ_CHECK(rc == 0 && rep.n == 0, "writer output is valid DSML");
		addr_dir_report_free(&rep);
		rc = load_write(w1.ptr, w1.size, dflags, &w2, &e2);
		FZ_CHECK(rc == ADDR_ENOMEM || (rc == 0 && e2 == 0),
			 "writer output loads without errors");
		/* w1 = w2 is the whole promise: a third round from w2 would
		 * be the same function of the same text */
		if (rc == 0)
			FZ_CHECK(w1.size == w2.size &&
				 memcmp(w1.ptr, w2.ptr, w1.size) == 0,
				 "round trip stable");
	}
	addr_buf_free(&w1);
	addr_buf_free(&w2);
	return 0;
}
