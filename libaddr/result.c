/*
 * result.c - storage of address parse results
 *
 * EXPORTS
 *	addr_mailbox_result_init(), addr_mailbox_result_free()
 *	addr__result_*()	arena, diagnosis list, address list, finish
 *
 * A result carries inline room for sixteen diagnoses, one address and
 * 1.5 KB of strings, so that the common parse allocates nothing; beyond
 * that it chains heap chunks that never move (pointers into them stay
 * valid until the result is freed or reused).
 */
#include <stdlib.h>
#include <string.h>
#include "result.h"

struct addr__chunk {
	struct addr__chunk *next;
	size_t size, used;
	union {
		char c[1];
		void *p;
		size_t z;
	} data;
};

void addr_mailbox_result_init(struct addr_mailbox_result *r)
{
	size_t i;

	memset(r, 0, offsetof(struct addr_mailbox_result, arena_inline_));
	r->diag = r->diag_inline_;
	r->addr = &r->addr_inline_;
	r->naddr = 0;
	r->diag_cap_ = ADDR__INLINE_DIAG;
	for (i = 0; i < 4; i++)
		addr_buf_init(&r->scratch_[i]);
}

static void free_storage(struct addr_mailbox_result *r)
{
	struct addr__chunk *c, *next;

	for (c = r->chunks_; c != NULL; c = next) {
		next = c->next;
		addr__free(c);
	}
	r->chunks_ = NULL;
	r->arena_used_ = 0;
	addr__free(r->diag_heap_);
	r->diag_heap_ = NULL;
	r->diag_cap_ = ADDR__INLINE_DIAG;
	addr__free(r->addr_heap_);
	r->addr_heap_ = NULL;
	r->addr_cap_ = 0;
}

void addr_mailbox_result_free(struct addr_mailbox_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free_storage(r);
	for (i = 0; i < 4; i++)
		addr_buf_free(&r->scratch_[i]);
	addr_mailbox_result_init(r);
}

void addr__result_reset(struct addr_mailbox_result *r)
{
	if (r->chunks_ != NULL || r->diag_heap_ != NULL || r->addr_heap_ != NULL)
		free_storage(r);
	r->category = ADDR_CAT_VALID;
	r->primary = ADDR_D_VALID;
	r->diag = r->diag_inline_;
	r->ndiag = 0;
	r->addr = &r->addr_inline_;
	r->naddr = 0;
	r->arena_used_ = 0;
}

void *addr__result_alloc(struct addr_mailbox_result *r, size_t n)
{
	struct addr__chunk *c;
	size_t need, size;

	n = (n + 7) & ~(size_t)7;
	if (n == 0)
		n = 8;
	if (r->chunks_ == NULL && ADDR__INLINE_ARENA - r->arena_used_ >= n) {
		void *p = r->arena_inline_.c + r->arena_used_;
		r->arena_used_ += n;
		return p;
	}
	c = r->chunks_;
	if (c != NULL && c->size - c->used >= n) {
		void *p = c->data.c + c->used;
		c->used += n;
		return p;
	}
	size = 4096;
	if (n > size - offsetof(struct addr__chunk, data)) {
		if (addr__size_add(&need, n, offsetof(struct addr__chunk, data)) < 0)
			return NULL;
		size = need;
	}
	c = addr__malloc(size);
	if (c == NULL)
		return NULL;
	c->size = size - offsetof(struct addr__chunk, data);
	c->used = n;
	c->next = r->chunks_;
	r->chunks_ = c;
	return c->data.c;
}

char *addr__result_strdup(struct addr_mailbox_result *r, const char *s, size_t n)
{
	char *p;
	size_t need;

	if (addr__size_add(&need, n, 1) < 0)
		return NULL;
	p = addr__result_alloc(r, need);
	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int addr__result_diag(struct addr_mailbox_result *r, int code, size_t off)
{
	struct addr_diag *d;

	if (r->ndiag == r->diag_cap_) {
		size_t ncap = r->diag_cap_ * 2;
		if (ncap > ((size_t)-1) / sizeof(*d))
			return ADDR_ENOMEM;
		d = addr__realloc(r->diag_heap_, ncap * sizeof(*d));
		if (d == NULL)
			return ADDR_ENOMEM;
		if (r->diag_heap_ == NULL)
			memcpy(d, r->diag_inline_, sizeof(r->diag_inline_));
		r->diag_heap_ = d;
		r->diag_cap_ = ncap;
		r->diag = d;
	}
	d = r->diag_heap_ ? r->diag_heap_ : r->diag_inline_;
	d[r->ndiag].code = code;
	d[r->ndiag].offset = off;
	r->ndiag++;
	return 0;
}

struct addr_diag *addr__result_diags(struct addr_mailbox_result *r, size_t *n)
{
	*n = r->ndiag;
	return r->diag_heap_ ? r->diag_heap_ : r->diag_inline_;
}

void addr__result_set_ndiag(struct addr_mailbox_result *r, size_t n)
{
	r->ndiag = n;
}

/* addr__mailbox_clear - zero a mailbox field by field: a memset of this
 * size compiles to "rep stos", whose start-up cost showed as 5% of the
 * parse time in perf */
void addr__mailbox_clear(struct addr_mailbox *m)
{
	static const struct addr_str none = { NULL, 0 };

	m->kind = 0;
	m->span_offset = m->span_length = 0;
	m->category = 0;
	m->diag = NULL;
	m->ndiag = 0;
	m->has_display_name = 0;
	/* one assignment each: a chained one reads the field back */
	m->display_name = none;
	m->local_part = none;
	m->domain = none;
	m->domain_kind = 0;
	m->a_label = none;
	m->u_label = none;
	m->route = NULL;
	m->nroute = 0;
	m->smtputf8 = 0;
	m->members = NULL;
	m->nmembers = 0;
}

struct addr_mailbox *addr__result_new_addr(struct addr_mailbox_result *r)
{
	struct addr_mailbox *a;

	if (r->naddr == 0 && r->addr_heap_ == NULL) {
		a = &r->addr_inline_;
	} else {
		if (r->naddr >= r->addr_cap_) {
			size_t ncap = r->addr_cap_ ? r->addr_cap_ * 2 : 4;
			if (ncap > ((size_t)-1) / sizeof(*a))
				return NULL;
			a = addr__realloc(r->addr_heap_, ncap * sizeof(*a));
			if (a == NULL)
				return NULL;
			if (r->addr_heap_ == NULL)
				a[0] = r->addr_inline_;
			r->addr_heap_ = a;
			r->addr_cap_ = ncap;
		}
		a = &r->addr_heap_[r->naddr];
	}
	addr__mailbox_clear(a);
	r->naddr++;
	r->addr = r->addr_heap_ ? r->addr_heap_ : &r->addr_inline_;
	return a;
}

/* diag_less - spec §4.1: by offset, then category, then value */
static int diag_less(const struct addr_diag *a, const struct addr_diag *b)
{
	int ca, cb;

	if (a->offset != b->offset)
		return a->offset < b->offset;
	ca = addr_diag_category(a->code);
	cb = addr_diag_category(b->code);
	if (ca != cb)
		return ca < cb;
	return a->code < b->code;
}

/* category_of - the highest category of a set of diagnoses */
static int category_of(const struct addr_diag *d, size_t n)
{
	int cat = ADDR_CAT_VALID, c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = addr_diag_category(d[i].code);
		if (c > cat)
			cat = c;
	}
	return cat;
}

/* span_diags - point a mailbox at its diagnoses (contiguous: sorted) */
static void span_diags(struct addr_mailbox *m, const struct addr_diag *d, size_t n)
{
	size_t lo = 0, hi;

	while (lo < n && d[lo].offset < m->span_offset)
		lo++;
	hi = lo;
	while (hi < n && d[hi].offset < m->span_offset + m->span_length)
		hi++;
	m->diag = d + lo;
	m->ndiag = hi - lo;
	m->category = category_of(m->diag, m->ndiag);
}

/* group_diags - a group's own diagnoses: in its span, not in a member's */
static int group_diags(struct addr_mailbox_result *r, struct addr_mailbox *g,
		       const struct addr_diag *d, size_t n)
{
	struct addr_diag *own;
	size_t i, k, cnt = 0;

	span_diags(g, d, n);
	if (g->ndiag == 0 || g->nmembers == 0)
		return 0;
	own = addr__result_alloc(r, g->ndiag * sizeof(*own));
	if (own == NULL)
		return ADDR_ENOMEM;
	for (i = 0; i < g->ndiag; i++) {
		int inmember = 0;
		for (k = 0; k < g->nmembers; k++) {
			const struct addr_mailbox *m = &g->members[k];
			if (g->diag[i].offset >= m->span_offset &&
			    g->diag[i].offset < m->span_offset + m->span_length)
				inmember = 1;
		}
		if (!inmember)
			own[cnt++] = g->diag[i];
	}
	g->diag = own;
	g->ndiag = cnt;
	g->category = category_of(own, cnt);
	return 0;
}

int addr__result_finish(struct addr_mailbox_result *r)
{
	struct addr_diag *d, t;
	size_t n, i, j, k;
	int best_cat = 0;

	d = addr__result_diags(r, &n);
	if (n == 0) {
		/* the common case: nothing to sort, rank or distribute */
		r->diag = d;
		r->category = ADDR_CAT_VALID;
		r->primary = ADDR_D_VALID;
		for (i = 0; i < r->naddr; i++) {
			struct addr_mailbox *a = (struct addr_mailbox *)&r->addr[i];
			a->diag = d;
			a->ndiag = 0;
			a->category = ADDR_CAT_VALID;
			for (k = 0; k < a->nmembers; k++) {
				struct addr_mailbox *m =
					(struct addr_mailbox *)&a->members[k];
				m->diag = d;
				m->ndiag = 0;
				m->category = ADDR_CAT_VALID;
			}
		}
		return 0;
	}
	/* insertion sort: lists are short and usually already in order */
	for (i = 1; i < n; i++) {
		t = d[i];
		j = i;
		while (j > 0 && diag_less(&t, &d[j - 1])) {
			d[j] = d[j - 1];
			j--;
		}
		d[j] = t;
	}
	r->diag = d;
	r->category = category_of(d, n);
	r->primary = ADDR_D_VALID;
	for (i = 0; i < n; i++) {
		int c = addr_diag_category(d[i].code);
		if (c > best_cat || (c == best_cat && d[i].code > r->primary)) {
			best_cat = c;
			r->primary = d[i].code;
		}
	}
	if (r->category == ADDR_CAT_ERROR) {
		/* spec §1.4: the error is the last diagnosis; what was found
		 * inside a construct left unclosed lies beyond it and goes */
		size_t eo = 0;
		for (i = 0; i < n; i++)
			if (addr_diag_category(d[i].code) == ADDR_CAT_ERROR)
				eo = d[i].offset;
		for (i = j = 0; i < n; i++)
			if (d[i].offset <= eo)
				d[j++] = d[i];
		r->ndiag = j;
		r->naddr = 0;
		return 0;
	}
	for (i = 0; i < r->naddr; i++) {
		struct addr_mailbox *a = (struct addr_mailbox *)&r->addr[i];
		if (a->kind == ADDR_K_GROUP) {
			for (k = 0; k < a->nmembers; k++)
				span_diags((struct addr_mailbox *)&a->members[k], d, n);
			if (group_diags(r, a, d, n) < 0)
				return ADDR_ENOMEM;
		} else {
			span_diags(a, d, n);
		}
	}
	return 0;
}
