/*
 * directory.c - the recipient directory in the gateway
 *
 * SYNOPSIS
 *	gw_directory_load()
 *
 * DESCRIPTION
 *	Loads [directory] file into cfg->dir (strict, or lenient with
 *	mode = lenient) and turns the connector restrictions of
 *	[restrictions] (spec-gateway.md §6.8) into a pseudo entry whose
 *	authOrig and unauthOrig are the DNs the lists name, so that
 *	addr_dir_may_send() evaluates them as it evaluates a group's
 *	(groups in a list stand for their members, transitively).
 *
 *	A directory with any error is not used: the problems go to errs
 *	and cfg->dir stays NULL. At start that stops addrgw; at a reload
 *	the old configuration, with its directory, stays in service.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "directory.h"

#define MAX_DIR_FILE ((size_t)1 << 31)

/* errf - one problem line into errs */
static void __attribute__((format(printf, 2, 3)))
errf(struct addr_buf *errs, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	addr_buf_puts(errs, line);
}

static int
read_file(const char *path, struct addr_buf *in, struct addr_buf *errs)
{
	char chunk[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		errf(errs, "%s: cannot read: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (in->size + n > MAX_DIR_FILE || addr_buf_put(in, chunk, n) < 0) {
			errf(errs, "%s: too large\n", path);
			fclose(f);
			return -1;
		}
	if (ferror(f)) {
		errf(errs, "%s: cannot read: %s\n", path,
		    strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int
ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

/* list_entry - one [restrictions] value: a DN, else any address form */
static const struct addr_dir_entry *
list_entry(const struct addr_dir *d, const struct gw_config *cfg,
	   const char *v)
{
	const struct addr_dir_entry *e = addr_dir_find(d, v, strlen(v));

	if (e == NULL && addr_dir_resolve(d, v, strlen(v), cfg->gate,
	    cfg->ngate, 0, &e, NULL) != 1)
		e = NULL;
	return e;
}

/* connector - the §6.8 lists as a pseudo entry; problems counted */
static size_t
connector(struct gw_config *cfg, struct addr_buf *errs)
{
	static const char *const attr[2] = { "authOrig", "unauthOrig" };
	const struct gw_strlist *l[2] = { &cfg->accept_from, &cfg->reject_from };
	static const char *const key[2] = { "accept_from", "reject_from" };
	struct addr_dir_entry *c;
	size_t i, k, nerr = 0;

	if (cfg->accept_from.n == 0 && cfg->reject_from.n == 0)
		return 0;
	if (addr_dir_entry_new(&c, "CN=addrgw connector", 19) < 0) {
		addr_buf_puts(errs, "out of memory\n");
		return 1;
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < l[k]->n; i++) {
			const struct addr_dir_entry *e;
			char item[2048];
			const char *dn;
			size_t j = i;

			/*
			 * The list is split at commas, and a DN has commas of
			 * its own: an item shaped "type=value" that names no
			 * object is joined with the next items until the
			 * whole names one ("CN=Pat Parkes,OU=Staff,...").
			 */
			snprintf(item, sizeof(item), "%s", l[k]->v[i]);
			e = list_entry(cfg->dir, cfg, item);
			while (e == NULL && strchr(l[k]->v[i], '=') != NULL &&
			    j + 1 < l[k]->n && strlen(item) + strlen(l[k]->v[j + 1]) +
			    2 < sizeof(item)) {
				j++;
				strcat(item, ",");
				strcat(item, l[k]->v[j]);
				e = list_entry(cfg->dir, cfg, item);
			}
			if (e == NULL) {
				errf(errs, "%s: [restrictions] %s: "
				    "\"%s\" names no object of %s\n", cfg->file,
				    key[k], l[k]->v[i], cfg->dir_file);
				nerr++;
				continue;
			}
			i = j;
			dn = addr_dir_entry_dn(e);
			if (addr_dir_entry_add_value(c, attr[k], dn,
			    strlen(dn)) < 0) {
				errf(errs, "out of memory\n");
				nerr++;
			}
		}
	if (nerr > 0) {
		addr_dir_entry_free(c);
		return nerr;
	}
	cfg->connector = c;
	return 0;
}

size_t
gw_directory_load(struct gw_config *cfg, struct addr_buf *errs)
{
	struct addr_dir_report rep;
	struct addr_buf in;
	struct addr_dir *d = NULL;
	size_t i, nerr = 0;
	int rc;

	if (!cfg->has_directory || cfg->dir_file == NULL)
		return 0;
	addr_buf_init(&in);
	addr_dir_report_init(&rep);
	if (read_file(cfg->dir_file, &in, errs) < 0) {
		nerr = 1;
		goto out;
	}
	if (addr_dir_new(&d, cfg->dir_lenient ? ADDR_DIR_LENIENT : 0) < 0) {
		addr_buf_puts(errs, "out of memory\n");
		nerr = 1;
		goto out;
	}
	if (ends_with(cfg->dir_file, ".ldif")) {
		rc = addr_dir_load_ldif(d, in.ptr, in.size, cfg->dir_file, 0,
		    &rep);
	} else if (ends_with(cfg->dir_file, ".xml") ||
	    ends_with(cfg->dir_file, ".dsml")) {
		rc = addr_dir_load_dsml(d, in.ptr, in.size, cfg->dir_file, 0,
		    &rep);
	} else if (ends_with(cfg->dir_file, ".csv") && cfg->csv_base) {
		struct addr_csv_options o;

		addr_csv_options_init(&o);
		o.base = cfg->csv_base;
		if (cfg->csv_container)
			o.container = cfg->csv_container;
		o.org = cfg->csv_org;
		o.site = cfg->csv_site;
		o.encoding = cfg->csv_encoding;
		rc = addr_dir_load_csv(d, in.ptr, in.size, cfg->dir_file, &o,
		    &rep);
	} else if (ends_with(cfg->dir_file, ".csv")) {
		errf(errs, "%s: a CSV directory needs [directory] csv_base "
		    "(the LDAP DN of the 5.5 recipients container)\n",
		    cfg->dir_file);
		nerr = 1;
		goto out;
	} else {
		errf(errs, "%s: unknown directory format (the "
		    "file name must end in .ldif, .xml, .dsml or .csv)\n",
		    cfg->dir_file);
		nerr = 1;
		goto out;
	}
	if (rc < 0) {
		errf(errs, "%s: %s\n", cfg->dir_file,
		    addr_strerror(rc));
		nerr = 1;
		goto out;
	}
	for (i = 0; i < rep.n; i++) {
		const struct addr_dir_diag *g = &rep.diag[i];

		if (g->severity != ADDR_SEV_ERROR)
			continue;
		errf(errs, "%s:%zu: %s: %s\n", g->file ? g->file :
		    cfg->dir_file, g->line, g->rule, g->message);
		nerr++;
	}
	if (nerr > 0)
		goto out;
	cfg->dir = d;
	d = NULL;
	nerr = connector(cfg, errs);
	if (nerr > 0) {
		addr_dir_free(cfg->dir);
		cfg->dir = NULL;
	}
out:
	addr_dir_free(d);
	addr_dir_report_free(&rep);
	addr_buf_free(&in);
	return nerr;
}
