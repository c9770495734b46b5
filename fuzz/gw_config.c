/*
 * gw_config.c - fuzz target: the gateway configuration parser
 *
 * DESCRIPTION
 *	Input: the text of an addrgw.conf. gw_config_parse must never
 *	crash, leak or read outside the text; every problem line it
 *	reports names the file and a line number inside the text, and a
 *	configuration it accepts has at least one listener. Any violation
 *	aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../gateway/config.c"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_config cfg;
	struct addr_buf errs;
	size_t problems, lines = 1, i;
	const char *p;

	addr_buf_init(&errs);
	problems = gw_config_parse(&cfg, "fuzz.conf", (const char *)data, size,
				   &errs);
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	/* every message is "fuzz.conf:LINE: ..." or "fuzz.conf: ..." */
	for (p = errs.ptr; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		if (strncmp(p, "fuzz.conf:", 10) != 0)
			abort();
		if (p[10] >= '0' && p[10] <= '9' &&
		    strtoul(p + 10, NULL, 10) > lines)
			abort();
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (problems == 0 && cfg.nlisten == 0)
		abort();
	gw_config_free(&cfg);
	addr_buf_free(&errs);
	return 0;
}
