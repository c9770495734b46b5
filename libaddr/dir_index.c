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

/*
 * The tables: linear probing over a slot array of any size (the start
 * slot is the 32-bit hash scaled to the size, so the size need not be
 * a power of two). A table holds at most 3/4 live or dead slots and
 * is rebuilt at half, so it grows by half each time (64, 96, 144, ...):
 * from half to three quarters full, never below three eighths as with
 * doubling. Slots are 32 octets (key, entry, hash bits, key length, key
 * index). The holders of one key lie on its probe chain in the order
 * they were put: a put never reuses a dead slot, and a rebuild walks
 * the old slots from an empty one, so no chain is cut in two.
 */
static uint32_t hash32(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

/* home - the first slot of hash h in a table of cap slots */
static size_t home(uint32_t h, size_t cap)
{
	return (size_t)(((uint64_t)h * cap) >> 32);
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
	for (start = 0; start < oc && old[start].key != NULL; start++)
		;
	for (n = 0, i = start; n < oc; n++, i = i + 1 == oc ? 0 : i + 1) {
		struct addr__hslot *o = &old[i];
		size_t j;

		if (o->key == NULL || o->e == NULL)
			continue;
		for (j = home(o->h, nc); m->s[j].key != NULL;
		     j = j + 1 == nc ? 0 : j + 1)
			;
		m->s[j] = *o;
		m->used++;
		m->live++;
	}
	addr__free(old);
	return 0;
}

int addr__hmap_put(struct addr__hmap *m, const char *key, size_t klen,
		   struct addr_dir_entry *e, size_t ki)
{
	uint32_t h = hash32(addr__dir_hash(key, klen));
	size_t j;

	if (klen > UINT32_MAX || ki > UINT32_MAX)
		return ADDR_ENOMEM;
	if ((m->used + 1) * 4 > m->cap * 3 && hmap_grow(m) < 0)
		return ADDR_ENOMEM;
	/* on the way to a free slot, note a live holder of the same key:
	 * while there has been none, no key has two holders */
	for (j = home(h, m->cap); m->s[j].key != NULL;
	     j = j + 1 == m->cap ? 0 : j + 1)
		if (m->s[j].h == h && m->s[j].e != NULL &&
		    m->s[j].klen == klen &&
		    memcmp(m->s[j].key, key, klen) == 0)
			m->dups_++;
	m->s[j].h = h;
	m->s[j].key = key;
	m->s[j].klen = (uint32_t)klen;
	m->s[j].e = e;
	m->s[j].ki = (uint32_t)ki;
	m->used++;
	m->live++;
	return 0;
}

struct addr__hslot *addr__hmap_next(const struct addr__hmap *m,
				    const char *key, size_t klen,
				    size_t *it)
{
	if (m->cap == 0)
		return NULL;
	return addr__hmap_next_h(m, key, klen, addr__dir_hash(key, klen), it);
}

struct addr__hslot *addr__hmap_next_h(const struct addr__hmap *m,
				      const char *key, size_t klen,
				      uint64_t h64, size_t *it)
{
	uint32_t h = hash32(h64);
	size_t j, steps;

	if (m->cap == 0)
		return NULL;
	/* *it counts probe steps already taken */
	j = home(h, m->cap) + *it;
	if (j >= m->cap)
		j -= m->cap;
	for (steps = *it; steps < m->cap; steps++) {
		const struct addr__hslot *s = &m->s[j];

		if (s->key == NULL)
			return NULL;
		if (s->e != NULL && s->h == h && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0) {
			*it = steps + 1;
			return &m->s[j];
		}
		if (++j == m->cap)
			j = 0;
	}
	return NULL;
}

/* addr__hmap_del - drop e's slot(s) for key (a tombstone each) */
void addr__hmap_del(struct addr__hmap *m, const char *key, size_t klen,
		    const struct addr_dir_entry *e)
{
	struct addr__hslot *s;
	size_t it = 0;

	while ((s = addr__hmap_next(m, key, klen, &it)) != NULL)
		if (s->e == e) {
			s->e = NULL;
			m->live--;
		}
}

void addr__hmap_free(struct addr__hmap *m)
{
	addr__free(m->s);
	memset(m, 0, sizeof(*m));
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

int addr__dir_index_entry(struct addr_dir *d, struct addr_dir_entry *e)
{
	size_t i;

	for (i = 0; i < e->nkeys; i++)
		if (addr__hmap_put(&d->keys, e->keys[i].key, e->keys[i].klen,
				   e, i) < 0) {
			while (i-- > 0)
				addr__hmap_del(&d->keys, e->keys[i].key,
					       e->keys[i].klen, e);
			return ADDR_ENOMEM;
		}
	if (e->dnkey != NULL &&
	    addr__hmap_put(&d->dn, e->dnkey, e->dnkeylen, e, 0) < 0) {
		addr__dir_unindex_entry(d, e);
		return ADDR_ENOMEM;
	}
	return 0;
}

void addr__dir_unindex_entry(struct addr_dir *d, struct addr_dir_entry *e)
{
	size_t i;

	for (i = 0; i < e->nkeys; i++)
		addr__hmap_del(&d->keys, e->keys[i].key, e->keys[i].klen, e);
	if (e->dnkey != NULL)
		addr__hmap_del(&d->dn, e->dnkey, e->dnkeylen, e);
}

/* key_value - the value a key came from, as its holder stores it */
static const char *key_value(const struct addr_dir_entry *e,
			     const struct addr__dkey *k)
{
	const char *name = k->tag == ADDR__K_LEGDN ? "legacyExchangeDN" :
			   k->tag == ADDR__K_TARGET ? "targetAddress" :
			   "proxyAddresses";
	const struct addr__dattr *a = addr__entry_attr(e, name);

	return a != NULL && k->vidx < a->n ? a->v[k->vidx].ptr : "";
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
	size_t i, n = 0, it;
	struct addr__hslot *h;

	if (e != NULL) {
		for (i = 0; i < e->nkeys; i++) {
			it = 0;
			while ((h = addr__hmap_next(&d->keys, e->keys[i].key,
						    e->keys[i].klen, &it))) {
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
		}
		return n;
	}
	/* no key has ever had two holders: nothing to report (a clean
	 * directory spares a probe per key) */
	if (d->keys.dups_ == 0)
		return 0;
	for (size_t p = 0; p < d->n; p++) {
		const struct addr_dir_entry *x = d->e[p];

		for (i = 0; i < x->nkeys; i++) {
			const struct addr_dir_entry *first = NULL;
			const struct addr__dkey *fk = NULL;

			/* the earliest other holder that comes before x */
			it = 0;
			while ((h = addr__hmap_next(&d->keys, x->keys[i].key,
						    x->keys[i].klen, &it))) {
				if (h->e == x || h->e->pos > x->pos)
					continue;
				if (first == NULL || h->e->pos < first->pos) {
					first = h->e;
					fk = &h->e->keys[h->ki];
				}
			}
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
	return n;
}

const struct addr_dir_entry *addr__dir_held(const struct addr_dir *d,
					    const char *key, size_t n,
					    const struct addr_dir_entry *self)
{
	struct addr__hslot *h;
	size_t it = 0;

	while ((h = addr__hmap_next(&d->keys, key, n, &it)) != NULL)
		if (h->e != self)
			return h->e;
	return NULL;
}
