/*
 * reply.c - parse SMTP replies received by the client
 *
 * SYNOPSIS
 *	gw_reply_parse()
 *
 * DESCRIPTION
 *	A pure function of the octets (fuzzed as such): it looks for one
 *	whole reply at the start of a buffer and says how much it used.
 *	Rules (RFC 5321 §4.2, with the bounds of spec-gateway.md §9):
 *	three digits, the first 2 to 5 (1xx is not used by SMTP and is
 *	refused), the second 0 to 5; then "-" (more lines follow), " " or
 *	the line end (last line); the same code on every line; no NUL; at
 *	most GW_REPLY_LINE_MAX octets per line and GW_REPLY_LINES_MAX lines.
 *	The continuation lines of an EHLO reply are read as keywords.
 *
 * DIAGNOSTICS
 *	-1 with the reason in r->text: the caller treats the attempt as a
 *	temporary failure (the IMS crashed on an invalid EHLO reply, Q214407).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reply.h"

static long
bad(struct gw_reply *r, const char *why)
{
	snprintf(r->text, sizeof(r->text), "malformed reply: %s", why);
	r->code = 0;
	return -1;
}

/* append - text into the bounded buffer dst (always NUL-terminated) */
static void
append(char *dst, size_t size, const char *s, size_t n)
{
	size_t have = strlen(dst);

	if (have + 1 >= size)
		return;
	if (n > size - have - 1)
		n = size - have - 1;
	memcpy(dst + have, s, n);
	dst[have + n] = '\0';
}

/* keyword - an EHLO line "KEYWORD [params]" */
static void
keyword(struct gw_reply *r, const char *t, size_t n)
{
	static const struct { const char *kw; unsigned bit; } kws[] = {
		{ "PIPELINING", GW_EXT_PIPELINING },
		{ "8BITMIME", GW_EXT_8BITMIME },
		{ "SMTPUTF8", GW_EXT_SMTPUTF8 },
		{ "SIZE", GW_EXT_SIZE },
		{ "ENHANCEDSTATUSCODES", GW_EXT_ENHANCED },
	};
	size_t i, kl = 0;

	while (kl < n && t[kl] != ' ')
		kl++;
	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		if (strlen(kws[i].kw) != kl || strncasecmp(t, kws[i].kw, kl))
			continue;
		r->ext |= kws[i].bit;
		if (kws[i].bit == GW_EXT_SIZE) {
			uint64_t v = 0;
			size_t j = kl;
			while (j < n && t[j] == ' ')
				j++;
			for (; j < n && isdigit((unsigned char)t[j]); j++) {
				if (v > (UINT64_MAX - 9) / 10)
					break;	/* absurd: treat as no limit */
				v = v * 10 + (uint64_t)(t[j] - '0');
			}
			r->size = j < n ? 0 : v;
		}
	}
}

long
gw_reply_parse(struct gw_reply *r, const char *buf, size_t len)
{
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	for (;;) {
		const char *line = buf + off, *nl;
		size_t avail = len - off, ll, tl;
		int code, last;

		nl = memchr(line, '\n', avail < GW_REPLY_LINE_MAX ? avail :
		    GW_REPLY_LINE_MAX);
		if (nl == NULL) {
			if (avail >= GW_REPLY_LINE_MAX)
				return bad(r, "line too long");
			/* what has arrived must already look like a reply */
			for (ll = 0; ll < avail && ll < 3; ll++)
				if (!isdigit((unsigned char)line[ll]))
					return bad(r, "no reply code");
			if (memchr(line, '\0', avail))
				return bad(r, "NUL in reply");
			r->code = 0;
			r->text[0] = r->first[0] = '\0';
			return 0;
		}
		ll = (size_t)(nl - line);		/* without the LF */
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (memchr(line, '\0', ll))
			return bad(r, "NUL in reply");
		if (ll < 3 || !isdigit((unsigned char)line[0]) ||
		    !isdigit((unsigned char)line[1]) ||
		    !isdigit((unsigned char)line[2]))
			return bad(r, "no reply code");
		if (line[0] < '2' || line[0] > '5' || line[1] > '5')
			return bad(r, "reply code out of range");
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
		if (ll > 3 && line[3] != ' ' && line[3] != '-')
			return bad(r, "no blank or hyphen after the code");
		last = ll == 3 || line[3] == ' ';
		if (r->nlines > 0 && code != r->code)
			return bad(r, "code changes inside a multiline reply");
		if (r->nlines >= GW_REPLY_LINES_MAX)
			return bad(r, "too many lines");
		r->code = code;
		tl = ll > 4 ? ll - 4 : 0;
		if (r->nlines == 0)
			append(r->first, sizeof(r->first), line + 4, tl);
		else
			keyword(r, line + 4, tl);
		if (r->nlines > 0)
			append(r->text, sizeof(r->text), " ", 1);
		append(r->text, sizeof(r->text), line, ll);
		r->nlines++;
		off += (size_t)(nl - line) + 1;
		if (last)
			return (long)off;
	}
}
