/*
 * test_dirindex.c - the directory's hash maps when hash bits collide
 *
 * The maps keep no key octets: a slot holds a holder's number and 32
 * hash bits, the holder and its key index are found again from them,
 * and the key is made again only when the hash bits match.
 * Real keys almost never share 32 bits, so these tests force it: every
 * key below is put under the same hash, and the map must still tell the
 * keys apart on lookup, on delete and in its duplicate count. A key
 * that cannot be made (no memory) must end the lookup with ADDR_ENOMEM,
 * never pass for "not held".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "addr.h"
#include "dir_int.h"

/* the test's keys: entry i's key ki is keys[ki] (entries only mark) */
static const char *keys[] = { "alpha", "beta", "alpha", "gamma" };
static int fail_make;

static int key_of(const struct addr__hmap *m, const struct addr__href *r,
		  struct addr_buf *scratch, const char **key, size_t *klen)
{
	(void)m;
	(void)scratch;
	if (fail_make)
		return ADDR_ENOMEM;
	*key = keys[r->ki];
	*klen = strlen(keys[r->ki]);
	return 0;
}

/* entry i (of the array m->ctx) is number i + 1 and holds key i */
static int holder_of(const struct addr__hmap *m, uint32_t id, uint32_t h,
		     size_t n, struct addr__href *r)
{
	(void)h;
	r->e = (struct addr_dir_entry *)(uintptr_t)m->ctx + (id - 1);
	r->ki = id - 1;
	return n == 0;
}

static uint32_t id_of(const struct addr__hmap *m,
		      const struct addr_dir_entry *e, size_t ki)
{
	(void)ki;
	return (uint32_t)(e - (const struct addr_dir_entry *)m->ctx) + 1;
}

static void map_init(struct addr__hmap *m, struct addr_dir_entry *e)
{
	memset(m, 0, sizeof(*m));
	m->key_of = key_of;
	m->holder_of = holder_of;
	m->id_of = id_of;
	m->ctx = e;
}

#define SAME_HASH 0x12345678u

static void put_all(struct addr__hmap *m, struct addr_dir_entry *e)
{
	size_t i;

	map_init(m, e);
	for (i = 0; i < 4; i++)
		assert_int_equal(addr__hmap_put(m, &e[i], i, SAME_HASH), 0);
}

/* holders - the entries holding key, in put order, under SAME_HASH */
static size_t holders(const struct addr__hmap *m, const char *key,
		      const struct addr_dir_entry **out, int *rc)
{
	struct addr__hit it = ADDR__HIT_INIT;
	const struct addr__href *s;
	size_t n = 0;

	/* addr__hmap_next_h folds the 64 bits to 32 as the maps do: give
	 * it a 64-bit value that folds to SAME_HASH */
	while ((s = addr__hmap_next_h(m, key, strlen(key),
				      (uint64_t)SAME_HASH, &it)) != NULL)
		out[n++] = s->e;
	*rc = it.rc;
	return n;
}

static void test_collision_lookup(void **state)
{
	struct addr_dir_entry e[4];
	const struct addr_dir_entry *got[4];
	struct addr__hmap m;
	int rc;

	(void)state;
	memset(e, 0, sizeof(e));
	put_all(&m, e);
	/* alpha twice (entries 0 and 2): one duplicate put; beta and
	 * gamma share the hash but not the key */
	assert_int_equal(m.dups_, 1);
	assert_int_equal(holders(&m, "alpha", got, &rc), 2);
	assert_int_equal(rc, 0);
	assert_ptr_equal(got[0], &e[0]);
	assert_ptr_equal(got[1], &e[2]);
	assert_int_equal(holders(&m, "beta", got, &rc), 1);
	assert_ptr_equal(got[0], &e[1]);
	assert_int_equal(holders(&m, "delta", got, &rc), 0);
	assert_int_equal(rc, 0);
	addr__hmap_free(&m);
}

static void test_collision_delete(void **state)
{
	struct addr_dir_entry e[4];
	const struct addr_dir_entry *got[4];
	struct addr__hmap m;
	int rc;

	(void)state;
	memset(e, 0, sizeof(e));
	put_all(&m, e);
	/* deleting entry 0's key leaves entry 2's equal key and the
	 * others, which sit further along the same chain */
	addr__hmap_del(&m, &e[0], 0, SAME_HASH);
	assert_int_equal(m.live, 3);
	assert_int_equal(holders(&m, "alpha", got, &rc), 1);
	assert_ptr_equal(got[0], &e[2]);
	assert_int_equal(holders(&m, "gamma", got, &rc), 1);
	assert_ptr_equal(got[0], &e[3]);
	/* a delete that names no slot changes nothing */
	addr__hmap_del(&m, &e[1], 1, SAME_HASH ^ 0x100);
	assert_int_equal(m.live, 3);
	addr__hmap_free(&m);
	assert_ptr_equal(m.key_of, key_of);	/* kept for reuse */
}

static void test_collision_no_memory(void **state)
{
	struct addr_dir_entry e[4];
	const struct addr_dir_entry *got[4];
	struct addr__hmap m;
	int rc;

	(void)state;
	memset(e, 0, sizeof(e));
	put_all(&m, e);
	fail_make = 1;
	assert_int_equal(holders(&m, "beta", got, &rc), 0);
	assert_int_equal(rc, ADDR_ENOMEM);
	fail_make = 0;
	addr__hmap_free(&m);
}

/* a put that cannot make the keys to compare counts a possible
 * duplicate: the whole-directory check, skipped while there is none,
 * must then look */
static void test_collision_no_memory_put(void **state)
{
	struct addr_dir_entry e[4];
	struct addr__hmap m;

	(void)state;
	memset(e, 0, sizeof(e));
	map_init(&m, e);
	assert_int_equal(addr__hmap_put(&m, &e[1], 1, SAME_HASH), 0);
	assert_int_equal(addr__hmap_put(&m, &e[3], 3, SAME_HASH), 0);
	assert_int_equal(m.dups_, 0);	/* beta, gamma: told apart */
	fail_make = 1;
	assert_int_equal(addr__hmap_put(&m, &e[0], 0, SAME_HASH), 0);
	fail_make = 0;
	assert_true(m.dups_ > 0);
	addr__hmap_free(&m);
}

/* one entry holding two keys under the same hash bits: the n-th slot of
 * that entry and hash on the chain stands for its n-th key of that
 * hash, so each key is found with its own index */
static const char *two[] = { "alpha", "beta" };

static int two_key(const struct addr__hmap *m, const struct addr__href *r,
		   struct addr_buf *scratch, const char **key, size_t *klen)
{
	(void)m;
	(void)scratch;
	*key = two[r->ki];
	*klen = strlen(two[r->ki]);
	return 0;
}

static int two_holder(const struct addr__hmap *m, uint32_t id, uint32_t h,
		      size_t n, struct addr__href *r)
{
	(void)h;
	if (id != 1 || n >= 2)
		return 0;
	r->e = (struct addr_dir_entry *)(uintptr_t)m->ctx;
	r->ki = (uint32_t)n;
	return 1;
}

static uint32_t two_id(const struct addr__hmap *m,
		       const struct addr_dir_entry *e, size_t ki)
{
	(void)m;
	(void)e;
	(void)ki;
	return 1;
}

static void test_one_holder_two_keys(void **state)
{
	struct addr_dir_entry e;
	struct addr__hmap m;
	struct addr__hit it = ADDR__HIT_INIT;
	const struct addr__href *r;

	(void)state;
	memset(&e, 0, sizeof(e));
	memset(&m, 0, sizeof(m));
	m.key_of = two_key;
	m.holder_of = two_holder;
	m.id_of = two_id;
	m.ctx = &e;
	assert_int_equal(addr__hmap_put(&m, &e, 0, SAME_HASH), 0);
	assert_int_equal(addr__hmap_put(&m, &e, 1, SAME_HASH), 0);
	assert_int_equal(m.dups_, 0);
	r = addr__hmap_next_h(&m, "beta", 4, (uint64_t)SAME_HASH, &it);
	assert_non_null(r);
	assert_ptr_equal(r->e, &e);
	assert_int_equal(r->ki, 1);
	assert_null(addr__hmap_next_h(&m, "beta", 4, (uint64_t)SAME_HASH,
				      &it));
	it = (struct addr__hit)ADDR__HIT_INIT;
	r = addr__hmap_next_h(&m, "alpha", 5, (uint64_t)SAME_HASH, &it);
	assert_non_null(r);
	assert_int_equal(r->ki, 0);
	addr__hmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collision_lookup),
		cmocka_unit_test(test_one_holder_two_keys),
		cmocka_unit_test(test_collision_delete),
		cmocka_unit_test(test_collision_no_memory),
		cmocka_unit_test(test_collision_no_memory_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
