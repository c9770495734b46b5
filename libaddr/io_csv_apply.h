/*
 * io_csv_apply.h - the state of one CSV run, shared by io_csv_apply.c
 * (header, lines, bookkeeping) and io_csv_merge.c (the merge rules of
 * each column). Nothing here is exported.
 */
#ifndef IO_CSV_APPLY_H
#define IO_CSV_APPLY_H

#include "io_csv_int.h"

/* A set of owned keys, each with an entry (borrowed, or owned when own
 * is set); addr__hmap does the hashing. */
struct addr__csv_keyset {
	struct addr__hmap m;
	char **keys;		/* each: its length (a size_t), the octets */
	struct addr_dir_entry **vals;
	size_t n, cap;
	int own;
};

void addr__csv_keyset_init(struct addr__csv_keyset *ks);
void addr__csv_keyset_free(struct addr__csv_keyset *ks);
int addr__csv_keyset_add(struct addr__csv_keyset *ks, const char *key,
			 size_t klen, struct addr_dir_entry *e);
struct addr_dir_entry *addr__csv_keyset_get(const struct addr__csv_keyset *ks,
					    const char *key, size_t klen);

/* One header column. */
struct addr__csv_col {
	size_t off, len;	/* its name in hnames (unescaped) */
	int col;		/* ADDR__CSV_* */
	int mv;			/* an opaque multi-valued column */
};

/* A DL membership that a mailbox or remote line changes (§5.6). */
struct addr__csv_groupop {
	struct addr_dir_entry *e;	/* the DL, in the directory */
	int add;
};

/* One field as the merge rules see it. */
struct addr__csv_val {
	const char *p;		/* escapes kept */
	size_t n;
	int quoted;
	int present;		/* the header has the column */
};

struct addr__csv_run {
	struct addr_dir *d;
	const struct addr_csv_options *opt;
	int lenient;
	struct addr__sink s;
	struct addr__csv_text x;
	struct addr__csv_tok k;
	struct addr__csv_map map;
	struct addr__csv_col *h;
	size_t nh;
	struct addr_buf hnames;
	int ci[ADDR__CSV_NCOLS];	/* column of each kind, -1 */
	struct addr__csv_keyset born;	/* DN keys of objects this file
					 * created */
	struct addr_dir_entry born_mark;	/* their (unused) value */
	struct addr__csv_keyset legdns;	/* legacyExchangeDN keys the file
					 * declares -> DN and kind */
	struct addr__csv_groupop *group;
	size_t ngroup, groupcap;
	/* the current line */
	struct addr_buf dn, name;
	struct addr__csv_path path;
	struct addr_buf v, w;		/* scratch */
};

/* io_csv_apply.c */
void addr__csv_field(const struct addr__csv_run *c, int col,
		     struct addr__csv_val *v);

/* One multi-valued field as the merge rules see it: values unescaped
 * and NUL-terminated in b. */
struct addr__csv_vals {
	struct addr_buf b;
	struct {
		size_t off, len;
		int del;	/* ~DEL<value> */
		int group;	/* restrictions: the value names a DL */
	} *v;
	size_t n, cap, ndel;
	int clear;		/* the field is ~DEL */
};
#define ADDR__CSV_VAL(vs, i) ((vs)->b.ptr + (vs)->v[i].off)

/* io_csv_merge.c */
void addr__csv_vals_init(struct addr__csv_vals *vs);
void addr__csv_vals_free(struct addr__csv_vals *vs);
int addr__csv_vals_push(struct addr__csv_vals *vs, const char *s, size_t n,
			int del);
/* addr__csv_collect - the values of MV field col into vs, unescaped,
 * empty elements dropped: 1 when the field says something, 0 when it is
 * blank or broke a ~DEL rule (reported), ADDR_ENOMEM */
int addr__csv_collect(struct addr__csv_run *c, int col, int isnew,
		      struct addr__csv_vals *vs);
/* addr__csv_colname - the header's spelling of column i */
const char *addr__csv_colname(const struct addr__csv_run *c, int i);
/* addr__csv_error - one error charged to the current line */
void addr__csv_error(struct addr__csv_run *c, int code, const char *rule,
		     const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
/* addr__csv_value_drop - remove value j of attribute a of e (and a
 * when it is left empty) */
void addr__csv_value_drop(struct addr_dir_entry *e, struct addr__dattr *a,
			  size_t j);
/* addr__csv_merge - every column but Obj-Class, Mode, Directory Name and
 * Obj-Container into nw (the copy of the object, or a new one); problems
 * go to c->s; DL memberships of a mailbox or remote row go to c->group.
 * 0 or ADDR_ENOMEM. */
int addr__csv_merge(struct addr__csv_run *c, struct addr_dir_entry *nw,
		    int kind, int isnew);
/* addr__csv_set_single - attr gets the one value v[0..n), in place */
int addr__csv_set_single(struct addr_dir_entry *e, const char *attr,
			 const char *v, size_t n);
/* addr__csv_member_edit - add or remove member dn[0..n) of DL e */
int addr__csv_member_edit(struct addr_dir_entry *e, const char *dn, size_t n,
			  int add);

/* io_csv_proxy.c: the two proxy columns into nw; 0 or ADDR_ENOMEM */
int addr__csv_proxies(struct addr__csv_run *c, struct addr_dir_entry *nw,
		      int isnew);

#endif
