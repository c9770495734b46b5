/*
 * csv_read.c - fuzz target: the Exchange 5.5 CSV reader, apply, writer
 * and rejects file
 *
 * DESCRIPTION
 *	Input: one selector octet, then a CSV file (spec-directory.md §5).
 *	Selector bits:
 *
 *	  0x01	a lenient directory (ADDR_DIR_LENIENT)
 *	  0x02	multi-valued columns in Overwrite mode
 *	  0x04	org "Example" and site "HQ" set
 *	  0x08	the opaque column "Notes" is multi-valued
 *	  0x30	the encoding option: none, UTF-8, UTF-16LE, windows-1252
 *	  0x40	addr_dir_load_csv (a directory file) instead of
 *		addr_csv_apply + addr_dir_apply_check (a change file)
 *	  0x80	unused
 *
 *	The input is applied to an empty directory under base
 *	OU=Recipients,DC=example,DC=com. Checks, for every input:
 *	 - the call returns its number of errors (or ADDR_ENOMEM); every
 *	   diagnostic has a line inside the input, a known severity and a
 *	   rule of the directory catalogue (spec-directory.md §10);
 *	 - addr_csv_rejects of the error lines gives a file no longer than
 *	   the input that starts with the input's first octets (its BOM
 *	   and header), or the input itself for a file-level error;
 *	 - for an input read without errors that the writer writes without
 *	   errors (in the encoding the file was read with): the output
 *	   reads back without errors and writing it again gives the same
 *	   octets (§5.9: write(read(write(read(x)))) == write(read(x))).
 *	Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"

static const char *const rules[] = {
	"csv.", "proxy.", "member.unresolved", "restriction.unresolved",
	"limit.value", "dn.", "model.", "target.", "legdn.", NULL
};

static void check_report(const struct addr_dir_report *rep, size_t lines)
{
	size_t i, k;

	for (i = 0; i < rep->n; i++) {
		const char *r = rep->diag[i].rule;

		FZ_CHECK(rep->diag[i].line <= lines, "diagnostic line");
		FZ_CHECK(rep->diag[i].severity == ADDR_SEV_ERROR ||
			 rep->diag[i].severity == ADDR_SEV_WARNING, "severity");
		for (k = 0; rules[k] && strncmp(r, rules[k], strlen(rules[k])); k++)
			;
		FZ_CHECK(rules[k] != NULL, "rule");
	}
}

/* read_dir - a new directory from CSV text; its error count or -1 */
static int read_dir(struct addr_dir **d, const char *text, size_t len,
		    unsigned dflags, const struct addr_csv_options *o,
		    int load, struct addr_dir_report *rep)
{
	int rc;

	if (addr_dir_new(d, dflags) < 0)
		return -1;
	if (load)
		return addr_dir_load_csv(*d, text, len, "fuzz", o, rep);
	rc = addr_csv_apply(*d, text, len, "fuzz", o, rep);
	if (rc >= 0) {
		int c = addr_dir_apply_check(*d, NULL, "fuzz", rep);

		rc = c < 0 ? c : rc + c;
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const enc[] = { NULL, "UTF-8", "UTF-16LE",
					   "windows-1252" };
	static const char *const mv[] = { "Notes" };
	const char *text = (const char *)data + 1;
	struct addr_csv_options o;
	struct addr_dir_report rep;
	struct addr_dir *d = NULL;
	struct addr_buf rj, w1, w2;
	size_t len, lines = 1, i, el[64], nel = 0;
	unsigned sel, dflags;
	int rc, load;

	if (size < 1)
		return 0;
	sel = data[0];
	len = size - 1;
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	dflags = (sel & 1) ? ADDR_DIR_LENIENT : 0;
	load = (sel & 0x40) != 0;
	addr_csv_options_init(&o);
	o.base = "OU=Recipients,DC=example,DC=com";
	o.overwrite = (sel & 2) != 0;
	if (sel & 4) {
		o.org = "Example";
		o.site = "HQ";
	}
	if (sel & 8) {
		o.mv_column = mv;
		o.n_mv_column = 1;
	}
	o.encoding = enc[(sel >> 4) & 3];

	addr_dir_report_init(&rep);
	rc = read_dir(&d, text, len, dflags, &o, load, &rep);
	FZ_CHECK(rc == -1 || rc == ADDR_ENOMEM ||
		 (rc >= 0 && (size_t)rc == rep.nerrors), "error count");
	check_report(&rep, lines);

	/* the rejects file: header + rejected lines, or the whole input */
	for (i = 0; i < rep.n && nel < 64; i++)
		if (rep.diag[i].severity == ADDR_SEV_ERROR &&
		    (nel == 0 || el[nel - 1] < rep.diag[i].line))
			el[nel++] = rep.diag[i].line;
	for (i = 1; i < nel; i++)	/* sorted: insertion */
		for (size_t j = i; j > 0 && el[j - 1] > el[j]; j--) {
			size_t t = el[j];

			el[j] = el[j - 1];
			el[j - 1] = t;
		}
	addr_buf_init(&rj);
	if (addr_csv_rejects(&rj, text, len, el, nel) >= 0) {
		FZ_CHECK(rj.size <= len, "rejects no longer than the input");
		FZ_CHECK(rj.size == 0 || memcmp(rj.ptr, text, 1) == 0,
			 "rejects start like the input");
	}
	addr_buf_free(&rj);

	/* the round trip, in the encoding the file was read with */
	addr_buf_init(&w1);
	addr_buf_init(&w2);
	if (rc == 0 && rep.nwarnings == rep.n &&
	    addr_csv_detect(&o, text, len) == 0) {
		struct addr_dir_report r2;

		addr_dir_report_init(&r2);
		if (addr_dir_write_csv(d, &o, &w1, &r2) == 0 && r2.nerrors == 0) {
			struct addr_dir *d2 = NULL;

			addr_dir_report_free(&r2);
			rc = read_dir(&d2, w1.ptr, w1.size, dflags, &o, 1, &r2);
			if (rc != ADDR_ENOMEM && rc != -1) {
				if (rc != 0)
					for (i = 0; i < r2.n; i++)
						fprintf(stderr, "%zu: %s: %s\n",
							r2.diag[i].line,
							r2.diag[i].rule,
							r2.diag[i].message);
				FZ_CHECK(rc == 0, "the writer's output reads back");
				if (addr_dir_write_csv(d2, &o, &w2, NULL) == 0)
					FZ_CHECK(w1.size == w2.size &&
						 memcmp(w1.ptr, w2.ptr, w1.size) == 0,
						 "round trip stable");
			}
			addr_dir_free(d2);
		}
		addr_dir_report_free(&r2);
	}
	addr_buf_free(&w1);
	addr_buf_free(&w2);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	return 0;
}
