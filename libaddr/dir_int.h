/*
 * dir_int.h - private declarations of the recipient directory
 *
 * Shared by dir.c (model and edits), dir_proxy.c (proxy values),
 * dir_index.c (hash indexes, uniqueness), dir_dn.c (RFC 4514 keys),
 * dir_report.c (diagnostics), dir_resolve.c, dl.c, policy.c and
 * io_ldif.c. Nothing here is exported.
 */
#ifndef DIR_INT_H
#define DIR_INT_H

#include <stdarg.h>
#include <stdint.h>
#include "addr_int.h"

/* One attribute value: NUL-terminated, may contain NUL, below 4 GiB
 * (every reader bounds its values far below). 8 octets, since a
 * directory holds fifteen of them per recipient: not a pointer but the
 * distance from the descriptor to the value, both in the entry's block
 * (dir.c keeps every value and value array of an entry there, so a
 * block that moves takes both along), or an index in the constant pool
 * of common values. Read it with addr__dv; a descriptor moved or copied
 * elsewhere must be rebased (dir.c). */
struct addr__dval {
	int32_t off;		/* value - descriptor, or ADDR__DV_POOL + i */
	uint32_t len;
};
_Static_assert(sizeof(struct addr__dval) == 8, "a value is 8 octets");
#define ADDR__DV_POOL INT32_MIN
#define ADDR__DV_POOLN 16	/* offsets below ADDR__DV_POOL + this */
extern const char addr__value_pool[][24];

/* addr__dv - the value d describes (NUL-terminated, borrowed; written
 * through only where dir.c says so: a proxy's prefix) */
static inline char *addr__dv(const struct addr__dval *d)
{
	if (d->off < ADDR__DV_POOL + ADDR__DV_POOLN)
		return (char *)(uintptr_t)addr__value_pool[d->off -
							   ADDR__DV_POOL];
	return (char *)(uintptr_t)d + d->off;
}

/* Attribute and value pointers of an entry are valid until a value or
 * an attribute is added to it: the attribute array of an entry made from
 * a record lives in the entry's block, which may then move (dir.c). */

/* One attribute: values in order, and its name as first read. 16
 * octets, since a directory holds ten of them per recipient: a name is
 * at most ADDR__ATTR_NAME octets and an attribute holds at most
 * ADDR__ATTR_VALUES values (attr_get, attr_grow and addr__entry_fill
 * refuse more). The name is not a pointer: one of the model's names is
 * its index in addr__name_pool (dir.c); any other is kept NUL-terminated
 * and padded to four octets right before the value array (which such an
 * attribute therefore always has, with no values cap 0). Read it with
 * addr__attr_name. */
#define ADDR__ATTR_NAME 255u
#define ADDR__ATTR_VALUES ((1u << 24) - 1)
#define ADDR__NOPOOL 0xFFu
#define ADDR__POOL_W 28		/* the longest pooled name and its NUL */
#define ADDR__NAME_HDR(nlen) (((size_t)(nlen) + 4) & ~(size_t)3)
struct addr__dattr {
	struct addr__dval *v;
	uint32_t n : 24;
	uint32_t pool : 8;	/* index in addr__name_pool, or ADDR__NOPOOL */
	uint32_t cap : 24;
	uint32_t nlen : 8;
};
_Static_assert(sizeof(struct addr__dattr) == 16, "an attribute is 16 octets");
extern const char addr__name_pool[][ADDR__POOL_W];

/* addr__attr_name - a's name (NUL-terminated, borrowed) */
static inline const char *addr__attr_name(const struct addr__dattr *a)
{
	return a->pool != ADDR__NOPOOL ? addr__name_pool[a->pool] :
	       (const char *)(const void *)a->v - ADDR__NAME_HDR(a->nlen);
}

/* Tags of index keys: which namespace and which rule a clash breaks. */
#define ADDR__K_PROXY	1	/* a proxyAddresses value */
#define ADDR__K_DNPROXY	2	/* an X500: or EX: value (legdn space) */
#define ADDR__K_LEGDN	3	/* legacyExchangeDN (legdn space) */
#define ADDR__K_TARGET	4	/* a contact's targetAddress */

/* One uniqueness key of an entry: where it comes from and its hash,
 * not its octets. The octets are made again from the value
 * (addr__entry_key) only when a hash matches, which on a load is
 * almost never: storing them cost 300 octets per recipient, the
 * largest part of the directory after the values themselves. */
struct addr__dkey {
	uint32_t h;		/* addr__key_hash of the key octets */
	uint32_t vidx : 24;	/* index of the value in its attribute
				 * (below ADDR__ATTR_VALUES) */
	uint32_t tag : 8;	/* ADDR__K_* */
};
_Static_assert(sizeof(struct addr__dkey) == 8, "a key descriptor is 8 octets");

/* One recipient. 72 octets: a million of them are a directory, so the
 * counts are 32-bit, 16-bit for attributes (addr_dir_entry_new, the
 * attribute and key makers and addr__dir_insert refuse more with
 * ADDR_ENOMEM). */
struct addr_dir_entry {
	char *dn;		/* owned, as given */
	struct addr__dattr *a;	/* attributes in order */
	struct addr__dkey *keys;	/* uniqueness keys (valid in a dir);
					 * owned */
	struct addr__refs *refs_;	/* private to dir.c: the DN keys of
					 * the reference values, made by
					 * addr__entry_prepare; NULL if none */
	char *blk_;		/* private to dir.c: one block holding the
				 * value arrays with the names not pooled
				 * before them, the values, and for an entry
				 * made from a record the attribute array
				 * and key descriptors; or NULL */
	uint32_t line;		/* source line of the dn, 0 if none (a
				 * later line is kept as UINT32_MAX:
				 * ADDR__LINE) */
	uint32_t dnlen;
	uint16_t na, acap;	/* attributes: at most ADDR__ATTRS */
	uint32_t nkeys;
	uint32_t pos;		/* order in the directory: a stamp that
				 * grows with each insert and is kept by a
				 * swap, so d->e is in pos order; not the
				 * index (a delete renumbered a million
				 * entries): addr__dir_index_of finds that */
	uint32_t dnh;		/* addr__key_hash of the DN key, if hasdn */
	uint32_t id_;		/* private to dir.c: the number the index
				 * slots hold for it (d->byid_), 0 outside
				 * a directory */
	uint8_t kind;		/* ADDR_DIR_*, 0 before validation */
	uint8_t changed : 1;	/* last touched by a change file: line and
				 * diagnostics refer to the change file */
	uint8_t hasdn : 1;	/* the DN parsed: it has a key (made again
				 * by addr__entry_dnkey when needed) */
	uint8_t dnpre : 1;	/* hasdn and dnh already found (dir_pipe.c:
				 * by the reading thread); the next
				 * addr__entry_prepare takes them and
				 * clears this */
	uint8_t norefs : 1;	/* no reference attribute (member,
				 * authOrig, ...): set by the last
				 * refs_build, cleared by any attribute
				 * added since (dir.c) */
	uint8_t holder_ : 1;	/* in its directory's holders_ list */
};
/* 72 octets: with a DN of up to 60 octets after it, one malloc chunk of
 * 144 (glibc) instead of 160 */
_Static_assert(sizeof(struct addr_dir_entry) <= 72, "an entry is 72 octets");
#define ADDR__ATTRS UINT16_MAX
#define ADDR__LINE(n) ((n) < UINT32_MAX ? (uint32_t)(n) : UINT32_MAX)

/* A hash multimap from key octets to (entry, key index). A slot holds
 * neither key nor entry: 8 octets, the holder's number (an entry's id_;
 * what it means is the owner's: see holder_of) and the key's 32 hash
 * bits. The key index is found again as the holder's key of that hash
 * (the n-th such key for the n-th slot of that holder and hash on the
 * chain: an entry's keys are put in order and all taken out together),
 * and the key is made again from the entry (addr__entry_dnkey in the DN
 * map, addr__entry_key in the key map) only when the hash bits match.
 * Empty: id 0 and h 0; dead (a tombstone): id 0 and h ADDR__HS_DEAD. */
#define ADDR__HS_DEAD 1u
struct addr__hslot {
	uint32_t id;		/* the holder, 0 none */
	uint32_t h;		/* addr__key_hash of the key */
};
_Static_assert(sizeof(struct addr__hslot) == 8, "a slot is 8 octets");

/* A holder and the index of its key, as a slot names them. */
struct addr__href {
	struct addr_dir_entry *e;
	uint32_t ki;
};

struct addr__hmap;
/* addr__hkey_fn - the key of holder r: *key and *klen, made in scratch
 * or pointing at stored octets; 0 or negative (no key) */
typedef int (*addr__hkey_fn)(const struct addr__hmap *m,
			     const struct addr__href *r,
			     struct addr_buf *scratch, const char **key,
			     size_t *klen);
/* addr__hholder_fn - the holder numbered id and its n-th key of hash
 * bits h into *r (n counts from 0); 1, or 0 when there is none */
typedef int (*addr__hholder_fn)(const struct addr__hmap *m, uint32_t id,
				uint32_t h, size_t n, struct addr__href *r);
/* addr__hid_fn - the number a slot holds for key ki of e */
typedef uint32_t (*addr__hid_fn)(const struct addr__hmap *m,
				 const struct addr_dir_entry *e, size_t ki);

struct addr__hmap {
	struct addr__hslot *s;
	size_t cap;		/* slots, or 0 */
	size_t used;		/* live + tombstones */
	size_t live;
	int nodups;		/* set by the owner: a key has many holders
				 * as a rule, puts do not count them */
	size_t dups_;		/* private to dir_index.c: puts that met a
				 * live slot of the same key */
	addr__hkey_fn key_of;	/* set by the owner, kept by _free */
	addr__hholder_fn holder_of;	/* likewise */
	addr__hid_fn id_of;	/* likewise */
	const void *ctx;	/* for the three */
};

/* the callbacks of a directory's two maps (dir_index.c; ctx is the
 * directory) */
int addr__hkey_dn(const struct addr__hmap *m, const struct addr__href *r,
		  struct addr_buf *scratch, const char **key, size_t *klen);
int addr__hkey_entry(const struct addr__hmap *m, const struct addr__href *r,
		     struct addr_buf *scratch, const char **key, size_t *klen);
int addr__hholder_dn(const struct addr__hmap *m, uint32_t id, uint32_t h,
		     size_t n, struct addr__href *r);
int addr__hholder_entry(const struct addr__hmap *m, uint32_t id, uint32_t h,
			size_t n, struct addr__href *r);
uint32_t addr__hid_entry(const struct addr__hmap *m,
			 const struct addr_dir_entry *e, size_t ki);
/* those of d->rrefs_ (dir.c): the kept key of reference ki */
int addr__hkey_ref(const struct addr__hmap *m, const struct addr__href *r,
		   struct addr_buf *scratch, const char **key, size_t *klen);
int addr__hholder_ref(const struct addr__hmap *m, uint32_t id, uint32_t h,
		      size_t n, struct addr__href *r);

struct addr_dir {
	unsigned flags;		/* ADDR_DIR_* */
	unsigned nthreads;	/* addr_dir_set_threads */
	struct addr_dir_entry **e;
	size_t n, cap;
	struct addr__hmap dn;	/* dnkey -> entry (ki unused) */
	struct addr__hmap keys;	/* uniqueness keys -> entry, key index */
	void (*progress)(void *ctx, size_t n);	/* addr_dir_set_progress */
	void *progress_ctx;
	uint32_t stamp;		/* the next entry's pos */
	uint64_t edits;		/* entries changed, replaced or removed
				 * (addr__dir_swap, addr__dir_remove,
				 * addr__dir_rename_refs): what an append
				 * stream cannot follow */
	struct addr__stream *stream;	/* addr_dir_stream_begin, or NULL */
	/* private to dir.c: the entries that may hold reference values
	 * (!norefs), in no order, for a delete or a rename to look at
	 * instead of every entry; holders_ok 0 when the list could not
	 * be kept (memory): every entry is looked at */
	struct addr_dir_entry **holders_;
	size_t nholders_, holdcap_;
	int holders_ok_;
	/* private to dir.c: the reference values of the holders by the DN
	 * key they name (entry, index among its kept keys), made at the
	 * first delete or rename and kept up from then on; rrefs_on_ 0:
	 * not made, or given up (a holder without kept keys, memory) */
	struct addr__hmap rrefs_;
	int rrefs_on_;
	/* private to dir.c: the entries by id_ (byid_[0] unused), and the
	 * ids given back by removed entries */
	struct addr_dir_entry **byid_;
	size_t nid_, idcap_;
	uint32_t *freeid_;
	size_t nfree_, freecap_;
};

/* Diagnostics kept for later (a worker thread of dir_pipe.c records
 * them; the loading thread replays them into its own sink in order). */
struct addr__dcapi {
	int severity, code;
	const char *rule;	/* static */
	const char *file;	/* borrowed from the sink */
	size_t line, column;
	char *msg;		/* owned */
};
struct addr__dcap {
	struct addr__dcapi *d;
	size_t n, cap;
};

/* Where diagnostics go: a report (all of them), an error (the first
 * error), or both; or, with cap set, kept in cap and nowhere else. */
struct addr__sink {
	struct addr_dir_report *rep;	/* nullable */
	struct addr_error *err;		/* nullable */
	const char *file;		/* nullable */
	const char *chfile;		/* nullable: the change file being
					 * applied (addr__sink_at) */
	size_t line, column;
	const char *base_;		/* addr__sink_at: the directory file */
	int base_set_;
	size_t nerrors;
	int fatal;			/* ADDR_ENOMEM seen */
	struct addr__dcap *cap;		/* nullable */
};

/* addr__sink_replay - diagnostic d (kept by a sink with cap) into s as
 * if it were made there */
void addr__sink_replay(struct addr__sink *s, const struct addr__dcapi *d);
/* addr__dcap_free - the kept diagnostics */
void addr__dcap_free(struct addr__dcap *c);

/* dir_report.c */
void addr__sink_init(struct addr__sink *s, struct addr_dir_report *rep,
		     struct addr_error *err, const char *file);
/* addr__sink_diag - record one diagnostic at s->line/column; code is the
 * ADDR_E* code for err (errors only). */
void addr__sink_diag(struct addr__sink *s, int severity, int code,
		     const char *rule, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* addr__sink_at - point s at entry e: its line, and s->chfile when a
 * change file last touched e, else the file s started with */
void addr__sink_at(struct addr__sink *s, const struct addr_dir_entry *e);

/* hashing and folding (dir_index.c) */
uint64_t addr__dir_hash(const char *s, size_t n);
/* addr__key_hash - the 32 hash bits the maps keep of a key */
uint32_t addr__key_hash(const char *s, size_t n);
/* addr__hmap_put - (e, ki) under hash h, the hash of the key of the
 * slot (e, ki) as key_of makes it; 0 or ADDR_ENOMEM */
int addr__hmap_put(struct addr__hmap *m, struct addr_dir_entry *e,
		   size_t ki, uint32_t h);
/* addr__hmap_del - drop (e, ki) put under hash h */
void addr__hmap_del(struct addr__hmap *m, const struct addr_dir_entry *e,
		    size_t ki, uint32_t h);
/* An iteration over the holders of a key: steps taken, and rc, set to
 * ADDR_ENOMEM when a slot's key could not be made (the iteration then
 * ends early). Start from ADDR__HIT_INIT. */
struct addr__hit {
	size_t steps;
	int rc;
	struct addr__href cur;	/* the holder found last */
	const char *dn;		/* nullable: in the DN map, the DN the key
				 * was made from; an entry with exactly this
				 * DN matches without making its key */
	size_t dnlen;
};
#define ADDR__HIT_INIT { 0, 0, { NULL, 0 }, NULL, 0 }

/* addr__hmap_next - iterate the holders of key; returns the next
 * (in it) or NULL (look at it->rc then) */
const struct addr__href *addr__hmap_next(const struct addr__hmap *m,
				    const char *key, size_t klen,
				    struct addr__hit *it);
void addr__hmap_free(struct addr__hmap *m);
/* addr__dir_fold - append the §4.2 folding of s to out */
int addr__dir_fold(struct addr_buf *out, const char *s, size_t n);
/* addr__dir_index_entry / unindex - keys of e into / out of d->keys */
int addr__dir_index_entry(struct addr_dir *d, struct addr_dir_entry *e);
/* addr__dir_prefetch_dn - for a lookup of the DN key of 64-bit hash h
 * to come: stage 0 has the cache fetch its first slot in the DN map,
 * stage 1 (later, the slot in) the entry that slot names */
void addr__dir_prefetch_dn(const struct addr_dir *d, uint64_t h, int stage);
/* addr__dir_prefetch - have the cache fetch the index slots e's insert
 * will look at first (a hint; nothing changes) */
void addr__dir_prefetch(const struct addr_dir *d,
			const struct addr_dir_entry *e);
void addr__dir_unindex_entry(struct addr_dir *d, struct addr_dir_entry *e);
/* addr__dir_conflicts - report every clash of e's keys with another
 * entry (all of them when e is NULL, each pair once) */
size_t addr__dir_conflicts(const struct addr_dir *d,
			   const struct addr_dir_entry *e,
			   const struct addr_dir_entry *self,
			   struct addr__sink *s);

/* dir_dn.c: RFC 4514 comparison key of a DN into out (cleared first) */
int addr__dn_key(struct addr_buf *out, const char *dn, size_t len);

/* addr__hmap_next_h - addr__hmap_next when the caller has the hash; in
 * the DN map with it->dn set, key may be NULL: it is then made from
 * it->dn (addr__dn_key) only if a holder's DN is not it->dn as
 * written */
const struct addr__href *addr__hmap_next_h(const struct addr__hmap *m,
				      const char *key, size_t klen,
				      uint64_t h, struct addr__hit *it);

/* Reference values: value j of attribute addr__dir_ref_attrs[r] of e,
 * a being that attribute of e (addr__entry_attr). */
/* addr__entry_ref_key - its DN key: the hash addr__entry_prepare kept
 * when the value is still the one it saw (*key NULL, *klen 0: the key
 * is made from the value only when needed), else the key computed into
 * k. Returns addr__dn_key's result; on 0 also the key, its length and
 * addr__dir_hash of it. */
int addr__entry_ref_key(const struct addr_dir_entry *e, size_t r,
			const struct addr__dattr *a, size_t j,
			struct addr_buf *k, const char **key, size_t *klen,
			uint64_t *h);
/* addr__dir_ref - the entry it names, or NULL; *rc gets the result of
 * addr__entry_ref_key (ADDR_ESYNTAX: not a DN; ADDR_ENOMEM) */
struct addr_dir_entry *addr__dir_ref(const struct addr_dir *d,
				     const struct addr_dir_entry *e, size_t r,
				     const struct addr__dattr *a, size_t j,
				     struct addr_buf *k, int *rc);

/* dir.c */
/* addr__entry_key - the octets of key ki of e into out (cleared first);
 * 0, ADDR_ENOMEM, or another negative code if the value no longer
 * gives a key */
int addr__entry_key(const struct addr_dir_entry *e, size_t ki,
		    struct addr_buf *out);
/* addr__entry_dnkey - the DN key of e into out (cleared first); 0,
 * ADDR_ESYNTAX (the DN has none) or ADDR_ENOMEM */
int addr__entry_dnkey(const struct addr_dir_entry *e, struct addr_buf *out);
struct addr__dattr *addr__entry_attr(const struct addr_dir_entry *e,
				     const char *name);
/* addr__entry_out - the attributes of e in writer order (spec-directory
 * §6.5): as read, with the derived mail in place of a read one, or just
 * before the first proxyAddresses when none was read. fn gets each
 * attribute's name and values (borrowed); a negative return stops. */
typedef int (*addr__attr_fn)(void *ctx, const char *name,
			     const struct addr__dval *v, size_t n,
			     const char *one);
/* addr__vat - value k of what an addr__attr_fn got: one (v NULL, n 1:
 * the derived mail, NUL-terminated) or v[k]; its length in *len */
static inline const char *addr__vat(const struct addr__dval *v,
				    const char *one, size_t k, size_t *len)
{
	if (v == NULL) {
		*len = __builtin_strlen(one);
		return one;
	}
	*len = v[k].len;
	return addr__dv(&v[k]);
}
int addr__entry_out(const struct addr_dir_entry *e, addr__attr_fn fn,
		    void *ctx);
/* addr__entry_drop_value - take value j out of a (its octets stay in
 * the entry's block until the entry is copied or freed) */
void addr__entry_drop_value(struct addr__dattr *a, size_t j);
/* addr__entry_set_value - value j of attribute ai of e made a copy of
 * p[0..n) (p may be in e's block); 0 or ADDR_ENOMEM. The block may move:
 * attribute pointers of e are invalid afterwards. */
int addr__entry_set_value(struct addr_dir_entry *e, size_t ai, size_t j,
			  const char *p, size_t n);
/* addr__entry_fill - the items of rec (names and values, in order) as
 * the attributes of e, which has none yet; 0 or ADDR_ENOMEM (e then
 * holds part of them and is freed by the caller) */
int addr__entry_fill(struct addr_dir_entry *e,
		     const struct addr_ldif_record *rec);
/* addr__entry_plan - what addr__entry_fill works out from rec alone,
 * ahead (dir_pipe.c: by the reading thread): the block's size in sz and
 * per item pn[i], its name's place in the pool, NULL, or a mark for "as
 * the item before"; 0 or ADDR_ENOMEM. addr__entry_fill_planned is the
 * rest of addr__entry_fill. */
struct addr__fillsize {
	size_t need, runs, vbytes;
};
int addr__entry_plan(const struct addr_ldif_record *rec, const char **pn,
		     struct addr__fillsize *sz);
int addr__entry_fill_planned(struct addr_dir_entry *e,
			     const struct addr_ldif_record *rec,
			     const char *const *pn,
			     const struct addr__fillsize *sz);
/* addr__entry_remove_attr - drop attribute i of e with its values */
void addr__entry_remove_attr(struct addr_dir_entry *e, size_t i);
/* addr__entry_prepare - kind, model rules, proxies to stored form, keys;
 * returns the number of errors reported to s, or ADDR_ENOMEM */
int addr__entry_prepare(struct addr_dir_entry *e, unsigned dflags,
			struct addr__sink *s);
/* addr__dir_insert - append e (prepared) and index it without the
 * uniqueness check; e then belongs to d */
int addr__dir_insert(struct addr_dir *d, struct addr_dir_entry *e);
/* addr__dir_find_key - entry whose DN key is key[0..n), or NULL; *rc
 * gets 0 or ADDR_ENOMEM */
struct addr_dir_entry *addr__dir_find_key(const struct addr_dir *d,
					  const char *key, size_t n, int *rc);
/* addr__proxy_key - append the comparison key of a stored proxy */
int addr__proxy_key(struct addr_buf *out, const char *stored, size_t n,
		    int *dnspace);
/* addr__dir_check - addr_dir_check with the file names for diagnostics:
 * file for entries read from the directory file, chfile (nullable) for
 * entries a change file touched; a conflict between the two kinds is
 * charged to the changed entry */
int addr__dir_check(const struct addr_dir *d, struct addr_dir_report *rep,
		    const char *file, const char *chfile);
/* addr__dir_find_dn_of - the entry of d other than e whose DN key is
 * e's, or NULL; *rc gets 0 or ADDR_ENOMEM (dir_index.c) */
struct addr_dir_entry *addr__dir_find_dn_of(const struct addr_dir *d,
					    const struct addr_dir_entry *e,
					    int *rc);
/* addr__dir_find_mut - the entry named dn[0..len), or NULL (also for a
 * malformed DN); *rc gets 0 or ADDR_ENOMEM */
struct addr_dir_entry *addr__dir_find_mut(const struct addr_dir *d,
					  const char *dn, size_t len, int *rc);
/* addr__dir_swap - put nw (prepared) where old is, without the
 * uniqueness check (a change file is checked as a whole afterwards);
 * old is freed. 0, or ADDR_ENOMEM (nothing changed). */
int addr__dir_swap(struct addr_dir *d, struct addr_dir_entry *old,
		   struct addr_dir_entry *nw);
/* addr__dir_remove - unlink e, drop every reference to it, free it */
void addr__dir_remove(struct addr_dir *d, struct addr_dir_entry *e);
/* addr__dir_rename_refs - rewrite every reference value naming the DN
 * key key[0..klen) to dn (a rename, spec-directory.md §3); 0 or
 * ADDR_ENOMEM */
int addr__dir_rename_refs(struct addr_dir *d, const char *key, size_t klen,
			  const char *dn, size_t dnlen);
/* addr__dir_load_record - a content record (dir_apply.c) as a new entry
 * of d, model rules checked, no uniqueness check; problems go to s.
 * 0 or ADDR_ENOMEM. */
int addr__dir_load_record(struct addr_dir *d, const struct addr_ldif_record *rec,
			  struct addr__sink *s);
/* addr__entry_set_dn - a copy of dn[0..len) as e's DN (a rename);
 * 0, ADDR_ESYNTAX (empty) or ADDR_ENOMEM (e unchanged) */
int addr__entry_set_dn(struct addr_dir_entry *e, const char *dn, size_t len);
/* addr__dir_entry_of - a new caller-owned entry holding the record's
 * values (not prepared); *out NULL when the record is refused (reported
 * to s); 0 or ADDR_ENOMEM (dir_apply.c) */
int addr__dir_entry_of(struct addr_dir_entry **out,
		       const struct addr_ldif_record *rec, struct addr__sink *s);
/* addr__dir_entry_of_planned - the same with rec's addr__entry_plan
 * (pn NULL: none) */
int addr__dir_entry_of_planned(struct addr_dir_entry **out,
			       const struct addr_ldif_record *rec,
			       struct addr__sink *s, const char *const *pn,
			       const struct addr__fillsize *sz);
/* addr__dir_load_prepared - the rest of addr__dir_load_record for e,
 * made from a record and prepared: the DN check, the insert (e then
 * belongs to d, else it is freed) */
int addr__dir_load_prepared(struct addr_dir *d, struct addr_dir_entry *e,
			    struct addr__sink *s);
/* dir_pipe.c: one record for a consumer, with what a worker made of it.
 * made: a worker made and prepared e (NULL when refused or rc < 0),
 * finding diag[0..ndiag) (nerr errors) for the consumer to replay
 * (addr__piped_replay) if it uses e; the consumer takes e by setting it
 * NULL, else it is freed. made 0: the consumer makes what it needs. */
/* who finds the DN keys and plans the fills of loaded entries: -1 (the
 * default) the reading thread while a batch waits for the workers, else
 * the workers; 0 always the workers, 1 always the reading thread. For
 * tests, which must see both; set before a load starts. */
extern int addr__pipe_ahead;
/* whether the workers consume the records too (dir_pipe.c): -1 (the
 * default) for DSML, whose reading is the longer side; 0 never, 1
 * always. For tests. */
extern int addr__pipe_wconsume;

struct addr__piped {
	const struct addr_ldif_record *rec;
	int made;
	struct addr_dir_entry *e;
	int rc;			/* 0, or ADDR_ENOMEM from the worker */
	size_t nerr;
	const struct addr__dcapi *diag;
	size_t ndiag;
};
typedef int (*addr__pipe_fn)(void *ctx, struct addr__piped *x,
			     struct addr__sink *s);
/* a reader: records to fn(fctx, rec), its own diagnostics to rep;
 * returns its error count or a negative ADDR_E* */
typedef int (*addr__parse_fn)(void *pctx, addr_ldif_record_fn fn,
			      void *fctx, struct addr_dir_report *rep);
/* The input of a load or a change run: LDIF or DSML (dsml set), from
 * rd when set, else in[0..len); addr__src_parse is its addr__parse_fn. */
struct addr__src {
	const char *in;
	size_t len;
	addr_read_fn rd;	/* nullable */
	void *rctx;
	const char *file;
	unsigned flags;		/* ADDR_LDIF_* or ADDR_DSML_* */
	int dsml;
};
int addr__src_parse(void *src, addr_ldif_record_fn fn, void *fctx,
		    struct addr_dir_report *rep);
/* addr__pipe_run - parse's records to consume (with s), in order; with
 * d's worker threads, the entries of content records (and of add
 * records too when adds is set) are made and prepared ahead, and the
 * reader's diagnostics (which go to rep) are merged in the order it
 * made them. Returns parse's result, or a negative code of the
 * consumer's. */
int addr__pipe_run(struct addr_dir *d, const char *file, int adds,
		   addr__parse_fn parse, void *pctx, addr__pipe_fn consume,
		   void *cctx, struct addr__sink *s,
		   struct addr_dir_report *rep);
void addr__piped_replay(struct addr__sink *s, const struct addr__piped *x);
/* addr__piped_load - content record x into d, with its entry made by a
 * worker or made now: addr__dir_load_record's result */
int addr__piped_load(struct addr_dir *d, struct addr__piped *x,
		     struct addr__sink *s);
/* dir_write_par.c: addr__entry_fmt - entries [from, to) of d, as a
 * writer writes them, appended to out; 0 or negative */
typedef int (*addr__entry_fmt)(void *octx, struct addr_buf *out,
			       const struct addr_dir *d, size_t from,
			       size_t to);
/* addr__write_par - one(octx, buf, d, from, to) for every chunk of the
 * entries of d, made by d's worker threads (nthreads > 0) and handed to
 * fn in order; 0, ADDR_EIO (fn failed) or a negative code of one's */
int addr__write_par(const struct addr_dir *d, addr__entry_fmt one, void *octx,
		    addr_write_fn fn, void *ctx);
/* addr__dir_ref_attrs - the reference attributes (member, authOrig, ...),
 * NULL-terminated */
extern const char *const addr__dir_ref_attrs[];
/* addr__dir_replace - check the copy nw (model rules, uniqueness against
 * every entry but old) and swap it in for old, which is freed; nw then
 * belongs to d. 1, or a negative ADDR_E* (nothing changed, nw still the
 * caller's). */
int addr__dir_replace(struct addr_dir *d, struct addr_dir_entry *old,
		      struct addr_dir_entry *nw, struct addr_error *err);
/* addr__dir_held - is key[0..n) held by an entry other than self?
 * *rc gets 0 or ADDR_ENOMEM */
const struct addr_dir_entry *addr__dir_held(const struct addr_dir *d,
					    const char *key, size_t n,
					    const struct addr_dir_entry *self,
					    int *rc);
/* addr__str_ieq - ASCII case-insensitive equality with a C string */
int addr__str_ieq(const char *s, size_t n, const char *z);

/* A writer's output: the caller's buffer (fn NULL), or a buffer handed
 * to fn and emptied whenever it holds WRITE_CHUNK octets or more. */
#define ADDR__WRITE_CHUNK ((size_t)1 << 20)
struct addr__wout {
	struct addr_buf *out;
	addr_write_fn fn;
	void *ctx;
	int err;		/* fn failed */
};

/* addr__wout_flush - hand out's octets to fn (all of them with all,
 * else only once WRITE_CHUNK is reached); nothing without fn */
void addr__wout_flush(struct addr__wout *w, int all);
/* io_ldif.c, io_dsml.c: what dir_stream.c writes with. addr__ldif_entries
 * and addr__dsml_range are addr__entry_fmt; addr__dsml_frame appends
 * the document's octets before the first entry to head and after the
 * last to tail, as the writer with workers writes them; 0 or
 * ADDR_ENOMEM; addr__dsml_entries_ok - can DSML carry entries
 * [from, to) of d? */
int addr__ldif_entries(void *octx, struct addr_buf *out,
		       const struct addr_dir *d, size_t from, size_t to);
int addr__dsml_range(void *octx, struct addr_buf *out,
		     const struct addr_dir *d, size_t from, size_t to);
int addr__dsml_frame(struct addr_buf *head, struct addr_buf *tail);
int addr__dsml_entries_ok(const struct addr_dir *d, size_t from, size_t to);
/* dir_stream.c: addr__stream_step - after a record is loaded or applied
 * (by whichever thread consumes records): the entries appended since
 * the last chunk written when they make a chunk, or the stream given up
 * when d was edited otherwise */
void addr__stream_step(struct addr_dir *d);
void addr__stream_free(struct addr_dir *d);

/* addr__write_stream - run the writer wr on d into a buffer of its own
 * that is handed to fn in pieces (io_ldif.c) */
int addr__write_stream(const struct addr_dir *d,
		       int (*wr)(const struct addr_dir *, struct addr__wout *),
		       addr_write_fn fn, void *ctx);

/* io_dsml.c: base64 (RFC 4648) of data[0..n) appended to out, on one
 * line; 0 or ADDR_ENOMEM */
int addr__b64_encode(struct addr_buf *out, const void *data, size_t n);

/* policy.c: make p as addr_policy_new makes it, keeping its default
 * transliterator (for the fuzz target, which reuses one policy); 0, or
 * ADDR_ENOMEM / ADDR_ENOTSUP after which p can only be freed */
int addr__policy_reset(struct addr_policy *p);

#endif
