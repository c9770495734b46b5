/*
 * write_dsml.c - a directory file written as DSML, for t_dsml_schema.sh
 *
 * SYNOPSIS
 *	write_dsml FILE
 *
 * DESCRIPTION
 *	Loads FILE (LDIF, or DSML when its name ends in ".xml") into a
 *	strict directory and writes it to standard output with
 *	addr_dir_write_dsml. Built by tests/t_dsml_schema.sh, not by the
 *	Makefile: the files of tests/ itself are linked into every test
 *	program, and this one has a main().
 *
 * DIAGNOSTICS
 *	Every diagnostic of the load on standard error; exit status 1 if
 *	the load found an error or the write failed, 2 on usage or I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"

int main(int argc, char **argv)
{
	struct addr_dir_report rep;
	struct addr_buf out;
	struct addr_dir *d;
	size_t len, n, i;
	char *in;
	FILE *f;
	int rc;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: write_dsml FILE\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	in = malloc(len + 1);
	n = in ? fread(in, 1, len, f) : 0;
	fclose(f);
	if (in == NULL || n != len || addr_dir_new(&d, 0) < 0)
		return 2;
	addr_dir_report_init(&rep);
	n = strlen(argv[1]);
	rc = n > 4 && strcmp(argv[1] + n - 4, ".xml") == 0 ?
	     addr_dir_load_dsml(d, in, len, argv[1], 0, &rep) :
	     addr_dir_load_ldif(d, in, len, argv[1], 0, &rep);
	for (i = 0; i < rep.n; i++)
		fprintf(stderr, "%s:%zu: %s: %s\n", argv[1], rep.diag[i].line,
			rep.diag[i].rule, rep.diag[i].message);
	addr_buf_init(&out);
	if (rc == 0)
		rc = addr_dir_write_dsml(d, &out);
	if (rc == 0)
		fwrite(out.ptr, 1, out.size, stdout);
	addr_buf_free(&out);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	free(in);
	return rc == 0 ? 0 : 1;
}
