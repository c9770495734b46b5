/*
 * io_csv.c - Exchange 5.5 Administrator CSV: bytes, lines, fields
 * (spec-directory.md §5.1, §5.4, §5.7, §5.9, §4 rejects)
 *
 * EXPORTS
 *	addr_csv_options_init()	the defaults of §5.8
 *	addr_csv_detect()	the encoding and BOM a file is read with
 *	addr_csv_rejects()	the rejects file: header + the lines that
 *				broke a rule, byte for byte
 *	addr__csv_decode()	the file as UTF-8, every undecodable line
 *				reported (csv.encoding, line and byte column)
 *	addr__csv_tok_*()	the tokeniser: records of fields
 *	addr__csv_column(), _attr(), _ref_attr(), _mv_opaque(),
 *	_kind_name()		the columns and what they stand for
 *	addr__csv_unescape(), _mv_next(), _put_value(), _put_field(),
 *	_blank(), _is_del()	the value and quoting rules
 *	addr__csv_grow()	room in an array
 *
 * A file is decoded once, one physical line at a time, so that a bad
 * byte costs only its line and is reported with its line and byte
 * column. The tokeniser then works on UTF-8 text. The rejects file must
 * be a byte copy of the lines as read, so addr_csv_rejects runs the same
 * tokeniser over the raw octets (UTF-16 narrowed to one octet a unit):
 * the separators, quotes, backslashes and line ends are ASCII in every
 * encoding a 5.5 file comes in, so both find the same records. A line
 * that did not decode is narrowed the same way in the decoded text; it
 * is never applied, the narrowing only keeps the two scans in step.
 */
#include <stdio.h>
#include <string.h>
#include "io_csv_int.h"

/* ------------------------------------------------------------ options */

void addr_csv_options_init(struct addr_csv_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->container = "Recipients";
}

/* bom - the charset a byte order mark names, its length in *skip;
 * "UTF-16BE" for FE FF, NULL without a BOM */
static const char *bom(const char *in, size_t len, size_t *skip)
{
	const unsigned char *u = (const unsigned char *)in;

	*skip = 0;
	if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		*skip = 2;
		return "UTF-16BE";
	}
	if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		*skip = 2;
		return "UTF-16LE";
	}
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		*skip = 3;
		return "UTF-8";
	}
	return NULL;
}

int addr_csv_detect(struct addr_csv_options *opt, const char *in, size_t len)
{
	size_t skip;
	const char *b = bom(in, len, &skip);
	int eq;

	if (b != NULL && strcmp(b, "UTF-16BE") == 0)
		return ADDR_ESYNTAX;
	if (opt->encoding != NULL) {
		eq = addr__text_charset_eq(opt->encoding,
					   b ? b : opt->encoding);
		if (eq < 0)
			return eq;
		if (eq == 0)
			return ADDR_ESYNTAX;
	}
	if (b != NULL) {
		opt->encoding = b;
		opt->flags |= ADDR_CSV_BOM;
	} else {
		if (opt->encoding == NULL)
			opt->encoding = "windows-1252";
		opt->flags &= ~ADDR_CSV_BOM;
	}
	return 0;
}

void *addr__csv_grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return arr;
	nc = *cap ? *cap * 2 : 8;
	if (nc <= n || nc > ((size_t)-1) / size ||
	    (p = addr__realloc(arr, nc * size)) == NULL)
		return NULL;
	*cap = nc;
	return p;
}

/* ------------------------------------------------------------ columns */

static const struct {
	const char *name;
	int col;
} columns[] = {
	{ "Obj-Class", ADDR__CSV_OBJCLASS },
	{ "Mode", ADDR__CSV_MODE },
	{ "Directory Name", ADDR__CSV_DIRNAME },
	{ "Common-Name", ADDR__CSV_DIRNAME },
	{ "Alias Name", ADDR__CSV_ALIAS },
	{ "Mail-Nickname", ADDR__CSV_ALIAS },
	{ "mailNickname", ADDR__CSV_ALIAS },
	{ "Display Name", ADDR__CSV_DISPLAY },
	{ "Display-Name", ADDR__CSV_DISPLAY },
	{ "displayName", ADDR__CSV_DISPLAY },
	{ "First Name", ADDR__CSV_GIVEN },
	{ "Given-Name", ADDR__CSV_GIVEN },
	{ "givenName", ADDR__CSV_GIVEN },
	{ "Last name", ADDR__CSV_SN },
	{ "Surname", ADDR__CSV_SN },
	{ "sn", ADDR__CSV_SN },
	{ "Initials", ADDR__CSV_INITIALS },
	{ "E-mail address", ADDR__CSV_TARGET },
	{ "Target-Address", ADDR__CSV_TARGET },
	{ "targetAddress", ADDR__CSV_TARGET },
	{ "E-mail Addresses", ADDR__CSV_PRIMARY },
	{ "Proxy-Addresses", ADDR__CSV_PRIMARY },
	{ "Secondary-Proxy-Addresses", ADDR__CSV_SECONDARY },
	{ "Members", ADDR__CSV_MEMBERS },
	{ "Member", ADDR__CSV_MEMBERS },
	{ "Obj-Container", ADDR__CSV_CONTAINER },
	{ "Obj-Dist-Name", ADDR__CSV_DISTNAME },
	{ "legacyExchangeDN", ADDR__CSV_DISTNAME },
	{ "Hide from AB", ADDR__CSV_HIDE },
	{ "Hide-From-Address-Book", ADDR__CSV_HIDE },
	{ "Accept messages from", ADDR__CSV_ACCEPT },
	{ "Auth-Orig", ADDR__CSV_ACCEPT },
	{ "Accept messages from DL", ADDR__CSV_ACCEPT_DL },
	{ "Reject messages from", ADDR__CSV_REJECT },
	{ "Unauth-Orig", ADDR__CSV_REJECT },
	{ "Reject messages from DL", ADDR__CSV_REJECT_DL },
	/* export-only (5.5 event 154) */
	{ "Member of", ADDR__CSV_READONLY },
	{ "Is-Member-Of-DL", ADDR__CSV_READONLY },
	{ "memberOf", ADDR__CSV_READONLY },
	/* model attributes that other columns fill: as opaque columns they
	 * would bypass the column semantics (primacy by column, 5.5 DNs) */
	{ "objectClass", ADDR__CSV_READONLY },
	{ "mail", ADDR__CSV_READONLY },
	{ "proxyAddresses", ADDR__CSV_READONLY },
	{ "authOrig", ADDR__CSV_READONLY },
	{ "unauthOrig", ADDR__CSV_READONLY },
	{ "dLMemSubmitPerms", ADDR__CSV_READONLY },
	{ "dLMemRejectPerms", ADDR__CSV_READONLY },
	{ "msExchHideFromAddressLists", ADDR__CSV_READONLY },
};

int addr__csv_column(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return ADDR__CSV_IGNORED;
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (addr__str_ieq(s, n, columns[i].name))
			return columns[i].col;
	return ADDR__CSV_OPAQUE;
}

const char *addr__csv_attr(int col)
{
	switch (col) {
	case ADDR__CSV_ALIAS:
		return "mailNickname";
	case ADDR__CSV_DISPLAY:
		return "displayName";
	case ADDR__CSV_GIVEN:
		return "givenName";
	case ADDR__CSV_SN:
		return "sn";
	case ADDR__CSV_INITIALS:
		return "initials";
	case ADDR__CSV_TARGET:
		return "targetAddress";
	case ADDR__CSV_DISTNAME:
		return "legacyExchangeDN";
	default:
		return NULL;
	}
}

const char *addr__csv_ref_attr(int col)
{
	switch (col) {
	case ADDR__CSV_ACCEPT:
		return "authOrig";
	case ADDR__CSV_ACCEPT_DL:
		return "dLMemSubmitPerms";
	case ADDR__CSV_REJECT:
		return "unauthOrig";
	case ADDR__CSV_REJECT_DL:
		return "dLMemRejectPerms";
	default:
		return NULL;
	}
}

const char *addr__csv_kind_name(int kind)
{
	return kind == ADDR_DIR_GROUP ? "DL" : kind == ADDR_DIR_CONTACT ?
	       "Remote" : "Mailbox";
}

int addr__csv_mv_opaque(const char *name, size_t n,
			const struct addr_csv_options *opt)
{
	static const char *const pseudo[] = { "Obj-Admins", "Obj-Perm-Admins",
					      "Obj-Users" };
	size_t i;

	for (i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		if (addr__str_ieq(name, n, pseudo[i]))
			return 1;
	for (i = 0; opt->mv_column != NULL && i < opt->n_mv_column; i++)
		if (opt->mv_column[i] != NULL &&
		    addr__str_ieq(name, n, opt->mv_column[i]))
			return 1;
	return 0;
}

/* ---------------------------------------------------------- tokeniser */

void addr__csv_tok_init(struct addr__csv_tok *k, const char *t, size_t n,
			size_t maxf)
{
	memset(k, 0, sizeof(*k));
	k->t = t;
	k->n = n;
	k->line = 1;
	k->maxf = maxf;
	addr_buf_init(&k->text);
}

void addr__csv_tok_free(struct addr__csv_tok *k)
{
	addr_buf_free(&k->text);
	addr__free(k->f);
	k->f = NULL;
	k->fcap = 0;
}

/* eol - does a line end at t[i]: LF, CR LF, or a CR that ends the text */
static size_t eol(const char *t, size_t n, size_t i)
{
	if (i >= n)
		return 0;
	if (t[i] == '\n')
		return 1;
	if (t[i] == '\r' && i + 1 == n)
		return 1;
	if (t[i] == '\r' && t[i + 1] == '\n')
		return 2;
	return 0;
}

/* keep - add octets of the current field (up to the value limit) */
static void keep(struct addr__csv_tok *k, const char *s, size_t n,
		 size_t *flen, int kept)
{
	if (*flen + n > ADDR__CSV_VALUE_MAX)
		k->toolong = 1;
	else if (kept)
		addr_buf_put(&k->text, s, n);
	*flen += n;
}

/* push_field - keep one field of the current record */
static int push_field(struct addr__csv_tok *k, size_t off, size_t len,
		      int quoted)
{
	struct addr__csv_field *f = addr__csv_grow(k->f, &k->fcap, k->nkept,
						   sizeof(*k->f));

	if (f == NULL)
		return ADDR_ENOMEM;
	k->f = f;
	k->f[k->nkept].off = off;
	k->f[k->nkept].len = len;
	k->f[k->nkept].quoted = quoted;
	k->nkept++;
	return 0;
}

/* skip_line - resynchronise at the line after the one holding t[i] */
static int skip_line(struct addr__csv_tok *k, size_t i, int err)
{
	const char *nl = i < k->n ? memchr(k->t + i, '\n', k->n - i) : NULL;

	k->err = err;
	k->errline = k->line;
	k->last = k->line;
	k->pos = nl ? (size_t)(nl - k->t) + 1 : k->n;
	if (nl)
		k->line++;
	return k->text.oom ? ADDR_ENOMEM : 1;
}

int addr__csv_tok_next(struct addr__csv_tok *k)
{
	const char *t = k->t;
	size_t n = k->n, i = k->pos, e;

	while ((e = eol(t, n, i)) > 0) {	/* empty lines */
		i += e;
		k->line++;
	}
	if (i >= n) {
		k->pos = n;
		return 0;
	}
	addr_buf_clear(&k->text);
	k->nkept = k->nfields = 0;
	k->err = k->toolong = 0;
	k->first = k->line;
	for (;;) {		/* one field */
		size_t off = k->text.size, flen = 0;
		int quoted = 0, kept = k->nfields < k->maxf;

		if (i < n && t[i] == '"') {
			size_t qpos = i, qline = k->line;

			quoted = 1;
			for (i++;;) {
				if (i >= n) {	/* unterminated: resume
						 * after its first line */
					k->line = qline;
					return skip_line(k, qpos, ADDR__CSV_TOK_OPEN);
				}
				if (t[i] == '"' && i + 1 < n && t[i + 1] == '"') {
					keep(k, "\\\"", 2, &flen, kept);
					i += 2;
				} else if (t[i] == '"') {
					i++;
					break;
				} else if (t[i] == '\\' && i + 1 < n) {
					keep(k, t + i, 2, &flen, kept);
					k->line += t[i + 1] == '\n';
					i += 2;
				} else {
					keep(k, t + i, 1, &flen, kept);
					k->line += t[i] == '\n';
					i++;
				}
			}
			if (i < n && t[i] != ',' && eol(t, n, i) == 0)
				return skip_line(k, i, ADDR__CSV_TOK_QUOTE);
		} else {
			while (i < n && t[i] != ',' && eol(t, n, i) == 0) {
				size_t l = 1;

				if (t[i] == '"')
					return skip_line(k, i, ADDR__CSV_TOK_QUOTE);
				if (t[i] == '\\' && i + 1 < n && eol(t, n, i + 1) == 0)
					l = 2;
				keep(k, t + i, l, &flen, kept);
				i += l;
			}
		}
		if (kept && push_field(k, off, k->text.size - off, quoted) < 0)
			return ADDR_ENOMEM;
		k->nfields++;
		if (i < n && t[i] == ',') {
			i++;
			continue;
		}
		k->last = k->line;
		if ((e = eol(t, n, i)) > 0) {
			i += e;
			k->line++;
		}
		k->pos = i;
		return k->text.oom ? ADDR_ENOMEM : 1;
	}
}

/* ------------------------------------------------------------- values */

int addr__csv_blank(const char *s, size_t n, int quoted)
{
	size_t i;

	if (quoted)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != ' ')
			return 0;
	return 1;
}

int addr__csv_is_del(const char *s, size_t n)
{
	return addr__str_ieq(s, n, "~DEL");
}

int addr__csv_unescape(struct addr_buf *out, const char *s, size_t n)
{
	size_t i = 0, b;

	while (i < n) {
		const char *bs = memchr(s + i, '\\', n - i);

		b = bs ? (size_t)(bs - s) : n;
		addr_buf_put(out, s + i, b - i);
		if (b + 1 < n)
			addr_buf_putc(out, s[b + 1]);
		i = b + 2;
	}
	return out->oom ? ADDR_ENOMEM : 0;
}

int addr__csv_mv_next(const char *s, size_t n, size_t *i, size_t *b,
		      size_t *len)
{
	size_t j;

	if (*i > n)
		return 0;
	for (j = *i; j < n && s[j] != '%'; j++)
		if (s[j] == '\\' && j + 1 < n)
			j++;
	*b = *i;
	*len = j - *i;
	*i = j + 1;
	return 1;
}

void addr__csv_put_value(struct addr_buf *out, const char *v, size_t n)
{
	size_t i;

	if (n >= 4 && addr__str_ieq(v, 4, "~DEL"))
		addr_buf_putc(out, '\\');	/* a literal, not a delete */
	for (i = 0; i < n; i++) {
		if (v[i] == '\\' || v[i] == '%' || v[i] == '"')
			addr_buf_putc(out, '\\');
		addr_buf_putc(out, v[i]);
	}
}

void addr__csv_put_field(struct addr_buf *out, const char *s, size_t n,
			 int quote_empty)
{
	int q = n == 0 ? quote_empty : s[0] == ' ' || s[n - 1] == ' ';
	size_t i;

	for (i = 0; !q && i < n; i++)
		q = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (q)
		addr_buf_putc(out, '"');
	addr_buf_put(out, s, n);
	if (q)
		addr_buf_putc(out, '"');
}

/* ----------------------------------------------------------- decoding */

/* unit - how the charset writes the ASCII the tokeniser looks at: 1
 * (ASCII-compatible), 2 (UTF-16LE), -2 (UTF-16BE), 0 (neither), or
 * ADDR_ENOMEM */
static int unit(void *cv)
{
	static const char probe[] = "\r\n,\"\\%~O";
	size_t n = sizeof(probe) - 1, i, bad;
	struct addr_buf b;
	int w = 0;

	addr_buf_init(&b);
	if ((w = addr__text_conv_encode(cv, &b, probe, n, &bad)) == 0) {
		if (b.size == n && memcmp(b.ptr, probe, n) == 0)
			w = 1;
		else if (b.size == 2 * n) {
			for (w = 2, i = 0; i < n && w == 2; i++)
				if (b.ptr[2 * i] != probe[i] || b.ptr[2 * i + 1])
					w = 0;
			for (w = w ? w : -2, i = 0; i < n && w == -2; i++)
				if (b.ptr[2 * i + 1] != probe[i] || b.ptr[2 * i])
					w = 0;
		}
	}
	addr_buf_free(&b);
	return w == ADDR_ESYNTAX ? 0 : w;
}

/* narrow - append s[0..n) as the tokeniser sees it without decoding:
 * ASCII units kept, every other unit one "x" */
static void narrow(struct addr_buf *out, const char *s, size_t n, int w)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (w == 1) {
		for (i = 0; i < n; i++)
			addr_buf_putc(out, u[i] < 0x80 ? (char)u[i] : 'x');
		return;
	}
	for (i = 0; i + 1 < n; i += 2) {
		unsigned c = w > 0 ? (unsigned)(u[i] | u[i + 1] << 8) :
				     (unsigned)(u[i] << 8 | u[i + 1]);

		addr_buf_putc(out, c < 0x80 ? (char)c : 'x');
	}
	if (i < n)
		addr_buf_putc(out, 'x');
}

/* line_end - the offset after the line that starts at b (its LF unit
 * included), or n */
static size_t line_end(const char *s, size_t n, size_t b, int w)
{
	const char *nl;
	size_t i;

	if (w == 1) {
		nl = memchr(s + b, '\n', n - b);
		return nl ? (size_t)(nl - s) + 1 : n;
	}
	for (i = b; i + 1 < n; i += 2)
		if ((w > 0 && s[i] == '\n' && s[i + 1] == 0) ||
		    (w < 0 && s[i] == 0 && s[i + 1] == '\n'))
			return i + 2;
	return n;
}

/* push_bad - one more line that did not decode (ascending) */
static int push_bad(struct addr__csv_text *x, size_t line)
{
	size_t *b = addr__csv_grow(x->bad, &x->badcap, x->nbad, sizeof(*b));

	if (b == NULL)
		return ADDR_ENOMEM;
	x->bad = b;
	x->bad[x->nbad++] = line;
	return 0;
}

/* file_error - one csv.encoding error on line 1 (the file is refused) */
static int file_error(struct addr__sink *s, const char *msg)
{
	s->line = 1;
	s->column = 0;
	addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ENOTSUP, "csv.encoding", "%s",
			msg);
	return s->fatal ? ADDR_ENOMEM : 1;
}

int addr__csv_decode(struct addr__csv_text *x, const char *in, size_t len,
		     const struct addr_csv_options *opt, struct addr__sink *s)
{
	size_t skip, b, e, line, bad;
	const char *cs = bom(in, len, &skip);
	char msg[200];
	void *cv;
	int w, rc, eq = 1;

	memset(x, 0, sizeof(*x));
	addr_buf_init(&x->t);
	if (cs != NULL && strcmp(cs, "UTF-16BE") == 0)
		return file_error(s, "byte order mark FE FF: UTF-16BE is not "
				  "supported (5.5 writes UTF-16LE, events "
				  "208/209)");
	if (cs != NULL && opt->encoding != NULL &&
	    (eq = addr__text_charset_eq(opt->encoding, cs)) <= 0) {
		if (eq < 0)
			snprintf(msg, sizeof(msg), "unknown charset \"%.100s\"",
				 opt->encoding);
		else
			snprintf(msg, sizeof(msg), "the encoding is \"%.100s\" "
				 "but the file starts with a %s byte order "
				 "mark", opt->encoding, cs);
		return file_error(s, msg);
	}
	x->bom = cs != NULL;
	if (cs == NULL)
		cs = opt->encoding ? opt->encoding : "windows-1252";
	x->charset = cs;
	if ((rc = addr__text_conv_open(&cv, cs)) == ADDR_ENOMEM)
		return rc;
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "unknown charset \"%.100s\"", cs);
		return file_error(s, msg);
	}
	if ((w = unit(cv)) == ADDR_ENOMEM) {
		addr__text_conv_close(cv);
		return w;
	}
	if (w == 0) {
		addr__text_conv_close(cv);
		snprintf(msg, sizeof(msg), "charset \"%.100s\" writes neither "
			 "ASCII nor UTF-16 separators", cs);
		return file_error(s, msg);
	}
	for (b = skip, line = 1; b < len; b = e, line++) {
		size_t before = x->t.size, ls = line == 1 ? 0 : b;

		e = line_end(in, len, b, w);
		rc = addr__text_conv_decode(cv, &x->t, in + b, e - b, &bad);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		s->line = line;
		s->column = b + bad - ls + 1;
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "csv.encoding",
				"byte 0x%02X starts an undecodable or truncated "
				"sequence in %s%s (5.5 event 147)",
				(unsigned char)in[b + bad], cs,
				rc > 1 ? "; more follow in this line" : "");
		if (push_bad(x, line) < 0) {
			rc = ADDR_ENOMEM;
			break;
		}
		addr_buf_truncate(&x->t, before);
		narrow(&x->t, in + b, e - b, w);
		rc = 0;
	}
	addr__text_conv_close(cv);
	if (rc == ADDR_ENOMEM || x->t.oom || s->fatal)
		return ADDR_ENOMEM;
	return rc < 0 ? rc : 0;
}

void addr__csv_text_free(struct addr__csv_text *x)
{
	addr_buf_free(&x->t);
	addr__free(x->bad);
	x->bad = NULL;
	x->nbad = x->badcap = 0;
}

int addr__csv_bad_span(const struct addr__csv_text *x, size_t first,
		       size_t last)
{
	size_t lo = 0, hi = x->nbad;

	while (lo < hi) {	/* the first bad line >= first */
		size_t mid = lo + (hi - lo) / 2;

		if (x->bad[mid] < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->nbad && x->bad[lo] <= last;
}

/* ------------------------------------------------------------ rejects */

int addr_csv_rejects(struct addr_buf *out, const char *in, size_t len,
		     const size_t *lines, size_t nlines)
{
	const unsigned char *u = (const unsigned char *)in;
	struct addr__csv_tok k;
	struct addr_buf nar;
	size_t skip, *ls = NULL, nls = 0, i, j = 0;
	const char *cs = bom(in, len, &skip), *t;
	int w = 1, rc = 0, r, copy_all = 0, header = 0;

	if (cs != NULL && strncmp(cs, "UTF-16", 6) == 0)
		w = strcmp(cs, "UTF-16LE") == 0 ? 2 : -2;
	else if (cs == NULL && len >= 2 && u[0] != 0 && u[1] == 0)
		w = 2;		/* "O\0b\0j\0" without a BOM */
	else if (cs == NULL && len >= 2 && u[0] == 0 && u[1] != 0)
		w = -2;
	addr_buf_init(&nar);
	if (w == 1) {
		t = in + skip;
	} else {
		narrow(&nar, in + skip, len - skip, w);
		t = nar.ptr;
	}
	/* raw offset of the start of each physical line; ls[1] = 0 */
	{
		size_t nn = w == 1 ? len - skip : nar.size, nl = 2;
		const char *p;

		for (p = t; (p = memchr(p, '\n', nn - (size_t)(p - t))) != NULL; p++)
			nl++;
		if (nar.oom || (ls = addr__malloc((nl + 1) * sizeof(*ls))) == NULL) {
			addr_buf_free(&nar);
			return ADDR_ENOMEM;
		}
		ls[0] = ls[1] = 0;
		nls = 2;
		for (i = 0; i < nn; i++)
			if (t[i] == '\n')
				ls[nls++] = skip + (i + 1) * (size_t)(w < 0 ? -w : w);
		ls[nls] = len;
		addr__csv_tok_init(&k, t, nn, 0);
	}
	while ((r = addr__csv_tok_next(&k)) == 1) {
		size_t b = ls[k.first], e = ls[k.last + 1];

		if (!header) {
			header = 1;
			/* a problem on the header line (or before it: the
			 * BOM) is file-level: every record is rejected */
			copy_all = nlines > 0 && lines[0] <= k.last;
			if (!copy_all)
				addr_buf_put(out, in, e);
			continue;
		}
		while (j < nlines && lines[j] < k.first)
			j++;
		if (copy_all || (j < nlines && lines[j] <= k.last)) {
			if (!copy_all)
				addr_buf_put(out, in + b, e - b);
			rc++;
		}
	}
	if (copy_all || (!header && nlines > 0))
		addr_buf_put(out, in, len);
	if (r == ADDR_ENOMEM || out->oom)
		rc = ADDR_ENOMEM;
	addr__csv_tok_free(&k);
	addr_buf_free(&nar);
	addr__free(ls);
	return rc;
}
