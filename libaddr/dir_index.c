/*
 * dir_index.c - hash indexes and the uniqueness rules of the directory
 *
 * EXPORTS
 *	addr__dir_hash()		64-bit hash of a key
 *	addr__hmap_put(), _del(), _next(), _next_h(), _free()	a multimap
 *				from key octets to (entry, key index), open
 *				addressing
 *	addr__dir_fold()		the folding of spec-imcea-proxy.md §4.2
 *	addr__dir_index_entry(), addr__dir_unindex_entry()
 *	addr__dir_conflicts()	every clash of keys between two entries
 *	addr__dir_held()	who else holds a key
 *
 * The key index allows several holders of one key: a lenient load or a
 * whole-directory check must see every conflict, not only the first.
 * Edits through the API never leave two holders (they check first).
 */
#include <string.h>
#include "dir_int.h"

/*
 * addr__dir_hash - eight octets per multiply (keys are 20 to 60 octets;
 * FNV-1a took one multiply per octet), then a final mix so that every
 * bit of the result depends on every octet. The values are never
 * stored: only this process compares them.
 */
uint64_t addr__dir_hash(const char *s, size_t n)
{
	const uint64_t k = 0x9E3779B97F4A7C15ull;
	uint64_t h = 0x243F6A8885A308D3ull ^ ((uint64_t)n * k), w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	h ^= h >> 32;
	h *= 0xD6E8FEB86659FD93ull;
	h ^= h >> 32;
	return h;
}

uint32_t addr__key_hash(const char *s, size_t n)
{
	uint64_t h = addr__dir_hash(s, n);

	return (uint32_t)(h ^ (h >> 32));
}

/*
 * The tables: linear probing over a slot array of any size (the start
 * slot is the 32-bit hash scaled to the size, so the size need not be
 * a power of two). A table holds at most 3/4 live or dead slots and
 * is rebuilt at half, so it grows by half each time (64, 96, 144, ...):
 * from half to three quarters full, never below three eighths as with
 * doubling. Slots are 8 octets (holder number, hash bits): the holder
 * and its key index are found from them (holder_of), the key octets
 * made again from the entry when the hash bits match. The holders of
 * one key lie on its probe chain in the order they were put: a put
 * never reuses a dead slot, and a rebuild walks the old slots from an
 * empty one, so no chain is cut in two.
 */
static int slot_empty(const struct addr__hslot *s)
{
	return s->id == 0 && s->h != ADDR__HS_DEAD;
}

/* home - the first slot of hash h in a table of cap slots */
static size_t home(uint32_t h, size_t cap)
{
	return (size_t)(((uint64_t)h * cap) >> 32);
}

int addr__hkey_dn(const struct addr__hmap *m, const struct addr__href *r,
		  struct addr_buf *scratch, const char **key, size_t *klen)
{
	int rc = addr__entry_dnkey(r->e, scratch);

	*key = scratch->ptr;
	*klen = scratch->size;
	return rc;
}

int addr__hkey_entry(const struct addr__hmap *m, const struct addr__href *r,
		     struct addr_buf *scratch, const char **key, size_t *klen)
{
	int rc = addr__entry_key(r->e, r->ki, scratch);

	*key = scratch->ptr;
	*klen = scratch->size;
	return rc;
}

/* by_id - the entry numbered id in the directory that owns m */
static struct addr_dir_entry *by_id(const struct addr__hmap *m, uint32_t id)
{
	const struct addr_dir *d = m->ctx;

	return id < d->nid_ ? d->byid_[id] : NULL;
}

int addr__hholder_dn(const struct addr__hmap *m, uint32_t id, uint32_t h,
		     size_t n, struct addr__href *r)
{
	(void)h;
	r->e = by_id(m, id);
	r->ki = 0;
	return r->e != NULL && n == 0;	/* one DN slot per entry */
}

int addr__hholder_entry(const struct addr__hmap *m, uint32_t id, uint32_t h,
			size_t n, struct addr__href *r)
{
	struct addr_dir_entry *e = by_id(m, id);
	size_t i;

	if (e == NULL)
		return 0;
	for (i = 0; i < e->nkeys; i++)
		if (e->keys[i].h == h && n-- == 0) {
			r->e = e;
			r->ki = (uint32_t)i;
			return 1;
		}
	return 0;
}

uint32_t addr__hid_entry(const struct addr__hmap *m,
			 const struct addr_dir_entry *e, size_t ki)
{
	(void)m;
	(void)ki;
	return e->id_;
}

/* holder_at - the holder slot j names, which holds id and hash h: the
 * n-th of its keys of that hash for the n-th such slot on the chain */
static int holder_at(const struct addr__hmap *m, size_t j,
		     struct addr__href *r)
{
	const struct addr__hslot *s = &m->s[j];
	size_t i = home(s->h, m->cap), n = 0;

	for (; i != j; i = i + 1 == m->cap ? 0 : i + 1)
		if (m->s[i].id == s->id && m->s[i].h == s->h)
			n++;
	return m->holder_of(m, s->id, s->h, n, r);
}

/* slot_is - is the key of holder r key[0..klen)? 1 or 0, or
 * ADDR_ENOMEM when it could not be made (b is scratch, which the caller
 * frees) */
static int slot_is(const struct addr__hmap *m, const struct addr__href *r,
		   const char *key, size_t klen, struct addr_buf *b)
{
	const char *k;
	size_t n;
	int rc = m->key_of(m, r, b, &k, &n);

	if (rc == ADDR_ENOMEM)
		return rc;
	return rc == 0 && n == klen && memcmp(k, key, klen) == 0;
}

static int hmap_grow(struct addr__hmap *m)
{
	struct addr__hslot *old = m->s;
	size_t oc = m->cap, nc, i, start, n;

	/* half full after the rebuild; dead slots are dropped */
	nc = (m->live + 1) * 2;
	if (nc < 64)
		nc = 64;
	if (nc > UINT32_MAX || nc > ((size_t)-1) / sizeof(*old))
		return ADDR_ENOMEM;
	m->s = addr__malloc(nc * sizeof(*old));
	if (m->s == NULL) {
		m->s = old;
		return ADDR_ENOMEM;
	}
	memset(m->s, 0, nc * sizeof(*old));
	m->cap = nc;
	m->used = m->live = 0;
	/* from an empty slot, once around: chains keep their order */
	for (start = 0; start < oc && !slot_empty(&old[start]); start++)
		;
	for (n = 0, i = start; n < oc; n++, i = i + 1 == oc ? 0 : i + 1) {
		struct addr__hslot *o = &old[i];
		size_t j;

		if (o->id == 0)
			continue;
		for (j = home(o->h, nc); !slot_empty(&m->s[j]);
		     j = j + 1 == nc ? 0 : j + 1)
			;
		m->s[j] = *o;
		m->used++;
		m->live++;
	}
	addr__free(old);
	return 0;
}

int addr__hmap_put(struct addr__hmap *m, struct addr_dir_entry *e,
		   size_t ki, uint32_t h)
{
	struct addr_buf mine, theirs;
	const char *k = NULL;
	size_t j, klen = 0;
	int made = 0, mrc = 0;	/* mine made yet; key_of's result */
	uint32_t id = m->id_of(m, e, ki);

	if (ki >= UINT32_MAX || id == 0)
		return ADDR_ENOMEM;
	if ((m->used + 1) * 4 > m->cap * 3 && hmap_grow(m) < 0)
		return ADDR_ENOMEM;
	/* on the way to a free slot, note a live holder of the same key:
	 * while there has been none, no key has two holders. The keys are
	 * made only when the hash bits match. */
	addr_buf_init(&mine);
	addr_buf_init(&theirs);
	for (j = home(h, m->cap); !slot_empty(&m->s[j]);
	     j = j + 1 == m->cap ? 0 : j + 1) {
		const struct addr__hslot *o = &m->s[j];
		struct addr__href me = { e, (uint32_t)ki }, them;

		if (o->h != h || o->id == 0 || m->nodups)
			continue;
		if (!made) {
			made = 1;
			mrc = m->key_of(m, &me, &mine, &k, &klen);
		}
		/* a key that could not be made may be the same: counted,
		 * so that the whole-directory check looks */
		if (mrc == ADDR_ENOMEM ||
		    (mrc == 0 && holder_at(m, j, &them) &&
		     slot_is(m, &them, k, klen, &theirs) != 0))
			m->dups_++;
	}
	addr_buf_free(&mine);
	addr_buf_free(&theirs);
	m->s[j].h = h;
	m->s[j].id = id;
	m->used++;
	m->live++;
	return 0;
}

static const struct addr__href *next32(const struct addr__hmap *m,
				       const char *key, size_t klen,
				       uint32_t h, struct addr__hit *it);

const struct addr__href *addr__hmap_next(const struct addr__hmap *m,
				    const char *key, size_t klen,
				    struct addr__hit *it)
{
	if (m->cap == 0)
		return NULL;
	return addr__hmap_next_h(m, key, klen, addr__dir_hash(key, klen), it);
}

const struct addr__href *addr__hmap_next_h(const struct addr__hmap *m,
					   const char *key, size_t klen,
					   uint64_t h64, struct addr__hit *it)
{
	return next32(m, key, klen, (uint32_t)(h64 ^ (h64 >> 32)), it);
}

static const struct addr__href *next32(const struct addr__hmap *m,
				       const char *key, size_t klen,
				       uint32_t h, struct addr__hit *it)
{
	struct addr_buf b, mk;	/* scratch; the key when made here */
	size_t j, steps;

	if (m->cap == 0)
		return NULL;
	addr_buf_init(&b);
	addr_buf_init(&mk);
	/* it->steps counts probe steps already taken */
	j = home(h, m->cap) + it->steps;
	if (j >= m->cap)
		j -= m->cap;
	for (steps = it->steps; steps < m->cap && it->rc == 0; steps++) {
		const struct addr__hslot *s = &m->s[j];
		struct addr__href r;

		if (slot_empty(s))
			break;
		if (s->id != 0 && s->h == h && holder_at(m, j, &r)) {
			/* a member value is nearly always written as its
			 * entry's DN: equal DNs have equal keys */
			int is = it->dn != NULL && r.e->dnlen == it->dnlen &&
				 memcmp(r.e->dn, it->dn, it->dnlen) == 0;

			if (!is && key == NULL && it->dn != NULL) {
				/* a kept hash without its key: made now */
				int rc = addr__dn_key(&mk, it->dn, it->dnlen);

				if (rc == ADDR_ENOMEM) {
					it->rc = rc;
					break;
				}
				key = rc == 0 ? mk.ptr : "";
				klen = rc == 0 ? mk.size : 0;
			}
			if (!is && key != NULL)
				is = slot_is(m, &r, key, klen, &b);
			if (is == ADDR_ENOMEM)
				it->rc = is;
			else if (is) {
				addr_buf_free(&b);
				addr_buf_free(&mk);
				it->steps = steps + 1;
				it->cur = r;
				return &it->cur;
			}
		}
		if (++j == m->cap)
			j = 0;
	}
	addr_buf_free(&b);
	addr_buf_free(&mk);
	return NULL;
}

void addr__hmap_del(struct addr__hmap *m, const struct addr_dir_entry *e,
		    size_t ki, uint32_t h)
{
	size_t j, steps;
	uint32_t id;

	if (m->cap == 0)
		return;
	/* the slots of one holder and hash are alike: any one of them
	 * (an entry's keys are taken out together) */
	id = m->id_of(m, e, ki);
	for (j = home(h, m->cap), steps = 0;
	     steps < m->cap && !slot_empty(&m->s[j]); steps++) {
		struct addr__hslot *s = &m->s[j];

		if (s->id == id && id != 0 && s->h == h) {
			s->id = 0;
			s->h = ADDR__HS_DEAD;
			m->live--;
			return;
		}
		if (++j == m->cap)
			j = 0;
	}
}

struct addr_dir_entry *addr__dir_find_dn_of(const struct addr_dir *d,
					    const struct addr_dir_entry *e,
					    int *rc)
{
	const struct addr__hmap *m = &d->dn;
	struct addr_dir_entry *found = NULL;
	struct addr_buf mine, theirs;
	size_t j, steps;
	int made = 0;

	*rc = 0;
	if (m->cap == 0 || !e->hasdn)
		return NULL;
	addr_buf_init(&mine);
	addr_buf_init(&theirs);
	/* e's key is made only when a hash matches: an add of a new DN,
	 * the common case, makes none */
	for (j = home(e->dnh, m->cap), steps = 0;
	     steps < m->cap && !slot_empty(&m->s[j]); steps++) {
		const struct addr__hslot *s = &m->s[j];
		struct addr__href r;

		if (s->id != 0 && s->h == e->dnh && holder_at(m, j, &r) &&
		    r.e != e) {
			if (!made && (*rc = addr__entry_dnkey(e, &mine)) < 0)
				break;
			made = 1;
			if ((*rc = slot_is(m, &r, mine.ptr, mine.size,
					   &theirs)) != 0) {
				if (*rc > 0)
					found = r.e;
				break;
			}
		}
		if (++j == m->cap)
			j = 0;
	}
	addr_buf_free(&mine);
	addr_buf_free(&theirs);
	if (*rc > 0 || *rc == ADDR_ESYNTAX)	/* found; or no key */
		*rc = 0;
	return found;
}

void addr__hmap_free(struct addr__hmap *m)
{
	addr__hkey_fn key_of = m->key_of;
	addr__hholder_fn holder_of = m->holder_of;
	addr__hid_fn id_of = m->id_of;
	const void *ctx = m->ctx;

	addr__free(m->s);
	memset(m, 0, sizeof(*m));
	m->key_of = key_of;
	m->holder_of = holder_of;
	m->id_of = id_of;
	m->ctx = ctx;
}

/*
 * addr__dir_fold - ASCII text (nearly every key) is folded here in one
 * reservation and one loop; anything else goes to ICU through
 * addr__text_casefold, whose ASCII path gives the same octets.
 */
int addr__dir_fold(struct addr_buf *out, const char *s, size_t n)
{
	size_t i, need;
	char *p;
	int rc;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			break;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i < n) {
		rc = addr__text_casefold(out, s, n);
		return rc < 0 ? rc : (out->oom ? ADDR_ENOMEM : 0);
	}
	if (n == 0)
		return out->oom ? ADDR_ENOMEM : 0;
	if (addr__size_add(&need, out->size, n) < 0) {
		out->oom = 1;
		return ADDR_ENOMEM;
	}
	if (addr_buf_grow(out, need) < 0)
		return ADDR_ENOMEM;
	p = out->ptr + out->size;
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		w = addr__lower8(w);
		memcpy(p + i, &w, 8);
	}
	for (; i < n; i++) {
		char c = s[i];

		p[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out->size = need;
	out->ptr[need] = '\0';
	return 0;
}

void addr__dir_prefetch(const struct addr_dir *d,
			const struct addr_dir_entry *e)
{
#if defined(__GNUC__)
	size_t i;

	/* the slots the insert will probe first: at a million entries
	 * each is a cache miss, paid while earlier records are inserted */
	if (d->keys.cap > 0)
		for (i = 0; i < e->nkeys; i++)
			__builtin_prefetch(&d->keys.s[home(e->keys[i].h,
							    d->keys.cap)], 1);
	if (e->hasdn && d->dn.cap > 0)
		__builtin_prefetch(&d->dn.s[home(e->dnh, d->dn.cap)], 1);
#else
	(void)d;
	(void)e;
#endif
}

void addr__dir_prefetch_dn(const struct addr_dir *d, uint64_t h64, int stage)
{
#if defined(__GNUC__)
	const struct addr__hslot *s;

	if (d->dn.cap == 0)
		return;
	s = &d->dn.s[home((uint32_t)(h64 ^ (h64 >> 32)), d->dn.cap)];
	if (stage == 0)
		__builtin_prefetch(s);
	else if (s->id != 0 && s->id < d->nid_)	/* the slot came in: the
						 * pointer to its entry, whose
						 * DN the lookup compares
						 * first */
		__builtin_prefetch(&d->byid_[s->id]);
#else
	(void)d;
	(void)h64;
	(void)stage;
#endif
}

int addr__dir_index_entry(struct addr_dir *d, struct addr_dir_entry *e)
{
	size_t i;

	for (i = 0; i < e->nkeys; i++)
		if (addr__hmap_put(&d->keys, e, i, e->keys[i].h) < 0) {
			while (i-- > 0)
				addr__hmap_del(&d->keys, e, i, e->keys[i].h);
			return ADDR_ENOMEM;
		}
	if (e->hasdn && addr__hmap_put(&d->dn, e, 0, e->dnh) < 0) {
		for (i = 0; i < e->nkeys; i++)
			addr__hmap_del(&d->keys, e, i, e->keys[i].h);
		return ADDR_ENOMEM;
	}
	return 0;
}

void addr__dir_unindex_entry(struct addr_dir *d, struct addr_dir_entry *e)
{
	size_t i;

	for (i = 0; i < e->nkeys; i++)
		addr__hmap_del(&d->keys, e, i, e->keys[i].h);
	if (e->hasdn)
		addr__hmap_del(&d->dn, e, 0, e->dnh);
}

/* key_value - the value a key came from, as its holder stores it */
static const char *key_value(const struct addr_dir_entry *e,
			     const struct addr__dkey *k)
{
	const char *name = k->tag == ADDR__K_LEGDN ? "legacyExchangeDN" :
			   k->tag == ADDR__K_TARGET ? "targetAddress" :
			   "proxyAddresses";
	const struct addr__dattr *a = addr__entry_attr(e, name);

	return a != NULL && k->vidx < a->n ? addr__dv(&a->v[k->vidx]) : "";
}

/* clash - is key a of one entry in conflict with key b of another? */
static int clash(int ta, int tb)
{
	/* a contact's target may equal its own proxy, never another
	 * object's proxy or target; everything else clashes by key */
	(void)ta;
	(void)tb;
	return 1;
}

/* report_clash - one conflict: rule by the namespaces involved */
static void report_clash(struct addr__sink *s, const struct addr_dir_entry *old,
			 const struct addr__dkey *ko,
			 const struct addr_dir_entry *nw,
			 const struct addr__dkey *kn)
{
	const char *rule, *what;

	if (ko->tag == ADDR__K_TARGET || kn->tag == ADDR__K_TARGET) {
		rule = "target.duplicate";
		what = "address";
	} else if (ko->tag == ADDR__K_PROXY && kn->tag == ADDR__K_PROXY) {
		rule = "proxy.duplicate";
		what = "proxy";
	} else {
		rule = "legdn.duplicate";
		what = kn->tag == ADDR__K_LEGDN ? "legacyExchangeDN" : "proxy";
	}
	addr__sink_at(s, nw);
	addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ECONFLICT, rule,
			"duplicate %s \"%s\": held by %s (\"%s\"%s) and %s",
			what, key_value(nw, kn), old->dn, key_value(old, ko),
			ko->tag == ADDR__K_LEGDN ? " as legacyExchangeDN" : "",
			nw->dn);
}

/* conflicts_oom - a key could not be made: the sink is told (fatal), and
 * the count includes the failure so that no caller takes it for a clean
 * result */
static size_t conflicts_oom(struct addr__sink *s, size_t n)
{
	s->fatal = 1;
	if (s->err != NULL)
		addr__error_set(s->err, ADDR_ENOMEM, 0, "out of memory");
	return n + 1;
}

/*
 * addr__dir_conflicts - with e: every key of e held by an entry other
 * than self (self nullable: the entry e replaces) and e; without e: every
 * pair of holders in the directory, each reported once against the
 * earliest holder. Returns the number of conflicts.
 */
size_t addr__dir_conflicts(const struct addr_dir *d,
			   const struct addr_dir_entry *e,
			   const struct addr_dir_entry *self,
			   struct addr__sink *s)
{
	size_t i, n = 0;
	struct addr__hit it;
	const struct addr__href *h;
	struct addr_buf k;
	int oom = 0;

	addr_buf_init(&k);
	if (e != NULL) {
		for (i = 0; i < e->nkeys && !oom; i++) {
			if ((oom = addr__entry_key(e, i, &k) == ADDR_ENOMEM))
				break;
			it = (struct addr__hit)ADDR__HIT_INIT;
			while ((h = next32(&d->keys, k.ptr, k.size,
					   e->keys[i].h, &it))) {
				if (h->e == e || h->e == self)
					continue;
				if (!clash(h->e->keys[h->ki].tag,
					   e->keys[i].tag))
					continue;
				report_clash(s, h->e, &h->e->keys[h->ki], e,
					     &e->keys[i]);
				n++;
				break;
			}
			oom = it.rc < 0;
		}
		addr_buf_free(&k);
		return oom ? conflicts_oom(s, n) : n;
	}
	/* no key has ever had two holders: nothing to report (a clean
	 * directory spares a probe per key) */
	if (d->keys.dups_ == 0)
		return 0;
	for (size_t p = 0; p < d->n; p++) {
		const struct addr_dir_entry *x = d->e[p];

		for (i = 0; i < x->nkeys && !oom; i++) {
			const struct addr_dir_entry *first = NULL;
			const struct addr__dkey *fk = NULL;

			if ((oom = addr__entry_key(x, i, &k) == ADDR_ENOMEM))
				break;
			/* the earliest other holder that comes before x */
			it = (struct addr__hit)ADDR__HIT_INIT;
			while ((h = next32(&d->keys, k.ptr, k.size,
					   x->keys[i].h, &it))) {
				if (h->e == x || h->e->pos > x->pos)
					continue;
				if (first == NULL || h->e->pos < first->pos) {
					first = h->e;
					fk = &h->e->keys[h->ki];
				}
			}
			if ((oom = it.rc < 0))
				break;
			if (first == NULL)
				continue;
			/* charge the clash to the change that made it */
			if (first->changed && !x->changed)
				report_clash(s, x, &x->keys[i], first, fk);
			else
				report_clash(s, first, fk, x, &x->keys[i]);
			n++;
		}
	}
	addr_buf_free(&k);
	return oom ? conflicts_oom(s, n) : n;
}

const struct addr_dir_entry *addr__dir_held(const struct addr_dir *d,
					    const char *key, size_t n,
					    const struct addr_dir_entry *self,
					    int *rc)
{
	struct addr__hit it = ADDR__HIT_INIT;
	const struct addr__href *h;

	while ((h = addr__hmap_next(&d->keys, key, n, &it)) != NULL)
		if (h->e != self)
			break;
	*rc = it.rc;
	return h != NULL ? h->e : NULL;
}
