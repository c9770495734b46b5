/*
 * io_csv_int.h - private declarations of the Exchange 5.5 CSV format
 *
 * Shared by io_csv.c (decoding, tokeniser, header, values, rejects),
 * io_csv_dn.c (DN and 5.5 path mapping), io_csv_apply.c (lines applied
 * to a directory) and io_csv_write.c (the writer). Nothing here is
 * exported. spec-directory.md §5.
 */
#ifndef IO_CSV_INT_H
#define IO_CSV_INT_H

#include "dir_int.h"

#define ADDR__CSV_VALUE_MAX ((size_t)1 << 20)	/* limit.value */
#define ADDR__CSV_TYPE_MAX 8	/* proxy type in 5.5 CSV (event 232) */

/* Column kinds of a header name (§5.3). */
enum {
	ADDR__CSV_OPAQUE = 0,	/* any other name: an opaque attribute */
	ADDR__CSV_OBJCLASS,
	ADDR__CSV_MODE,
	ADDR__CSV_DIRNAME,
	ADDR__CSV_ALIAS,
	ADDR__CSV_DISPLAY,
	ADDR__CSV_GIVEN,
	ADDR__CSV_SN,
	ADDR__CSV_INITIALS,
	ADDR__CSV_TARGET,
	ADDR__CSV_PRIMARY,
	ADDR__CSV_SECONDARY,
	ADDR__CSV_MEMBERS,
	ADDR__CSV_CONTAINER,
	ADDR__CSV_DISTNAME,
	ADDR__CSV_HIDE,
	ADDR__CSV_ACCEPT,
	ADDR__CSV_ACCEPT_DL,
	ADDR__CSV_REJECT,
	ADDR__CSV_REJECT_DL,
	ADDR__CSV_READONLY,	/* export-only or derived: ignored */
	ADDR__CSV_IGNORED,	/* an empty name (Excel's trailing comma) or
				 * a duplicate that lost */
	ADDR__CSV_NCOLS
};

/* addr__csv_grow - room for element n in arr, an array of *cap elements
 * of size octets (doubling): the array to use from now on, or NULL when
 * memory ran out (arr and *cap unchanged) */
void *addr__csv_grow(void *arr, size_t *cap, size_t n, size_t size);

/* io_csv.c: the column table */
/* addr__csv_column - the kind of header name s[0..n) (case-insensitive;
 * friendly, schema and LDAP names of one field are synonyms) */
int addr__csv_column(const char *s, size_t n);
/* addr__csv_attr - the model attribute of a single-valued column, or NULL */
const char *addr__csv_attr(int col);
/* addr__csv_ref_attr - the attribute a restriction column fills
 * (authOrig, dLMemSubmitPerms, unauthOrig, dLMemRejectPerms) or NULL */
const char *addr__csv_ref_attr(int col);
/* addr__csv_kind_name - Obj-Class of a kind: Mailbox, Remote, DL */
const char *addr__csv_kind_name(int kind);
/* addr__csv_mv_opaque - is the opaque column name multi-valued (the
 * 5.5 pseudo columns, or one of opt->mv_column)? */
int addr__csv_mv_opaque(const char *name, size_t n,
			const struct addr_csv_options *opt);

/* One field of a record: text[off..off+len) holds it with its quotes
 * removed, "" doubling turned into \" and every "\" escape kept. */
struct addr__csv_field {
	size_t off, len;
	int quoted;
};

/* Tokeniser problems of a record. */
#define ADDR__CSV_TOK_QUOTE	1	/* misplaced quote (event 220) */
#define ADDR__CSV_TOK_OPEN	2	/* unterminated quote */

/*
 * The tokeniser (§5.9) over ASCII-compatible text t[0..n): the decoded
 * file, or for addr_csv_rejects the raw octets. Empty lines are skipped.
 */
struct addr__csv_tok {
	const char *t;
	size_t n, pos, line;	/* line: physical line at pos (1-based) */
	size_t maxf;		/* fields kept per record (more are counted) */
	/* the current record */
	struct addr_buf text;
	struct addr__csv_field *f;
	size_t nkept, fcap;
	size_t nfields;		/* fields counted */
	size_t first, last;	/* its physical lines */
	int err;		/* ADDR__CSV_TOK_* or 0 */
	size_t errline;
	int toolong;		/* a field over ADDR__CSV_VALUE_MAX */
};

void addr__csv_tok_init(struct addr__csv_tok *k, const char *t, size_t n,
			size_t maxf);
void addr__csv_tok_free(struct addr__csv_tok *k);
/* addr__csv_tok_next - the next record: 1, 0 at the end, ADDR_ENOMEM */
int addr__csv_tok_next(struct addr__csv_tok *k);

/* value helpers (io_csv.c) */
/* addr__csv_blank - unquoted and nothing but SPACEs: "no change" */
int addr__csv_blank(const char *s, size_t n, int quoted);
/* addr__csv_is_del - the field is exactly "~DEL" (any case) */
int addr__csv_is_del(const char *s, size_t n);
/* addr__csv_unescape - append s[0..n) with "\x" -> x, a lone "\" at the
 * end dropped */
int addr__csv_unescape(struct addr_buf *out, const char *s, size_t n);
/* addr__csv_mv_next - the next element of an MV field s[0..n) split at
 * unescaped "%": from *i, sets *b and *len (escapes kept) and moves *i;
 * 0 when there is none left */
int addr__csv_mv_next(const char *s, size_t n, size_t *i, size_t *b,
		      size_t *len);
/* addr__csv_put_value - append one value escaped for a field (§5.9):
 * "\" "%" and '"' escaped, and a leading "~" when the value would read
 * as ~DEL */
void addr__csv_put_value(struct addr_buf *out, const char *v, size_t n);
/* addr__csv_put_field - append field text s[0..n) (escaped values),
 * quoted iff it holds "," '"' CR or LF, begins or ends with a SPACE,
 * or is empty and quote_empty is set */
void addr__csv_put_field(struct addr_buf *out, const char *s, size_t n,
			 int quote_empty);

/* io_csv.c: decoding (§5.7) */
struct addr__csv_text {
	struct addr_buf t;	/* the file as UTF-8 (bad lines narrowed) */
	size_t *bad;		/* physical lines that did not decode */
	size_t nbad, badcap;
	const char *charset;	/* what the file was read as */
	int bom;
};
/* addr__csv_decode - decode in[0..len) per opt; problems go to s.
 * Returns 0, the number of file-level errors (nothing more can be read),
 * or ADDR_ENOMEM. */
int addr__csv_decode(struct addr__csv_text *x, const char *in, size_t len,
		     const struct addr_csv_options *opt, struct addr__sink *s);
void addr__csv_text_free(struct addr__csv_text *x);
/* addr__csv_bad_span - does a line in [first, last] not decode? */
int addr__csv_bad_span(const struct addr__csv_text *x, size_t first,
		       size_t last);

/* io_csv_dn.c: DN and path mapping (§5.6, §5.8) */
struct addr__csv_map {
	const struct addr_csv_options *opt;
	struct addr_buf basekey;	/* RFC 4514 key of opt->base */
	size_t nbase;			/* RDNs in opt->base */
};
/* addr__csv_map_init - ADDR_EINVAL when opt->base is missing or not a
 * DN; pair with addr__csv_map_free */
int addr__csv_map_init(struct addr__csv_map *m,
		       const struct addr_csv_options *opt);
void addr__csv_map_free(struct addr__csv_map *m);

/* A container path: the subcontainer names, outermost first, each
 * NUL-terminated in one buffer. */
struct addr__csv_path {
	struct addr_buf names;
	size_t n;
};
/*
 * addr__csv_path_parse - a 5.5 path p[0..n) (unescaped): site-relative
 * "Recipients[/cn=Sub...]" or, with org and site set, absolute
 * "/o=ORG/ou=SITE/cn=Recipients[/cn=Sub...]". leaf: the last component
 * is an object (a member path), put in *leaf. 1 mapped, 0 not mappable,
 * ADDR_ENOMEM.
 */
int addr__csv_path_parse(const struct addr__csv_map *m, const char *p,
			 size_t n, struct addr__csv_path *out,
			 struct addr_buf *leaf);
/* addr__csv_dn_build - out = "CN=name,CN=sub...,base" (cleared first) */
int addr__csv_dn_build(const struct addr__csv_map *m, struct addr_buf *out,
		       const char *name, size_t n,
		       const struct addr__csv_path *path);
/*
 * addr__csv_dn_split - the reverse: name gets the first RDN's value and
 * path the subcontainers when dn[0..n) ends in base and every RDN before
 * it is one CN. 1, 0 (unmappable), ADDR_ENOMEM.
 */
int addr__csv_dn_split(const struct addr__csv_map *m, const char *dn,
		       size_t n, struct addr_buf *name,
		       struct addr__csv_path *path);
/* addr__csv_path_put - append "Recipients[/cn=Sub...][/cn=leaf]" (leaf
 * nullable); 0, -1 when a name holds "/" (no 5.5 path can say it), or
 * ADDR_ENOMEM */
int addr__csv_path_put(const struct addr__csv_map *m, struct addr_buf *out,
		       const struct addr__csv_path *path, const char *leaf);
/* addr__csv_legdn_put - append the legacyExchangeDN §5.8 gives an object
 * (org and site must be set): "/o=ORG/ou=SITE/cn=Recipients[/cn=Sub...]
 * /cn=name"; 0, -1 when a name holds "/", ADDR_ENOMEM */
int addr__csv_legdn_put(const struct addr__csv_map *m, struct addr_buf *out,
			const struct addr__csv_path *path, const char *name,
			size_t n);
void addr__csv_path_init(struct addr__csv_path *p);
void addr__csv_path_free(struct addr__csv_path *p);

/* the default column "Primary Windows NT Account" is stored as the 5.5
 * schema attribute Assoc-NT-Account (a friendly name with spaces is no
 * LDAP attribute description) and written back under its friendly name */
#define ADDR__CSV_NT_ACCOUNT		"Primary Windows NT Account"
#define ADDR__CSV_NT_ACCOUNT_ATTR	"Assoc-NT-Account"

#endif
