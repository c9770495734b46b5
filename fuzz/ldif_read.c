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
 *	  0xf8	unused
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
 *	Any violation aborts. Nothing is ever fetched: ":<" and "include:"
 *	are refused by the reader.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"

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
	addr_dir_report_free(&rep);

	if (sel & 2)
		dflags |= ADDR_DIR_LENIENT;
	if (sel & 4)
		dflags |= ADDR_DIR_X400_STRICT;
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
		if (load_write(w1.ptr, w1.size, dflags, &w2, &e2) == 0) {
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
