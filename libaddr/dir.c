/*
 * dir.c - the in-memory recipient directory (spec-directory.md §2, §3)
 *
 * EXPORTS
 *	addr_dir_new(), addr_dir_free(), addr_dir_count(), addr_dir_at(),
 *	addr_dir_find()			the directory and its DN index
 *	addr_dir_entry_*()		one recipient: DN, attributes in order,
 *					derived mail and delivery address
 *	addr_dir_add(), addr_dir_delete(), addr_dir_set()
 *	addr_dir_proxy_add(), _remove(), _make_primary()	atomic edits
 *	addr_dir_check()		every conflict and dangling reference
 *	addr__entry_prepare()		the model rules of one entry
 *	addr__dir_insert()		append without the uniqueness check
 *
 * An entry is a DN plus attributes in their order of first appearance,
 * so that writers reproduce what readers read; the fields of the model
 * (kind, alias, proxies, ...) are those attributes under their AD names.
 * Every edit works on a copy of the entry: the copy is checked against
 * the model rules and against every other entry's keys, and only then
 * swapped in, so a refused edit leaves the directory as it was.
 */
#include <stdio.h>
#include <string.h>
#include "dir_int.h"

/* attribute names of the model (spec-directory.md §2) */
static const char *const single_valued[] = {
	"mailNickname", "displayName", "givenName", "sn", "initials",
	"legacyExchangeDN", "targetAddress", "mail",
	"msExchHideFromAddressLists", NULL
};
const char *const addr__dir_ref_attrs[] = {
	"member", "authOrig", "unauthOrig", "dLMemSubmitPerms",
	"dLMemRejectPerms", NULL
};

/* ----------------------------------------------------------- entries */

int addr_dir_entry_new(struct addr_dir_entry **out, const char *dn,
		       size_t len)
{
	struct addr_dir_entry *e;

	*out = NULL;
	if (len == 0)
		return ADDR_ESYNTAX;
	/* the DN right after the entry, in the same allocation (one malloc
	 * and its overhead less per entry); addr__entry_set_dn moves it out */
	if (len >= UINT32_MAX || (e = addr__malloc(sizeof(*e) + len + 1)) == NULL)
		return ADDR_ENOMEM;
	memset(e, 0, sizeof(*e));
	e->dn = (char *)(e + 1);
	memcpy(e->dn, dn, len);
	e->dn[len] = '\0';
	e->dnlen = len;
	*out = e;
	return 0;
}

/* free_keys - the key descriptors (keys_finish) */
static int in_blk(const struct addr_dir_entry *e, const void *p);

static void free_keys(struct addr_dir_entry *e)
{
	if (!in_blk(e, e->keys))
		addr__free(e->keys);
	e->keys = NULL;
	e->nkeys = 0;
	e->hasdn = 0;
	e->dnh = 0;
}

/* ------------------------------------------------------ entry block */

/*
 * The attribute names and value arrays of an entry live in one block
 * (e->blk_) instead of a malloc each: two thirds fewer allocations per
 * entry and no per-name malloc overhead. The values of an entry made
 * from a record (addr__entry_fill) or copied (addr_dir_entry_copy) are
 * in the block too, and so is every value added or replaced later: a
 * value descriptor holds the distance to its value (struct
 * addr__dval). A dropped or replaced value stays in the block until
 * the entry is freed or copied (an edit copies it). The block
 * starts with its used and allocated sizes; it grows by realloc, and
 * then every name and array in it is moved with it. A name or array
 * outside the block (none is, unless memory ran out) is a malloc of its
 * own, as before. addr__dir_insert trims the block to what is used.
 */
struct blkhdr {
	uint32_t used, cap;	/* octets, the header included */
};

#define BLK_FIRST 256	/* an entry of ten attributes fits in 384 */

/* ahdr - the octets before a's value array: its name, if not pooled */
static size_t ahdr(const struct addr__dattr *a)
{
	return a->pool == ADDR__NOPOOL ? ADDR__NAME_HDR(a->nlen) : 0;
}

/* abase - where a's value array and the name before it start, or NULL */
static char *abase(const struct addr__dattr *a)
{
	return a->v != NULL ? (char *)(void *)a->v - ahdr(a) : NULL;
}

/* in_blk - is p inside e's block? */
static int in_blk(const struct addr_dir_entry *e, const void *p)
{
	uintptr_t b = (uintptr_t)e->blk_, q = (uintptr_t)p;

	return e->blk_ != NULL && q >= b &&
	       q < b + ((const struct blkhdr *)(void *)e->blk_)->cap;
}

static void refs_moved(struct addr_dir_entry *e, uintptr_t old, size_t cap,
		       char *nw);

/* blk_move - e's block was moved from old to nw: follow it (the
 * attribute array, key descriptors, value arrays with the names before
 * them, and the values the kept reference keys were made from; a
 * value is found from its descriptor, which moved with it) */
static void blk_move(struct addr_dir_entry *e, uintptr_t old, size_t cap,
		     char *nw)
{
	uintptr_t q;
	size_t i;

	/* the attribute array and the key descriptors first: the loop
	 * below reads the array where it is now */
	q = (uintptr_t)e->a;
	if (e->a != NULL && q >= old && q < old + cap)
		e->a = (struct addr__dattr *)(void *)(nw + (q - old));
	q = (uintptr_t)e->keys;
	if (e->keys != NULL && q >= old && q < old + cap)
		e->keys = (struct addr__dkey *)(void *)(nw + (q - old));
	for (i = 0; i < e->na; i++) {
		struct addr__dattr *a = &e->a[i];

		/* by where the array starts: an empty one (cap 0, a name
		 * before it) may end where the block ends. The values are
		 * in the block too, at the same distance from their
		 * descriptors: nothing to follow. */
		q = (uintptr_t)abase(a);
		if (a->v != NULL && q >= old && q < old + cap)
			a->v = (struct addr__dval *)(void *)
			       (nw + ((uintptr_t)a->v - old));
	}
	refs_moved(e, old, cap, nw);
	e->blk_ = nw;
}

/* blk_resize - give e's block cap octets (at least what is used) */
static int blk_resize(struct addr_dir_entry *e, size_t cap)
{
	uintptr_t old = (uintptr_t)e->blk_;
	size_t ocap = e->blk_ ? ((struct blkhdr *)(void *)e->blk_)->cap : 0;
	char *p;

	/* below 2 GiB: a value is found from its descriptor by a signed
	 * 32-bit distance (struct addr__dval) */
	if (cap > INT32_MAX)
		return ADDR_ENOMEM;
	if ((p = addr__realloc(e->blk_, cap)) == NULL)
		return ADDR_ENOMEM;
	if (old == 0)
		((struct blkhdr *)(void *)p)->used = sizeof(struct blkhdr);
	((struct blkhdr *)(void *)p)->cap = (uint32_t)cap;
	if ((uintptr_t)p != old)
		blk_move(e, old, ocap, p);
	return 0;
}

/* blk_alloc - n octets at alignment al (1 or 8) from e's block */
static void *blk_alloc(struct addr_dir_entry *e, size_t n, size_t al)
{
	struct blkhdr *h;
	size_t at, need;

	for (;;) {
		h = e->blk_ ? (struct blkhdr *)(void *)e->blk_ : NULL;
		at = h ? (h->used + al - 1) & ~(al - 1) : sizeof(*h);
		if (n > UINT32_MAX - at)
			return NULL;
		need = at + n;
		if (h != NULL && need <= h->cap)
			break;
		if (blk_resize(e, h == NULL ? (need > BLK_FIRST ? need : BLK_FIRST) :
			       need > h->cap + h->cap / 2 ||
			       h->cap + h->cap / 2 > INT32_MAX ? need :
			       h->cap + h->cap / 2) < 0)
			return NULL;
	}
	h->used = (uint32_t)need;
	return e->blk_ + at;
}

/* blk_room - n octets at alignment al from e's block if they fit
 * without growing it, else NULL */
static void *blk_room(struct addr_dir_entry *e, size_t n, size_t al)
{
	struct blkhdr *h = (struct blkhdr *)(void *)e->blk_;
	size_t at;

	if (h == NULL)
		return NULL;
	at = (h->used + al - 1) & ~(al - 1);
	if (at > h->cap || n > h->cap - at)
		return NULL;
	h->used = (uint32_t)(at + n);
	return e->blk_ + at;
}

/* blk_trim - the block shrunk to what is used (kept if that fails) */
static void blk_trim(struct addr_dir_entry *e)
{
	struct blkhdr *h = (struct blkhdr *)(void *)e->blk_;

	if (h != NULL && h->cap - h->used >= 16)
		blk_resize(e, h->used);
}

/*
 * Values an entry made from a record shares instead of copying
 * (addr__entry_fill_planned): the objectClass values nearly every entry
 * holds point into this constant pool (never written through, never
 * freed), and a value that ends another value of the same entry points
 * into that value's copy (mail at the end of the primary SMTP proxy,
 * mailNickname at the end of legacyExchangeDN, sn at the end of
 * displayName): about 90 octets of a typical mailbox's 340.
 */
#define VPOOL_W 24
#define value_pool addr__value_pool
const char addr__value_pool[][VPOOL_W] = {
	"top", "person", "organizationalPerson", "user", "group",
	"contact", "inetOrgPerson", "mailRecipient", "groupOfNames",
	"publicFolder"
};
#define VPOOL_N (sizeof(value_pool) / sizeof(value_pool[0]))
_Static_assert(VPOOL_N <= ADDR__DV_POOLN, "pool indexes fit the offsets");

/* in_vpool - is p one of value_pool's values? */
static int in_vpool(const void *p)
{
	return (uintptr_t)p - (uintptr_t)value_pool < sizeof(value_pool);
}

/* by_len[n] - the first value of n octets in value_pool, +1; 0 none (the
 * values of one length come one after the other) */
static const unsigned char by_len[VPOOL_W] = {
	[3] = 1, [6] = 2, [20] = 3, [4] = 4, [5] = 5, [7] = 6, [13] = 7,
	[12] = 9
};

/* vpooled - v[0..n) spelled exactly as a value of the pool: its index
 * + 1, else 0 */
static unsigned vpooled(const char *v, size_t n)
{
	unsigned i;

	if (n >= VPOOL_W || by_len[n] == 0)
		return 0;
	for (i = by_len[n] - 1u; i < VPOOL_N && value_pool[i][n] == '\0' &&
	     value_pool[i][n - 1] != '\0'; i++)
		if (memcmp(value_pool[i], v, n) == 0)
			return i + 1;
	return 0;
}

/* dv_set - d describes p[0..len), in the block d is in or in the pool */
static void dv_set(struct addr__dval *d, const char *p, size_t len)
{
	if (in_vpool(p))
		d->off = ADDR__DV_POOL +
			 (int32_t)(((uintptr_t)p - (uintptr_t)value_pool) /
				   VPOOL_W);
	else
		d->off = (int32_t)((intptr_t)p - (intptr_t)d);
	d->len = (uint32_t)len;
}

/* dv_copy - n descriptors from src to dst (another place of the same
 * block), each rebased; dst and src may overlap */
static void dv_copy(struct addr__dval *dst, const struct addr__dval *src,
		    size_t n)
{
	intptr_t delta = (intptr_t)src - (intptr_t)dst;
	size_t i;

	memmove(dst, src, n * sizeof(*dst));
	for (i = 0; i < n; i++)
		if (dst[i].off >= ADDR__DV_POOL + ADDR__DV_POOLN)
			dst[i].off = (int32_t)(dst[i].off + delta);
}

void addr__entry_drop_value(struct addr__dattr *a, size_t j)
{
	/* the value's octets stay in the block until the entry is
	 * copied (an edit copies it) or freed */
	dv_copy(&a->v[j], &a->v[j + 1], a->n - j - 1);
	a->n--;
}

/*
 * The names of the model's attributes, spelled as the writers and AD
 * spell them, are not copied into each entry: an attribute so named
 * points into this one constant pool (one NUL-terminated name after the
 * other; never written through, never freed). Any other spelling is
 * copied into the entry's block as before.
 */
#define POOL_W ADDR__POOL_W
#define name_pool addr__name_pool
const char addr__name_pool[][POOL_W] = {
	"objectClass", "cn", "givenName", "sn", "displayName",
	"mailNickname", "mail", "proxyAddresses", "legacyExchangeDN",
	"member", "groupType", "targetAddress", "initials",
	"msExchHideFromAddressLists", "authOrig", "unauthOrig",
	"dLMemSubmitPerms", "dLMemRejectPerms", "description"
};
/* their lengths (a wrong one only makes its name be copied: pooled
 * also checks for the NUL) */
static const unsigned char pool_len[] = {
	11, 2, 9, 2, 11, 12, 4, 14, 16, 6, 9, 13, 8, 26, 8, 10, 16, 16, 11
};
#define POOL_N (sizeof(name_pool) / sizeof(name_pool[0]))
#define NAME_OC (name_pool[0])		/* objectClass */
#define NAME_NICK (name_pool[5])	/* mailNickname */
#define NAME_MAIL (name_pool[6])	/* mail */
#define NAME_PROXY (name_pool[7])	/* proxyAddresses */
#define NAME_LEGDN (name_pool[8])	/* legacyExchangeDN */
#define NAME_TARGET (name_pool[11])	/* targetAddress */
_Static_assert(sizeof(pool_len) == POOL_N, "pool_len counts name_pool");

/* pool_index - the index of pooled name p in the pool */
static unsigned pool_index(const char *p)
{
	return (unsigned)(((uintptr_t)p - (uintptr_t)name_pool) / POOL_W);
}
_Static_assert(POOL_N < ADDR__NOPOOL, "pool indexes fit in 8 bits");

/* pooled - name[0..n) spelled exactly as a name of the pool: that
 * name, else NULL */
static int pool_is(size_t i, const char *name, size_t n)
{
	return pool_len[i] == n && name_pool[i][n] == '\0' &&
	       memcmp(name_pool[i], name, n) == 0;
}

static const char *pooled(const char *name, size_t n)
{
	/* records list their attributes in much the same order: the name
	 * after the one found last is tried first (per thread: workers
	 * of dir_pipe.c call this too) */
	static _Thread_local size_t next;
	size_t i;

	if (next < POOL_N && pool_is(next, name, n))
		return name_pool[next++];
	for (i = 0; i < POOL_N; i++)
		if (pool_is(i, name, n)) {
			next = i + 1;
			return name_pool[i];
		}
	return NULL;
}

/* free_attr - what a holds outside e's block: nothing, as every array
 * and value is made in the block (attr_new, attr_grow, set_value); kept
 * for an array that is not */
static void free_attr(struct addr_dir_entry *e, struct addr__dattr *a)
{
	if (a->v != NULL && !in_blk(e, abase(a)))
		addr__free(abase(a));
}

/* -------------------------------------------------- reference keys */

/* The DN keys of an entry's reference values (member, authOrig, ...),
 * made once by addr__entry_prepare: the whole-directory check, the
 * expansion and the restrictions look members up by them instead of
 * turning every value into its key again. A kept key is used only while
 * the value it was made from is still in place (same pointer, same
 * length, same number of values): an entry edited afterwards falls back
 * to computing the key. */
#define NREF 5		/* entries of addr__dir_ref_attrs */
_Static_assert(sizeof(addr__dir_ref_attrs) / sizeof(addr__dir_ref_attrs[0]) ==
	       NREF + 1, "NREF counts addr__dir_ref_attrs");

/* Only the key's hash is kept, not its octets (55 octets a member on
 * average): a lookup by member finds the holder by hash and DN as
 * written, and makes the key from the value only when those differ
 * (addr__hmap_next_h with key NULL). */
struct addr__refkey {
	const char *src;	/* the value the key was made from */
	uint64_t h;		/* addr__dir_hash of the key */
	uint32_t srclen;
	int32_t rc;		/* addr__dn_key's result */
};

struct addr__refs {
	size_t first[NREF + 1];	/* keys of addr__dir_ref_attrs[r]:
				 * k[first[r] .. first[r + 1]) */
	struct addr__refkey *k;
};

/* ref_attrs - the reference attributes of e, a[r] for
 * addr__dir_ref_attrs[r] (as addr__entry_attr finds them), in one scan
 * of the entry by name length */
static void ref_attrs(const struct addr_dir_entry *e,
		      struct addr__dattr *a[NREF])
{
	size_t i, r;

	memset(a, 0, NREF * sizeof(a[0]));
	for (i = 0; i < e->na; i++) {
		switch (e->a[i].nlen) {
		case 6: r = 0; break;		/* member */
		case 8: r = 1; break;		/* authOrig */
		case 10: r = 2; break;		/* unauthOrig */
		case 16:			/* dLMem{Submit,Reject}Perms */
			r = addr__str_ieq(addr__attr_name(&e->a[i]), 16,
					  addr__dir_ref_attrs[3]) ? 3 : 4;
			break;
		default: continue;
		}
		if (a[r] == NULL &&
		    addr__str_ieq(addr__attr_name(&e->a[i]), e->a[i].nlen,
				  addr__dir_ref_attrs[r]))
			a[r] = &e->a[i];
	}
}

static void refs_free(struct addr_dir_entry *e)
{
	addr__free(e->refs_);
	e->refs_ = NULL;
}

/* refs_moved - the values the kept keys were made from moved with e's
 * block from old to nw */
static void refs_moved(struct addr_dir_entry *e, uintptr_t old, size_t cap,
		       char *nw)
{
	struct addr__refs *R = e->refs_;
	size_t i;

	for (i = 0; R != NULL && i < R->first[NREF]; i++) {
		uintptr_t q = (uintptr_t)R->k[i].src;

		if (q >= old && q < old + cap)
			R->k[i].src = nw + (q - old);
	}
}

/* refs_build - make e->refs_ (one block); without memory, or for keys
 * too long for the offsets, e simply has none */
static void refs_build(struct addr_dir_entry *e)
{
	struct addr__dattr *a[NREF];
	struct addr__refs *R;
	struct addr_buf k;
	size_t n = 0, r, j, i = 0;

	refs_free(e);
	ref_attrs(e, a);
	for (r = 0; r < NREF; r++)
		n += a[r] ? a[r]->n : 0;
	e->norefs = 1;
	for (r = 0; r < NREF; r++)
		if (a[r] != NULL)
			e->norefs = 0;
	if (n == 0 || n > (((size_t)-1) - sizeof(*R)) / sizeof(*R->k) ||
	    (R = addr__malloc(sizeof(*R) + n * sizeof(*R->k))) == NULL)
		return;
	R->k = (struct addr__refkey *)(R + 1);
	addr_buf_init(&k);
	for (r = 0; r < NREF; r++)
		for (j = 0; a[r] != NULL && j < a[r]->n; j++, i++) {
			struct addr__refkey *t = &R->k[i];

			t->src = addr__dv(&a[r]->v[j]);
			t->srclen = a[r]->v[j].len;
			t->rc = addr__dn_key(&k, addr__dv(&a[r]->v[j]),
					     a[r]->v[j].len);
			t->h = addr__dir_hash(k.ptr, k.size);
			if (t->rc == ADDR_ENOMEM) {
				addr__free(R);
				addr_buf_free(&k);
				return;
			}
		}
	addr_buf_free(&k);
	R->first[0] = 0;
	for (r = 0; r < NREF; r++)
		R->first[r + 1] = R->first[r] + (a[r] ? a[r]->n : 0);
	e->refs_ = R;
}

int addr__entry_ref_key(const struct addr_dir_entry *e, size_t r,
			const struct addr__dattr *a, size_t j,
			struct addr_buf *k, const char **key, size_t *klen,
			uint64_t *h)
{
	const struct addr__refs *R = e->refs_;
	int rc;

	if (R != NULL && r < NREF && a->n == R->first[r + 1] - R->first[r]) {
		const struct addr__refkey *c = &R->k[R->first[r] + j];

		if (c->src == addr__dv(&a->v[j]) && c->srclen == a->v[j].len) {
			if (c->rc == 0) {
				*key = NULL;	/* not kept */
				*klen = 0;
				*h = c->h;
			}
			return c->rc;
		}
	}
	rc = addr__dn_key(k, addr__dv(&a->v[j]), a->v[j].len);
	if (rc == 0) {
		*key = k->ptr;
		*klen = k->size;
		*h = addr__dir_hash(k->ptr, k->size);
	}
	return rc;
}

/* ref_prefetch - addr__dir_prefetch_dn for value j of a, the
 * reference attribute r of e, when its key is kept */
static void ref_prefetch(const struct addr_dir *d,
			 const struct addr_dir_entry *e, size_t r,
			 const struct addr__dattr *a, size_t j, int stage)
{
	const struct addr__refs *R = e->refs_;

	if (R != NULL && j < a->n && a->n == R->first[r + 1] - R->first[r] &&
	    R->k[R->first[r] + j].rc == 0)
		addr__dir_prefetch_dn(d, R->k[R->first[r] + j].h, stage);
}

struct addr_dir_entry *addr__dir_ref(const struct addr_dir *d,
				     const struct addr_dir_entry *e, size_t r,
				     const struct addr__dattr *a, size_t j,
				     struct addr_buf *k, int *rc)
{
	struct addr__hit it = ADDR__HIT_INIT;
	const char *key;
	size_t klen;
	uint64_t h;
	const struct addr__href *s;

	*rc = addr__entry_ref_key(e, r, a, j, k, &key, &klen, &h);
	if (*rc != 0)
		return NULL;
	it.dn = addr__dv(&a->v[j]);
	it.dnlen = a->v[j].len;
	s = addr__hmap_next_h(&d->dn, key, klen, h, &it);
	*rc = it.rc;
	return s ? s->e : NULL;
}

void addr_dir_entry_free(struct addr_dir_entry *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->na; i++)
		free_attr(e, &e->a[i]);
	if (!in_blk(e, e->a))
		addr__free(e->a);
	free_keys(e);
	addr__free(e->blk_);
	refs_free(e);
	if (e->dn != (char *)(e + 1))
		addr__free(e->dn);
	addr__free(e);
}

int addr__entry_set_dn(struct addr_dir_entry *e, const char *dn, size_t len)
{
	char *p;

	if (len == 0 || len >= UINT32_MAX)
		return len == 0 ? ADDR_ESYNTAX : ADDR_ENOMEM;
	if ((p = addr__malloc(len + 1)) == NULL)
		return ADDR_ENOMEM;
	memcpy(p, dn, len);
	p[len] = '\0';
	if (e->dn != (char *)(e + 1))
		addr__free(e->dn);
	e->dn = p;
	e->dnlen = (uint32_t)len;
	return 0;
}

/* addr__entry_attr - compares lengths first: addr__str_ieq can only
 * match a name of the same length */
struct addr__dattr *addr__entry_attr(const struct addr_dir_entry *e,
				     const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < e->na; i++)
		if (e->a[i].nlen == n &&
		    addr__str_ieq(addr__attr_name(&e->a[i]), e->a[i].nlen, name))
			return &e->a[i];
	return NULL;
}

/* name_eq - a name of n octets against z, also of n octets: the same
 * spelling first (nearly always), then ASCII case-insensitively */
static int name_eq(const char *s, const char *z, size_t n)
{
	return memcmp(s, z, n) == 0 || addr__str_ieq(s, n, z);
}

/* attr_new - a new attribute at the end of e, name[0..nlen) (pool: its
 * pooled spelling, or NULL), with an array for cap values (in the
 * block, the name before it when not pooled); NULL when memory ran out
 * or the name is too long */
static struct addr__dattr *attr_new(struct addr_dir_entry *e,
				    const char *name, size_t nlen,
				    const char *pool, size_t cap)
{
	struct addr__dattr *a;
	size_t hdr = pool != NULL ? 0 : ADDR__NAME_HDR(nlen), nameoff;
	char *b = NULL;

	if (nlen > ADDR__ATTR_NAME || cap > ADDR__ATTR_VALUES)
		return NULL;
	if (e->na == e->acap) {
		/* 8, then half as much again: an entry of 9 or 10
		 * attributes takes 12 slots, not 16 (addr__dir_insert
		 * trims the rest) */
		size_t nc = e->acap < 8 ? 8 : e->acap + e->acap / 2;
		void *na;

		if (nc > ADDR__ATTRS)
			nc = ADDR__ATTRS;
		if (nc <= e->acap)
			return NULL;	/* ADDR__ATTRS attributes */
		if (in_blk(e, e->a)) {
			/* made in the block by addr__entry_fill: grows
			 * outside it (its room there stays unused) */
			if ((na = addr__malloc(nc * sizeof(*a))) == NULL)
				return NULL;
			memcpy(na, e->a, e->na * sizeof(*a));
		} else if ((na = addr__realloc(e->a, nc * sizeof(*a))) ==
			   NULL) {
			return NULL;
		}
		e->a = na;
		e->acap = (uint16_t)nc;
	}
	if (hdr + cap > 0) {
		/* a name given from inside the block itself must be found
		 * again if the block moves */
		nameoff = hdr > 0 && in_blk(e, name) ?
			  (size_t)(name - e->blk_) : (size_t)-1;
		if ((b = blk_alloc(e, hdr + cap * sizeof(struct addr__dval),
				   4)) == NULL)
			return NULL;
		if (nameoff != (size_t)-1)
			name = e->blk_ + nameoff;
		if (hdr > 0) {
			memcpy(b, name, nlen);
			memset(b + nlen, 0, hdr - nlen);
		}
	}
	a = &e->a[e->na];	/* after blk_alloc: e->a may be in the block */
	memset(a, 0, sizeof(*a));
	a->v = b != NULL ? (struct addr__dval *)(void *)(b + hdr) : NULL;
	a->cap = (uint32_t)cap;
	a->nlen = (uint32_t)nlen;
	a->pool = pool != NULL ? pool_index(pool) : ADDR__NOPOOL;
	e->na++;
	e->norefs = 0;	/* it may be one */
	return a;
}

/* attr_get - the attribute name, created at the end when absent */
static struct addr__dattr *attr_get(struct addr_dir_entry *e,
				    const char *name, size_t nlen)
{
	size_t i;

	/* the values of one attribute usually come one after the other,
	 * and an entry never holds two spellings of one name: the last
	 * attribute first */
	if (e->na > 0 && e->a[e->na - 1].nlen == nlen &&
	    name_eq(name, addr__attr_name(&e->a[e->na - 1]), nlen))
		return &e->a[e->na - 1];
	for (i = 0; i < e->na; i++)
		if (e->a[i].nlen == nlen &&
		    name_eq(name, addr__attr_name(&e->a[i]), nlen))
			return &e->a[i];
	if (nlen > ADDR__ATTR_NAME)
		return NULL;
	return attr_new(e, name, nlen, pooled(name, nlen), 0);
}

/* attr_grow - room for one more value in e->a[ai]: its array in e's
 * block extended in place when it is the block's last allocation (the
 * values of one attribute usually come together), else a new array
 * twice as large. By index: the attribute array may be in the block,
 * which blk_alloc may move. */
static int attr_grow(struct addr_dir_entry *e, size_t ai)
{
	struct addr__dattr *a = &e->a[ai];
	/* most attributes hold one value: start with one */
	size_t nc = a->cap ? (size_t)a->cap * 2 : 1;
	struct addr__dval *v;

	if (nc > ADDR__ATTR_VALUES)
		nc = ADDR__ATTR_VALUES;
	if (nc <= a->cap)
		return ADDR_ETOOLONG;
	/* every array is in the block (attr_new): its values are found
	 * from it */
	if (a->v != NULL) {
		struct blkhdr *h = (struct blkhdr *)(void *)e->blk_;
		size_t end = (size_t)((char *)(a->v + a->cap) - e->blk_);

		if (end == h->used &&
		    (nc - a->cap) * sizeof(*v) <= h->cap - h->used) {
			h->used += (uint32_t)((nc - a->cap) * sizeof(*v));
			a->cap = nc;
			return 0;
		}
	}
	/* blk_alloc may move the block, and a->v and a with it; the name
	 * before the array comes along */
	{
		size_t hdr = ahdr(a);
		char *b = blk_alloc(e, hdr + nc * sizeof(*v), 4);

		if (b == NULL)
			return ADDR_ENOMEM;
		a = &e->a[ai];
		if (hdr > 0)
			memcpy(b, abase(a), hdr);
		v = (struct addr__dval *)(void *)(b + hdr);
		if (a->n > 0)
			dv_copy(v, a->v, a->n);
		a->v = v;
		a->cap = nc;
	}
	return 0;
}

/* attr_push - append a copy of v[0..len) to a, an attribute of e (a
 * may move with e's block: see attr_grow) */
static int attr_push(struct addr_dir_entry *e, struct addr__dattr *a,
		     const char *v, size_t len)
{
	size_t ai = (size_t)(a - e->a);
	/* v may be in the block, which attr_grow may move */
	size_t off = in_blk(e, v) ? (size_t)(v - e->blk_) : (size_t)-1;
	int rc;

	if (a->n == a->cap && (rc = attr_grow(e, ai)) < 0)
		return rc;
	if (off != (size_t)-1)
		v = e->blk_ + off;
	a = &e->a[ai];
	a->n++;		/* room for the value first: set_value sets it */
	if ((rc = addr__entry_set_value(e, ai, a->n - 1, v, len)) < 0) {
		e->a[ai].n--;
		return rc;
	}
	return 0;
}

int addr__entry_set_value(struct addr_dir_entry *e, size_t ai, size_t j,
			  const char *p, size_t n)
{
	/* p may be in the block itself, which blk_alloc may move */
	size_t off = in_blk(e, p) ? (size_t)(p - e->blk_) : (size_t)-1;
	char *c;

	if (n >= UINT32_MAX || (c = blk_alloc(e, n + 1, 1)) == NULL)
		return ADDR_ENOMEM;
	if (off != (size_t)-1)
		p = e->blk_ + off;
	if (n > 0)
		memcpy(c, p, n);
	c[n] = '\0';
	dv_set(&e->a[ai].v[j], c, n);
	return 0;
}

int addr_dir_entry_add_value(struct addr_dir_entry *e, const char *attr,
			     const char *v, size_t len)
{
	size_t nlen = strlen(attr);
	/* v may be in the block, which attr_get may move */
	size_t off = in_blk(e, v) ? (size_t)(v - e->blk_) : (size_t)-1;
	struct addr__dattr *a;

	if (nlen > ADDR__ATTR_NAME || len >= UINT32_MAX)
		return ADDR_ETOOLONG;
	a = attr_get(e, attr, nlen);
	if (a == NULL)
		return ADDR_ENOMEM;
	if (off != (size_t)-1)
		v = e->blk_ + off;
	return attr_push(e, a, v, len);
}

/* blk_reserve - room for at least n more octets in e's block, so that
 * the allocations that follow do not move it */
static int blk_reserve(struct addr_dir_entry *e, size_t n)
{
	size_t used = e->blk_ ? ((struct blkhdr *)(void *)e->blk_)->used :
				sizeof(struct blkhdr);
	size_t cap = e->blk_ ? ((struct blkhdr *)(void *)e->blk_)->cap : 0;

	if (n > UINT32_MAX - used)
		return ADDR_ENOMEM;
	return used + n <= cap ? 0 : blk_resize(e, used + n);
}

/*
 * addr__entry_fill - the items of rec as the attributes of e (new, no
 * attributes yet), names and values in e's block: one reservation, the
 * attributes and their value counts, one array of the exact size per
 * attribute, then the values. The result is what adding each item with
 * addr_dir_entry_add_value gives, without a malloc per value.
 */
_Static_assert(sizeof(struct addr__dval) % 4 == 0,
	       "value arrays keep the block 4-aligned");

/* PN_SAME - in a plan, an item named exactly as the one before */
static const char pn_same[1];
#define PN_SAME pn_same

int addr__entry_plan(const struct addr_ldif_record *rec, const char **pn,
		     struct addr__fillsize *sz)
{
	size_t i, nkeys = 0;
	const char *name = NULL;	/* item i's pooled name */

	sz->need = sz->runs = sz->vbytes = 0;
	if (rec->nitem > ADDR__ATTR_VALUES)
		return ADDR_ENOMEM;
	/* the block's size, nearly exact (what a block keeps beyond its
	 * use is given back by addr__dir_insert, which leaves a hole in
	 * the heap): each value and its descriptor; each name that is not
	 * pooled, once per run of items of that name; the value arrays
	 * come one after the other, all multiples of 4 octets, so only the
	 * first is aligned */
	for (i = 0; i < rec->nitem; i++) {
		const struct addr_str *nm = &rec->item[i].name;
		size_t vlen = rec->item[i].value.len;

		if (nm->len > UINT32_MAX || vlen > UINT32_MAX ||
		    sz->need > UINT32_MAX)
			return ADDR_ENOMEM;
		sz->need += vlen + 1 + sizeof(struct addr__dval);
		sz->vbytes += vlen + 1;
		/* runs of one name: at least the number of attributes */
		if (i > 0 && nm->len == rec->item[i - 1].name.len &&
		    memcmp(nm->ptr, rec->item[i - 1].name.ptr, nm->len) == 0) {
			pn[i] = PN_SAME;
			nkeys += name == NAME_PROXY || name == NAME_LEGDN ||
				 name == NAME_TARGET;
			continue;
		}
		sz->runs++;
		if ((name = pn[i] = pooled(nm->ptr, nm->len)) == NULL)
			sz->need += ADDR__NAME_HDR(nm->len);
		nkeys += name == NAME_PROXY || name == NAME_LEGDN ||
			 name == NAME_TARGET;
	}
	/* the attribute array first (8-aligned after the header), the
	 * first value array's alignment; the key descriptors at the end
	 * (addr__entry_prepare makes at most one per proxy,
	 * legacyExchangeDN and targetAddress: a spelling that is not
	 * pooled has its descriptors apart) */
	sz->need += sz->runs * sizeof(struct addr__dattr) + 3 +
		    nkeys * sizeof(struct addr__dkey) + 3;
	return 0;
}

int addr__entry_fill(struct addr_dir_entry *e,
		     const struct addr_ldif_record *rec)
{
	const char *small[64], **pn = small;
	struct addr__fillsize sz;
	int rc;

	if (rec->nitem > sizeof(small) / sizeof(small[0]) &&
	    (rec->nitem > ADDR__ATTR_VALUES ||
	     (pn = addr__malloc(rec->nitem * sizeof(*pn))) == NULL))
		return ADDR_ENOMEM;
	rc = addr__entry_plan(rec, pn, &sz);
	if (rc == 0)
		rc = addr__entry_fill_planned(e, rec, pn, &sz);
	if (pn != small)
		addr__free(pn);
	return rc;
}

/*
 * Sharing of an entry's values (value_pool), planned for records of up
 * to SHARE_MAX items from the names addr__entry_plan pooled: the
 * objectClass values of the pool; mail, which the model requires to be
 * the primary SMTP address, at the end of the proxyAddresses value
 * TYPE:mail; mailNickname at the end of legacyExchangeDN (".../cn=
 * alias"). Only these: comparing every pair of values found little more
 * and cost 1,800 instructions a record. A proxy's prefix is rewritten
 * in place (set_prefix_case), so mail shares only what follows it.
 */
#define SHARE_MAX 64
#define SH_PROXIES 8			/* proxies looked at for mail */

struct vshare {
	uint64_t pooled;	/* bit i: item i is a value of value_pool */
	uint8_t pool[SHARE_MAX];	/* which (pooled bits only) */
	size_t saved;		/* value octets (NULs included) not copied */
	long mail, nick;	/* the shared items, or -1 */
	long mailsrc, nicksrc;	/* the items they end */
	const char *mailp, *nickp;	/* where those were placed */
	struct addr__dval *mailv, *nickv;	/* the shared descriptors */
};

/* One attribute of a record being filled: its name (pooled, or the
 * record's), its number of values. */
struct fattr {
	const char *name, *pool;
	size_t nlen, n;
};

/* share_plan - what rec's items (nitem <= SHARE_MAX, pn[i] as
 * addr__entry_plan found it) share */
static void share_plan(const struct addr_ldif_record *rec,
		       const char *const *pn, struct vshare *sh)
{
	const struct addr_ldif_item *it = rec->item;
	const char *name = NULL;	/* item i's pooled name */
	long legdn = -1, proxy[SH_PROXIES];
	size_t i, np = 0;

	sh->pooled = 0;
	sh->saved = 0;
	sh->mailp = sh->nickp = NULL;
	sh->mailv = sh->nickv = NULL;
	sh->mail = sh->nick = sh->mailsrc = sh->nicksrc = -1;
	for (i = 0; i < rec->nitem; i++) {
		if (pn[i] != PN_SAME)
			name = pn[i];
		if (name == NULL)
			continue;
		if (name == NAME_OC) {
			unsigned k = vpooled(it[i].value.ptr, it[i].value.len);

			if (k != 0) {
				sh->pooled |= (uint64_t)1 << i;
				sh->pool[i] = (uint8_t)(k - 1);
				sh->saved += it[i].value.len + 1;
			}
		} else if (name == NAME_PROXY) {
			if (np < SH_PROXIES)
				proxy[np++] = (long)i;
		} else if (name == NAME_MAIL) {
			if (sh->mail < 0)
				sh->mail = (long)i;
		} else if (name == NAME_NICK) {
			if (sh->nick < 0)
				sh->nick = (long)i;
		} else if (name == NAME_LEGDN && legdn < 0) {
			legdn = (long)i;
		}
	}
	if (sh->mail >= 0) {
		const struct addr_str *m = &it[sh->mail].value;

		for (i = 0; i < np && m->len > 0; i++) {
			const struct addr_str *w = &it[proxy[i]].value;

			if (w->len == m->len + 5 && w->ptr[4] == ':' &&
			    memcmp(w->ptr + 5, m->ptr, m->len) == 0) {
				sh->mailsrc = proxy[i];
				sh->saved += m->len + 1;
				break;
			}
		}
	}
	if (sh->nick >= 0 && legdn >= 0) {
		const struct addr_str *k = &it[sh->nick].value;
		const struct addr_str *w = &it[legdn].value;

		if (k->len > 0 && w->len > k->len &&
		    memcmp(w->ptr + w->len - k->len, k->ptr, k->len) == 0) {
			sh->nicksrc = legdn;
			sh->saved += k->len + 1;
		}
	}
}

int addr__entry_fill_planned(struct addr_dir_entry *e,
			     const struct addr_ldif_record *rec,
			     const char *const *pn,
			     const struct addr__fillsize *sz)
{
	uint32_t small[64], *at = small;
	struct fattr gsmall[32], *g = gsmall;
	size_t need = sz->need, runs = sz->runs, vbytes = sz->vbytes, i, j;
	size_t ng = 0;
	struct vshare shv, *sh = NULL;
	struct blkhdr *h;
	char *c;
	int rc = ADDR_ENOMEM;

	if (rec->nitem > ADDR__ATTR_VALUES || e->na != 0)
		return ADDR_ENOMEM;	/* e is new: see addr__entry_fill */
	if (rec->nitem > sizeof(small) / sizeof(small[0]) &&
	    (at = addr__malloc(rec->nitem * sizeof(*at))) == NULL)
		return ADDR_ENOMEM;
	if (runs > sizeof(gsmall) / sizeof(gsmall[0]) &&
	    (g = addr__malloc(runs * sizeof(*g))) == NULL) {
		if (at != small)
			addr__free(at);
		return ADDR_ENOMEM;
	}
	if (rec->nitem <= SHARE_MAX) {
		share_plan(rec, pn, &shv);
		sh = &shv;
		need -= shv.saved;
		vbytes -= shv.saved;
	}
	if (blk_reserve(e, need) < 0)
		goto out;
	/* the attributes and the number of values of each (an item named
	 * exactly as the one before belongs to its attribute; else the
	 * names compare as attr_get compares them), so that each is made
	 * with its array at once */
	for (i = 0; i < rec->nitem; i++) {
		const struct addr_str *nm = &rec->item[i].name;
		size_t nl;

		if (pn[i] == PN_SAME) {
			at[i] = at[i - 1];
			g[at[i]].n++;
			continue;
		}
		nl = strnlen(nm->ptr, nm->len);
		for (j = ng; j-- > 0;)
			if (g[j].nlen == nl && name_eq(nm->ptr, g[j].name, nl))
				break;
		if (j == (size_t)-1) {
			if (ng == runs || nl > ADDR__ATTR_NAME)
				goto out;	/* cannot be: runs counted them;
						 * the readers bound names */
			j = ng++;
			g[j].pool = nl == nm->len ? pn[i] : pooled(nm->ptr, nl);
			g[j].name = g[j].pool != NULL ? g[j].pool : nm->ptr;
			g[j].nlen = nl;
			g[j].n = 0;
		}
		at[i] = (uint32_t)j;
		g[j].n++;
	}
	/* the attribute array at once (nearly always exact, so no growth
	 * and nothing for addr__dir_insert to trim, which would leave a
	 * hole in the heap), in the block (reserved by the plan), as the
	 * key descriptors will be: two allocations and their overhead less
	 * per entry */
	if (ng > ADDR__ATTRS)
		goto out;
	if (ng > 0 && e->a == NULL) {
		if ((e->a = blk_alloc(e, ng * sizeof(*e->a), 8)) == NULL)
			goto out;
		e->acap = (uint16_t)ng;
	}
	for (j = 0; j < ng; j++)
		if (attr_new(e, g[j].name, g[j].nlen, g[j].pool, g[j].n) ==
		    NULL)
			goto out;
	/* the values one after the other in the room reserved for them
	 * (the block does not move any more) */
	if (rec->nitem == 0) {
		rc = 0;
		goto out;
	}
	h = (struct blkhdr *)(void *)e->blk_;
	if (h == NULL || h->cap - h->used < vbytes)
		goto out;	/* cannot be: need counted them */
	c = e->blk_ + h->used;
	for (i = 0; i < rec->nitem; i++) {
		const struct addr_str *v = &rec->item[i].value;
		struct addr__dattr *a = &e->a[at[i]];
		struct addr__dval *dv = &a->v[a->n++];

		dv->len = (uint32_t)v->len;
		if (sh != NULL) {
			if ((sh->pooled >> i) & 1) {
				/* never written through: see value_pool */
				dv_set(dv, value_pool[sh->pool[i]], v->len);
				continue;
			}
			if ((long)i == sh->mail && sh->mailsrc >= 0) {
				sh->mailv = dv;
				continue;
			}
			if ((long)i == sh->nick && sh->nicksrc >= 0) {
				sh->nickv = dv;
				continue;
			}
			if ((long)i == sh->mailsrc)
				sh->mailp = c;
			if ((long)i == sh->nicksrc)
				sh->nickp = c;
		}
		if (v->len > 0)
			memcpy(c, v->ptr, v->len);
		c[v->len] = '\0';
		dv_set(dv, c, v->len);
		c += v->len + 1;
	}
	if (sh != NULL && sh->mailv != NULL)
		dv_set(sh->mailv, sh->mailp + 5, sh->mailv->len);
	if (sh != NULL && sh->nickv != NULL)
		dv_set(sh->nickv, sh->nickp + (rec->item[sh->nicksrc].value.len -
					       sh->nickv->len), sh->nickv->len);
	h->used = (uint32_t)(c - e->blk_);
	rc = 0;
out:
	if (at != small)
		addr__free(at);
	if (g != gsmall)
		addr__free(g);
	return rc;
}

/* entry_remove_attr - drop attribute i */
void addr__entry_remove_attr(struct addr_dir_entry *e, size_t i)
{
	free_attr(e, &e->a[i]);
	memmove(&e->a[i], &e->a[i + 1], (e->na - i - 1) * sizeof(e->a[0]));
	e->na--;
}

int addr_dir_entry_copy(struct addr_dir_entry **out,
			const struct addr_dir_entry *e)
{
	struct addr_dir_entry *c;
	size_t i, j;

	if (addr_dir_entry_new(&c, e->dn, e->dnlen) < 0)
		return ADDR_ENOMEM;
	c->line = e->line;
	c->changed = e->changed;
	c->kind = e->kind;
	{
		/* the copy's block at its final size (alignment included) */
		size_t need = sizeof(struct blkhdr);

		for (i = 0; i < e->na; i++) {
			need += ahdr(&e->a[i]) + 3 +
				e->a[i].n * sizeof(struct addr__dval);
			for (j = 0; j < e->a[i].n; j++)
				need += e->a[i].v[j].len + 1;
		}
		if (e->na > 0 && blk_resize(c, need) < 0)
			goto fail;
	}
	for (i = 0; i < e->na; i++) {
		const struct addr__dattr *s = &e->a[i];
		struct addr__dattr *a = attr_new(c, addr__attr_name(s), s->nlen,
			s->pool != ADDR__NOPOOL ? name_pool[s->pool] : NULL,
			s->n);

		if (a == NULL)
			goto fail;
		for (j = 0; j < s->n; j++) {
			/* in the room made above: the block stays put */
			size_t ai = (size_t)(a - c->a);

			a->n++;
			if (addr__entry_set_value(c, ai, j, addr__dv(&s->v[j]),
						  s->v[j].len) < 0)
				goto fail;
			a = &c->a[ai];
		}
	}
	*out = c;
	return 0;
fail:
	addr_dir_entry_free(c);
	*out = NULL;
	return ADDR_ENOMEM;
}

const char *addr_dir_entry_dn(const struct addr_dir_entry *e)
{
	return e->dn;
}

int addr_dir_entry_kind(const struct addr_dir_entry *e)
{
	return e->kind;
}

size_t addr_dir_entry_line(const struct addr_dir_entry *e)
{
	return e->line;
}

size_t addr_dir_entry_nattrs(const struct addr_dir_entry *e)
{
	return e->na;
}

const char *addr_dir_entry_attr_name(const struct addr_dir_entry *e, size_t i)
{
	return i < e->na ? addr__attr_name(&e->a[i]) : NULL;
}

size_t addr_dir_entry_nvalues(const struct addr_dir_entry *e, const char *attr)
{
	const struct addr__dattr *a = addr__entry_attr(e, attr);

	return a ? a->n : 0;
}

const char *addr_dir_entry_value(const struct addr_dir_entry *e,
				 const char *attr, size_t i, size_t *len)
{
	const struct addr__dattr *a = addr__entry_attr(e, attr);

	if (a == NULL || i >= a->n)
		return NULL;
	if (len != NULL)
		*len = a->v[i].len;
	return addr__dv(&a->v[i]);
}

/* mail_of - the derived mail: the address of the first primary SMTP
 * proxy of a (proxyAddresses, nullable) */
static const char *mail_of(const struct addr__dattr *a)
{
	size_t i;

	for (i = 0; a != NULL && i < a->n; i++)
		if (a->v[i].len > 5 && memcmp(addr__dv(&a->v[i]), "SMTP:", 5) == 0)
			return addr__dv(&a->v[i]) + 5;
	return NULL;
}

const char *addr_dir_entry_mail(const struct addr_dir_entry *e)
{
	return mail_of(addr__entry_attr(e, "proxyAddresses"));
}

const char *addr_dir_entry_delivery(const struct addr_dir_entry *e)
{
	const char *t;
	size_t len;

	if (e->kind != ADDR_DIR_CONTACT)
		return addr_dir_entry_mail(e);
	t = addr_dir_entry_value(e, "targetAddress", 0, &len);
	if (t != NULL && len > 5 && addr__str_ieq(t, 5, "smtp:"))
		return t + 5;
	return t;
}

int addr_dir_entry_hidden(const struct addr_dir_entry *e)
{
	size_t len;
	const char *v = addr_dir_entry_value(e, "msExchHideFromAddressLists",
					     0, &len);

	if (v == NULL)
		return -1;
	return addr__str_ieq(v, len, "true");
}

/* ------------------------------------------------------- model rules */

/* prefix_type - is the stored proxy p of type t (case-insensitive)? */
static int proxy_type_eq(const char *p, size_t n, const char *q, size_t m)
{
	const char *c1 = memchr(p, ':', n), *c2 = memchr(q, ':', m);
	size_t l1, l2, i;

	if (c1 == NULL || c2 == NULL)
		return 0;
	l1 = (size_t)(c1 - p);
	l2 = (size_t)(c2 - q);
	if (l1 != l2)
		return 0;
	for (i = 0; i < l1; i++)
		if ((p[i] | 0x20) != (q[i] | 0x20))
			return 0;
	return 1;
}

/* proxy_primary - the stored prefix is upper case (R20) */
static int proxy_primary(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] != ':'; i++)
		if (p[i] >= 'a' && p[i] <= 'z')
			return 0;
	return 1;
}

/* set_prefix_case - rewrite the prefix of stored proxy p in place */
static void set_prefix_case(char *p, size_t n, int upper)
{
	size_t i;

	for (i = 0; i < n && p[i] != ':'; i++) {
		if (upper && p[i] >= 'a' && p[i] <= 'z')
			p[i] = (char)(p[i] - 32);
		else if (!upper && p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] + 32);
	}
}

/*
 * The uniqueness keys of an entry are collected during
 * addr__entry_prepare in a struct kbuild (the octets in one buffer, the
 * keys as offsets into it: the in-entry duplicate check compares them)
 * and then only their descriptors are stored (struct addr__dkey: where
 * each came from and its hash); addr__entry_key makes the octets again.
 */
#define KB_SMALL 8
#define KB_BYTES 512	/* the keys of nearly every entry fit */

struct kb_key {
	size_t off, klen, vidx;
	uint32_t h;
	int tag;
};

struct kbuild {
	struct kb_key small[KB_SMALL], *k;
	size_t n, cap;
	uint32_t dnh;		/* the DN key's hash, if hasdn */
	int hasdn;
	char sbytes[KB_BYTES], *b;	/* the key octets: sbytes or a
					 * malloc'ed buffer */
	size_t size, bcap;
};

static void kb_init(struct kbuild *kb)
{
	kb->k = kb->small;
	kb->n = 0;
	kb->cap = KB_SMALL;
	kb->hasdn = 0;
	kb->b = kb->sbytes;
	kb->size = 0;
	kb->bcap = KB_BYTES;
}

static void kb_free(struct kbuild *kb)
{
	if (kb->k != kb->small)
		addr__free(kb->k);
	if (kb->b != kb->sbytes)
		addr__free(kb->b);
}

/* kb_room - room for n more key octets; 0 or ADDR_ENOMEM */
static int kb_room(struct kbuild *kb, size_t n)
{
	size_t nc = kb->bcap;
	char *p;

	if (n <= kb->bcap - kb->size)
		return 0;
	if (n > ((size_t)-1) / 4 - kb->size)
		return ADDR_ENOMEM;
	while (nc - kb->size < n)
		nc *= 2;
	if ((p = addr__malloc(nc)) == NULL)
		return ADDR_ENOMEM;
	memcpy(p, kb->b, kb->size);
	if (kb->b != kb->sbytes)
		addr__free(kb->b);
	kb->b = p;
	kb->bcap = nc;
	return 0;
}

/* keys_push - add a copy of key[0..klen) unless the entry has it
 * already (a key is unique per entry); 0 or ADDR_ENOMEM */
static int keys_push(struct kbuild *kb, const char *key, size_t klen,
		     int tag, size_t vidx)
{
	size_t i;

	for (i = 0; i < kb->n; i++)
		if (kb->k[i].klen == klen &&
		    memcmp(kb->b + kb->k[i].off, key, klen) == 0)
			return 0;
	if (klen > UINT32_MAX || vidx > ADDR__ATTR_VALUES ||
	    kb_room(kb, klen + 1) < 0)
		return ADDR_ENOMEM;
	if (kb->n == kb->cap) {
		size_t nc = kb->cap * 2;
		struct kb_key *p;

		if (nc > ((size_t)-1) / sizeof(*p) ||
		    (p = addr__malloc(nc * sizeof(*p))) == NULL)
			return ADDR_ENOMEM;
		memcpy(p, kb->k, kb->n * sizeof(*p));
		if (kb->k != kb->small)
			addr__free(kb->k);
		kb->k = p;
		kb->cap = nc;
	}
	kb->k[kb->n].off = kb->size;
	kb->k[kb->n].klen = klen;
	kb->k[kb->n].tag = tag;
	kb->k[kb->n].vidx = vidx;
	kb->k[kb->n].h = addr__key_hash(key, klen);
	memcpy(kb->b + kb->size, key, klen);
	kb->b[kb->size + klen] = '\0';
	kb->size += klen + 1;
	kb->n++;
	return 0;
}

/* kb_dnkey - note the hash of the entry's DN key */
static void kb_dnkey(struct kbuild *kb, uint32_t h)
{
	kb->dnh = h;
	kb->hasdn = 1;
}

/* keys_finish - the collected keys' descriptors and the DN key's hash
 * as e's; 0 or ADDR_ENOMEM */
static int keys_finish(struct addr_dir_entry *e, const struct kbuild *kb)
{
	size_t i;

	e->hasdn = kb->hasdn;
	e->dnh = kb->dnh;
	if (kb->n == 0)
		return 0;
	if (kb->n >= UINT32_MAX || kb->n > ((size_t)-1) / sizeof(*e->keys))
		return ADDR_ENOMEM;
	/* in the room addr__entry_plan kept in the block, else apart */
	if ((e->keys = blk_room(e, kb->n * sizeof(*e->keys), 4)) == NULL &&
	    (e->keys = addr__malloc(kb->n * sizeof(*e->keys))) == NULL)
		return ADDR_ENOMEM;
	for (i = 0; i < kb->n; i++) {
		e->keys[i].h = kb->k[i].h;
		e->keys[i].tag = (uint8_t)kb->k[i].tag;
		e->keys[i].vidx = (uint32_t)kb->k[i].vidx;
	}
	e->nkeys = kb->n;
	return 0;
}

/* legdn_key - the key of a legacyExchangeDN (or of the value of an
 * X500 / EX proxy): "\1" and its folding */
static int legdn_key(struct addr_buf *k, const char *v, size_t n)
{
	addr__buf_putc(k, '\1');
	return addr__dir_fold(k, v, n) == ADDR_ENOMEM || k->oom ?
	       ADDR_ENOMEM : 0;
}

/* target_key - the key of a contact's targetAddress: its stored form's
 * proxy key (st is scratch); 1 when it has a key, 0 when it is in the
 * DN space (no key), or negative */
static int target_key(struct addr_buf *k, struct addr_buf *st,
		      const char *v, size_t n, unsigned pflags,
		      struct addr_error *err)
{
	int rc, dnspace = 0;

	if ((rc = addr_proxy_parse(st, v, n, pflags, err)) < 0)
		return rc;
	if ((rc = addr__proxy_key(k, st->ptr, st->size, &dnspace)) < 0)
		return rc;
	return dnspace ? 0 : 1;
}

int addr__entry_dnkey(const struct addr_dir_entry *e, struct addr_buf *out)
{
	addr_buf_clear(out);
	if (!e->hasdn)
		return ADDR_ESYNTAX;
	return addr__dn_key(out, e->dn, e->dnlen);
}

int addr__entry_key(const struct addr_dir_entry *e, size_t ki,
		    struct addr_buf *out)
{
	const struct addr__dkey *k;
	const struct addr__dattr *a;
	struct addr_buf st;
	const char *v, *colon;
	size_t n, plen;
	int rc, dnspace = 0;

	addr_buf_clear(out);
	if (ki >= e->nkeys)
		return ADDR_EINVAL;
	k = &e->keys[ki];
	a = addr__entry_attr(e, k->tag == ADDR__K_LEGDN ? "legacyExchangeDN" :
			     k->tag == ADDR__K_TARGET ? "targetAddress" :
			     "proxyAddresses");
	if (a == NULL || k->vidx >= a->n)
		return ADDR_EINVAL;
	v = addr__dv(&a->v[k->vidx]);
	n = a->v[k->vidx].len;
	switch (k->tag) {
	case ADDR__K_LEGDN:
		return legdn_key(out, v, n);
	case ADDR__K_TARGET:
		addr_buf_init(&st);
		rc = target_key(out, &st, v, n, 0, NULL);
		addr_buf_free(&st);
		return rc < 0 ? rc : rc == 0 ? ADDR_EINVAL : 0;
	default:
		if ((rc = addr__proxy_key(out, v, n, &dnspace)) < 0)
			return rc;
		if (k->tag == ADDR__K_PROXY)
			return 0;
		/* "\1" + the folded value: the key after "TYPE:" */
		if ((colon = memchr(v, ':', n)) == NULL ||
		    (plen = (size_t)(colon - v)) >= out->size)
			return ADDR_EINVAL;
		out->ptr[plen] = '\1';
		memmove(out->ptr, out->ptr + plen, out->size - plen + 1);
		out->size -= plen;
		return 0;
	}
}

/* proxy_rule - the rule id of a proxy_parse failure */
static const char *proxy_rule(int rc, const char *v, size_t n)
{
	const char *colon = memchr(v, ':', n);

	if (colon == v)
		return "proxy.empty-type";
	if (rc == ADDR_ETOOLONG && colon != NULL && colon - v > 9)
		return "proxy.type-too-long";
	return "proxy.invalid";
}

/* dn_check - strict mode: the legacyExchangeDN validator */
static void dn_check(struct addr__sink *s, const char *what, const char *v,
		     size_t n)
{
	struct addr_error e;
	unsigned w = 0;

	if (addr_exdn_check(v, n, &w, &e) < 0)
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "legdn.syntax",
				"%s \"%s\": %s", what, v, e.message);
	else if (w & ADDR_EXDN_W_NON_ASCII)
		addr__sink_diag(s, ADDR_SEV_WARNING, 0, "dn.non-ascii",
				"%s \"%s\" contains non-ASCII characters",
				what, v);
}

/* The attributes addr__entry_prepare reads, found in one scan of the
 * entry: the first attribute of each name, as addr__entry_attr would
 * find it. */
enum {
	KN_MAILNICKNAME, KN_DISPLAYNAME, KN_GIVENNAME, KN_SN, KN_INITIALS,
	KN_LEGDN, KN_TARGET, KN_MAIL, KN_HIDE,	/* single_valued[] order */
	KN_OBJECTCLASS, KN_PROXY, KN_COUNT
};

/* known_index - which KN_* name[0..n) is, or -1 */
static int known_index(const char *name, size_t n)
{
	static const char *const names[KN_COUNT] = {
		"mailNickname", "displayName", "givenName", "sn", "initials",
		"legacyExchangeDN", "targetAddress", "mail",
		"msExchHideFromAddressLists", "objectClass", "proxyAddresses"
	};
	int i;

	switch (n) {	/* the lengths of names[] pick the candidates */
	case 2: i = KN_SN; break;
	case 4: i = KN_MAIL; break;
	case 8: i = KN_INITIALS; break;
	case 9: i = KN_GIVENNAME; break;
	case 11:
		if (name_eq(name, names[KN_DISPLAYNAME], n))
			return KN_DISPLAYNAME;
		i = KN_OBJECTCLASS;
		break;
	case 12: i = KN_MAILNICKNAME; break;
	case 13: i = KN_TARGET; break;
	case 14: i = KN_PROXY; break;
	case 16: i = KN_LEGDN; break;
	case 26: i = KN_HIDE; break;
	default: return -1;
	}
	return name_eq(name, names[i], n) ? i : -1;
}

static void find_known(struct addr_dir_entry *e,
		       struct addr__dattr *known[KN_COUNT])
{
	size_t i;
	int k;

	memset(known, 0, KN_COUNT * sizeof(known[0]));
	for (i = 0; i < e->na; i++)
		if ((k = known_index(addr__attr_name(&e->a[i]), e->a[i].nlen)) >= 0 &&
		    known[k] == NULL)
			known[k] = &e->a[i];
}

/* ieq_lit - ASCII case-insensitive equality with a literal of length m */
static int ieq_lit(const char *s, size_t n, const char *lit, size_t m)
{
	return n == m && name_eq(s, lit, n);
}

/* One proxy's comparison key, as offsets into the scratch buffer. */
struct pkey {
	size_t off, len;
};

#define PKEYS_SMALL 16

/*
 * prepare_proxies - stored form, primary-twice, duplicates, keys. k is
 * the scratch buffer: stored forms first, then the comparison key of
 * every proxy, each computed once and kept for the in-entry duplicate
 * check; the "\1" key of an X500 or EX proxy is its comparison key's
 * folded value, not a second folding.
 */
static int prepare_proxies(struct addr_dir_entry *e, struct addr__dattr *a,
			   unsigned dflags, struct addr__sink *s, struct kbuild *kb,
			   struct addr_buf *k)
{
	unsigned pf = (dflags & ADDR_DIR_X400_STRICT) ? ADDR_PROXY_X400_STRICT : 0;
	struct pkey small[PKEYS_SMALL], *pk = small;
	size_t i, j;
	int rc = 0;

	if (a == NULL)
		return 0;
	for (i = 0; i < a->n; i++) {
		struct addr_error pe;
		size_t ai = (size_t)(a - e->a);

		rc = addr_proxy_parse(k, addr__dv(&a->v[i]), a->v[i].len, pf, &pe);
		if (rc == ADDR_ENOMEM)
			return rc;
		if (rc < 0) {
			addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
					proxy_rule(rc, addr__dv(&a->v[i]), a->v[i].len),
					"proxy \"%s\": %s", addr__dv(&a->v[i]),
					pe.message);
			continue;
		}
		if (k->size != a->v[i].len ||
		    memcmp(k->ptr, addr__dv(&a->v[i]), k->size) != 0) {
			if (addr__entry_set_value(e, ai, i, k->ptr, k->size) < 0)
				return ADDR_ENOMEM;
			a = &e->a[ai];	/* the block may have moved */
		}
	}
	if (a->n > PKEYS_SMALL &&
	    (pk = addr__malloc((size_t)a->n * sizeof(*pk))) == NULL)
		return ADDR_ENOMEM;
	addr_buf_clear(k);
	for (i = 0; i < a->n; i++) {
		const char *p = addr__dv(&a->v[i]);
		size_t n = a->v[i].len, kend;
		int dnspace = 0;

		if (memchr(p, ':', n) == NULL)
			continue;	/* invalid, reported above */
		for (j = 0; j < i; j++) {
			const char *q = addr__dv(&a->v[j]);
			size_t m = a->v[j].len;

			if (!proxy_type_eq(p, n, q, m))
				continue;
			if (proxy_primary(p, n) && proxy_primary(q, m)) {
				addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
						"proxy.primary-twice",
						"two primary proxies of one type:"
						" \"%s\" and \"%s\"", q, p);
				break;
			}
		}
		/* the key is kept even when it fails: a later proxy of the
		 * same type is compared with it, as with any other */
		pk[i].off = k->size;
		rc = addr__proxy_key(k, p, n, &dnspace);
		pk[i].len = k->size - pk[i].off;
		if (rc == ADDR_ENOMEM)
			goto out;
		if (rc < 0)
			continue;
		/* within one object: R24 equality (every j < i with the same
		 * type has a colon, so a key) */
		for (j = 0; j < i; j++)
			if (proxy_type_eq(p, n, addr__dv(&a->v[j]), a->v[j].len) &&
			    pk[j].len == pk[i].len &&
			    memcmp(k->ptr + pk[j].off, k->ptr + pk[i].off,
				   pk[i].len) == 0) {
				addr__sink_diag(s, ADDR_SEV_ERROR,
						ADDR_ECONFLICT,
						"proxy.duplicate",
						"duplicate proxy \"%s\": held"
						" twice by %s", p, e->dn);
				break;
			}
		if (dnspace) {
			const char *colon = memchr(p, ':', n);
			size_t plen = (size_t)(colon - p);

			if (!(dflags & ADDR_DIR_LENIENT))
				dn_check(s, "proxy", colon + 1,
					 n - (size_t)(colon + 1 - p));
			/* "\1" + the folded value: the key after "TYPE:",
			 * copied from k into k, so the room is made first
			 * (a growth would move what is being copied) */
			kend = k->size;
			if (addr_buf_grow(k, kend + pk[i].len - plen) < 0) {
				rc = ADDR_ENOMEM;
				goto out;
			}
			addr__buf_putc(k, '\1');
			addr_buf_put(k, k->ptr + pk[i].off + plen + 1,
				     pk[i].len - plen - 1);
			if (k->oom ||
			    keys_push(kb, k->ptr + kend, k->size - kend,
				      ADDR__K_DNPROXY, i) < 0) {
				rc = ADDR_ENOMEM;
				goto out;
			}
			addr_buf_truncate(k, kend);
		} else if (keys_push(kb, k->ptr + pk[i].off, pk[i].len,
				     ADDR__K_PROXY, i) < 0) {
			rc = ADDR_ENOMEM;
			goto out;
		}
		rc = 0;
	}
	rc = 0;
out:
	if (pk != small)
		addr__free(pk);
	return rc;
}

int addr__entry_prepare(struct addr_dir_entry *e, unsigned dflags,
			struct addr__sink *s)
{
	struct addr_buf k;
	struct kbuild kb;
	struct addr__dattr *known[KN_COUNT], *a;
	size_t i, before = s->nerrors;
	int rc = 0, user = 0, contact = 0, group = 0, pre = e->dnpre;
	uint32_t dnh = e->dnh;
	const char *mail;

	/* the DN key found already (by dir_pipe.c's reading thread) */
	rc = pre ? (e->hasdn ? 0 : ADDR_ESYNTAX) : 0;
	e->dnpre = 0;
	s->line = e->line;
	s->column = 0;
	free_keys(e);
	refs_free(e);
	/* one scratch buffer for the DN key, stored forms and keys; 256
	 * octets serve nearly every entry without a realloc */
	addr_buf_init(&k);
	addr_buf_grow(&k, 255);
	kb_init(&kb);
	if (!pre && (rc = addr__dn_key(&k, e->dn, e->dnlen)) == 0)
		dnh = addr__key_hash(k.ptr, k.size);
	if (rc == ADDR_ENOMEM)
		goto out;
	if (rc < 0) {
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "dn.syntax",
				"\"%s\" is not an RFC 4514 DN", e->dn);
		rc = 0;
	} else {
		kb_dnkey(&kb, dnh);
	}
	find_known(e, known);
	a = known[KN_OBJECTCLASS];
	for (i = 0; a != NULL && i < a->n; i++) {
		const char *v = addr__dv(&a->v[i]);
		size_t n = a->v[i].len;

		group |= ieq_lit(v, n, "group", 5);
		contact |= ieq_lit(v, n, "contact", 7);
		user |= ieq_lit(v, n, "user", 4);
	}
	e->kind = group ? ADDR_DIR_GROUP : contact ? ADDR_DIR_CONTACT :
		  user ? ADDR_DIR_MAILBOX : 0;
	if (e->kind == 0)
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "model.kind",
				"%s has no objectClass user, contact or group",
				e->dn);
	for (i = 0; single_valued[i] != NULL; i++) {
		a = known[i];	/* KN_* follow single_valued[] */
		if (a != NULL && a->n > 1)
			addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
					"model.single-valued",
					"%s has %zu values of %s", e->dn, (size_t)a->n,
					single_valued[i]);
	}
	if ((rc = prepare_proxies(e, known[KN_PROXY], dflags, s, &kb,
				  &k)) < 0)
		goto out;
	/* a proxy's stored form is a new value in the block, which may
	 * have moved with the attribute array in it */
	find_known(e, known);
	a = known[KN_LEGDN];
	if (a != NULL && a->n > 0) {
		if (!(dflags & ADDR_DIR_LENIENT))
			dn_check(s, "legacyExchangeDN", addr__dv(&a->v[0]), a->v[0].len);
		addr_buf_clear(&k);
		if (legdn_key(&k, addr__dv(&a->v[0]), a->v[0].len) < 0 ||
		    keys_push(&kb, k.ptr, k.size, ADDR__K_LEGDN, 0) < 0) {
			rc = ADDR_ENOMEM;
			goto out;
		}
		rc = 0;
	}
	a = known[KN_TARGET];
	if (e->kind == ADDR_DIR_CONTACT && (a == NULL || a->n == 0)) {
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "target.missing",
				"contact %s has no targetAddress", e->dn);
	} else if (e->kind == ADDR_DIR_CONTACT) {
		struct addr_buf st;

		addr_buf_init(&st);
		addr_buf_clear(&k);
		rc = target_key(&k, &st, addr__dv(&a->v[0]), a->v[0].len,
				(dflags & ADDR_DIR_X400_STRICT) ?
				ADDR_PROXY_X400_STRICT : 0, NULL);
		if (rc < 0 && rc != ADDR_ENOMEM) {
			addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
					"target.invalid",
					"targetAddress \"%s\" of %s is not a "
					"valid address", addr__dv(&a->v[0]), e->dn);
		} else if (rc == 1) {
			/* a target equal to one of the contact's own
			 * proxies is allowed: keys_push skips it */
			rc = keys_push(&kb, k.ptr, k.size, ADDR__K_TARGET, 0);
		}
		addr_buf_free(&st);
		if (rc == ADDR_ENOMEM)
			goto out;
		rc = 0;
	}
	/* mail is derived: a read value must agree with the proxies */
	a = known[KN_MAIL];
	mail = mail_of(known[KN_PROXY]);
	if (a != NULL && a->n > 0) {
		size_t ml = mail ? strlen(mail) : 0;

		if (mail == NULL || ml != a->v[0].len ||
		    !addr__str_ieq(addr__dv(&a->v[0]), a->v[0].len, mail)) {
			addr__sink_diag(s, (dflags & ADDR_DIR_LENIENT) ?
					ADDR_SEV_WARNING : ADDR_SEV_ERROR,
					ADDR_ESYNTAX, "model.mail-mismatch",
					"mail \"%s\" of %s is not its primary "
					"SMTP address%s%s", addr__dv(&a->v[0]), e->dn,
					mail ? " " : "", mail ? mail : "");
			/* lenient: the read value is dropped (the writer
			 * writes the derived one, if any, in its place) */
			if ((dflags & ADDR_DIR_LENIENT) && mail == NULL)
				addr__entry_remove_attr(e, (size_t)(a - e->a));
		}
	}
	if (s->fatal || keys_finish(e, &kb) < 0)
		rc = ADDR_ENOMEM;
	else
		refs_build(e);
out:
	kb_free(&kb);
	addr_buf_free(&k);
	if (rc < 0)
		return rc;
	return (int)(s->nerrors - before);
}

int addr__entry_out(const struct addr_dir_entry *e, addr__attr_fn fn,
		    void *ctx)
{
	const char *mail = addr_dir_entry_mail(e);
	int mail_read = addr__entry_attr(e, "mail") != NULL, rc;
	size_t j;

	for (j = 0; j < e->na; j++) {
		const struct addr__dattr *a = &e->a[j];

		if (addr__str_ieq(addr__attr_name(a), a->nlen, "mail")) {
			if (mail != NULL && (rc = fn(ctx, addr__attr_name(a), NULL, 1,
						 mail)) < 0)
				return rc;
			continue;
		}
		if (!mail_read && mail != NULL &&
		    addr__str_ieq(addr__attr_name(a), a->nlen, "proxyAddresses")) {
			if ((rc = fn(ctx, "mail", NULL, 1, mail)) < 0)
				return rc;
			mail_read = 1;
		}
		if (a->n > 0 &&
		    (rc = fn(ctx, addr__attr_name(a), a->v, a->n, NULL)) < 0)
			return rc;
	}
	return 0;
}

/* --------------------------------------------------------- directory */

int addr_dir_new(struct addr_dir **out, unsigned flags)
{
	struct addr_dir *d = addr__malloc(sizeof(*d));

	*out = NULL;
	if (d == NULL)
		return ADDR_ENOMEM;
	memset(d, 0, sizeof(*d));
	d->flags = flags;
	d->holders_ok_ = 1;
	d->dn.key_of = addr__hkey_dn;
	d->dn.holder_of = addr__hholder_dn;
	d->keys.key_of = addr__hkey_entry;
	d->keys.holder_of = addr__hholder_entry;
	d->rrefs_.key_of = addr__hkey_ref;
	d->rrefs_.holder_of = addr__hholder_ref;
	d->dn.id_of = d->keys.id_of = d->rrefs_.id_of = addr__hid_entry;
	d->dn.ctx = d->keys.ctx = d->rrefs_.ctx = d;
	*out = d;
	return 0;
}

void addr_dir_free(struct addr_dir *d)
{
	size_t i;

	if (d == NULL)
		return;
	addr__stream_free(d);
	for (i = 0; i < d->n; i++)
		addr_dir_entry_free(d->e[i]);
	addr__free(d->e);
	addr__free(d->holders_);
	addr__hmap_free(&d->rrefs_);
	addr__hmap_free(&d->dn);
	addr__hmap_free(&d->keys);
	addr__free(d->byid_);
	addr__free(d->freeid_);
	addr__free(d);
}

int addr_dir_set_threads(struct addr_dir *d, unsigned n)
{
	if (n > 8)
		return ADDR_EINVAL;
	d->nthreads = n;
	return 0;
}

size_t addr_dir_count(const struct addr_dir *d)
{
	return d->n;
}

const struct addr_dir_entry *addr_dir_at(const struct addr_dir *d, size_t i)
{
	return i < d->n ? d->e[i] : NULL;
}

struct addr_dir_entry *addr__dir_find_key(const struct addr_dir *d,
					  const char *key, size_t n, int *rc)
{
	struct addr__hit it = ADDR__HIT_INIT;
	const struct addr__href *h = addr__hmap_next(&d->dn, key, n, &it);

	*rc = it.rc;
	return h ? h->e : NULL;
}

struct addr_dir_entry *addr__dir_find_mut(const struct addr_dir *d,
					  const char *dn, size_t len, int *rc)
{
	struct addr_buf k;
	struct addr_dir_entry *e = NULL;

	addr_buf_init(&k);
	*rc = addr__dn_key(&k, dn, len);
	if (*rc == 0)
		e = addr__dir_find_key(d, k.ptr, k.size, rc);
	addr_buf_free(&k);
	if (*rc == ADDR_ESYNTAX)
		*rc = 0;	/* "not found" is never an error */
	return e;
}

const struct addr_dir_entry *addr_dir_find(const struct addr_dir *d,
					   const char *dn, size_t len)
{
	int rc;

	return addr__dir_find_mut(d, dn, len, &rc);
}

static void rrefs_put(struct addr_dir *d, struct addr_dir_entry *e);
static void rrefs_del(struct addr_dir *d, const struct addr_dir_entry *e);

/* holders_add, holders_del - keep d->holders_ (the entries a delete or
 * a rename may have to change) as e comes in or goes; without memory
 * the list is given up and every entry is looked at again */
static void holders_add(struct addr_dir *d, struct addr_dir_entry *e)
{
	if (e->norefs || !d->holders_ok_)
		return;
	if (d->nholders_ == d->holdcap_) {
		size_t nc = d->holdcap_ ? d->holdcap_ * 2 : 64;
		void *p;

		if (nc > ((size_t)-1) / sizeof(*d->holders_) ||
		    (p = addr__realloc(d->holders_,
				       nc * sizeof(*d->holders_))) == NULL) {
			d->holders_ok_ = 0;
			return;
		}
		d->holders_ = p;
		d->holdcap_ = nc;
	}
	d->holders_[d->nholders_++] = e;
	e->holder_ = 1;
	rrefs_put(d, e);
}

static void holders_del(struct addr_dir *d, struct addr_dir_entry *e)
{
	size_t i;

	if (!e->holder_)
		return;
	rrefs_del(d, e);
	for (i = 0; i < d->nholders_; i++)
		if (d->holders_[i] == e) {
			d->holders_[i] = d->holders_[--d->nholders_];
			e->holder_ = 0;
			return;
		}
}

/* entry_trim - give back the attribute slots a complete entry does not
 * use (a shrinking realloc; when it fails the entry keeps them) */
static void entry_trim(struct addr_dir_entry *e)
{
	void *p;

	if (e->na == 0 || e->na == e->acap || in_blk(e, e->a))
		return;
	if ((p = addr__realloc(e->a, e->na * sizeof(*e->a))) != NULL) {
		e->a = p;
		e->acap = e->na;
	}
}

/* index_of - where e, an entry of d, is in d->e: by its pos, which
 * d->e is sorted by */
static size_t index_of(const struct addr_dir *d, const struct addr_dir_entry *e)
{
	size_t lo = 0, hi = d->n;

	/* the last entry, or one near where it was put, are the usual
	 * cases; a binary search is 20 steps at a million */
	if (e->pos < d->n && d->e[e->pos] == e)
		return e->pos;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->e[mid]->pos < e->pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Entry numbers: the index slots hold an entry's id_ instead of its
 * address (8 octets a slot instead of 16), and d->byid_ turns it back.
 * A removed entry's number is given to the next entry inserted.
 */
static int id_take(struct addr_dir *d, struct addr_dir_entry *e)
{
	uint32_t id;

	if (d->nfree_ > 0) {
		id = d->freeid_[--d->nfree_];
	} else {
		if (d->nid_ == 0)
			d->nid_ = 1;	/* 0 is no entry */
		if (d->nid_ >= d->idcap_) {
			size_t nc = d->idcap_ ? d->idcap_ * 2 : 64;
			void *p;

			if (nc > UINT32_MAX ||
			    (p = addr__realloc(d->byid_,
					       nc * sizeof(*d->byid_))) == NULL)
				return ADDR_ENOMEM;
			d->byid_ = p;
			d->idcap_ = nc;
		}
		id = (uint32_t)d->nid_++;
	}
	d->byid_[id] = e;
	e->id_ = id;
	return 0;
}

/* id_give - e's number back (kept unused when the list cannot grow) */
static void id_give(struct addr_dir *d, struct addr_dir_entry *e)
{
	if (e->id_ == 0)
		return;
	d->byid_[e->id_] = NULL;
	if (d->nfree_ == d->freecap_) {
		size_t nc = d->freecap_ ? d->freecap_ * 2 : 16;
		void *p = nc > ((size_t)-1) / sizeof(*d->freeid_) ? NULL :
			  addr__realloc(d->freeid_, nc * sizeof(*d->freeid_));

		if (p == NULL) {
			e->id_ = 0;
			return;
		}
		d->freeid_ = p;
		d->freecap_ = nc;
	}
	d->freeid_[d->nfree_++] = e->id_;
	e->id_ = 0;
}

int addr__dir_insert(struct addr_dir *d, struct addr_dir_entry *e)
{
	if (d->stamp == UINT32_MAX)	/* e->pos */
		return ADDR_ENOMEM;
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 64;
		void *p;

		if (nc > ((size_t)-1) / sizeof(*d->e))
			return ADDR_ENOMEM;
		p = addr__realloc(d->e, nc * sizeof(*d->e));
		if (p == NULL)
			return ADDR_ENOMEM;
		d->e = p;
		d->cap = nc;
	}
	if (id_take(d, e) < 0)
		return ADDR_ENOMEM;
	if (addr__dir_index_entry(d, e) < 0) {
		id_give(d, e);
		return ADDR_ENOMEM;
	}
	entry_trim(e);
	blk_trim(e);
	e->pos = d->stamp++;
	d->e[d->n++] = e;
	holders_add(d, e);
	/* every reader adds through here: one hook serves them all */
	if (d->progress != NULL && (d->n & 1023) == 0)
		d->progress(d->progress_ctx, d->n);
	return 0;
}

void addr_dir_set_progress(struct addr_dir *d,
			   void (*fn)(void *ctx, size_t n), void *ctx)
{
	d->progress = fn;
	d->progress_ctx = ctx;
}

/* admit - the model rules and the uniqueness of e (replacing self) */
static int admit(struct addr_dir *d, struct addr_dir_entry *e,
		 const struct addr_dir_entry *self, struct addr_error *err)
{
	struct addr__sink s;
	int rc;

	addr__sink_init(&s, NULL, err, NULL);
	rc = addr__entry_prepare(e, d->flags, &s);
	if (rc < 0)
		return addr__error_set(err, rc, 0, "out of memory");
	if (rc > 0)
		return err ? err->code : ADDR_ESYNTAX;
	{
		struct addr_dir_entry *o = addr__dir_find_dn_of(d, e, &rc);

		if (rc < 0)
			return addr__error_set(err, rc, 0, "out of memory");
		if (o != NULL && o != self)
			return addr__error_set(err, ADDR_ECONFLICT, 0,
					       "dn.duplicate: %s and %s name "
					       "the same object", o->dn, e->dn);
	}
	if (addr__dir_conflicts(d, e, self, &s) > 0)
		return s.fatal ? addr__error_set(err, ADDR_ENOMEM, 0,
						 "out of memory") :
		       err ? err->code : ADDR_ECONFLICT;
	return 0;
}

int addr_dir_add(struct addr_dir *d, struct addr_dir_entry *e,
		 struct addr_error *err)
{
	int rc = admit(d, e, NULL, err);

	if (rc < 0)
		return rc;
	if (addr__dir_insert(d, e) < 0)
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	return 0;
}

int addr__dir_swap(struct addr_dir *d, struct addr_dir_entry *old,
		   struct addr_dir_entry *nw)
{
	addr__dir_unindex_entry(d, old);
	/* nw takes old's number */
	nw->id_ = old->id_;
	d->byid_[nw->id_] = nw;
	if (addr__dir_index_entry(d, nw) < 0) {
		/* nw's keys may be half in: take them out, put old's back
		 * where its tombstones are */
		addr__dir_unindex_entry(d, nw);
		d->byid_[old->id_] = old;
		nw->id_ = 0;
		if (addr__dir_index_entry(d, old) < 0)
			return ADDR_ENOMEM;
		return ADDR_ENOMEM;
	}
	entry_trim(nw);
	blk_trim(nw);
	nw->pos = old->pos;
	d->e[index_of(d, old)] = nw;
	d->edits++;
	holders_del(d, old);
	holders_add(d, nw);
	addr_dir_entry_free(old);
	return 0;
}

/* replace - swap the checked copy nw in for old (same position) */
int addr__dir_replace(struct addr_dir *d, struct addr_dir_entry *old,
		   struct addr_dir_entry *nw, struct addr_error *err)
{
	int rc = admit(d, nw, old, err);

	if (rc < 0)
		return rc;
	if (addr__dir_swap(d, old, nw) < 0)
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	return 1;
}

/* names_key - does reference value j of attribute r of e name the DN
 * key key[0..klen), whose addr__dir_hash is kh? (the hashes, kept with
 * a group's member keys, spare comparing the keys of the others) */
static int names_key(const struct addr_dir_entry *e, size_t r,
		     const struct addr__dattr *a, size_t j, struct addr_buf *k,
		     const char *key, size_t klen, uint64_t kh)
{
	const char *vk;
	size_t vn;
	uint64_t h;

	if (addr__entry_ref_key(e, r, a, j, k, &vk, &vn, &h) != 0 || h != kh)
		return 0;
	if (vk == NULL) {	/* the hash was kept, not the key */
		if (addr__dn_key(k, addr__dv(&a->v[j]), a->v[j].len) != 0)
			return 0;
		vk = k->ptr;
		vn = k->size;
	}
	return vn == klen && memcmp(vk, key, klen) == 0;
}

/* ------------------------------------------- reverse reference index */

static uint32_t fold32(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

int addr__hkey_ref(const struct addr__hmap *m, const struct addr__href *r,
		   struct addr_buf *scratch, const char **key, size_t *klen)
{
	const struct addr__refs *R = r->e->refs_;
	int rc;

	(void)m;
	if (R == NULL || r->ki >= R->first[NREF] || R->k[r->ki].rc != 0)
		return ADDR_ESYNTAX;
	/* made again from the value it was made from (the index is kept
	 * up with the entry: the value is still there) */
	rc = addr__dn_key(scratch, R->k[r->ki].src, R->k[r->ki].srclen);
	*key = scratch->ptr;
	*klen = scratch->size;
	return rc;
}

int addr__hholder_ref(const struct addr__hmap *m, uint32_t id, uint32_t h,
		      size_t n, struct addr__href *r)
{
	const struct addr_dir *d = m->ctx;
	struct addr_dir_entry *e = id < d->nid_ ? d->byid_[id] : NULL;
	const struct addr__refs *R = e != NULL ? e->refs_ : NULL;
	size_t i;

	/* the keys put are those made (rrefs_put) */
	for (i = 0; R != NULL && i < R->first[NREF]; i++)
		if (R->k[i].rc == 0 && fold32(R->k[i].h) == h && n-- == 0) {
			r->e = e;
			r->ki = (uint32_t)i;
			return 1;
		}
	return 0;
}

/* rrefs_off - give the index up (memory, or a holder whose keys are not
 * kept): deletes and renames look at every holder again */
static void rrefs_off(struct addr_dir *d)
{
	addr__hmap_free(&d->rrefs_);
	d->rrefs_on_ = -1;
}

/* rrefs_put, rrefs_del - e's kept reference keys in or out of the index
 * (the keys it holds now: taken out before they change, put back once
 * they are made again) */
static void rrefs_put(struct addr_dir *d, struct addr_dir_entry *e)
{
	const struct addr__refs *R = e->refs_;
	struct addr__dattr *a[NREF];
	size_t i, r;

	if (d->rrefs_on_ != 1 || e->norefs)
		return;
	if (R == NULL) {
		/* no values (all dropped), or keys that could not be kept */
		ref_attrs(e, a);
		for (r = 0; r < NREF; r++)
			if (a[r] != NULL && a[r]->n > 0) {
				rrefs_off(d);
				return;
			}
		return;
	}
	for (i = 0; i < R->first[NREF]; i++)
		if (R->k[i].rc == 0 &&
		    addr__hmap_put(&d->rrefs_, e, i, fold32(R->k[i].h)) < 0) {
			rrefs_off(d);
			return;
		}
}

static void rrefs_del(struct addr_dir *d, const struct addr_dir_entry *e)
{
	const struct addr__refs *R = e->refs_;
	size_t i;

	if (d->rrefs_on_ != 1 || R == NULL)
		return;
	for (i = 0; i < R->first[NREF]; i++)
		if (R->k[i].rc == 0)
			addr__hmap_del(&d->rrefs_, e, i, fold32(R->k[i].h));
}

/* rrefs_start - the index, made from the holders at the first delete or
 * rename; 1 when it can be used */
static int rrefs_start(struct addr_dir *d)
{
	size_t i;

	if (d->rrefs_on_ == 0 && d->holders_ok_) {
		d->rrefs_.nodups = 1;
		d->rrefs_on_ = 1;
		for (i = 0; i < d->nholders_ && d->rrefs_on_ == 1; i++)
			rrefs_put(d, d->holders_[i]);
	}
	return d->rrefs_on_ == 1 && d->holders_ok_;
}

/* namers - the entries whose reference values may name the DN key
 * key[0..klen) (hash kh): from the index, else every holder, else
 * every entry; *n of them in a new array (*out NULL with *n 0 when
 * none), or ADDR_ENOMEM */
static int namers(struct addr_dir *d, const char *key, size_t klen,
		  uint64_t kh, struct addr_dir_entry ***out, size_t *n)
{
	struct addr_dir_entry **v = NULL;
	size_t cap = 0, i;

	*out = NULL;
	*n = 0;
	if (rrefs_start(d)) {
		struct addr__hit it = ADDR__HIT_INIT;
		const struct addr__href *s;

		while ((s = addr__hmap_next_h(&d->rrefs_, key, klen, kh,
					      &it)) != NULL) {
			/* an entry may name it twice (member, authOrig) */
			for (i = 0; i < *n && v[i] != s->e; i++)
				;
			if (i < *n)
				continue;
			if (*n == cap) {
				size_t nc = cap ? cap * 2 : 8;
				void *p = nc > ((size_t)-1) / sizeof(*v) ? NULL :
					  addr__realloc(v, nc * sizeof(*v));

				if (p == NULL) {
					addr__free(v);
					return ADDR_ENOMEM;
				}
				v = p;
				cap = nc;
			}
			v[(*n)++] = s->e;
		}
		if (it.rc == 0) {
			*out = v;
			return 0;
		}
		addr__free(v);	/* a key not made: look at them all */
		*n = 0;
	}
	cap = d->holders_ok_ ? d->nholders_ : d->n;
	if (cap == 0)
		return 0;
	if (cap > ((size_t)-1) / sizeof(*v) ||
	    (v = addr__malloc(cap * sizeof(*v))) == NULL)
		return ADDR_ENOMEM;
	for (i = 0; i < cap; i++) {
		struct addr_dir_entry *e = d->holders_ok_ ? d->holders_[i] :
					   d->e[i];

		if (!e->norefs)
			v[(*n)++] = e;
	}
	*out = v;
	return 0;
}

/* drop_in - remove e's reference values that name key */
static void drop_in(struct addr_dir *d, struct addr_dir_entry *e,
		    const char *key, size_t klen, uint64_t kh,
		    struct addr_buf *k)
{
	size_t r, j;
	int dropped = 0;

	for (r = 0; addr__dir_ref_attrs[r] != NULL; r++) {
		struct addr__dattr *a = addr__entry_attr(e,
							 addr__dir_ref_attrs[r]);

		for (j = 0; a != NULL && j < a->n;) {
			if (names_key(e, r, a, j, k, key, klen, kh)) {
				/* the kept keys no longer match the values:
				 * out of the index, and dropped */
				if (!dropped)
					rrefs_del(d, e);
				refs_free(e);
				dropped = 1;
				addr__entry_drop_value(a, j);
				continue;
			}
			j++;
		}
	}
	if (dropped) {
		refs_build(e);
		rrefs_put(d, e);
	}
}

/* refs_drop - remove every reference value that names key: the entries
 * that may (a delete in a large directory was a look at every entry,
 * quadratic in a bulk delete) */
static void refs_drop(struct addr_dir *d, const char *key, size_t klen)
{
	uint64_t kh = addr__dir_hash(key, klen);
	struct addr_dir_entry **v;
	struct addr_buf k;
	size_t n, i;

	addr_buf_init(&k);
	if (namers(d, key, klen, kh, &v, &n) == 0) {
		for (i = 0; i < n; i++)
			drop_in(d, v[i], key, klen, kh, &k);
		addr__free(v);
	} else {
		/* no memory for the list: every entry, in place (a drop
		 * never moves an entry in d->e) */
		for (i = 0; i < d->n; i++)
			if (!d->e[i]->norefs)
				drop_in(d, d->e[i], key, klen, kh, &k);
	}
	addr_buf_free(&k);
}

void addr__dir_remove(struct addr_dir *d, struct addr_dir_entry *e)
{
	struct addr_buf k;
	size_t i;

	d->edits++;
	addr__dir_unindex_entry(d, e);
	holders_del(d, e);
	addr_buf_init(&k);
	if (addr__entry_dnkey(e, &k) == 0)
		refs_drop(d, k.ptr, k.size);
	addr_buf_free(&k);
	id_give(d, e);
	i = index_of(d, e);
	memmove(&d->e[i], &d->e[i + 1], (d->n - i - 1) * sizeof(d->e[0]));
	d->n--;
	addr_dir_entry_free(e);
}

int addr_dir_delete(struct addr_dir *d, const char *dn, size_t dnlen,
		    struct addr_error *err)
{
	int rc;
	struct addr_dir_entry *e = addr__dir_find_mut(d, dn, dnlen, &rc);

	if (rc < 0)
		return addr__error_set(err, rc, 0, "out of memory");
	if (e == NULL)
		return 0;
	addr__dir_remove(d, e);
	return 1;
}

/* rename_in - e's reference values that name key made dn; 0 or
 * ADDR_ENOMEM (those renamed so far stay renamed) */
static int rename_in(struct addr_dir *d, struct addr_dir_entry *e,
		     const char *key, size_t klen, uint64_t kh,
		     const char *dn, size_t dnlen, struct addr_buf *k)
{
	size_t r, j;
	int renamed = 0, rc = 0;

	for (r = 0; addr__dir_ref_attrs[r] != NULL && rc == 0; r++) {
		struct addr__dattr *a = addr__entry_attr(e,
							 addr__dir_ref_attrs[r]);

		for (j = 0; a != NULL && j < a->n; j++) {
			size_t ai = (size_t)(a - e->a);

			if (!names_key(e, r, a, j, k, key, klen, kh))
				continue;
			if (addr__entry_set_value(e, ai, j, dn, dnlen) < 0) {
				rc = ADDR_ENOMEM;
				break;
			}
			a = &e->a[ai];	/* the block may have moved */
			renamed = 1;
		}
	}
	if (renamed) {
		/* the keys kept are still the old ones: out of the index
		 * with them, in again with the new */
		rrefs_del(d, e);
		refs_build(e);
		rrefs_put(d, e);
	}
	return rc;
}

int addr__dir_rename_refs(struct addr_dir *d, const char *key, size_t klen,
			  const char *dn, size_t dnlen)
{
	uint64_t kh = addr__dir_hash(key, klen);
	struct addr_dir_entry **v;
	struct addr_buf k;
	size_t n, i;
	int rc = 0;

	d->edits++;	/* reference values are changed in place */
	addr_buf_init(&k);
	if (namers(d, key, klen, kh, &v, &n) == 0) {
		for (i = 0; i < n && rc == 0; i++)
			rc = rename_in(d, v[i], key, klen, kh, dn, dnlen, &k);
		addr__free(v);
	} else {
		for (i = 0; i < d->n && rc == 0; i++)
			if (!d->e[i]->norefs)
				rc = rename_in(d, d->e[i], key, klen, kh, dn,
					       dnlen, &k);
	}
	addr_buf_free(&k);
	return rc;
}

/* copy_of - a working copy of the entry dn, or 0/negative */
static int copy_of(struct addr_dir *d, const char *dn, size_t dnlen,
		   struct addr_dir_entry **old, struct addr_dir_entry **nw,
		   struct addr_error *err)
{
	int rc;

	*nw = NULL;
	*old = addr__dir_find_mut(d, dn, dnlen, &rc);
	if (rc < 0)
		return addr__error_set(err, rc, 0, "out of memory");
	if (*old == NULL)
		return 0;
	if (addr_dir_entry_copy(nw, *old) < 0)
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	return 1;
}

/* finish - replace old by nw, or free nw */
static int finish(struct addr_dir *d, struct addr_dir_entry *old,
		  struct addr_dir_entry *nw, int rc, struct addr_error *err)
{
	if (rc > 0)
		rc = addr__dir_replace(d, old, nw, err);
	if (rc <= 0)
		addr_dir_entry_free(nw);
	return rc;
}

int addr_dir_set(struct addr_dir *d, const char *dn, size_t dnlen,
		 const char *attr, const char *const *values,
		 const size_t *lens, size_t n, struct addr_error *err)
{
	struct addr_dir_entry *old, *nw;
	struct addr__dattr *a;
	int rc = copy_of(d, dn, dnlen, &old, &nw, err);
	size_t i;

	if (rc <= 0)
		return rc;
	a = addr__entry_attr(nw, attr);
	if (a != NULL)
		a->n = 0;	/* the values stay in the block */
	for (i = 0; i < n && rc > 0; i++)
		if (addr_dir_entry_add_value(nw, attr, values[i], lens[i]) < 0)
			rc = addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	if (rc > 0 && n == 0 && (a = addr__entry_attr(nw, attr)) != NULL)
		addr__entry_remove_attr(nw, (size_t)(a - nw->a));
	if (rc > 0 && old->kind != 0) {
		struct addr__sink s;
		int k;

		addr__sink_init(&s, NULL, err, NULL);
		k = addr__entry_prepare(nw, d->flags, &s);
		if (k < 0)
			rc = addr__error_set(err, k, 0, "out of memory");
		else if (k == 0 && nw->kind != old->kind)
			rc = addr__error_set(err, ADDR_ESYNTAX, 0,
					     "model.kind-change: %s would "
					     "change its kind", nw->dn);
		else if (k == 0 && addr_dir_entry_mail(old) != NULL &&
			 addr_dir_entry_mail(nw) == NULL)
			rc = addr__error_set(err, ADDR_ESYNTAX, 0,
					     "proxy.primary-removed: %s would "
					     "lose its primary SMTP address",
					     nw->dn);
	}
	return finish(d, old, nw, rc, err);
}

/* find_proxy - index of the proxy of a equal to stored p (R24), or -1 */
static long find_proxy(const struct addr__dattr *a, const char *p, size_t n)
{
	struct addr_buf k1, k2;
	long found = -1;
	size_t i;

	addr_buf_init(&k1);
	addr_buf_init(&k2);
	if (addr__proxy_key(&k1, p, n, NULL) == 0)
		for (i = 0; a != NULL && i < a->n && found < 0; i++) {
			addr_buf_clear(&k2);
			if (addr__proxy_key(&k2, addr__dv(&a->v[i]), a->v[i].len,
					    NULL) == 0 &&
			    k1.size == k2.size &&
			    memcmp(k1.ptr, k2.ptr, k1.size) == 0)
				found = (long)i;
		}
	addr_buf_free(&k1);
	addr_buf_free(&k2);
	return found;
}

/* parse_for_edit - stored form of an edited proxy */
static int parse_for_edit(const struct addr_dir *d, struct addr_buf *st,
			  const char *proxy, size_t len,
			  struct addr_error *err)
{
	int rc = addr_proxy_parse(st, proxy, len,
				  (d->flags & ADDR_DIR_X400_STRICT) ?
				  ADDR_PROXY_X400_STRICT : 0, err);

	if (rc < 0 && err != NULL) {
		char m[sizeof(err->message)];

		memcpy(m, err->message, sizeof(m));
		snprintf(err->message, sizeof(err->message), "proxy.invalid: %.180s", m);
	}
	return rc;
}

/* proxy_edit - what every proxyAddresses edit holds while it works */
struct proxy_edit {
	struct addr_buf st;		/* stored form of the edited proxy */
	struct addr_dir_entry *old;	/* the entry in the directory */
	struct addr_dir_entry *nw;	/* private copy being edited */
	struct addr__dattr *a;		/* nw's proxyAddresses, may be NULL */
	int primary;			/* the edit said SMTP:, not smtp: */
};

/* edit_begin - parse the proxy and copy the entry: 1 to go on, 0 when
 * there is no such entry, negative on error; always pair with edit_end */
static int edit_begin(struct addr_dir *d, struct proxy_edit *e,
		      const char *dn, size_t dnlen, const char *proxy,
		      size_t len, struct addr_error *err)
{
	int rc;

	addr_buf_init(&e->st);
	e->old = e->nw = NULL;
	e->a = NULL;
	if ((rc = parse_for_edit(d, &e->st, proxy, len, err)) < 0)
		return rc;
	e->primary = rc;
	if ((rc = copy_of(d, dn, dnlen, &e->old, &e->nw, err)) <= 0)
		return rc;
	e->a = addr__entry_attr(e->nw, "proxyAddresses");
	return 1;
}

/* edit_end - commit the copy when rc > 0, drop it otherwise */
static int edit_end(struct addr_dir *d, struct proxy_edit *e, int rc,
		    struct addr_error *err)
{
	addr_buf_free(&e->st);
	return finish(d, e->old, e->nw, rc, err);
}

int addr_dir_proxy_add(struct addr_dir *d, const char *dn, size_t dnlen,
		       const char *proxy, size_t len, struct addr_error *err)
{
	struct proxy_edit e;
	struct addr__dattr *a;
	int rc, have = 0;
	size_t i;

	if ((rc = edit_begin(d, &e, dn, dnlen, proxy, len, err)) <= 0)
		return edit_end(d, &e, rc, err);
	a = e.a;
	if (find_proxy(a, e.st.ptr, e.st.size) >= 0) {
		rc = addr__error_set(err, ADDR_ECONFLICT, 0,
				     "proxy.duplicate: %s already holds \"%s\" "
				     "(value already present)", e.nw->dn,
				     e.st.ptr);
		return edit_end(d, &e, rc, err);
	}
	for (i = 0; a != NULL && i < a->n; i++)
		if (proxy_type_eq(addr__dv(&a->v[i]), a->v[i].len, e.st.ptr,
				  e.st.size))
			have = 1;
	if (!have)
		set_prefix_case(e.st.ptr, e.st.size, 1);	/* R25 */
	else if (e.primary)
		for (i = 0; i < a->n; i++)
			if (proxy_type_eq(addr__dv(&a->v[i]), a->v[i].len, e.st.ptr,
					  e.st.size))
				set_prefix_case(addr__dv(&a->v[i]), a->v[i].len, 0);
	if (addr_dir_entry_add_value(e.nw, "proxyAddresses", e.st.ptr,
				     e.st.size) < 0)
		rc = addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	return edit_end(d, &e, rc, err);
}

int addr_dir_proxy_remove(struct addr_dir *d, const char *dn, size_t dnlen,
			  const char *proxy, size_t len,
			  struct addr_error *err)
{
	struct proxy_edit e;
	struct addr__dattr *a;
	long at;
	int rc;
	size_t i;

	if ((rc = edit_begin(d, &e, dn, dnlen, proxy, len, err)) <= 0)
		return edit_end(d, &e, rc, err);
	a = e.a;
	if ((at = find_proxy(a, e.st.ptr, e.st.size)) < 0)
		return edit_end(d, &e, 0, err);
	if (proxy_primary(addr__dv(&a->v[at]), a->v[at].len)) {
		if (addr__str_ieq(addr__dv(&a->v[at]), 5, "smtp:")) {
			rc = addr__error_set(err, ADDR_EINVAL, 0,
					     "proxy.primary-removed: the "
					     "primary SMTP address \"%s\" of "
					     "%s cannot be removed",
					     addr__dv(&a->v[at]), e.nw->dn);
			return edit_end(d, &e, rc, err);
		}
		for (i = 0; i < a->n; i++)	/* R26: promote the next */
			if ((long)i != at &&
			    proxy_type_eq(addr__dv(&a->v[i]), a->v[i].len, e.st.ptr,
					  e.st.size)) {
				set_prefix_case(addr__dv(&a->v[i]), a->v[i].len, 1);
				break;
			}
	}
	addr__entry_drop_value(a, (size_t)at);
	if (a->n == 0)
		addr__entry_remove_attr(e.nw, (size_t)(a - e.nw->a));
	return edit_end(d, &e, rc, err);
}

int addr_dir_proxy_make_primary(struct addr_dir *d, const char *dn,
				size_t dnlen, const char *proxy, size_t len,
				struct addr_error *err)
{
	struct proxy_edit e;
	struct addr__dattr *a;
	long at;
	int rc;
	size_t i;

	if ((rc = edit_begin(d, &e, dn, dnlen, proxy, len, err)) <= 0)
		return edit_end(d, &e, rc, err);
	a = e.a;
	if ((at = find_proxy(a, e.st.ptr, e.st.size)) < 0)
		return edit_end(d, &e, 0, err);
	for (i = 0; i < a->n; i++)
		if (proxy_type_eq(addr__dv(&a->v[i]), a->v[i].len, e.st.ptr,
				  e.st.size))
			set_prefix_case(addr__dv(&a->v[i]), a->v[i].len,
					(long)i == at);
	return edit_end(d, &e, rc, err);
}

int addr_dir_check(const struct addr_dir *d, struct addr_dir_report *rep)
{
	return addr__dir_check(d, rep, NULL, NULL);
}

int addr__dir_check(const struct addr_dir *d, struct addr_dir_report *rep,
		    const char *file, const char *chfile)
{
	struct addr__sink s;
	struct addr_buf k;
	size_t i, r, j;

	addr__sink_init(&s, rep, NULL, file);
	s.chfile = chfile;
	addr__dir_conflicts(d, NULL, NULL, &s);
	addr_buf_init(&k);
	for (i = 0; i < d->n; i++) {
		const struct addr_dir_entry *e = d->e[i];
		struct addr__dattr *ra[NREF];

		/* a loop of cache misses otherwise: the entries ahead (a
		 * mailbox's is all there is to read) */
		if (i + 8 < d->n)
			__builtin_prefetch(d->e[i + 8]);
		if (e->norefs)
			continue;
		addr__sink_at(&s, e);
		ref_attrs(e, ra);
		for (r = 0; r < NREF; r++) {
			const struct addr__dattr *a = ra[r];

			for (j = 0; a != NULL && j < a->n; j++) {
				int rc;

				/* a group's members are random lookups:
				 * their slots and entries fetched ahead */
				ref_prefetch(d, e, r, a, j + 16, 0);
				ref_prefetch(d, e, r, a, j + 8, 1);

				if (addr__dir_ref(d, e, r, a, j, &k, &rc))
					continue;
				if (rc == ADDR_ENOMEM) {
					addr_buf_free(&k);
					return ADDR_ENOMEM;
				}
				addr__sink_diag(&s, (d->flags & ADDR_DIR_LENIENT) ?
						ADDR_SEV_WARNING : ADDR_SEV_ERROR,
						ADDR_ESYNTAX,
						r == 0 ? "member.unresolved" :
						"restriction.unresolved",
						"%s of %s: \"%s\" names no object",
						addr__dir_ref_attrs[r], e->dn, addr__dv(&a->v[j]));
			}
		}
	}
	addr_buf_free(&k);
	return s.fatal ? ADDR_ENOMEM : (int)s.nerrors;
}
