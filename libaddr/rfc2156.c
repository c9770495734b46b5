/*
 * rfc2156.c - RFC 2156 (MIXER) address mapping, X.400 <-> RFC 822
 *
 * EXPORTS
 *	addr_rfc2156_to_822()	O/R address -> addr-spec (§4.3.5)
 *	addr_rfc2156_from_822()	addr-spec -> O/R address (§4.3.4)
 *
 * spec-x400.md §5. X.400 -> 822: an address carrying one RFC-822 DDA is
 * an Internet address in disguise and is simply unwrapped (Mapping A);
 * any other becomes local-part@domain, the domain from the longest
 * MCGAM plus the hierarchy levels below it that are valid labels, the
 * local part an encoded-pn ("Marshall.Rose") or the std-or form of what
 * is left (Mapping B). 822 -> X.400: Stage I reads X.400 written in
 * 822 (std-or or encoded-pn left of the "@", the hierarchy from the
 * domain); whatever Stage I cannot take faithfully goes whole into the
 * RFC-822 DDA (Stage II), ps-encoded, on an O/R address for the domain,
 * a preferred gateway or the local gateway.
 */
#include <string.h>
#include "rfc2156_int.h"

#define DDA_CHUNK 128
#define DDA_TOTAL 512

static const char *const rfc822c[] = { "RFC822C1", "RFC822C2", "RFC822C3" };

/* non_mnemonic - the address has X.121, N-ID, T-ID or T-TY */
static int non_mnemonic(const struct addr_x400 *x)
{
	return x->attr[ADDR_X400_X121].ptr || x->attr[ADDR_X400_NID].ptr ||
	       x->attr[ADDR_X400_TID].ptr || x->attr[ADDR_X400_TTY].ptr;
}

/* find_dda - index of the DDA whose type is t (any case), -1 if none;
 * *count receives how many there are */
static int find_dda(const struct addr_x400 *x, const char *t, int *count)
{
	size_t i;
	int first = -1;

	*count = 0;
	for (i = 0; i < x->ndda; i++)
		if (addr__x400_ieq(x->dda[i].type.ptr, x->dda[i].type.len, t)) {
			if (first < 0)
				first = (int)i;
			(*count)++;
		}
	return first;
}

/* mapping_a - the RFC-822 DDA (with its continuations), ps-decoded */
static int mapping_a(struct addr_buf *out, const struct addr_x400 *x,
		     int idx, struct addr_error *err)
{
	struct addr_buf enc;
	size_t start = out->size, i;
	int r = 0, k, cnt;

	addr_buf_init(&enc);
	addr_buf_put(&enc, x->dda[idx].value.ptr, x->dda[idx].value.len);
	for (k = 0; k < 3; k++) {
		int j = find_dda(x, rfc822c[k], &cnt);

		if (j >= 0)
			addr_buf_put(&enc, x->dda[j].value.ptr,
				     x->dda[j].value.len);
	}
	if (enc.oom)
		r = addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	else if ((r = addr_ps_decode(out, enc.ptr, enc.size, 0, err)) < 0)
		;
	else
		for (i = start; i < out->size; i++)
			if ((unsigned char)out->ptr[i] < 0x20 ||
			    out->ptr[i] == 0x7f) {
				r = addr__error_set(err, ADDR_ESYNTAX, 0,
						    "control character in the"
						    " RFC-822 DDA");
				break;
			}
	addr_buf_free(&enc);
	if (r < 0) {
		addr_buf_truncate(out, start);
		return r;
	}
	return 1;
}

/* is_atext - RFC 5322 atext */
static int is_atext(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* put_local - the local part as a dot-atom, or one quoted-string */
static void put_local(struct addr_buf *out, const char *s, size_t n)
{
	size_t i;
	int atom = n > 0 && s[0] != '.' && s[n - 1] != '.';

	for (i = 0; atom && i < n; i++)
		if (!is_atext(s[i]) && (s[i] != '.' || s[i + 1] == '.'))
			atom = 0;
	if (atom) {
		addr_buf_put(out, s, n);
		return;
	}
	addr_buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			addr_buf_putc(out, '\\');
		addr_buf_putc(out, s[i]);
	}
	addr_buf_putc(out, '"');
}

/* Where the domain of Mapping B comes from. */
struct dsrc {
	const char *dom;	/* the known part, NULL: none */
	size_t domlen;
	int prefix;		/* hierarchy levels it covers */
	int sub;		/* whether levels below may become labels */
};

/*
 * subdomains - §5.1 step 5: prepend levels below the prefix that are
 * single labels, while an attribute is left for the local part. Marks
 * the levels used in *used. Returns the number of labels written, or
 * ADDR_ENOMEM.
 */
static int subdomains(struct addr_buf *labels, const struct addr_x400 *x,
		      const struct addr_buf norm[ADDR__NLEV], int from,
		      uint32_t *used)
{
	int j, n = 0;
	size_t i, left;

	for (j = from; j < ADDR__NLEV; j++) {
		if (x->attr[j].ptr == NULL ||
		    !addr__rfc2156_domain_label(norm[j].ptr, norm[j].size))
			break;
		/* attributes that would still go to the local part */
		left = x->ndda;
		for (i = 0; i < ADDR_X400_NATTR; i++)
			if (x->attr[i].ptr && !(*used & (1u << i)) &&
			    i != (size_t)j)
				left++;
		if (left == 0)
			break;
		*used |= 1u << j;
		/* labels accumulate left of the previous ones */
		{
			struct addr_buf tmp;

			addr_buf_init(&tmp);
			addr_buf_put(&tmp, norm[j].ptr, norm[j].size);
			if (labels->size) {
				addr_buf_putc(&tmp, '.');
				addr_buf_put(&tmp, labels->ptr, labels->size);
			}
			if (tmp.oom) {
				addr_buf_free(&tmp);
				return ADDR_ENOMEM;
			}
			addr_buf_clear(labels);
			addr_buf_put(labels, tmp.ptr, tmp.size);
			addr_buf_free(&tmp);
			if (labels->oom)
				return ADDR_ENOMEM;
		}
		n++;
	}
	return n;
}

/* count_labels - labels of a dotted domain */
static size_t count_labels(const char *s, size_t n)
{
	size_t i, c = n ? 1 : 0;

	for (i = 0; i < n; i++)
		if (s[i] == '.')
			c++;
	return c;
}

/* addr_rfc2156_to_822 - Mapping A or Mapping B */
int addr_rfc2156_to_822(struct addr_buf *out, const struct addr_x400 *x,
			const struct addr_rfc2156_tables *tables,
			const char *domain, unsigned flags,
			struct addr_error *err)
{
	struct addr_buf norm[ADDR__NLEV], dom, lhs;
	int present[ADDR__NLEV], j, r, cnt, idx, nm, step;
	const struct addr__entry *e;
	uint32_t used = 0, mask;
	size_t start = out->size;

	if ((r = addr_x400_check(x, 0, err)) < 0)
		return r;
	idx = find_dda(x, "RFC-822", &cnt);
	if (cnt == 1)
		return mapping_a(out, x, idx, err);

	addr_buf_init(&dom);
	addr_buf_init(&lhs);
	for (j = 0; j < ADDR__NLEV; j++)
		addr_buf_init(&norm[j]);
	for (j = 0; j < ADDR__NLEV; j++) {
		present[j] = x->attr[j].ptr != NULL;
		if (present[j] &&
		    addr__rfc2156_norm(&norm[j], x->attr[j].ptr, x->attr[j].len,
				       j == ADDR_X400_A) < 0)
			goto nomem;
	}
	nm = non_mnemonic(x);
	r = 0;
	/* step 3..6: MCGAM, algorithmic, then the fallbacks; a one-label
	 * result of the first two counts as no match */
	for (step = 0; step < 2; step++) {
		int prefix = 0;

		used = 0;
		addr_buf_clear(&dom);
		if (step == 0) {
			e = addr__rfc2156_match_or(tables, ADDR__T1, norm,
						   present);
			if (e == NULL)
				continue;
			prefix = e->nlev;
			/* checked now: the clears below would reset oom */
			if (addr_buf_put(&dom, e->store.ptr + e->dom,
					 e->domlen) < 0)
				goto nomem;
		} else if (!(flags & ADDR_RFC2156_ALGORITHMIC)) {
			continue;
		}
		for (j = 0; j < prefix; j++)
			used |= 1u << j;
		if (!nm) {
			struct addr_buf labels;

			addr_buf_init(&labels);
			r = subdomains(&labels, x, norm, prefix, &used);
			if (r < 0) {
				addr_buf_free(&labels);
				goto nomem;
			}
			if (r > 0) {
				if (dom.size)
					addr_buf_putc(&labels, '.');
				addr_buf_put(&labels, dom.ptr, dom.size);
				addr_buf_clear(&dom);
				addr_buf_put(&dom, labels.ptr, labels.size);
			}
			/* checked now: the next step's clear resets dom.oom,
			 * and the local domain would come out instead */
			if (labels.oom || dom.oom) {
				addr_buf_free(&labels);
				goto nomem;
			}
			addr_buf_free(&labels);
		}
		if (count_labels(dom.ptr, dom.size) >= 2)
			break;
	}
	if (step == 2) {
		used = 0;
		addr_buf_clear(&dom);
		e = addr__rfc2156_match_or(tables, ADDR__G1, norm, present);
		if (e != NULL) {
			for (j = 0; j < e->nlev; j++)
				used |= 1u << j;
			addr_buf_put(&dom, e->store.ptr + e->dom, e->domlen);
		} else if (domain != NULL && domain[0] != '\0') {
			addr_buf_puts(&dom, domain);
		} else {
			r = addr__error_set(err, ADDR_EINVAL, 0,
					    "no table entry and no local domain");
			goto out;
		}
	}
	/* step 7: the local part */
	mask = nm ? ADDR__X400_ALL : (ADDR__X400_ALL & ~used);
	{
		int any = x->ndda > 0;

		for (j = 0; j < ADDR_X400_NATTR; j++)
			if (x->attr[j].ptr && (mask & (1u << j)))
				any = 1;
		if (!any) {
			r = addr__error_set(err, ADDR_ESYNTAX, 0,
					    "nothing left for the local part");
			goto out;
		}
	}
	if ((r = addr__x400_pn_format(&lhs, x, mask)) < 0)
		goto nomem;
	if (r == 0 && (r = addr__x400_stdor_write(&lhs, x, mask, 1, err)) < 0)
		goto out;
	if (lhs.oom || dom.oom)
		goto nomem;
	put_local(out, lhs.ptr, lhs.size);
	addr_buf_putc(out, '@');
	addr_buf_put(out, dom.ptr, dom.size);
	if (out->oom)
		goto nomem;
	r = 2;
	goto out;
nomem:
	r = addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
out:
	if (r < 0)
		addr_buf_truncate(out, start);
	for (j = 0; j < ADDR__NLEV; j++)
		addr_buf_free(&norm[j]);
	addr_buf_free(&dom);
	addr_buf_free(&lhs);
	return r;
}

/* level_bound_ok - a domain label as hierarchy level j (§5.2 step 8) */
static int level_bound_ok(int j, const char *s, size_t n)
{
	size_t i;

	switch (j) {
	case ADDR_X400_C:
		if (n == 2) {
			for (i = 0; i < 2; i++)
				if (!((s[i] >= 'A' && s[i] <= 'Z') ||
				      (s[i] >= 'a' && s[i] <= 'z')))
					return 0;
			return 1;
		}
		if (n == 3) {
			for (i = 0; i < 3; i++)
				if (s[i] < '0' || s[i] > '9')
					return 0;
			return 1;
		}
		return 0;
	case ADDR_X400_A:
	case ADDR_X400_P:
		return n <= 16;
	case ADDR_X400_O:
		return n <= 64;
	default:
		return n <= 32;
	}
}

/*
 * rhs_levels - §5.2 step 8: the hierarchy a domain gives, into rhs.
 * Returns 1 when the whole domain was taken (a known domain plus labels
 * that all found a level), 0 when there was no match or the allocation
 * stopped early (rhs then holds the levels allocated before), or
 * ADDR_ENOMEM.
 */
static int rhs_levels(struct addr_x400 *rhs,
		      const struct addr_rfc2156_tables *tables,
		      const char *dom, size_t n, unsigned flags)
{
	const struct addr__entry *e;
	size_t end;
	int j, lev = 0;

	e = addr__rfc2156_match_domain(tables, ADDR__T2, dom, n);
	if (e != NULL) {
		for (j = 0; j < e->nlev; j++)
			if (!e->lev[j].omitted &&
			    addr_x400_set(rhs, j, e->store.ptr + e->lev[j].raw,
					  e->lev[j].rawlen) < 0)
				return ADDR_ENOMEM;
		lev = e->nlev;
		end = n > e->domlen ? n - e->domlen - 1 : 0;
		if (n == e->domlen)
			return 1;
	} else if (flags & ADDR_RFC2156_ALGORITHMIC) {
		end = n;
	} else {
		return 0;
	}
	/* the remaining labels, right to left, take the next levels */
	while (end > 0) {
		size_t s = end;

		while (s > 0 && dom[s - 1] != '.')
			s--;
		if (lev == ADDR__NLEV || !level_bound_ok(lev, dom + s, end - s))
			return 0;
		if (addr_x400_set(rhs, lev, dom + s, end - s) < 0)
			return ADDR_ENOMEM;
		lev++;
		end = s > 0 ? s - 1 : 0;
		if (s == 0)
			break;
	}
	return 1;
}

/* has_space_problem - leading, trailing or doubled spaces (step 2) */
static int has_space_problem(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return 1;
	for (i = 1; i < n; i++)
		if (s[i] == ' ' && s[i - 1] == ' ')
			return 1;
	return 0;
}

/* stage1_lhs - steps 2..5: the local part read as X.400; 0 when it is
 * not X.400 (go to Stage II), 1 read, ADDR_ENOMEM */
static int stage1_lhs(struct addr_x400 *lhs, const char *s, size_t n)
{
	struct addr__x400_pstate st;
	size_t i;
	int r;

	if (has_space_problem(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if (!addr__x400_is_ps((unsigned char)s[i]) &&
		    s[i] != '{' && s[i] != '}' && s[i] != '*' && s[i] != '$')
			return 0;
	if (memchr(s, '=', n) != NULL) {
		r = addr_x400_parse(lhs, s, n, ADDR_X400_STDOR, 0, NULL);
	} else {
		st.x = lhs;
		st.flags = 0;
		st.seen = 0;
		st.base = 0;
		st.err = NULL;
		r = addr__x400_pn_parse(&st, s, n, 0);
		if (r == 0)
			r = addr__x400_finish(&st);
	}
	if (r == ADDR_ENOMEM)
		return r;
	return r < 0 ? 0 : 1;
}

/* merge - §5.2 step 8 merge of the domain's levels into the LHS; 0 when
 * more than 4 OUs would result, 1 merged, ADDR_ENOMEM */
static int merge(struct addr_x400 *lhs, const struct addr_x400 *rhs)
{
	int top, j, nrou = 0, nlou = 0;
	const struct addr_x400_value *lou[4];

	if (lhs->attr[ADDR_X400_A].ptr)
		top = ADDR_X400_A;
	else if (lhs->attr[ADDR_X400_P].ptr)
		top = ADDR_X400_P;
	else if (lhs->attr[ADDR_X400_O].ptr)
		top = ADDR_X400_O;
	else
		top = ADDR__NLEV;
	for (j = 0; j < top && j < ADDR_X400_OU1; j++)
		if (lhs->attr[j].ptr == NULL && rhs->attr[j].ptr &&
		    addr_x400_set(lhs, j, rhs->attr[j].ptr,
				  rhs->attr[j].len) < 0)
			return ADDR_ENOMEM;
	if (top < ADDR__NLEV)
		return 1;
	/* OUs from the domain first, then those of the local part */
	for (j = ADDR_X400_OU1; j <= ADDR_X400_OU4; j++) {
		if (rhs->attr[j].ptr)
			nrou++;
		if (lhs->attr[j].ptr)
			lou[nlou++] = &lhs->attr[j];
	}
	if (nrou + nlou > 4)
		return 0;
	if (nrou == 0)
		return 1;
	{
		struct addr_x400 m;
		int k = ADDR_X400_OU1, r = 0;

		addr_x400_init(&m);
		for (j = 0; j < nrou && r == 0; j++)
			r = addr_x400_set(&m, k++, rhs->attr[ADDR_X400_OU1 + j].ptr,
					  rhs->attr[ADDR_X400_OU1 + j].len);
		for (j = 0; j < nlou && r == 0; j++)
			r = addr_x400_set(&m, k++, lou[j]->ptr, lou[j]->len);
		for (j = ADDR_X400_OU1; j <= ADDR_X400_OU4 && r == 0; j++)
			r = addr_x400_set(lhs, j, m.attr[j].ptr, m.attr[j].len);
		addr_x400_free(&m);
		if (r < 0)
			return r;
	}
	return 1;
}

/* stage2 - the RFC-822 DDAs on the right O/R address */
static int stage2(struct addr_x400 *out, const char *in, size_t len,
		  const struct addr_rfc2156_tables *tables,
		  const struct addr_x400 *local_or, const struct addr_x400 *rhs,
		  const char *dom, size_t domlen, unsigned flags,
		  struct addr_error *err)
{
	const struct addr__entry *g = NULL;
	struct addr_buf enc;
	size_t off, k;
	int r = 0, j;

	addr_buf_init(&enc);
	if ((r = addr_ps_encode(&enc, in, len, err)) < 0)
		goto out;
	if (enc.size > DDA_TOTAL) {
		r = addr__error_set(err, ADDR_ETOOLONG, 0,
				    "RFC-822 DDA of %zu characters, at most %d",
				    enc.size, DDA_TOTAL);
		goto out;
	}
	if (flags & ADDR_RFC2156_RETURN_ADDRESS) {
		if (local_or == NULL) {
			r = addr__error_set(err, ADDR_EINVAL, 0,
					    "no local O/R address");
			goto out;
		}
		r = addr_x400_copy(out, local_or);
	} else if (rhs->attr[ADDR_X400_C].ptr && rhs->attr[ADDR_X400_A].ptr) {
		r = addr_x400_copy(out, rhs);
	} else if (dom != NULL &&
		   (g = addr__rfc2156_match_domain(tables, ADDR__G2, dom,
						   domlen)) != NULL) {
		for (j = 0; j < g->nlev && r == 0; j++)
			if (!g->lev[j].omitted)
				r = addr_x400_set(out, j, g->store.ptr +
						  g->lev[j].raw, g->lev[j].rawlen);
		for (j = 0; j < g->ndda && r == 0; j++)
			r = addr_x400_add_dda(out, g->store.ptr + g->dda[j].t,
					      g->dda[j].tn,
					      g->store.ptr + g->dda[j].v,
					      g->dda[j].vn);
	} else if (local_or != NULL) {
		r = addr_x400_copy(out, local_or);
	} else {
		r = addr__error_set(err, ADDR_EINVAL, 0,
				    "no O/R address for the RFC-822 DDA"
				    " (no table entry, no local O/R address)");
		goto out;
	}
	if (r < 0) {
		r = addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
		goto out;
	}
	for (off = 0, k = 0; off < enc.size || k == 0; k++) {
		size_t n = enc.size - off > DDA_CHUNK ? DDA_CHUNK : enc.size - off;

		r = addr_x400_add_dda(out, k == 0 ? "RFC-822" : rfc822c[k - 1],
				      k == 0 ? 7 : 8, enc.ptr + off, n);
		if (r == ADDR_ETOOLONG) {
			r = addr__error_set(err, r, 0, "more than %d DDAs",
					    ADDR_X400_MAXDDA);
			goto out;
		}
		if (r < 0) {
			r = addr__error_set(err, r, 0, "out of memory");
			goto out;
		}
		off += n;
	}
	r = addr_x400_check(out, 0, err);
	if (r == 0)
		r = 2;
out:
	if (r < 0)
		addr_x400_free(out);
	addr_buf_free(&enc);
	return r;
}

/* addr_rfc2156_from_822 - Stage I, else Stage II */
int addr_rfc2156_from_822(struct addr_x400 *out, const char *in, size_t len,
			  const struct addr_rfc2156_tables *tables,
			  const struct addr_x400 *local_or, unsigned flags,
			  struct addr_error *err)
{
	struct addr_mailbox_result res;
	struct addr_x400 lhs, rhs;
	const char *ap = in, *dom = NULL, *lp = NULL;
	size_t alen = len, domlen = 0, lplen = 0, i, e;
	int route = 0, whole = 0, r;

	addr_x400_free(out);
	addr_x400_init(&lhs);
	addr_x400_init(&rhs);
	addr_mailbox_result_init(&res);
	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       "not ASCII");
	/* a source route: "@a,@b:local@domain"; the first route domain is
	 * where the address is routed on */
	if (len > 0 && in[0] == '@') {
		const char *colon = memchr(in, ':', len);

		if (colon == NULL)
			return addr__error_set(err, ADDR_ESYNTAX, 0,
					       "source route without ':'");
		route = 1;
		dom = in + 1;
		for (domlen = 0; dom + domlen < colon && dom[domlen] != ','; domlen++)
			;
		ap = colon + 1;
		alen = len - (size_t)(ap - in);
		/* the routed-on domain gives hierarchy levels: only labels */
		for (i = 0; i < domlen; i = e + 1) {
			for (e = i; e < domlen && dom[e] != '.'; e++)
				;
			if (!addr__rfc2156_domain_label(dom + i, e - i))
				return addr__error_set(err, ADDR_ESYNTAX, 1 + i,
						       "bad route domain");
		}
		if (domlen == 0)
			return addr__error_set(err, ADDR_ESYNTAX, 1,
					       "empty route domain");
	}
	r = addr_mailbox_parse(&res, ap, alen, ADDR_P_ADDR_SPEC, ADDR_F_LENIENT,
			       err);
	if (r == ADDR_ENOMEM)
		goto out;
	if (r < 0 || res.naddr != 1) {
		r = addr__error_set(err, ADDR_ESYNTAX, (size_t)(ap - in),
				    "not an RFC 822 address");
		goto out;
	}
	lp = res.addr[0].local_part.ptr;
	lplen = res.addr[0].local_part.len;
	if (!route && res.addr[0].domain_kind == ADDR_DK_NAME) {
		dom = res.addr[0].domain.ptr;
		domlen = res.addr[0].domain.len;
	}
	if (dom != NULL &&
	    (whole = rhs_levels(&rhs, tables, dom, domlen, flags)) < 0) {
		r = addr__error_set(err, whole, 0, "out of memory");
		goto out;
	}
	if (!route) {
		/* Stage I */
		if ((r = stage1_lhs(&lhs, lp, lplen)) < 0) {
			r = addr__error_set(err, r, 0, "out of memory");
			goto out;
		}
		if (r == 1 && addr_x400_is_valid(&lhs)) {
			addr_x400_free(out);
			*out = lhs;
			addr_x400_init(&lhs);
			r = 1;
			goto out;
		}
		if (r == 1 && !non_mnemonic(&lhs) && whole == 1 &&
		    (r = merge(&lhs, &rhs)) == 1 && addr_x400_is_valid(&lhs)) {
			addr_x400_free(out);
			*out = lhs;
			addr_x400_init(&lhs);
			r = 1;
			goto out;
		}
		if (r < 0) {
			r = addr__error_set(err, r, 0, "out of memory");
			goto out;
		}
	}
	r = stage2(out, in, len, tables, local_or, &rhs, dom, domlen, flags,
		   err);
out:
	addr_mailbox_result_free(&res);
	addr_x400_free(&lhs);
	addr_x400_free(&rhs);
	return r;
}
