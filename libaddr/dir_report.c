/*
 * dir_report.c - diagnostics of the directory readers and checks
 *
 * EXPORTS
 *	addr_dir_report_init(), addr_dir_report_free(),
 *	addr_dir_report_add()
 *	addr__sink_init(), addr__sink_diag()	record a diagnostic in a
 *				report, the first error in a struct addr_error
 *
 * A report owns its diagnostics (file and message strings). Out of
 * memory while recording sets rep->oom and the sink's fatal flag; the
 * callers turn that into ADDR_ENOMEM.
 */
#include <stdio.h>
#include <string.h>
#include "dir_int.h"

static int report_add(struct addr_dir_report *rep, const char *file,
		      size_t line, size_t column, int sev, const char *rule,
		      const char *msg);

void addr_dir_report_init(struct addr_dir_report *rep)
{
	memset(rep, 0, sizeof(*rep));
}

void addr_dir_report_free(struct addr_dir_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->n; i++) {
		addr__free(rep->diag[i].file);
		addr__free(rep->diag[i].message);
	}
	addr__free(rep->diag);
	addr_dir_report_init(rep);
}

int addr_dir_report_add(struct addr_dir_report *rep, const char *file,
			size_t line, size_t column, int severity,
			const char *rule, const char *message)
{
	int rc = report_add(rep, file, line, column, severity, rule, message);

	if (rc < 0)
		rep->oom = 1;
	return rc;
}

void addr__sink_init(struct addr__sink *s, struct addr_dir_report *rep,
		     struct addr_error *err, const char *file)
{
	memset(s, 0, sizeof(*s));
	s->rep = rep;
	s->err = err;
	s->file = file;
}

void addr__sink_at(struct addr__sink *s, const struct addr_dir_entry *e)
{
	/* the directory file's name is kept in base_ the first time */
	if (s->base_set_ == 0) {
		s->base_ = s->file;
		s->base_set_ = 1;
	}
	s->file = e->changed && s->chfile ? s->chfile : s->base_;
	s->line = e->line;
	s->column = 0;
}

/* dupstr - an owned copy of a C string, NULL on failure */
static char *dupstr(const char *z)
{
	size_t n = strlen(z);
	char *p = addr__malloc(n + 1);

	if (p != NULL)
		memcpy(p, z, n + 1);
	return p;
}

/* report_add - append one diagnostic; 0 or ADDR_ENOMEM */
static int report_add(struct addr_dir_report *rep, const char *file,
		      size_t line, size_t column, int sev, const char *rule,
		      const char *msg)
{
	struct addr_dir_diag *dg;

	if (rep->n == rep->cap_) {
		size_t nc = rep->cap_ ? rep->cap_ * 2 : 16;
		void *p;

		if (nc > ((size_t)-1) / sizeof(*dg))
			return ADDR_ENOMEM;
		p = addr__realloc(rep->diag, nc * sizeof(*dg));
		if (p == NULL)
			return ADDR_ENOMEM;
		rep->diag = p;
		rep->cap_ = nc;
	}
	dg = &rep->diag[rep->n];
	memset(dg, 0, sizeof(*dg));
	dg->message = dupstr(msg);
	if (dg->message == NULL)
		return ADDR_ENOMEM;
	if (file != NULL && (dg->file = dupstr(file)) == NULL) {
		addr__free(dg->message);
		return ADDR_ENOMEM;
	}
	dg->line = line;
	dg->column = column;
	dg->severity = sev;
	dg->rule = rule;
	rep->n++;
	if (sev == ADDR_SEV_ERROR)
		rep->nerrors++;
	else
		rep->nwarnings++;
	return 0;
}

/* keep - record a diagnostic in s->cap; 0 or ADDR_ENOMEM */
static int keep(struct addr__sink *s, int severity, int code,
		const char *rule, const char *msg)
{
	struct addr__dcap *c = s->cap;
	struct addr__dcapi *d;

	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		void *p;

		if (nc > ((size_t)-1) / sizeof(*d) ||
		    (p = addr__realloc(c->d, nc * sizeof(*d))) == NULL)
			return ADDR_ENOMEM;
		c->d = p;
		c->cap = nc;
	}
	d = &c->d[c->n];
	if ((d->msg = dupstr(msg)) == NULL)
		return ADDR_ENOMEM;
	d->severity = severity;
	d->code = code;
	d->rule = rule;
	d->file = s->file;
	d->line = s->line;
	d->column = s->column;
	c->n++;
	return 0;
}

void addr__dcap_free(struct addr__dcap *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		addr__free(c->d[i].msg);
	addr__free(c->d);
	memset(c, 0, sizeof(*c));
}

/* emit - one formatted diagnostic into s */
static void emit(struct addr__sink *s, int severity, int code,
		 const char *rule, const char *msg)
{
	if (s->cap != NULL) {
		if (severity == ADDR_SEV_ERROR)
			s->nerrors++;
		if (keep(s, severity, code, rule, msg) < 0)
			s->fatal = 1;
		return;
	}
	if (severity == ADDR_SEV_ERROR) {
		if (s->nerrors == 0 && s->err != NULL) {
			addr__error_set(s->err, code, 0, "%s: %s", rule, msg);
			s->err->line = s->line;
			s->err->column = s->column;
		}
		s->nerrors++;
	}
	if (s->rep != NULL &&
	    report_add(s->rep, s->file, s->line, s->column, severity, rule,
		       msg) < 0) {
		s->rep->oom = 1;
		s->fatal = 1;
	}
}

void addr__sink_replay(struct addr__sink *s, const struct addr__dcapi *d)
{
	const char *file = s->file;

	s->file = d->file;
	s->line = d->line;
	s->column = d->column;
	emit(s, d->severity, d->code, d->rule, d->msg);
	s->file = file;
}

void addr__sink_diag(struct addr__sink *s, int severity, int code,
		     const char *rule, const char *fmt, ...)
{
	char small[600], *msg = small;
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	/* long messages (DN paths of deep groups) are kept whole */
	if (n >= (int)sizeof(small) && (msg = addr__malloc((size_t)n + 1)) != NULL)
		vsnprintf(msg, (size_t)n + 1, fmt, ap2);
	else if (msg == NULL)
		msg = small;
	va_end(ap2);
	emit(s, severity, code, rule, msg);
	if (msg != small)
		addr__free(msg);
}
