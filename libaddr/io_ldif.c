/*
 * io_ldif.c - LDIF (RFC 2849) reader and writer (spec-directory.md §6)
 *
 * EXPORTS
 *	addr_ldif_parse()	records of an LDIF file, with every problem
 *				as a diagnostic (FILE:LINE:COLUMN, rule id)
 *	addr_ldif_parse_read()	the same, the input read in chunks
 *	addr_dir_load_ldif()	a content file into a directory, checked
 *	addr_dir_load_ldif_read()	the same, the input read in chunks
 *	addr_dir_write_ldif()	a directory as LDIF, byte-stable
 *	addr_dir_write_ldif_to()	the same, handed out in pieces
 *	addr_ldif_put()		one attribute line, base64 and folding
 *	addr_ldif_rejects()	the refused records of a change file
 *
 * The reader is strict by default: ":<" URL values and "include:"
 * lines are refused and never followed, continuation lines start with
 * exactly one SPACE, plain values are SAFE-STRINGs, base64 must be
 * canonical. After a problem it skips to the next blank line, so one
 * run finds every broken record. Lines are bounded only by the input:
 * the reader works on a window of its own that holds at least the
 * current record (filled from the caller's buffer, or by the read
 * callback of a streamed input), scans each line once (16 octets at a
 * time where SSE2 is there), and hands names and values over in place,
 * NUL-terminated in the window; only folded lines are copied.
 */
#include <stdio.h>
#include <string.h>
#include "dir_int.h"

#define WRAP 78		/* ldif_put_wrap's LDIF_LINE_WIDTH */
#define VALUE_MAX ((size_t)1 << 20)	/* limit.value: 1 MiB per value */
#define LINE_MAX_ (VALUE_MAX / 3 * 4 + 1024)	/* its base64 line + name */

/* ------------------------------------------------------------ base64 */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* b64_block - base64 of s[0..n) into dst (4 octets per 3, padded);
 * returns the octets written */
static size_t b64_block(char *dst, const unsigned char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		dst[o++] = b64[s[i] >> 2];
		dst[o++] = b64[(s[i] & 3) << 4 | s[i + 1] >> 4];
		dst[o++] = b64[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
		dst[o++] = b64[s[i + 2] & 63];
	}
	if (n - i == 1) {
		dst[o++] = b64[s[i] >> 2];
		dst[o++] = b64[(s[i] & 3) << 4];
		dst[o++] = '=';
		dst[o++] = '=';
	} else if (n - i == 2) {
		dst[o++] = b64[s[i] >> 2];
		dst[o++] = b64[(s[i] & 3) << 4 | s[i + 1] >> 4];
		dst[o++] = b64[(s[i + 1] & 15) << 2];
		dst[o++] = '=';
	}
	return o;
}

/* ------------------------------------------------------------ writer */

/* needs_b64 - RFC 2849 note 4 and 8: exactly when required */
static int needs_b64(const char *v, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if (v[0] == ' ' || v[0] == ':' || v[0] == '<' || v[n - 1] == ' ')
		return 1;
	/* eight printable ASCII octets at a time; a word with an octet
	 * below 0x20 or above 0x7F is looked at octet by octet */
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, v + i, 8);
		if ((w & 0x8080808080808080ull) ||
		    ((w - 0x2020202020202020ull) & ~w & 0x8080808080808080ull))
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == 0 || c == '\r' || c == '\n' || c >= 0x80)
			return 1;
	}
	return 0;
}

/*
 * The writer appends a logical line to the output in pieces, folded as
 * ldif_put_wrap: 78 octets, then "\n " and 77 octets per line. A fold is
 * written only when another octet follows, so a line of exactly 78
 * octets stays whole. No temporary copy of the line is made.
 */
struct fold {
	struct addr_buf *out;
	size_t col, w;		/* octets on this physical line, its width */
};

static void fold_put(struct fold *f, const char *s, size_t n)
{
	while (n > 0) {
		size_t k;

		if (f->col == f->w) {
			addr_buf_put(f->out, "\n ", 2);
			f->col = 0;
			f->w = WRAP - 1;
		}
		k = f->w - f->col < n ? f->w - f->col : n;
		addr_buf_put(f->out, s, k);
		f->col += k;
		s += k;
		n -= k;
	}
}

int addr_ldif_put(struct addr_buf *out, const char *name, const char *v,
		  size_t len)
{
	size_t nlen = strlen(name);
	struct fold f;

	if (!needs_b64(v, len)) {
		size_t n = nlen + 1 + (len > 0 ? len + 1 : 0);

		/* the common case: a line that needs no fold (room for it,
		 * its LF and the NUL) */
		if (n <= WRAP) {
			if (addr_buf_grow(out, out->size + n + 1) < 0)
				return ADDR_ENOMEM;
			memcpy(out->ptr + out->size, name, nlen);
			out->size += nlen;
			out->ptr[out->size++] = ':';
			if (len > 0) {
				out->ptr[out->size++] = ' ';
				memcpy(out->ptr + out->size, v, len);
				out->size += len;
			}
			out->ptr[out->size++] = '\n';
			out->ptr[out->size] = '\0';
			return 0;
		}
		f.out = out;
		f.col = 0;
		f.w = WRAP;
		fold_put(&f, name, nlen);
		fold_put(&f, ": ", len > 0 ? 2 : 1);
		fold_put(&f, v, len);
	} else {
		const unsigned char *u = (const unsigned char *)v;
		char tmp[64];
		size_t i;

		f.out = out;
		f.col = 0;
		f.w = WRAP;
		fold_put(&f, name, nlen);
		fold_put(&f, ":: ", 3);
		/* 48 octets (a multiple of 3) make 64 base64 octets */
		for (i = 0; i < len; i += 48)
			fold_put(&f, tmp, b64_block(tmp, u + i,
						    len - i < 48 ? len - i : 48));
	}
	addr__buf_putc(out, '\n');
	return out->oom ? ADDR_ENOMEM : 0;
}

static int put_attr(void *ctx, const char *name, const struct addr__dval *v,
		    size_t n, const char *one)
{
	struct addr_buf *out = ctx;
	size_t k, len;

	for (k = 0; k < n; k++) {
		const char *p = addr__vat(v, one, k, &len);

		addr_ldif_put(out, name, p, len);
	}
	return 0;
}

void addr__wout_flush(struct addr__wout *w, int all)
{
	if (w->fn == NULL || w->err || w->out->oom ||
	    (!all && w->out->size < ADDR__WRITE_CHUNK))
		return;
	if (w->out->size > 0 && w->fn(w->ctx, w->out->ptr, w->out->size) < 0)
		w->err = 1;
	addr_buf_clear(w->out);
}

/* addr__ldif_entries - entries [from, to) of d as the LDIF writer
 * writes them (also dir_stream.c's) */
int addr__ldif_entries(void *octx, struct addr_buf *out,
		       const struct addr_dir *d, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		const struct addr_dir_entry *e = d->e[i];

		if (i > 0)
			addr__buf_putc(out, '\n');
		addr_ldif_put(out, "dn", e->dn, e->dnlen);
		addr__entry_out(e, put_attr, out);
	}
	return out->oom ? ADDR_ENOMEM : 0;
}

/* write_ldif - the LDIF writer into w */
static int write_ldif(const struct addr_dir *d, struct addr__wout *w)
{
	struct addr_buf *out = w->out;
	size_t i;

	addr_buf_puts(out, "version: 1\n");
	for (i = 0; i < d->n && !w->err; i++) {
		addr__ldif_entries(NULL, out, d, i, i + 1);
		addr__wout_flush(w, 0);
	}
	addr__wout_flush(w, 1);
	return out->oom ? ADDR_ENOMEM : w->err ? ADDR_EIO : 0;
}

int addr_dir_write_ldif(const struct addr_dir *d, struct addr_buf *out)
{
	struct addr__wout w = { out, NULL, NULL, 0 };

	return write_ldif(d, &w);
}

int addr__write_stream(const struct addr_dir *d,
		       int (*wr)(const struct addr_dir *, struct addr__wout *),
		       addr_write_fn fn, void *ctx)
{
	struct addr_buf out;
	struct addr__wout w;
	int rc;

	addr_buf_init(&out);
	w.out = &out;
	w.fn = fn;
	w.ctx = ctx;
	w.err = 0;
	rc = wr(d, &w);
	addr_buf_free(&out);
	return rc;
}

int addr_dir_write_ldif_to(const struct addr_dir *d, addr_write_fn fn,
			   void *ctx)
{
	static const char head[] = "version: 1\n";

	/* with workers, the entries are formatted in parallel */
	if (d->nthreads > 0 && d->n > 0) {
		if (fn(ctx, head, sizeof(head) - 1) < 0)
			return ADDR_EIO;
		return addr__write_par(d, addr__ldif_entries, NULL, fn, ctx);
	}
	return addr__write_stream(d, write_ldif, fn, ctx);
}

/* ------------------------------------------------------------ reader */

/*
 * The reader works on a window of its own: a buffer that holds the
 * input, or the part of it that begins with the record being collected.
 * Reading a buffer (addr_ldif_parse), the window is filled from it with
 * memcpy, a chunk at a time; reading through a callback
 * (addr_ldif_parse_read), by the callback. Positions (pos, line offsets)
 * count from the start of the text; the window in[0..len - woff) starts
 * at position woff. When a line runs past the window's end, more() drops
 * what lies before keep (nothing of the record being collected) and
 * reads more.
 *
 * Because the window is the reader's, a record's names and values are
 * handed to the callback in place: the ":" after a name and the line
 * end after a value are overwritten with NULs, and base64 is decoded
 * over its own text (3 octets for 4). Only folded lines are copied, once
 * each, into r->lines. Behind the window's last octet lie a sentinel LF
 * and PAD - 1 zeros, so that the line scans need no bounds checks and
 * may load 16 octets at a time.
 */

/* One logical line of the current record: offsets into r->lines, or,
 * for a line that is not folded, into the window (in place). A line of
 * the common shape (an ALPHA-led name without options, ":" or "::", a
 * value without NUL, CR or octets >= 0x80) is pre-split while it is
 * scanned: nlen is its name's length (the ":" is at nlen), voff where
 * its value starts; nlen 0 means "not pre-split". */
struct lline {
	size_t off, len;
	size_t line;
	uint32_t nlen, voff;
	unsigned char inplace;	/* off is a position in the window */
	unsigned char b64;	/* pre-split "::" value */
};

struct stream {
	addr_read_fn rd;	/* NULL: the input is src[0..srclen) */
	void *ctx;
	const char *src;
	size_t srclen, srcpos;
	char *buf;		/* the window; cap + PAD octets */
	size_t cap, chunk;	/* room wanted free for each read */
	int eof, err;
};

struct reader {
	char *in;			/* the window */
	size_t woff;			/* position of in[0] */
	size_t len, pos, lineno;	/* end of the window, next octet */
	size_t keep;			/* the first position still needed */
	struct stream *st;
	unsigned flags;
	struct addr__sink s;
	struct addr_buf lines;		/* folded logical lines of the record */
	struct lline *ll;
	size_t nll, llcap;
	size_t nincl;			/* lines that may be "include:" */
	struct addr_ldif_item *out;	/* the items of the record */
	size_t nit, outcap;
	int filekind;			/* 0 unknown, 1 entries, 2 changes */
};

/* IN - the octet at position x (inside the window) */
#define IN(r, x) ((r)->in[(x) - (r)->woff])

#define READ_CHUNK ((size_t)1 << 20)
#define PAD 64			/* sentinel LF + zeros behind the window */

/* seal - the sentinel LF and the zeros behind the window's end */
static void seal(struct reader *r)
{
	char *end = r->st->buf + (r->len - r->woff);

	end[0] = '\n';
	memset(end + 1, 0, PAD - 1);
}

/* more - read more of the input into the window; 1 when octets were
 * added, 0 at the end (or after a read error, kept in st->err) or
 * without memory (r->s.fatal) */
static int more(struct reader *r)
{
	struct stream *st = r->st;
	size_t drop, have, room, n;

	if (st->eof)
		return 0;
	if (st->rd == NULL && st->srcpos == st->srclen) {
		st->eof = 1;
		return 0;
	}
	drop = r->keep - r->woff;
	have = r->len - r->keep;
	if (drop > 0 && have > 0)
		memmove(st->buf, st->buf + drop, have);
	r->woff = r->keep;
	if (st->buf != NULL)
		seal(r);
	if (st->cap - have < st->chunk) {
		size_t nc = st->cap ? st->cap * 2 : 2 * st->chunk;
		char *p;

		while (nc - have < st->chunk)
			nc *= 2;
		if ((p = addr__realloc(st->buf, nc + PAD)) == NULL) {
			r->s.fatal = 1;
			st->eof = 1;
			return 0;
		}
		st->buf = p;
		st->cap = nc;
	}
	r->in = st->buf;
	room = st->cap - have;
	if (st->rd == NULL) {
		n = st->srclen - st->srcpos < room ? st->srclen - st->srcpos :
		    room;
		memcpy(st->buf + have, st->src + st->srcpos, n);
		st->srcpos += n;
	} else {
		long got = st->rd(st->ctx, st->buf + have, room);

		if (got <= 0 || (size_t)got > room) {
			st->err = got != 0;
			st->eof = 1;
			seal(r);
			return 0;
		}
		n = (size_t)got;
	}
	r->len = r->woff + have + n;
	seal(r);
	return 1;
}

/* phys - the next physical line [*b, *e) without its terminator;
 * 0 at the end of the input */
static int phys(struct reader *r, size_t *b, size_t *e)
{
	const char *nl;
	size_t from = r->pos;

	if (r->pos >= r->len && !more(r))
		return 0;
	*b = r->pos;
	while ((nl = memchr(&IN(r, from), '\n', r->len - from)) == NULL) {
		from = r->len;
		if (!more(r))
			break;
	}
	*e = nl ? (size_t)(nl - r->in) + r->woff : r->len;
	r->pos = nl ? *e + 1 : r->len;
	if (nl && *e > *b && IN(r, *e - 1) == '\r')
		(*e)--;
	r->lineno++;
	return 1;
}

/* keychar - ALPHA, DIGIT or "-" (attr-type-chars, opt-char): a table,
 * like domain.c's alnum, with "-" */
static const unsigned char keychar[256] = {
	['-'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/*
 * key_run and stop_run scan a line of the window; both stop at the
 * sentinel LF at the latest and read at most 15 octets beyond where
 * they stop, which PAD covers. key_run: the length of the run of
 * keychar octets at p. stop_run: the offset of the first LF, CR, NUL
 * or octet >= 0x80 at p (the line's end, or an octet a plain value must
 * not hold).
 */
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>

static inline size_t key_run(const unsigned char *p)
{
	const __m128i b20 = _mm_set1_epi8(0x20), a = _mm_set1_epi8('a');
	const __m128i z25 = _mm_set1_epi8(25), d0 = _mm_set1_epi8('0');
	const __m128i d9 = _mm_set1_epi8(9), dash = _mm_set1_epi8('-');
	size_t i;

	for (i = 0;; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i ta = _mm_sub_epi8(_mm_or_si128(v, b20), a);
		__m128i td = _mm_sub_epi8(v, d0);
		__m128i ok = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(ta, z25), ta),
				     _mm_cmpeq_epi8(_mm_min_epu8(td, d9), td)),
			_mm_cmpeq_epi8(v, dash));
		unsigned m = ~(unsigned)_mm_movemask_epi8(ok) & 0xffffu;

		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
}

static inline size_t stop_run(const unsigned char *p)
{
	const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	const __m128i zero = _mm_setzero_si128();
	size_t i;

	for (i = 0;; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i s = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf),
						      _mm_cmpeq_epi8(v, cr)),
					 _mm_cmpeq_epi8(v, zero));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(s, v));

		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
}
#else
static inline size_t key_run(const unsigned char *p)
{
	size_t i = 0;

	while (keychar[p[i]])
		i++;
	return i;
}

static inline size_t stop_run(const unsigned char *p)
{
	size_t i = 0;

	while (p[i] != '\n' && p[i] != '\r' && p[i] != 0 && p[i] < 0x80)
		i++;
	return i;
}
#endif

/*
 * prescan - the physical line at r->pos, when it has the common shape
 * (struct lline) and a value part of at most VALUE_MAX octets: its end
 * *e (without CR LF or LF), the next line's position *next, and l's
 * nlen, voff and b64. 0 (nothing consumed) for any other line, which
 * phys and split then read the general way.
 */
static int prescan(struct reader *r, struct lline *l, size_t *e,
		   size_t *next)
{
	const unsigned char *p = (const unsigned char *)&IN(r, r->pos);
	size_t i, j, k;

	if ((unsigned char)((p[0] | 0x20) - 'a') >= 26)
		return 0;
	i = key_run(p);
	if (p[i] != ':')
		return 0;
	j = i + 1;
	l->b64 = p[j] == ':';
	if (l->b64)
		j++;
	else if (p[j] == '<')
		return 0;
	while (p[j] == ' ')
		j++;
	k = j + stop_run(p + j);
	if (k > LINE_MAX_ || k - j > VALUE_MAX || r->pos + k >= r->len)
		return 0;	/* too long, or it runs past the window */
	if (p[k] == '\n') {
		*next = r->pos + k + 1;
	} else if (p[k] == '\r' && p[k + 1] == '\n' &&
		   r->pos + k + 1 < r->len) {
		*next = r->pos + k + 2;
	} else {
		return 0;	/* an octet a plain value must not hold */
	}
	*e = r->pos + k;
	l->nlen = (uint32_t)i;
	l->voff = (uint32_t)j;
	return 1;
}

/* peek_cont - does the next physical line continue this one? */
static int peek_cont(struct reader *r)
{
	if (r->pos >= r->len && !more(r))
		return 0;
	return IN(r, r->pos) == ' ' || IN(r, r->pos) == '\t';
}

static void diag(struct reader *r, size_t line, size_t col, int sev,
		 const char *rule, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 7)))
#endif
	;
static void diag(struct reader *r, size_t line, size_t col, int sev,
		 const char *rule, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->s.line = line;
	r->s.column = col;
	addr__sink_diag(&r->s, sev, ADDR_ESYNTAX, rule, "%s", msg);
}

/* ll_grow - room for more logical lines in r->ll; 0 or ADDR_ENOMEM */
static int ll_grow(struct reader *r)
{
	size_t nc = r->llcap ? r->llcap * 2 : 32;
	void *p;

	if (nc > ((size_t)-1) / sizeof(*r->ll))
		return ADDR_ENOMEM;
	if ((p = addr__realloc(r->ll, nc * sizeof(*r->ll))) == NULL)
		return ADDR_ENOMEM;
	r->ll = p;
	r->llcap = nc;
	return 0;
}

/* lptr - the octets of logical line l (writable: the reader's own) */
static char *lptr(const struct reader *r, const struct lline *l)
{
	return l->inplace ? &IN(r, l->off) : r->lines.ptr + l->off;
}

/*
 * collect - the logical lines of the next record into r->ll (comments
 * dropped). Returns 1 with a record, 0 at the end, ADDR_ENOMEM.
 * *bad is set when a folding error was reported.
 */
static int collect(struct reader *r, int *bad)
{
	size_t b, e;

	addr_buf_clear(&r->lines);
	r->nll = 0;
	r->nincl = 0;
	*bad = 0;
	for (;;) {
		struct lline *l;
		size_t start, off, next;
		int comment, toolong;

		/* nothing of this record is held in the window yet */
		if (r->nll == 0)
			r->keep = r->pos;
		if (r->pos >= r->len && !more(r))
			return r->nll > 0;
		/* the line is built in its slot, and kept by r->nll++ */
		if (r->nll == r->llcap && ll_grow(r) < 0)
			return ADDR_ENOMEM;
		l = &r->ll[r->nll];
		if (IN(r, r->pos) == '\n') {
			/* an empty line (the window holds the LF) */
			b = e = r->pos++;
			r->lineno++;
		} else if (prescan(r, l, &e, &next)) {
			/* the common line: already scanned */
			b = r->pos;
			r->pos = next;
			r->lineno++;
			l->off = b;
			l->len = e - b;
			l->line = r->lineno;
			l->inplace = 1;
			if (!peek_cont(r)) {
				r->nincl += l->nlen == 7;
				r->nll++;
				continue;
			}
			/* folded: read as any other line */
		} else if (!phys(r, &b, &e)) {
			return r->nll > 0;
		}
		l->nlen = l->voff = 0;
		l->b64 = 0;
		if (b == e) {		/* blank line */
			if (r->nll > 0 || *bad)
				return 1;
			continue;
		}
		if (IN(r, b) == ' ' || IN(r, b) == '\t') {
			/* a continuation with nothing to continue */
			diag(r, r->lineno, 1, ADDR_SEV_ERROR, "ldif.fold",
			     "continuation line without a line to continue%s",
			     "");
			*bad = 1;
			continue;
		}
		start = r->lineno;
		comment = IN(r, b) == '#';
		toolong = e - b > LINE_MAX_;
		l->line = start;
		if (!comment && !toolong && !peek_cont(r)) {
			/* not folded: the line is read where it is */
			l->off = b;
			l->len = e - b;
			l->inplace = 1;
			r->nincl++;
			r->nll++;
			continue;
		}
		off = r->lines.size;
		if (!comment && !toolong)
			addr_buf_put(&r->lines, &IN(r, b), e - b);
		while (peek_cont(r)) {
			int tab = IN(r, r->pos) == '\t';

			phys(r, &b, &e);
			if (tab && !(r->flags & ADDR_LDIF_LENIENT)) {
				diag(r, r->lineno, 1, ADDR_SEV_ERROR, "ldif.fold",
				     "continuation line starts with a TAB, not "
				     "one SPACE%s", "");
				*bad = 1;
			}
			/* a logical line is bounded: what is beyond the
			 * limit is not kept */
			if (e - b - 1 > LINE_MAX_ - (r->lines.size - off))
				toolong = 1;
			if (!comment && !toolong)
				addr_buf_put(&r->lines, &IN(r, b) + 1, e - b - 1);
		}
		if (r->lines.oom)
			return ADDR_ENOMEM;
		if (toolong && !comment) {
			diag(r, start, 1, ADDR_SEV_ERROR, "limit.value",
			     "line longer than %zu octets", (size_t)LINE_MAX_);
			addr_buf_truncate(&r->lines, off);
			*bad = 1;
			continue;
		}
		if (comment)
			continue;
		l->off = off;
		l->len = r->lines.size - off;
		l->inplace = 0;
		/* an octet of its own behind the line, for the value's NUL */
		if (addr__buf_putc(&r->lines, '\0') < 0)
			return ADDR_ENOMEM;
		r->nincl++;
		r->nll++;
	}
}

/* attrdesc_ok - AttributeDescription of RFC 2849 (oid with any dots) */
static int attrdesc_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return 0;
	if (s[0] >= '0' && s[0] <= '9') {
		while (i < n && ((s[i] >= '0' && s[i] <= '9') ||
				 (s[i] == '.' && i + 1 < n && s[i + 1] != '.' &&
				  s[i + 1] != ';')))
			i++;
		if (s[i - 1] == '.')
			return 0;
	} else {
		if (!((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
			return 0;
		while (i < n && keychar[(unsigned char)s[i]])
			i++;
	}
	while (i < n && s[i] == ';') {
		size_t j = ++i;

		while (i < n && keychar[(unsigned char)s[i]])
			i++;
		if (i == j)
			return 0;
	}
	return i == n;
}

/* unsafe_at - offset of the first NUL, CR or octet >= 0x80 of s[0..n),
 * or n; eight octets at a time while there is none */
static size_t unsafe_at(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	const uint64_t crs = 0x0d0d0d0d0d0d0d0dull;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w, x;

		memcpy(&w, s + i, 8);
		x = w ^ crs;	/* a CR octet becomes a zero octet */
		if (((w - ones) & ~w) & high || ((x - ones) & ~x) & high ||
		    (w & high))
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0 || c == '\r' || c >= 0x80)
			break;
	}
	return i;
}

/* b64v1 - addr__b64val + 1 as a table: 1..64, or 0 for an octet that
 * is not a base64 digit */
static const unsigned char b64v1[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26,
	['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31,
	['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41,
	['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46,
	['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51,
	['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61,
	['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* b64_decode - strict RFC 2045 base64 (padding required) of s[0..n)
 * into s itself (the output never overtakes the input), its length in
 * *dlen; returns 0, or the 1-based offset of the first bad character */
static size_t b64_decode(char *s, size_t n, size_t *dlen)
{
	unsigned char *u = (unsigned char *)s;
	size_t i, o = 0;

	if (n % 4 != 0)
		return n ? n : 1;
	for (i = 0; i < n; i += 4) {
		int v[4], k, pad = 0;

		v[0] = b64v1[u[i]] - 1;
		v[1] = b64v1[u[i + 1]] - 1;
		v[2] = b64v1[u[i + 2]] - 1;
		v[3] = b64v1[u[i + 3]] - 1;
		if ((v[0] | v[1] | v[2] | v[3]) < 0) {
			/* padding, or a bad octet: as addr__b64val would */
			for (k = 0; k < 4; k++) {
				unsigned char c = u[i + (size_t)k];

				if (c == '=' && i + 4 == n && k >= 2) {
					v[k] = 0;
					pad++;
					continue;
				}
				if (pad || v[k] < 0)
					return i + (size_t)k + 1;
			}
		}
		u[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			u[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1)
			u[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	*dlen = o;
	return 0;
}

/*
 * split - parse logical line l as name ":" value, in place: *name and
 * *nlen get the name, *val and *vlen the decoded value, both
 * NUL-terminated. Returns 0, or -1 after reporting a problem. isdn: the
 * value is a DN (base64 must give UTF-8). A line is split once: its
 * ":" becomes the name's NUL.
 */
static int split(struct reader *r, const struct lline *l, char **name,
		 size_t *nlen, char **val, size_t *vlen, int isdn)
{
	char *s = lptr(r, l);
	const char *colon;
	size_t n, i, v;

	if (l->nlen != 0) {	/* pre-split: name and value known good */
		n = l->nlen;
		i = l->voff;
		if (l->b64)
			goto base64;
		goto plain;
	}
	colon = memchr(s, ':', l->len);
	if (colon == NULL) {
		diag(r, l->line, 1, ADDR_SEV_ERROR, "ldif.syntax",
		     "line is not \"name: value\"%s", "");
		return -1;
	}
	n = (size_t)(colon - s);
	if (!attrdesc_ok(s, n)) {
		diag(r, l->line, 1, ADDR_SEV_ERROR, "ldif.syntax",
		     "\"%.*s\" is not an attribute description",
		     (int)(n > 60 ? 60 : n), s);
		return -1;
	}
	i = n + 1;
	if (i < l->len && s[i] == '<') {
		diag(r, l->line, i + 1, ADDR_SEV_ERROR, "ldif.url-value",
		     "\":<\" URL values are refused (never fetched)%s", "");
		return -1;
	}
	if (i < l->len && s[i] == ':') {
		size_t bad, dlen = 0;

		i++;
		while (i < l->len && s[i] == ' ')
			i++;
base64:
		bad = b64_decode(s + i, l->len - i, &dlen);
		if (bad) {
			diag(r, l->line, i + bad, ADDR_SEV_ERROR, "ldif.base64",
			     "invalid base64 value%s", "");
			return -1;
		}
		if (dlen > VALUE_MAX) {
			diag(r, l->line, 1, ADDR_SEV_ERROR, "limit.value",
			     "value longer than %zu octets", VALUE_MAX);
			return -1;
		}
		if (isdn && addr_utf8_check(s + i, dlen) != dlen) {
			diag(r, l->line, i + 1, ADDR_SEV_ERROR, "ldif.utf8",
			     "base64 DN is not UTF-8%s", "");
			return -1;
		}
		s[n] = '\0';
		s[i + dlen] = '\0';
		*name = s;
		*nlen = n;
		*val = s + i;
		*vlen = dlen;
		return 0;
	}
	while (i < l->len && s[i] == ' ')
		i++;
	/* only the first unsafe octet matters: it is refused, or (lenient,
	 * raw UTF-8) the whole value is accepted */
	v = i + unsafe_at(s + i, l->len - i);
	if (v < l->len) {
		unsigned char c = (unsigned char)s[v];

		if (c == 0 || c == '\r') {
			diag(r, l->line, v + 1, ADDR_SEV_ERROR,
			     "ldif.unsafe-value",
			     "NUL or CR in a plain value (use base64)%s", "");
			return -1;
		}
		if (!(r->flags & ADDR_LDIF_LENIENT) ||
		    addr_utf8_check(s + i, l->len - i) != l->len - i) {
			diag(r, l->line, v + 1, ADDR_SEV_ERROR,
			     "ldif.unsafe-value",
			     "non-ASCII octet in a plain value (use base64)%s",
			     "");
			return -1;
		}
	}
plain:
	if (l->len - i > VALUE_MAX) {
		diag(r, l->line, 1, ADDR_SEV_ERROR, "limit.value",
		     "value longer than %zu octets", VALUE_MAX);
		return -1;
	}
	s[n] = '\0';
	s[l->len] = '\0';
	*name = s;
	*nlen = n;
	*val = s + i;
	*vlen = l->len - i;
	return 0;
}

/* push_item - append an item; record() has made room for one item per
 * logical line, and no line makes more than one */
static inline void push_item(struct reader *r, int kind, const char *name,
			     size_t nlen, const char *val, size_t vlen,
			     int critical, size_t line)
{
	struct addr_ldif_item *it = &r->out[r->nit++];

	it->kind = kind;
	it->name.ptr = name;
	it->name.len = nlen;
	it->value.ptr = val;
	it->value.len = vlen;
	it->critical = critical;
	it->line = line;
}

/* name_is - does logical line l start with "name:" (case-insensitive)?
 * name is lower-case letters (the keywords of RFC 2849), so an octet
 * matches when it equals its letter once 0x20 is or'ed in. NAME_IS
 * gives the literal's length. Not for a line already split. */
#define NAME_IS(r, l, lit) name_is(r, l, lit, sizeof(lit) - 1)
static inline int name_is(const struct reader *r, const struct lline *l,
			  const char *name, size_t n)
{
	const char *p;
	size_t i;

	/* pre-split: the first ":" is at nlen */
	if (l->nlen != 0 ? l->nlen != n : l->len <= n)
		return 0;
	p = lptr(r, l);
	if (p[n] != ':')
		return 0;
	for (i = 0; i < n; i++)
		if ((p[i] | 0x20) != name[i])
			return 0;
	return 1;
}

/* parse_control - "control: OID [true|false] [value-spec]" */
static int parse_control(struct reader *r, const struct lline *l)
{
	size_t nlen, vlen, i, oid0;
	char *nm, *v;
	int critical = 0;

	if (split(r, l, &nm, &nlen, &v, &vlen, 0) < 0)
		return -1;
	for (i = 0; i < vlen && ((v[i] >= '0' && v[i] <= '9') || v[i] == '.'); i++)
		;
	if (i == 0 || v[i - 1] == '.' || v[0] == '.') {
		diag(r, l->line, 1, ADDR_SEV_ERROR, "ldif.syntax",
		     "control without an OID%s", "");
		return -1;
	}
	oid0 = i;
	while (i < vlen && v[i] == ' ')
		i++;
	if (vlen - i >= 4 && memcmp(v + i, "true", 4) == 0 &&
	    (vlen - i == 4 || v[i + 4] == ' ' || v[i + 4] == ':')) {
		critical = 1;
		i += 4;
	} else if (vlen - i >= 5 && memcmp(v + i, "false", 5) == 0 &&
		   (vlen - i == 5 || v[i + 5] == ' ' || v[i + 5] == ':')) {
		i += 5;
	}
	/* the control value, when present, is kept as written */
	if (i < vlen && v[i] == ':')
		i++;
	while (i < vlen && v[i] == ' ')
		i++;
	push_item(r, ADDR_LDIF_CONTROL, v, oid0, v + i, vlen - i, critical,
		  l->line);
	return 0;
}

/* record - parse the collected record and hand it to fn */
static int record(struct reader *r, addr_ldif_record_fn fn, void *ctx)
{
	size_t nlen, vlen, k = 0, i, before = r->s.nerrors, dnlen;
	char *nm, *v, *dn;
	int change = ADDR_LDIF_ENTRY, kind;
	struct addr_ldif_record rec;

	r->nit = 0;
	if (r->nll > r->outcap) {	/* at most one item per line */
		void *p;

		if (r->nll > ((size_t)-1) / sizeof(*r->out))
			return ADDR_ENOMEM;
		if ((p = addr__realloc(r->out, r->nll * sizeof(*r->out))) == NULL)
			return ADDR_ENOMEM;
		r->out = p;
		r->outcap = r->nll;
	}
	/* only a line not pre-split or with a name of 7 octets can be
	 * "include:" (collect counts them) */
	for (i = 0; r->nincl > 0 && i < r->nll; i++)
		if ((r->ll[i].nlen == 0 || r->ll[i].nlen == 7) &&
		    NAME_IS(r, &r->ll[i], "include")) {
			diag(r, r->ll[i].line, 1, ADDR_SEV_ERROR, "ldif.include",
			     "\"include:\" lines are refused (never followed)%s",
			     "");
			return 0;
		}
	if (!NAME_IS(r, &r->ll[0], "dn")) {
		diag(r, r->ll[0].line, 1, ADDR_SEV_ERROR, "ldif.no-dn",
		     "record does not start with \"dn:\"%s", "");
		return 0;
	}
	if (split(r, &r->ll[0], &nm, &nlen, &dn, &dnlen, 1) < 0)
		return 0;
	k = 1;
	while (k < r->nll && NAME_IS(r, &r->ll[k], "control")) {
		if (parse_control(r, &r->ll[k]) < 0)
			return 0;
		k++;
	}
	if (k < r->nll && NAME_IS(r, &r->ll[k], "changetype")) {
		if (split(r, &r->ll[k], &nm, &nlen, &v, &vlen, 0) < 0)
			return 0;
		if (addr__str_ieq(v, vlen, "add"))
			change = ADDR_LDIF_ADD;
		else if (addr__str_ieq(v, vlen, "delete"))
			change = ADDR_LDIF_DELETE;
		else if (addr__str_ieq(v, vlen, "modify"))
			change = ADDR_LDIF_MODIFY;
		else if (addr__str_ieq(v, vlen, "modrdn") ||
			 addr__str_ieq(v, vlen, "moddn"))
			change = ADDR_LDIF_MODRDN;
		else {
			diag(r, r->ll[k].line, 1, ADDR_SEV_ERROR,
			     "ldif.changetype", "unknown changetype \"%s\"", v);
			return 0;
		}
		k++;
	} else if (r->nit > 0) {
		diag(r, r->ll[1].line, 1, ADDR_SEV_ERROR, "ldif.syntax",
		     "control in a content record%s", "");
		return 0;
	}
	kind = change == ADDR_LDIF_ENTRY ? 1 : 2;
	if (r->filekind != 0 && r->filekind != kind) {
		diag(r, r->ll[0].line, 1, ADDR_SEV_ERROR, "ldif.mixed",
		     "the file mixes entry and change records%s", "");
		return 0;
	}
	r->filekind = kind;
	if (change == ADDR_LDIF_MODIFY) {
		const char *mattr = NULL;
		size_t mattr_len = 0;
		int open = 0;

		for (; k < r->nll; k++) {
			const struct lline *l = &r->ll[k];
			int mk;

			if (l->len == 1 && *lptr(r, l) == '-') {
				if (!open) {
					diag(r, l->line, 1, ADDR_SEV_ERROR,
					     "ldif.syntax", "\"-\" outside a "
					     "mod-spec%s", "");
					return 0;
				}
				open = 0;
				continue;
			}
			if (split(r, l, &nm, &nlen, &v, &vlen, 0) < 0)
				return 0;
			if (!open) {
				mk = addr__str_ieq(nm, nlen, "add") ?
				     ADDR_LDIF_MOD_ADD :
				     addr__str_ieq(nm, nlen, "delete") ?
				     ADDR_LDIF_MOD_DELETE :
				     addr__str_ieq(nm, nlen, "replace") ?
				     ADDR_LDIF_MOD_REPLACE : 0;
				if (mk == 0 || !attrdesc_ok(v, vlen)) {
					diag(r, l->line, 1, ADDR_SEV_ERROR,
					     "ldif.syntax", "expected \"add:\", "
					     "\"delete:\" or \"replace:\" and an "
					     "attribute%s", "");
					return 0;
				}
				mattr = v;
				mattr_len = vlen;
				push_item(r, mk, v, vlen, v, 0, 0, l->line);
				open = 1;
				continue;
			}
			if (nlen != mattr_len ||
			    !addr__str_ieq(nm, nlen, mattr)) {
				diag(r, l->line, 1, ADDR_SEV_ERROR, "ldif.syntax",
				     "value line names another attribute than "
				     "its mod-spec (%s)", mattr);
				return 0;
			}
			push_item(r, ADDR_LDIF_VALUE, nm, nlen, v, vlen, 0,
				  l->line);
		}
		if (open)
			diag(r, r->ll[r->nll - 1].line, 1,
			     (r->flags & ADDR_LDIF_LENIENT) ? ADDR_SEV_WARNING :
			     ADDR_SEV_ERROR, "ldif.mod-dash",
			     "the last mod-spec lacks its \"-\" line%s", "");
	} else if (change == ADDR_LDIF_DELETE) {
		if (k < r->nll) {
			diag(r, r->ll[k].line, 1, ADDR_SEV_ERROR, "ldif.syntax",
			     "a delete record has no further lines%s", "");
			return 0;
		}
	} else {
		static const char *const mr[] = { "newrdn", "deleteoldrdn",
						  "newsuperior" };
		size_t m = 0;

		if (k == r->nll && change != ADDR_LDIF_MODRDN) {
			diag(r, r->ll[0].line, 1, ADDR_SEV_ERROR, "ldif.syntax",
			     "record without attributes%s", "");
			return 0;
		}
		for (; k < r->nll; k++) {
			const struct lline *l = &r->ll[k];

			if (l->nlen != 0 && !l->b64 &&
			    change != ADDR_LDIF_MODRDN) {
				/* split() of a pre-split plain value, inline:
				 * the common line of a content record (a
				 * pre-split line is in place, its value no
				 * longer than VALUE_MAX) */
				char *t = &IN(r, l->off);

				t[l->nlen] = '\0';
				t[l->len] = '\0';
				push_item(r, ADDR_LDIF_VALUE, t, l->nlen,
					  t + l->voff, l->len - l->voff, 0,
					  l->line);
				continue;
			}
			if (change == ADDR_LDIF_MODRDN) {
				while (m < 3 && !name_is(r, l, mr[m], strlen(mr[m])))
					m++;
				if (m == 3 || (m == 2 && k < 3)) {
					diag(r, l->line, 1, ADDR_SEV_ERROR,
					     "ldif.syntax", "expected newrdn, "
					     "deleteoldrdn, newsuperior%s", "");
					return 0;
				}
			}
			if (split(r, l, &nm, &nlen, &v, &vlen,
				  change == ADDR_LDIF_MODRDN) < 0)
				return 0;
			push_item(r, ADDR_LDIF_VALUE, nm, nlen, v, vlen, 0,
				  l->line);
			m++;
		}
		if (change == ADDR_LDIF_MODRDN && m < 2) {
			diag(r, r->ll[0].line, 1, ADDR_SEV_ERROR, "ldif.syntax",
			     "modrdn needs newrdn and deleteoldrdn%s", "");
			return 0;
		}
	}
	if (r->s.nerrors != before || r->s.fatal)
		return r->s.fatal ? ADDR_ENOMEM : 0;
	rec.dn.ptr = dn;
	rec.dn.len = dnlen;
	rec.change = change;
	rec.line = r->ll[0].line;
	rec.item = r->out;
	rec.nitem = r->nit;
	return fn ? fn(ctx, &rec) : 0;
}

/* parse - the records of st's input to fn (addr_ldif_parse) */
static int parse(struct stream *st, const char *file, unsigned flags,
		 addr_ldif_record_fn fn, void *ctx, struct addr_dir_report *rep)
{
	static char empty[1];
	struct reader r;
	int rc = 0, bad, first = 1;

	memset(&r, 0, sizeof(r));
	r.st = st;
	r.in = empty;
	r.flags = flags;
	addr__sink_init(&r.s, rep, NULL, file);
	addr_buf_init(&r.lines);
	while ((rc = collect(&r, &bad)) > 0) {
		size_t skip = 0;

		if (first && r.nll > 0 && NAME_IS(&r, &r.ll[0], "version")) {
			const char *v = lptr(&r, &r.ll[0]) + 8;
			size_t n = r.ll[0].len - 8;

			while (n > 0 && *v == ' ') {
				v++;
				n--;
			}
			if (n != 1 || *v != '1') {
				diag(&r, r.ll[0].line, 1, ADDR_SEV_ERROR,
				     "ldif.version", "unsupported LDIF version "
				     "(only \"version: 1\")%s", "");
				bad = 1;
			}
			skip = 1;
		}
		first = 0;
		if (skip) {	/* the record proper follows the version */
			memmove(r.ll, r.ll + 1, (r.nll - 1) * sizeof(*r.ll));
			r.nll--;
		}
		if (st->err)
			break;	/* the record was cut by the read error */
		if (bad || r.nll == 0)
			continue;
		rc = record(&r, fn, ctx);
		if (rc < 0)
			break;
	}
	if (rc >= 0 && r.s.fatal)
		rc = ADDR_ENOMEM;
	else if (rc >= 0 && st->err)
		rc = ADDR_EIO;
	addr_buf_free(&r.lines);
	addr__free(r.ll);
	addr__free(r.out);
	addr__free(st->buf);
	return rc < 0 ? rc : (int)r.s.nerrors;
}

int addr_ldif_parse(const char *in, size_t len, const char *file,
		    unsigned flags, addr_ldif_record_fn fn, void *ctx,
		    struct addr_dir_report *rep)
{
	struct stream st;

	memset(&st, 0, sizeof(st));
	st.src = in;
	st.srclen = len;
	/* a small input is copied whole, a large one a chunk at a time */
	st.chunk = len == 0 ? 1 : len < READ_CHUNK ? len : READ_CHUNK;
	return parse(&st, file, flags, fn, ctx, rep);
}

int addr_ldif_parse_read(addr_read_fn rd, void *rctx, const char *file,
			 unsigned flags, addr_ldif_record_fn fn, void *ctx,
			 struct addr_dir_report *rep)
{
	struct stream st;

	memset(&st, 0, sizeof(st));
	st.rd = rd;
	st.ctx = rctx;
	st.chunk = READ_CHUNK;
	return parse(&st, file, flags, fn, ctx, rep);
}

/* ----------------------------------------------------------- loading */

struct loader {
	struct addr_dir *d;
	struct addr__src src;
};

/* load_consume - one record into the directory (dir_pipe.c) */
static int load_consume(void *ctx, struct addr__piped *x, struct addr__sink *s)
{
	struct loader *ld = ctx;
	const struct addr_ldif_record *rec = x->rec;

	if (rec->change != ADDR_LDIF_ENTRY) {
		s->line = rec->line;
		s->column = 0;
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"ldif.mixed", "change record in a directory "
				"(content) file");
		return 0;
	}
	return addr__piped_load(ld->d, x, s);
}

/* load - addr_dir_load_ldif from a buffer (rd NULL) or a reader */
static int load(struct addr_dir *d, const char *in, size_t len,
		addr_read_fn rd, void *rctx, const char *file, unsigned flags,
		struct addr_dir_report *rep)
{
	struct loader ld;
	struct addr__sink s;
	int rc;

	memset(&ld, 0, sizeof(ld));
	ld.d = d;
	ld.src.in = in;
	ld.src.len = len;
	ld.src.rd = rd;
	ld.src.rctx = rctx;
	ld.src.file = file;
	ld.src.flags = flags;
	if (d->flags & ADDR_DIR_LENIENT)
		ld.src.flags |= ADDR_LDIF_LENIENT;
	addr__sink_init(&s, rep, NULL, file);
	rc = addr__pipe_run(d, file, 0, addr__src_parse, &ld.src, load_consume,
			    &ld, &s, rep);
	if (rc < 0)
		return rc;
	if (s.fatal)
		return ADDR_ENOMEM;
	{
		int c = addr__dir_check(d, rep, file, NULL);

		if (c < 0)
			return c;
		return rc + (int)s.nerrors + c;
	}
}

int addr_dir_load_ldif(struct addr_dir *d, const char *in, size_t len,
		       const char *file, unsigned flags,
		       struct addr_dir_report *rep)
{
	return load(d, in, len, NULL, NULL, file, flags, rep);
}

int addr_dir_load_ldif_read(struct addr_dir *d, addr_read_fn rd, void *rctx,
			    const char *file, unsigned flags,
			    struct addr_dir_report *rep)
{
	return load(d, NULL, 0, rd, rctx, file, flags, rep);
}

/* ----------------------------------------------------------- rejects */

int addr_ldif_rejects(struct addr_buf *out, const char *in, size_t len,
		      const size_t *lines, size_t nlines)
{
	struct addr_buf rec;
	size_t pos = 0, line = 0, first = 0, last = 0, covered = 0, li = 0, k;
	int comment = 0, version_seen = 0;

	addr_buf_init(&rec);
	addr_buf_puts(out, "version: 1\n");
	for (;;) {
		const char *nl = pos < len ? memchr(in + pos, '\n', len - pos) : NULL;
		size_t end = nl ? (size_t)(nl - in) + 1 : len;
		size_t body = end - pos;
		int blank;

		if (pos < len)
			line++;
		while (body > 0 && (in[pos + body - 1] == '\n' ||
				    in[pos + body - 1] == '\r'))
			body--;
		blank = pos >= len || body == 0;
		if (blank) {
			/* a paragraph ends: keep it when an error is in it
			 * (paragraphs and lines both ascend: one cursor) */
			if (first != 0) {
				while (li < nlines && lines[li] < first)
					li++;
				for (k = li; k < nlines && lines[k] <= last; k++)
					;
				if (k > li) {
					addr__buf_putc(out, '\n');
					addr_buf_put(out, rec.ptr, rec.size);
				}
				covered += k - li;
				li = k;
			}
			addr_buf_clear(&rec);
			first = 0;
			comment = 0;
			if (pos >= len)
				break;
			pos = end;
			continue;
		}
		if (in[pos] == '#')
			comment = 1;
		else if (in[pos] != ' ')
			comment = 0;
		if (!version_seen && first == 0 && !comment &&
		    body >= 8 && memcmp(in + pos, "version:", 8) == 0) {
			version_seen = 1;	/* the file's, not a record's */
			pos = end;
			continue;
		}
		version_seen = 1;
		if (first == 0)
			first = line;
		last = line;
		if (!comment)
			addr_buf_put(&rec, in + pos, end - pos);
		if (end == len && (len == 0 || in[len - 1] != '\n'))
			addr__buf_putc(&rec, '\n');
		pos = end;
	}
	addr_buf_free(&rec);
	if (covered < nlines) {
		/* an error outside every record is a file-level one */
		addr_buf_clear(out);
		addr_buf_put(out, in, len);
	}
	return out->oom ? ADDR_ENOMEM : 0;
}
