/*
 * domain.c - checks and canonical forms of domain names and literals
 *
 * EXPORTS
 *	addr__domain_name()	LDH checks, IDNA (UTS #46 through idn.c),
 *				TLD checks and length limits of a name
 *	addr__domain_literal()	classification and canonical text of a
 *				domain literal (IPv4, IPv6, general, other)
 *
 * Both report diagnoses (spec-address.md §2.3, §2.4, §3) into a fixed
 * array, at most one per code, with offsets into the given form; the
 * parser maps them back to input offsets. Envelope escalation is the
 * parser's business: it knows the mode.
 */
#include <string.h>
#include "domain.h"
#include "mailbox_int.h"
#include "scan.h"

static void add(struct addr__domain *d, int code, size_t off)
{
	size_t i;

	for (i = 0; i < d->ndiag; i++)
		if (d->diag[i].code == code)
			return;		/* one per code per domain */
	if (d->ndiag < ADDR__DOM_MAXDIAG) {
		d->diag[d->ndiag].code = code;
		d->diag[d->ndiag].offset = off;
		d->ndiag++;
	}
}

static int has(const struct addr__domain *d, int code)
{
	size_t i;

	for (i = 0; i < d->ndiag; i++)
		if (d->diag[i].code == code)
			return 1;
	return 0;
}

static int is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

static char lower_c(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static int is_xn(const char *s, size_t n)
{
	return n >= 4 && lower_c(s[0]) == 'x' && lower_c(s[1]) == 'n' &&
	       s[2] == '-' && s[3] == '-';
}

/* sep_len - length of a label separator at s: ".", U+3002, U+FF0E, U+FF61 */
static size_t sep_len(const unsigned char *s, size_t n, int *mapped)
{
	if (s[0] == '.') {
		*mapped = 0;
		return 1;
	}
	if (n >= 3 && ((s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x82) ||
		       (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8E) ||
		       (s[0] == 0xEF && s[1] == 0xBD && s[2] == 0xA1))) {
		*mapped = 1;
		return 3;
	}
	return 0;
}

/* native - RFC 1035 / 5321 checks of one all-ASCII, non-xn-- label */
static void native(struct addr__domain *d, const char *l, size_t n, size_t off)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_ldh((unsigned char)l[i])) {
			add(d, ADDR_D_RFC5322_DOMAIN, off + i);
			break;
		}
	if (n > 0 && l[0] == '-')
		add(d, ADDR_D_RFC5322_HYPHENSTART, off);
	if (n > 0 && l[n - 1] == '-')
		add(d, ADDR_D_RFC5322_HYPHENEND, off);
	if (n > 63)
		add(d, ADDR_D_RFC5322_LABEL_TOOLONG, off);
	if (n >= 4 && l[2] == '-' && l[3] == '-')
		add(d, ADDR_D_RFC5321_RESERVEDLABEL, off);
}

struct label {
	size_t off, len;
	int ascii, xn;
	uint32_t bits;		/* ICU label-level errors (ICU labels only) */
	int mapped_sep;		/* bit 1: R-LDH after mapping */
	size_t sep_off;		/* where the separator before it starts */
};

/* bit_diag - the diagnosis for one ICU error bit (§2.3 table) */
static int bit_diag(uint32_t bit)
{
	switch (bit) {
	case ADDR__IDN_DISALLOWED: return ADDR_D_IDNA_DISALLOWED;
	case ADDR__IDN_PUNYCODE:
	case ADDR__IDN_INVALID_ACE: return ADDR_D_IDNA_ALABEL;
	case ADDR__IDN_BIDI: return ADDR_D_IDNA_BIDI;
	case ADDR__IDN_CONTEXTJ:
	case ADDR__IDN_CONTEXTO_PUNCT:
	case ADDR__IDN_CONTEXTO_DIGITS: return ADDR_D_IDNA_CONTEXT;
	case ADDR__IDN_LEADING_HYPHEN: return ADDR_D_RFC5322_HYPHENSTART;
	case ADDR__IDN_TRAILING_HYPHEN: return ADDR_D_RFC5322_HYPHENEND;
	case ADDR__IDN_LABEL_TOO_LONG: return ADDR_D_RFC5322_LABEL_TOOLONG;
	case ADDR__IDN_DOMAIN_TOO_LONG: return ADDR_D_RFC5322_DOMAIN_TOOLONG;
	default: return ADDR_D_IDNA_FORM;
	}
}

static int is_idna_diag(int code)
{
	return code >= ADDR_D_IDNA_DISALLOWED && code <= ADDR_D_IDNA_FORM;
}

#define MAXLABELS 128

/* derive_ascii - the A-label form of an error-free U-label form: 0, or
 * 1 when ICU must decide (a length limit is near), or ADDR_ENOMEM */
static int derive_ascii(struct addr_buf *abuf, const char *u, size_t n)
{
	size_t i = 0, ls, k, start;
	int rc;

	addr_buf_clear(abuf);
	while (i <= n) {
		ls = i;
		while (i < n && u[i] != '.')
			i++;
		if (i == ls && i < n)
			return 1;		/* empty label: ICU decides */
		for (k = ls; k < i && (unsigned char)u[k] < 0x80; k++)
			;
		start = abuf->size;
		if (k == i)
			rc = addr_buf_put(abuf, u + ls, i - ls);
		else
			rc = addr__idn_punycode(abuf, u + ls, i - ls);
		if (rc == ADDR_ENOMEM)
			return rc;
		if (rc < 0 || abuf->size - start > 63)
			return 1;
		/* checked now: a later label that ICU must judge would
		 * clear abuf, and its oom with it */
		if (i < n && addr_buf_putc(abuf, '.') < 0)
			return ADDR_ENOMEM;
		i++;
	}
	if (abuf->oom)
		return ADDR_ENOMEM;
	return abuf->size > 253 ? 1 : 0;
}

/* icu_path - UTS #46 processing and attribution of its error bits */
static int icu_path(struct addr__domain *d, const char *given, size_t len,
		    struct label *lab, size_t nlab, int any_mapped_sep, int has_xn,
		    struct addr_buf *abuf, struct addr_buf *ubuf,
		    struct addr_buf *tmp)
{
	uint32_t ea = 0, eu = 0, all, bit, b2;
	size_t i, k, nlab_all = nlab;
	int rc, mapped = any_mapped_sep;

	if ((rc = addr__idn_name_to_unicode(ubuf, given, len, &eu)) == ADDR_ENOMEM)
		return rc;
	if (rc < 0)
		eu |= ADDR__IDN_DISALLOWED;
	/* ToASCII is ToUnicode's processing plus Punycode and two length
	 * checks (UTS #46 §4.2): for a clean name without A-labels derive
	 * it here, at a third of ICU's cost; otherwise ask ICU */
	rc = 1;
	if (eu == 0 && !has_xn)
		rc = derive_ascii(abuf, ubuf->ptr, ubuf->size);
	if (rc == ADDR_ENOMEM)
		return rc;
	if (rc != 0) {
		rc = addr__idn_name_to_ascii(abuf, given, len, &ea);
		if (rc == ADDR_ENOMEM)
			return rc;
		if (rc < 0)
			ea |= ADDR__IDN_DISALLOWED;
	}
	all = ea | eu;

	/* a clean name whose U-label form is its lowercased self needs no
	 * per-label work: nothing to attribute, nothing mapped */
	if (all == 0 && !any_mapped_sep && ubuf->size == len) {
		for (k = 0; k < len; k++)
			if (ubuf->ptr[k] != lower_c(given[k]))
				break;
		if (k == len)
			nlab = 0;
	}
	/* without errors no label has any to attribute, and a label is
	 * mapped iff its part of the U-label form differs from it: compare
	 * label by label instead of asking ICU once per label */
	if (all == 0 && nlab > 0) {
		size_t ui = 0, un = ubuf->size;
		int ok = 1;

		for (i = 0; i < nlab && ok; i++) {
			size_t us = ui;
			while (ui < un && ubuf->ptr[ui] != '.')
				ui++;
			if (!lab[i].xn) {
				if (ui - us != lab[i].len)
					mapped = 1;
				else
					for (k = 0; k < lab[i].len; k++)
						if (ubuf->ptr[us + k] !=
						    lower_c(given[lab[i].off + k])) {
							mapped = 1;
							break;
						}
			}
			if (i + 1 < nlab && ui >= un)
				ok = 0;		/* mapping changed the label count */
			ui++;
		}
		if (ok && ui >= un)
			nlab = 0;
		else
			mapped = any_mapped_sep;
	}
	for (i = 0; i < nlab; i++) {
		struct label *l = &lab[i];
		uint32_t b1 = 0, bu = 0;

		rc = addr__idn_label_to_ascii(tmp, given + l->off, l->len, &b1);
		if (rc == ADDR_ENOMEM)
			return rc;
		if (l->ascii && !l->xn) {
			l->bits = b1;
			continue;
		}
		/* HYPHEN_3_4 on a label whose ToASCII is plain ASCII, not
		 * xn--: an R-LDH label reached through mapping */
		if ((b1 & ADDR__IDN_HYPHEN_3_4) && !is_xn(tmp->ptr, tmp->size)) {
			size_t j;
			int asc = 1;
			for (j = 0; j < tmp->size; j++)
				if ((unsigned char)tmp->ptr[j] >= 0x80)
					asc = 0;
			if (asc)
				l->mapped_sep |= 2;	/* marks "reserved" */
		}
		rc = addr__idn_label_to_unicode(tmp, given + l->off, l->len, &bu);
		if (rc == ADDR_ENOMEM)
			return rc;
		l->bits = b1 | bu;
		/* an R-LDH label reached through mapping is only a warning
		 * (RFC5321_RESERVEDLABEL), so the mapping is still reported */
		if (!l->xn && (b1 == 0 || ((l->mapped_sep & 2) &&
					   b1 == ADDR__IDN_HYPHEN_3_4))) {
			/* mapped: the U-label differs from the lowercased input */
			if (tmp->size != l->len)
				mapped = 1;
			else
				for (k = 0; k < l->len; k++)
					if (tmp->ptr[k] != lower_c(given[l->off + k])) {
						mapped = 1;
						break;
					}
		}
	}
	if (mapped)
		add(d, ADDR_D_IDNA_MAPPED, 0);

	for (bit = 1; bit != 0 && bit <= 0x8000u; bit <<= 1) {
		size_t off = 0;
		int found = 0, ascii_only = 0;

		if (!(all & bit))
			continue;
		for (i = 0; i < nlab; i++) {
			if (!(lab[i].bits & bit))
				continue;
			if (lab[i].ascii && !lab[i].xn) {
				ascii_only = 1;
				continue;
			}
			off = lab[i].off;
			found = 1;
			break;
		}
		if (!found && ascii_only)
			continue;	/* native checks speak for ASCII labels */
		if (bit == ADDR__IDN_HYPHEN_3_4 && found &&
		    (lab[i].mapped_sep & 2)) {
			add(d, ADDR_D_RFC5321_RESERVEDLABEL, off);
			continue;
		}
		b2 = bit;
		add(d, bit_diag(b2), off);
	}
	/* a mapped trailing full stop: ICU accepts it, DNS has no such label */
	if (abuf->size > 0 && abuf->ptr[abuf->size - 1] == '.' && nlab_all > 1)
		add(d, ADDR_D_IDNA_FORM, lab[nlab_all - 1].sep_off);
	d->a = abuf->ptr;
	d->alen = abuf->size;
	d->u = ubuf->ptr;
	d->ulen = ubuf->size;
	for (i = 0; i < abuf->size; i++)
		abuf->ptr[i] = lower_c(abuf->ptr[i]);
	for (i = 0; i < ubuf->size; i++) {
		ubuf->ptr[i] = lower_c(ubuf->ptr[i]);
		if ((unsigned char)ubuf->ptr[i] >= 0x80)
			d->u_nonascii = 1;
	}
	return 0;
}

/* lower-case table: the fast path lowercases while it checks */
static const unsigned char lc[256] = {
#define R(x) x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7
	R(0), R(8), R(16), R(24), R(32), R(40), R(48), R(56), 64,
	'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm',
	'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
	91, 92, 93, 94, 95, R(96), R(104), R(112), R(120), R(128), R(136),
	R(144), R(152), R(160), R(168), R(176), R(184), R(192), R(200),
	R(208), R(216), R(224), R(232), R(240), R(248)
#undef R
};

/* alnum - letters and digits: the octets a label is mostly made of */
static const unsigned char alnum[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
};

/*
 * ascii_fast - the common case in one pass: an all-ASCII dot-atom name
 * without xn-- labels, copied to given (when not NULL) and lowercased to
 * lower, with the LDH, label, TLD and length checks. Returns 0, having
 * reported nothing, when the general path must run: a non-ASCII octet,
 * an A-label, an octet that is not atext, an empty label.
 */
static int ascii_fast(struct addr__domain *d, const unsigned char *g,
		      size_t len, char *given, char *lower)
{
	size_t i = 0, ls = 0, n, bad = (size_t)-1;
	unsigned char c;
	int hy = 0;

	d->ndiag = 0;
	for (;;) {
		/* the body of a label: letters and digits, lowercased, four
		 * octets a test while they last */
		while (i + 4 <= len && (alnum[g[i]] & alnum[g[i + 1]] &
					alnum[g[i + 2]] & alnum[g[i + 3]])) {
			lower[i] = (char)lc[g[i]];
			lower[i + 1] = (char)lc[g[i + 1]];
			lower[i + 2] = (char)lc[g[i + 2]];
			lower[i + 3] = (char)lc[g[i + 3]];
			i += 4;
		}
		while (i < len && alnum[g[i]]) {
			lower[i] = (char)lc[g[i]];
			i++;
		}
		if (i < len && (c = g[i]) != '.') {
			if (c == '-') {
				hy = 1;
			} else if (addr__is(c, ADDR__C_ATEXT)) {
				if (bad == (size_t)-1)
					bad = i;
			} else {
				return 0;	/* also every octet >= 0x80 */
			}
			lower[i++] = (char)c;
			continue;
		}
		/* a label ends at i; the hyphen rules only matter with one */
		n = i - ls;
		if (n == 0)
			return 0;	/* leading, double or trailing dot */
		if (hy) {
			if (n >= 4 && g[ls + 2] == '-' && g[ls + 3] == '-') {
				if (lc[g[ls]] == 'x' && lc[g[ls + 1]] == 'n')
					return 0;	/* A-labels go to ICU */
				add(d, ADDR_D_RFC5321_RESERVEDLABEL, ls);
			}
			if (g[ls] == '-')
				add(d, ADDR_D_RFC5322_HYPHENSTART, ls);
			if (g[i - 1] == '-')
				add(d, ADDR_D_RFC5322_HYPHENEND, ls);
			hy = 0;
		}
		if (n > 63)
			add(d, ADDR_D_RFC5322_LABEL_TOOLONG, ls);
		if (i >= len)
			break;
		lower[i++] = '.';
		ls = i;
	}
	lower[len] = '\0';
	if (given != NULL) {
		memcpy(given, g, len);
		given[len] = '\0';
	}
	if (bad != (size_t)-1)
		add(d, ADDR_D_RFC5322_DOMAIN, bad);
	if (ls == 0)
		add(d, ADDR_D_RFC5321_TLD, 0);
	if (g[ls] >= '0' && g[ls] <= '9')
		add(d, ADDR_D_RFC5321_TLDNUMERIC, ls);
	if (len > 253)
		add(d, ADDR_D_RFC5322_DOMAIN_TOOLONG, 0);
	d->kind = ADDR_DK_NAME;
	d->idna_error = d->u_nonascii = 0;
	d->a = d->u = lower;
	d->alen = d->ulen = len;
	d->forms_ok = bad == (size_t)-1 && (d->ndiag == 0 ||
		      (!has(d, ADDR_D_RFC5322_HYPHENSTART) &&
		       !has(d, ADDR_D_RFC5322_HYPHENEND)));
	return 1;
}

/*
 * addr__domain_masks - what ascii_fast does, from the class masks of
 * scan.c (bit 0 is the domain's first octet, len <= 63): the labels are
 * found with bit operations instead of a loop over the octets, and the
 * lowercased form is the caller's (nothing is copied).
 */
int addr__domain_masks(struct addr__domain *d, const unsigned char *g,
		       size_t len, uint64_t an, uint64_t hy, uint64_t dot,
		       const char *lowered)
{
	uint64_t all, starts, ends, r, below;
	size_t ls, last;

	d->ndiag = 0;
	if (len == 0 || len > 63)
		return 0;
	all = ((uint64_t)1 << len) - 1;
	an &= all;
	hy &= all;
	dot &= all;
	if ((an | hy | dot) != all)
		return 0;	/* not LDH: ascii_fast says which octet */
	if ((dot & 1) || (dot >> (len - 1)) || (dot & (dot >> 1)))
		return 0;	/* an empty label: the parser decides */
	starts = ((dot << 1) | 1) & all;
	ends = ((dot >> 1) | ((uint64_t)1 << (len - 1))) & all;
	if (hy) {
		/* "??--": an A-label (ICU) or a reserved LDH label */
		for (r = starts & (hy >> 2) & (hy >> 3) & ~(dot >> 1); r; r &= r - 1) {
			ls = (size_t)__builtin_ctzll(r);
			if (lowered[ls] == 'x' && lowered[ls + 1] == 'n')
				return 0;
			add(d, ADDR_D_RFC5321_RESERVEDLABEL, ls);
		}
		if (starts & hy)
			add(d, ADDR_D_RFC5322_HYPHENSTART,
			    (size_t)__builtin_ctzll(starts & hy));
		if (ends & hy) {
			size_t pe = (size_t)__builtin_ctzll(ends & hy);
			below = starts & (((uint64_t)2 << pe) - 1);
			add(d, ADDR_D_RFC5322_HYPHENEND,
			    (size_t)(63 - __builtin_clzll(below)));
		}
	}
	last = (size_t)(63 - __builtin_clzll(starts));
	if (last == 0)
		add(d, ADDR_D_RFC5321_TLD, 0);
	if (g[last] >= '0' && g[last] <= '9')
		add(d, ADDR_D_RFC5321_TLDNUMERIC, last);
	d->kind = ADDR_DK_NAME;
	d->idna_error = d->u_nonascii = 0;
	d->a = d->u = lowered;
	d->alen = d->ulen = len;
	d->forms_ok = d->ndiag == 0 || (!has(d, ADDR_D_RFC5322_HYPHENSTART) &&
					!has(d, ADDR_D_RFC5322_HYPHENEND));
	return 1;
}

/*
 * short_name - ascii_fast for a name of at most ADDR__SCAN_MAX octets:
 * its octets classified sixteen at a time (scan.c) and its labels found
 * from the masks, without ascii_fast's loop over the octets, whose exits
 * the branch predictor misses. 1 with the same result and the forms
 * copied (given may be NULL), or 0 when ascii_fast must decide (an octet
 * that is not LDH, an empty label, an A-label).
 */
static int short_name(struct addr__domain *d, const unsigned char *g,
		      size_t len, char *given, char *lower)
{
	struct addr__masks m;
	char low[64];
	unsigned char copy[64];

	addr__scan_masks(g, len, &m, low, copy);
	if (!addr__domain_masks(d, g, len, m.alnum, m.hyphen, m.dot, low))
		return 0;
	/* both copies are zero-padded: the NUL comes with them */
	memcpy(lower, low, len + 1);
	if (given != NULL)
		memcpy(given, copy, len + 1);
	d->a = d->u = lower;
	return 1;
}

int addr__domain_ascii(struct addr__domain *d, const unsigned char *g,
		       size_t len, char *given, char *lower, int masked)
{
	if (len == 0)
		return 0;
	if (!masked && len <= ADDR__SCAN_MAX && short_name(d, g, len, given, lower))
		return 1;
	return ascii_fast(d, g, len, given, lower);
}

/*
 * The IDNA cache. UTS #46 processing costs thousands of instructions a
 * name (ICU converts to UTF-16, maps, normalizes, checks Bidi and
 * CONTEXTJ, converts back), and mail repeats its domains: a small
 * direct-mapped cache per thread keeps the last results, keyed on the
 * exact given form. The result is a pure function of that key, so a hit
 * is exactly what ICU would have said. Thread-local: no locks, and no
 * state shared between the caller's threads.
 */
#define IDN_CACHE_SETS 32		/* two ways each: 64 names, ~14 KB */
#define IDN_CACHE_TEXT 200
#define IDN_CACHE_DIAGS 8

struct idn_slot {
	unsigned char used, glen, alen, ulen, ndiag, forms_ok, idna_error,
		u_nonascii;
	char text[IDN_CACHE_TEXT];	/* given, A-label form, U-label form */
	struct { unsigned char code, off; } diag[IDN_CACHE_DIAGS];
};

static _Thread_local struct idn_slot idn_cache[IDN_CACHE_SETS][2];
static _Thread_local unsigned char idn_recent[IDN_CACHE_SETS];

static size_t idn_set_of(const char *g, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)g[i]) * 16777619u;
	return (h ^ (h >> 16)) % IDN_CACHE_SETS;
}

/* idn_lookup - fill d from the cache; 1 on a hit, ADDR_ENOMEM, 0 */
static int idn_lookup(struct addr__domain *d, const char *g, size_t n,
		      struct addr_buf *abuf, struct addr_buf *ubuf)
{
	size_t set = idn_set_of(g, n), i, w;
	const struct idn_slot *e = NULL;

	for (w = 0; w < 2; w++) {
		e = &idn_cache[set][w];
		if (e->used && e->glen == n && memcmp(e->text, g, n) == 0)
			break;
	}
	if (w == 2)
		return 0;
	idn_recent[set] = (unsigned char)w;
	addr_buf_clear(abuf);
	addr_buf_clear(ubuf);
	if (addr_buf_put(abuf, e->text + n, e->alen) < 0 ||
	    addr_buf_put(ubuf, e->text + n + e->alen, e->ulen) < 0)
		return ADDR_ENOMEM;
	d->kind = ADDR_DK_NAME;
	d->a = abuf->ptr;
	d->alen = abuf->size;
	d->u = ubuf->ptr;
	d->ulen = ubuf->size;
	d->forms_ok = e->forms_ok;
	d->idna_error = e->idna_error;
	d->u_nonascii = e->u_nonascii;
	d->ndiag = e->ndiag;
	for (i = 0; i < e->ndiag; i++) {
		d->diag[i].code = e->diag[i].code;
		d->diag[i].offset = e->diag[i].off;
	}
	return 1;
}

/* idn_store - remember a result that fits a slot */
static void idn_store(const struct addr__domain *d, const char *g, size_t n)
{
	size_t set = idn_set_of(g, n), i;
	struct idn_slot *e;

	if (n + d->alen + d->ulen > IDN_CACHE_TEXT || d->ndiag > IDN_CACHE_DIAGS)
		return;
	/* replace the way not used last */
	idn_recent[set] = (unsigned char)!idn_recent[set];
	e = &idn_cache[set][idn_recent[set]];
	for (i = 0; i < d->ndiag; i++)
		if (d->diag[i].code > 255 || d->diag[i].offset > 255)
			return;
	memcpy(e->text, g, n);
	memcpy(e->text + n, d->a, d->alen);
	memcpy(e->text + n + d->alen, d->u, d->ulen);
	e->glen = (unsigned char)n;
	e->alen = (unsigned char)d->alen;
	e->ulen = (unsigned char)d->ulen;
	e->ndiag = (unsigned char)d->ndiag;
	e->forms_ok = (unsigned char)d->forms_ok;
	e->idna_error = (unsigned char)d->idna_error;
	e->u_nonascii = (unsigned char)d->u_nonascii;
	for (i = 0; i < d->ndiag; i++) {
		e->diag[i].code = (unsigned char)d->diag[i].code;
		e->diag[i].off = (unsigned char)d->diag[i].offset;
	}
	e->used = 1;
}

static int domain_name_slow(struct addr__domain *d, const char *given,
			    size_t len, char *lower, struct addr_buf *abuf,
			    struct addr_buf *ubuf, struct addr_buf *tmp);

int addr__domain_name(struct addr__domain *d, const char *given, size_t len,
		      char *lower, struct addr_buf *abuf, struct addr_buf *ubuf,
		      struct addr_buf *tmp)
{
	size_t i;
	int rc;

	d->kind = ADDR_DK_NAME;
	d->forms_ok = d->idna_error = d->u_nonascii = 0;
	d->ndiag = 0;
	d->a = d->u = lower;
	d->alen = d->ulen = len;
	if (addr__domain_ascii(d, (const unsigned char *)given, len, NULL, lower, 0))
		return 0;
	for (i = 0; i < len; i++)
		lower[i] = lower_c(given[i]);
	lower[len] = '\0';
	if ((rc = idn_lookup(d, given, len, abuf, ubuf)) != 0)
		return rc < 0 ? rc : 0;
	rc = domain_name_slow(d, given, len, lower, abuf, ubuf, tmp);
	if (rc == 0)
		idn_store(d, given, len);
	return rc;
}

static int domain_labels(struct addr__domain *d, const char *given,
			 size_t len, struct label *labs, struct addr_buf *abuf,
			 struct addr_buf *ubuf, struct addr_buf *tmp);

/* domain_name_slow - everything that is not a plain ASCII name: UTS #46
 * processing, native checks of the ASCII labels beside it. The label
 * table is on the stack for ordinary names and on the heap for names
 * with more labels (which are over-long, but still get exact findings) */
static int domain_name_slow(struct addr__domain *d, const char *given,
			    size_t len, char *lower, struct addr_buf *abuf,
			    struct addr_buf *ubuf, struct addr_buf *tmp)
{
	struct label stack[MAXLABELS], *labs = stack;
	size_t cap = 1, i;
	int rc;

	(void)lower;
	/* an upper bound of the labels: separators are "." or 3 octets
	 * starting E3 or EF */
	for (i = 0; i < len; i++)
		if (given[i] == '.' || (unsigned char)given[i] == 0xE3 ||
		    (unsigned char)given[i] == 0xEF)
			cap++;
	if (cap > MAXLABELS) {
		if (cap > ((size_t)-1) / sizeof(*labs))
			return ADDR_ENOMEM;
		labs = addr__malloc(cap * sizeof(*labs));
		if (labs == NULL)
			return ADDR_ENOMEM;
	}
	rc = domain_labels(d, given, len, labs, abuf, ubuf, tmp);
	if (labs != stack)
		addr__free(labs);
	return rc;
}

/* domain_labels - split into labels, then native checks, ICU, TLD and
 * length checks; labs has room for every label */
static int domain_labels(struct addr__domain *d, const char *given,
			 size_t len, struct label *labs, struct addr_buf *abuf,
			 struct addr_buf *ubuf, struct addr_buf *tmp)
{
	const unsigned char *g = (const unsigned char *)given;
	size_t nlab = 0, i, start = 0, sl, last_off, sep_start = 0;
	int need_icu = 0, any_mapped = 0, m = 0, rc;

	d->ndiag = 0;

	/* split into labels at the four separators of UTS #46 */
	i = 0;
	for (;;) {
		sl = (i < len) ? sep_len(g + i, len - i, &m) : 0;
		if (i == len || sl) {
			size_t k;
			struct label *l;

			l = &labs[nlab++];
			l->off = start;
			l->len = i - start;
			l->sep_off = sep_start;
			/* an empty label is no LDH label: ICU speaks for it */
			l->ascii = l->len > 0;
			for (k = 0; k < l->len; k++)
				if (g[l->off + k] >= 0x80)
					l->ascii = 0;
			l->xn = is_xn(given + l->off, l->len);
			l->bits = 0;
			l->mapped_sep = 0;
			if (!l->ascii || l->xn)
				need_icu = 1;
			if (i == len)
				break;
			if (m)
				any_mapped = need_icu = 1;
			sep_start = i;
			i += sl;
			start = i;
			continue;
		}
		i++;
	}
	for (i = 0; i < nlab; i++)
		if (labs[i].ascii && !labs[i].xn)
			native(d, given + labs[i].off, labs[i].len, labs[i].off);
	if (need_icu) {
		int has_xn = 0;
		for (i = 0; i < nlab; i++)
			has_xn |= labs[i].xn;
		rc = icu_path(d, given, len, labs, nlab, any_mapped, has_xn, abuf,
			      ubuf, tmp);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < d->ndiag; i++)
		if (is_idna_diag(d->diag[i].code))
			d->idna_error = 1;

	/* TLD checks on the A-label form, skipped after an IDNA error */
	if (!d->idna_error) {
		size_t dots = 0, lastlab = 0;
		for (i = 0; i < d->alen; i++)
			if (d->a[i] == '.') {
				dots++;
				lastlab = i + 1;
			}
		last_off = labs[nlab - 1].off;
		if (dots == 0)
			add(d, ADDR_D_RFC5321_TLD, last_off);
		if (lastlab < d->alen && d->a[lastlab] >= '0' && d->a[lastlab] <= '9')
			add(d, ADDR_D_RFC5321_TLDNUMERIC, last_off);
	}
	/* lengths: 253 text octets are 255 on the wire (RFC 1035 §3.1) */
	if (d->alen > 253 || d->ulen > 255)
		add(d, ADDR_D_RFC5322_DOMAIN_TOOLONG, 0);

	d->forms_ok = !d->idna_error && !has(d, ADDR_D_RFC5322_HYPHENSTART) &&
		      !has(d, ADDR_D_RFC5322_HYPHENEND) &&
		      !has(d, ADDR_D_RFC5322_DOMAIN);
	return 0;
}

/* ---------------------------------------------------------- literals */

/* ipv4 - parse Snum 3("." Snum) exactly; 1 and the octets on success */
static int ipv4(const char *s, size_t n, unsigned char out[4])
{
	size_t i = 0;
	int k;

	for (k = 0; k < 4; k++) {
		unsigned v = 0, digits = 0;

		if (k > 0) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return 0;
		out[k] = (unsigned char)v;
	}
	return i == n;
}

/* v4_tail - offset of a trailing IPv4 literal (at 0 or after ':'), or n */
static size_t v4_tail(const char *a, size_t n)
{
	size_t i = n;
	unsigned char o[4];

	while (i > 0 && a[i - 1] != ':')
		i--;
	if (i < n && ipv4(a + i, n - i, o))
		return i;
	return n;
}

/* ipv6 - classify A (after "IPv6:"); fills the 8 groups when accepted.
 * Returns the diagnosis: ADDR_D_RFC5321_ADDRESSLITERAL, with *deprec set
 * for case (g), or one of the RFC5322_IPV6_* codes. */
static int ipv6(const char *a, size_t n, unsigned short g[8], int *deprec)
{
	size_t v4 = v4_tail(a, n), tn, i, start;
	char t[300];
	int dc = 0, ngroups = 0, nonempty = 0, badchar = 0;
	int left = 0, right = 0, seen_dc = 0;
	unsigned short lv[10], rv[10];
	unsigned char o[4] = {0, 0, 0, 0};

	*deprec = 0;
	if (n + 4 > sizeof(t))
		return ADDR_D_RFC5322_IPV6_BADCHAR;
	memcpy(t, a, v4);
	tn = v4;
	if (v4 < n) {
		ipv4(a + v4, n - v4, o);
		memcpy(t + tn, "0:0", 3);
		tn += 3;
	}
	for (i = 0; i + 1 < tn; i++)
		if (t[i] == ':' && t[i + 1] == ':')
			dc++;
	/* groups: ':'-separated pieces of T */
	start = 0;
	for (i = 0; i <= tn; i++) {
		if (i == tn || t[i] == ':') {
			size_t glen = i - start, k;
			unsigned v = 0;

			ngroups++;
			if (glen > 0)
				nonempty++;
			if (glen > 4)
				badchar = 1;
			for (k = start; k < i; k++) {
				int h = addr__hexval((unsigned char)t[k]);

				if (h < 0)
					badchar = 1;
				else
					v = v * 16 + (unsigned)h;
			}
			if (glen > 0 && !badchar) {
				if (!seen_dc && left < 10)
					lv[left++] = (unsigned short)v;
				else if (seen_dc && right < 10)
					rv[right++] = (unsigned short)v;
			}
			if (i < tn && i + 1 < tn && t[i + 1] == ':')
				seen_dc = 1;
			start = i + 1;
		}
	}
	(void)ngroups;
	/* RFC 5321 IPv6-addr: 8 groups, or "::" with at most 6 others */
	if (!badchar && ((dc == 0 && nonempty == 8 && tn > 0 && t[0] != ':' &&
			  t[tn - 1] != ':') ||
			 (dc == 1 && nonempty <= 6 &&
			  !(t[0] == ':' && (tn < 2 || t[1] != ':')) &&
			  !(t[tn - 1] == ':' && (tn < 2 || t[tn - 2] != ':'))))) {
		goto accept;
	}
	if (n >= 1 && a[0] == ':' && (n < 2 || a[1] != ':'))
		return ADDR_D_RFC5322_IPV6_COLONSTRT;
	if (n >= 1 && a[n - 1] == ':' && (n < 2 || a[n - 2] != ':'))
		return ADDR_D_RFC5322_IPV6_COLONEND;
	if (dc == 1 && nonempty >= 8)
		return ADDR_D_RFC5322_IPV6_MAXGRPS;
	if (badchar)
		return ADDR_D_RFC5322_IPV6_BADCHAR;
	if (dc >= 2)
		return ADDR_D_RFC5322_IPV6_2X2XCOLON;
	if (dc == 0)
		return ADDR_D_RFC5322_IPV6_GRPCOUNT;
	*deprec = 1;	/* (g): "::" for one zero group */
accept:
	memset(g, 0, 8 * sizeof(g[0]));
	for (i = 0; i < (size_t)left && i < 8; i++)
		g[i] = lv[i];
	for (i = 0; i < (size_t)right && i < 8; i++)
		g[8 - right + (int)i] = rv[i];
	if (v4 < n) {
		g[6] = (unsigned short)((o[0] << 8) | o[1]);
		g[7] = (unsigned short)((o[2] << 8) | o[3]);
	}
	return ADDR_D_RFC5321_ADDRESSLITERAL;
}

/* ipv6_text - RFC 5952 §4 text, dotted quad only for ::ffff:0:0/96 */
static size_t ipv6_text(char *out, const unsigned short g[8])
{
	static const char hx[] = "0123456789abcdef";
	int best = -1, bestlen = 0, i, cur = -1, curlen = 0, last;
	size_t n = 0;

	for (i = 0; i < 8; i++) {
		if (g[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 0;
			}
			curlen++;
			if (curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;
	last = 8;
	if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 &&
	    g[5] == 0xffff)
		last = 6;
	for (i = 0; i < last; i++) {
		if (i == best) {
			out[n++] = ':';
			out[n++] = ':';
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			out[n++] = ':';
		else if (i > 0 && best < 0)
			out[n++] = ':';
		{
			unsigned v = g[i];
			int started = 0, sh;
			for (sh = 12; sh >= 0; sh -= 4) {
				unsigned d4 = (v >> sh) & 0xF;
				if (d4 || started || sh == 0) {
					out[n++] = hx[d4];
					started = 1;
				}
			}
		}
	}
	if (last == 6) {
		int k;
		if (n == 0 || out[n - 1] != ':')
			out[n++] = ':';
		for (k = 0; k < 4; k++) {
			unsigned v = (k < 2) ? (g[6] >> (8 - 8 * k)) & 0xFF
					     : (g[7] >> (8 - 8 * (k - 2))) & 0xFF;
			char tmp[4];
			int tn = 0;
			if (k)
				out[n++] = '.';
			do {
				tmp[tn++] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			while (tn)
				out[n++] = tmp[--tn];
		}
	}
	return n;
}

/* general - Standardized-tag ":" 1*dcontent, Standardized-tag = Ldh-str */
static int general(const char *c, size_t n)
{
	size_t i = 0;

	while (i < n && is_ldh((unsigned char)c[i]))
		i++;
	if (i == 0 || i >= n || c[i] != ':' || c[i - 1] == '-' || i + 1 >= n)
		return 0;
	return 1;
}

void addr__domain_literal(struct addr__domain *d, const char *c, size_t len,
			  int has_fws, unsigned lflags, char *canon)
{
	unsigned char o[4];
	unsigned short g[8];
	size_t n = 0, i;
	int code, deprec;

	memset(d, 0, sizeof(*d));
	d->kind = ADDR_DK_OTHER_LITERAL;
	canon[n++] = '[';
	if (has_fws) {
		add(d, ADDR_D_RFC5322_DOMAINLITERAL, 0);
		goto other;
	}
	if (ipv4(c, len, o)) {
		add(d, ADDR_D_RFC5321_ADDRESSLITERAL, 0);
		d->kind = ADDR_DK_IPV4;
		for (i = 0; i < 4; i++) {
			unsigned v = o[i];
			if (i)
				canon[n++] = '.';
			if (v >= 100)
				canon[n++] = (char)('0' + v / 100);
			if (v >= 10)
				canon[n++] = (char)('0' + (v / 10) % 10);
			canon[n++] = (char)('0' + v % 10);
		}
		goto done;
	}
	if (len >= 5 && lower_c(c[0]) == 'i' && lower_c(c[1]) == 'p' &&
	    lower_c(c[2]) == 'v' && c[3] == '6' && c[4] == ':') {
		code = ipv6(c + 5, len - 5, g, &deprec);
		add(d, code, 0);
		if (code == ADDR_D_RFC5321_ADDRESSLITERAL) {
			if (deprec)
				add(d, ADDR_D_DEPREC_IPV6, 0);
			d->kind = ADDR_DK_IPV6;
			memcpy(canon + n, "IPv6:", 5);
			n += 5;
			n += ipv6_text(canon + n, g);
			goto done;
		}
		goto other;
	}
	add(d, ADDR_D_RFC5322_DOMAINLITERAL, 0);
	if ((lflags & ADDR__LIT_ENVELOPE) && (lflags & ADDR__LIT_LENIENT) &&
	    general(c, len))
		d->kind = ADDR_DK_GENERAL;
other:
	memcpy(canon + n, c, len);
	n += len;
done:
	canon[n++] = ']';
	canon[n] = '\0';
	if (len > 255)
		add(d, ADDR_D_RFC5322_DOMAIN_TOOLONG, 0);
	d->a = d->u = canon;
	d->alen = d->ulen = n;
	d->forms_ok = 1;
}
