/*
 * texts.c - the disclaimer texts of [disclaimer] (spec-gateway.md §12)
 *
 * SYNOPSIS
 *	gw_texts_load()
 *
 * DESCRIPTION
 *	The configuration names files; their contents are read here, at
 *	start and at each reload, so that a new text needs only SIGHUP.
 *	A text must be UTF-8 (it is written into messages whose parts may
 *	be converted to UTF-8 to carry it) and is bounded; a trailing line
 *	end is dropped, the disclaimer code adds its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "texts.h"

/* one_text - the file at path into *out; 0, or 1 problem added */
static size_t
one_text(const char *path, char **out, struct addr_buf *errs)
{
	char *buf, line[600];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(line, sizeof(line), "%s: cannot read: %s\n", path,
		    strerror(errno));
		addr_buf_puts(errs, line);
		return 1;
	}
	if ((buf = malloc(GW_TEXT_MAX + 2)) == NULL) {
		fclose(f);
		addr_buf_puts(errs, "out of memory\n");
		return 1;
	}
	n = fread(buf, 1, GW_TEXT_MAX + 1, f);
	fclose(f);
	if (n > GW_TEXT_MAX || addr_utf8_check(buf, n) != n) {
		snprintf(line, sizeof(line), "%s: %s\n", path, n > GW_TEXT_MAX ?
		    "longer than 65536 octets" : "not UTF-8");
		addr_buf_puts(errs, line);
		free(buf);
		return 1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	*out = buf;
	return 0;
}

size_t
gw_texts_load(struct gw_config *cfg, struct addr_buf *errs)
{
	size_t i, nerr = 0;

	for (i = 0; i < 4; i++) {
		free(cfg->disclaimer_text[i]);
		cfg->disclaimer_text[i] = NULL;
		if (cfg->disclaimer[i] != NULL)
			nerr += one_text(cfg->disclaimer[i],
			    &cfg->disclaimer_text[i], errs);
	}
	return nerr;
}
