/*
 * addr.h - the public interface of libaddr
 *
 * libaddr parses, validates and formats e-mail addresses (RFC 5321, 5322,
 * 6531, 6532) and, in later modules, the address forms of mixed Exchange /
 * X.400 / Internet mail sites.
 *
 * Conventions (see docs/style.md of the project):
 *  - Fallible calls return int: negative is an error (ADDR_E*), 0 means
 *    "no match / unchanged / success without result", positive "matched".
 *  - Input arrives as pointer + length; NUL and any other octet may occur.
 *  - Results go into a caller-owned struct addr_buf, always NUL-terminated.
 *  - Error details go into an optional (nullable) caller-owned
 *    struct addr_error.
 *  - Every pointer returned inside a result is borrowed from that result and
 *    stays valid until the result is freed or reused.
 *  - Whatever libaddr allocates, libaddr frees; addr_X_free(NULL) is a no-op.
 *  - The library never logs, never exits and never aborts on bad input.
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ADDR_EXTERN __attribute__((visibility("default")))
#else
#define ADDR_EXTERN
#endif

#define ADDR_VERSION_MAJOR 0
#define ADDR_VERSION_MINOR 1
#define ADDR_VERSION_PATCH 0
#define ADDR_VERSION "0.1.0"

/* ---------------------------------------------------------------- errors */

/* Return codes: negative is an error. */
enum addr_errcode {
	ADDR_OK = 0,
	ADDR_ESYNTAX = -1,	/* the input does not follow the grammar */
	ADDR_ETOOLONG = -2,	/* a length limit was exceeded */
	ADDR_ENOMEM = -3,	/* an allocation failed */
	ADDR_EIO = -4,		/* reading or writing a file failed */
	ADDR_ECONFLICT = -5,	/* a uniqueness rule was violated */
	ADDR_EINVAL = -6,	/* an argument is out of range */
	ADDR_ENOTSUP = -7	/* a feature or charset is not supported */
};

/*
 * Details of the last error of one call. Caller-owned; every fallible
 * function takes a nullable pointer to one. offset is a 0-based octet
 * offset into the caller's input; line and column are 1-based and 0 when
 * not meaningful (single-line inputs). diag is the diagnosis code
 * (ADDR_D_*) when the error comes from the address parser, else 0.
 */
struct addr_error {
	int code;		/* ADDR_E* */
	int diag;		/* ADDR_D_* or 0 */
	size_t offset;
	size_t line;
	size_t column;
	char message[200];	/* NUL-terminated English text */
};

/* addr_strerror - static text for an ADDR_E* code (never NULL) */
ADDR_EXTERN const char *addr_strerror(int code);

/* --------------------------------------------------------------- memory */

/*
 * addr_set_alloc_funcs - replace the allocator used by libaddr.
 * Call before any other libaddr function; either all three or none.
 * ICU's own allocations are not affected. Passing NULL restores the C
 * library's malloc, realloc and free.
 */
typedef void *(*addr_malloc_fn)(size_t);
typedef void *(*addr_realloc_fn)(void *, size_t);
typedef void (*addr_free_fn)(void *);
ADDR_EXTERN void addr_set_alloc_funcs(addr_malloc_fn m, addr_realloc_fn r,
				      addr_free_fn f);

/* ------------------------------------------------------------- buffers */

/*
 * A growable string buffer owned by the caller. ptr is always a valid
 * NUL-terminated string after addr_buf_init (it may point to a static
 * empty string until something is written). Out of memory is sticky:
 * once an append fails, every later append fails with ADDR_ENOMEM until
 * addr_buf_clear or addr_buf_free.
 */
struct addr_buf {
	char *ptr;		/* NUL-terminated contents, never NULL */
	size_t size;		/* octets used, excluding the NUL */
	size_t asize;		/* octets allocated; 0 when ptr is static */
	int oom;		/* nonzero after a failed append */
};

ADDR_EXTERN void addr_buf_init(struct addr_buf *buf);
/* addr_buf_free - release the storage; the buffer is then initialised */
ADDR_EXTERN void addr_buf_free(struct addr_buf *buf);
/* addr_buf_clear - empty the buffer, keep its storage, reset oom */
ADDR_EXTERN void addr_buf_clear(struct addr_buf *buf);
/* appends: 0 or ADDR_ENOMEM */
ADDR_EXTERN int addr_buf_put(struct addr_buf *buf, const char *data, size_t len);
ADDR_EXTERN int addr_buf_puts(struct addr_buf *buf, const char *str);
ADDR_EXTERN int addr_buf_putc(struct addr_buf *buf, char c);
/* addr_buf_grow - make room for at least size octets plus the NUL */
ADDR_EXTERN int addr_buf_grow(struct addr_buf *buf, size_t size);
/* addr_buf_truncate - shorten to len octets (no-op when len >= size) */
ADDR_EXTERN void addr_buf_truncate(struct addr_buf *buf, size_t len);
/* addr_buf_detach - hand the storage to the caller (free with addr_free) */
ADDR_EXTERN char *addr_buf_detach(struct addr_buf *buf);
/* addr_free - free memory that libaddr handed to the caller */
ADDR_EXTERN void addr_free(void *ptr);

/* ---------------------------------------------------------------- UTF-8 */

/*
 * addr_utf8_check - length of the well-formed (RFC 3629) UTF-8 prefix of
 * s[0..len). Equal to len iff the whole input is well-formed.
 */
ADDR_EXTERN size_t addr_utf8_check(const char *s, size_t len);

/* ------------------------------------------------- e-mail address layer */

/* Productions (spec-address.md §1.1). */
enum addr_production {
	ADDR_P_REVERSE_PATH = 1,	/* envelope: MAIL FROM argument */
	ADDR_P_FORWARD_PATH,		/* envelope: RCPT TO argument */
	ADDR_P_ADDR_SPEC,		/* header: addr-spec alone */
	ADDR_P_MAILBOX,			/* header: mailbox */
	ADDR_P_ADDRESS,			/* header: mailbox or group */
	ADDR_P_MAILBOX_LIST,		/* header: mailbox-list */
	ADDR_P_ADDRESS_LIST		/* header: address-list */
};

/* Parse flags. */
#define ADDR_F_LENIENT		0x01u	/* obsolete syntax (header), general literals (envelope) */
#define ADDR_F_UTF8		0x02u	/* RFC 6531 / 6532 UTF-8 */
#define ADDR_F_DECODE_2047	0x04u	/* decode RFC 2047 words in display names */

/* Categories (spec-address.md §4.2); numerically ordered by severity. */
enum addr_category {
	ADDR_CAT_VALID = 1,
	ADDR_CAT_RFC5321 = 15,
	ADDR_CAT_CFWS = 31,
	ADDR_CAT_DEPRECATED = 63,
	ADDR_CAT_RFC5322 = 127,
	ADDR_CAT_ERROR = 255
};

/* Diagnoses (spec-address.md §4.3); values follow is_email where it has one. */
enum addr_diag_code {
	ADDR_D_VALID = 0,
	ADDR_D_ENCWORD_UNDECODABLE = 1,
	ADDR_D_UTF8_CONTROL = 7,
	ADDR_D_UTF8_NOT_NFC = 8,
	ADDR_D_RFC5321_TLD = 9,
	ADDR_D_RFC5321_TLDNUMERIC = 10,
	ADDR_D_RFC5321_QUOTEDSTRING = 11,
	ADDR_D_RFC5321_ADDRESSLITERAL = 12,
	ADDR_D_DEPREC_IPV6 = 13,
	ADDR_D_RFC5321_RESERVEDLABEL = 14,
	ADDR_D_CFWS_COMMENT = 17,
	ADDR_D_CFWS_FWS = 18,
	ADDR_D_IDNA_MAPPED = 19,
	ADDR_D_DEPREC_LOCALPART = 33,
	ADDR_D_DEPREC_FWS = 34,
	ADDR_D_DEPREC_QTEXT = 35,
	ADDR_D_DEPREC_QP = 36,
	ADDR_D_DEPREC_COMMENT = 37,
	ADDR_D_DEPREC_CTEXT = 38,
	ADDR_D_DEPREC_PHRASE = 39,
	ADDR_D_DEPREC_ROUTE = 40,
	ADDR_D_DEPREC_EMPTY_MEMBER = 41,
	ADDR_D_DEPREC_CFWS_NEAR_AT = 49,
	ADDR_D_RFC5322_DOMAIN = 65,
	ADDR_D_RFC5322_TOOLONG = 66,
	ADDR_D_RFC5322_LOCAL_TOOLONG = 67,
	ADDR_D_RFC5322_DOMAIN_TOOLONG = 68,
	ADDR_D_RFC5322_LABEL_TOOLONG = 69,
	ADDR_D_RFC5322_DOMAINLITERAL = 70,
	ADDR_D_RFC5322_DOMLIT_OBSDTEXT = 71,
	ADDR_D_RFC5322_IPV6_GRPCOUNT = 72,
	ADDR_D_RFC5322_IPV6_2X2XCOLON = 73,
	ADDR_D_RFC5322_IPV6_BADCHAR = 74,
	ADDR_D_RFC5322_IPV6_MAXGRPS = 75,
	ADDR_D_RFC5322_IPV6_COLONSTRT = 76,
	ADDR_D_RFC5322_IPV6_COLONEND = 77,
	ADDR_D_IDNA_DISALLOWED = 78,
	ADDR_D_IDNA_ALABEL = 79,
	ADDR_D_IDNA_BIDI = 80,
	ADDR_D_IDNA_CONTEXT = 81,
	ADDR_D_IDNA_FORM = 82,
	ADDR_D_ERR_EXPECTING_DTEXT = 129,
	ADDR_D_ERR_NOLOCALPART = 130,
	ADDR_D_ERR_NODOMAIN = 131,
	ADDR_D_ERR_CONSECUTIVEDOTS = 132,
	ADDR_D_ERR_ATEXT_AFTER_CFWS = 133,
	ADDR_D_ERR_ATEXT_AFTER_QS = 134,
	ADDR_D_ERR_ATEXT_AFTER_DOMLIT = 135,
	ADDR_D_ERR_EXPECTING_QPAIR = 136,
	ADDR_D_ERR_EXPECTING_ATEXT = 137,
	ADDR_D_ERR_EXPECTING_QTEXT = 138,
	ADDR_D_ERR_EXPECTING_CTEXT = 139,
	ADDR_D_ERR_BACKSLASHEND = 140,
	ADDR_D_ERR_DOT_START = 141,
	ADDR_D_ERR_DOT_END = 142,
	ADDR_D_RFC5322_HYPHENSTART = 143,
	ADDR_D_RFC5322_HYPHENEND = 144,
	ADDR_D_ERR_UNCLOSEDQUOTEDSTR = 145,
	ADDR_D_ERR_UNCLOSEDCOMMENT = 146,
	ADDR_D_ERR_UNCLOSEDDOMLIT = 147,
	ADDR_D_ERR_FWS_CRLF_X2 = 148,
	ADDR_D_ERR_FWS_CRLF_END = 149,
	ADDR_D_ERR_CR_NO_LF = 150,
	ADDR_D_ERR_OBSOLETE = 151,
	ADDR_D_ERR_ENVELOPE = 152,
	ADDR_D_ERR_UTF8_MALFORMED = 153,
	ADDR_D_ERR_ANGLE = 154,
	ADDR_D_ERR_GROUP_NOT_ALLOWED = 155,
	ADDR_D_ERR_UNCLOSEDGROUP = 156,
	ADDR_D_ERR_EMPTY = 157,
	ADDR_D_ERR_NULLPATH = 158,
	ADDR_D_ERR_TRAILING = 159
};

/* addr_diag_name - "RFC5321_TLD" for ADDR_D_RFC5321_TLD; NULL if unknown */
ADDR_EXTERN const char *addr_diag_name(int code);
/* addr_diag_from_name - inverse of addr_diag_name; -1 if unknown */
ADDR_EXTERN int addr_diag_from_name(const char *name);
/* addr_diag_category - the category (ADDR_CAT_*) of a diagnosis; 0 if unknown */
ADDR_EXTERN int addr_diag_category(int code);
/* addr_category_name - "VALID", "RFC5321", ...; NULL if unknown */
ADDR_EXTERN const char *addr_category_name(int category);

struct addr_diag {
	int code;		/* ADDR_D_* */
	size_t offset;		/* octet offset into the parsed input */
};

enum addr_kind {
	ADDR_K_MAILBOX = 1,
	ADDR_K_GROUP,
	ADDR_K_NULL,		/* the null reverse-path <> */
	ADDR_K_POSTMASTER	/* <Postmaster> as a forward-path */
};

enum addr_domain_kind {
	ADDR_DK_NONE = 0,	/* no domain (groups, null path, postmaster) */
	ADDR_DK_NAME,
	ADDR_DK_IPV4,
	ADDR_DK_IPV6,
	ADDR_DK_GENERAL,	/* General-address-literal (envelope, lenient) */
	ADDR_DK_OTHER_LITERAL
};

/* A borrowed, NUL-terminated string with its length (may contain NUL). */
struct addr_str {
	const char *ptr;	/* never NULL in a parsed result ("" when empty) */
	size_t len;
};

/*
 * One address of a parse result (spec-address.md §4.1). All pointers are
 * borrowed from the enclosing struct addr_mailbox_result.
 */
struct addr_mailbox {
	int kind;			/* ADDR_K_* */
	size_t span_offset;		/* where the address is in the input */
	size_t span_length;
	int category;			/* over this address's diagnoses */
	const struct addr_diag *diag;	/* diagnoses in the span (for a
					 * group: not in a member's span) */
	size_t ndiag;
	int has_display_name;
	struct addr_str display_name;	/* decoded, UTF-8, NFC; group name */
	struct addr_str local_part;	/* unquoted internal form */
	struct addr_str domain;		/* given form, or literal content */
	int domain_kind;		/* ADDR_DK_* */
	struct addr_str a_label;	/* "" when unavailable */
	struct addr_str u_label;	/* "" when unavailable */
	const struct addr_str *route;	/* source-route domains as given */
	size_t nroute;
	int smtputf8;			/* needs SMTPUTF8 (RFC 6531 §3.4) */
	const struct addr_mailbox *members;	/* group members */
	size_t nmembers;
};

/*
 * The result of addr_mailbox_parse. Allocated by the caller (stack or
 * embedded), initialised with addr_mailbox_result_init, released with
 * addr_mailbox_result_free. The members below are public and read-only;
 * the rest is storage: inline room for one mailbox and its strings, so
 * an envelope-mode parse of an ASCII address allocates nothing.
 */
#define ADDR__INLINE_DIAG 16
#define ADDR__INLINE_ARENA 1536
struct addr__chunk;
struct addr_mailbox_result {
	int category;			/* ADDR_CAT_* */
	int primary;			/* ADDR_D_* (spec §4.4) */
	const struct addr_diag *diag;	/* sorted (spec §4.3) */
	size_t ndiag;
	const struct addr_mailbox *addr;	/* in input order */
	size_t naddr;

	/* private storage; do not touch */
	struct addr_diag diag_inline_[ADDR__INLINE_DIAG];
	struct addr_diag *diag_heap_;
	size_t diag_cap_;
	struct addr_mailbox addr_inline_;
	struct addr_mailbox *addr_heap_;
	size_t addr_cap_;
	struct addr__chunk *chunks_;
	size_t arena_used_;
	struct addr_buf scratch_[4];
	union {
		char c[ADDR__INLINE_ARENA];
		void *align_p;
		size_t align_z;
	} arena_inline_;
};

/* addr_mailbox_result_init - prepare a result for use (cannot fail) */
ADDR_EXTERN void addr_mailbox_result_init(struct addr_mailbox_result *res);
/* addr_mailbox_result_free - free what parses allocated; NULL is a no-op.
 * The struct is left initialised and may be reused. */
ADDR_EXTERN void addr_mailbox_result_free(struct addr_mailbox_result *res);

/*
 * addr_mailbox_parse - parse one field body or path.
 * out: initialised result, replaced; in/len: the input (borrowed);
 * production: ADDR_P_*; flags: ADDR_F_*; err: nullable.
 * Returns 0 when the category is not ERROR, ADDR_ESYNTAX when it is (err
 * then holds the primary diagnosis and its offset), ADDR_ENOMEM on
 * allocation failure (the result is then empty), ADDR_EINVAL for an
 * unknown production.
 */
ADDR_EXTERN int addr_mailbox_parse(struct addr_mailbox_result *out,
				   const char *in, size_t len, int production,
				   unsigned flags, struct addr_error *err);

/* Normalization flags (spec-address.md §5). */
#define ADDR_N_ULABEL	0x01u	/* domain in U-label form */
#define ADDR_N_7BIT	0x02u	/* display name must be 7-bit */

/*
 * addr_mailbox_normalize - canonical form of one parsed mailbox.
 * addr_out receives "local@domain" (empty for the null path, the local
 * part for postmaster); display_out (nullable) receives the display name
 * as a phrase ready for a header, empty when there is none. Both buffers
 * are cleared first. Returns 0, ADDR_EINVAL for a group, or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_mailbox_normalize(struct addr_buf *addr_out,
				       struct addr_buf *display_out,
				       const struct addr_mailbox *mailbox,
				       unsigned nflags);

/*
 * addr_mailbox_quote_local - write a local part in its minimally quoted
 * form (spec-address.md §5 rule 2) without NFC conversion. Appends to out.
 */
ADDR_EXTERN int addr_mailbox_quote_local(struct addr_buf *out,
					 const char *local, size_t len);

/* ------------------------------------------------ X.400 O/R addresses */

/*
 * The O/R address model of spec-x400.md §1.1, shared by the Exchange
 * "X400:" form, the RFC 1685 / F.401 labelled form and the RFC 2156
 * std-or form. Indexes into struct addr_x400.attr.
 */
enum addr_x400_attr {
	ADDR_X400_C = 0,	/* country */
	ADDR_X400_A,		/* ADMD */
	ADDR_X400_P,		/* PRMD */
	ADDR_X400_O,		/* organization */
	ADDR_X400_OU1,
	ADDR_X400_OU2,
	ADDR_X400_OU3,
	ADDR_X400_OU4,
	ADDR_X400_S,		/* surname */
	ADDR_X400_G,		/* given name */
	ADDR_X400_I,		/* initials */
	ADDR_X400_Q,		/* generation qualifier */
	ADDR_X400_CN,		/* common name */
	ADDR_X400_X121,		/* network address X.121 */
	ADDR_X400_NID,		/* numeric user id */
	ADDR_X400_TID,		/* terminal id */
	ADDR_X400_TTY,		/* terminal type, as text ("5") */
	ADDR_X400_NATTR
};
#define ADDR_X400_MAXDDA 4	/* domain-defined attributes per address */

/* Textual forms (spec-x400.md §3). */
enum addr_x400_form {
	ADDR_X400_AUTO = 0,	/* parse only: detect the form (§3) */
	ADDR_X400_EXCHANGE = 1,	/* "C=US;A= ;P=..;" (X400: proxy value) */
	ADDR_X400_RFC1685 = 2,	/* "G=john; S=smith; ...; C=aq" */
	ADDR_X400_STDOR = 3	/* "/S=x/PRMD=abc/ADMD= /C=gb/" */
};

/* X.400 flags. */
#define ADDR_X400_STRICT 0x01u	/* strict mode of §1.1 (default: lenient) */

/*
 * One value. ptr NULL means absent; otherwise ptr is a NUL-terminated
 * string of len octets (it may itself contain NUL in lenient mode),
 * owned by the enclosing struct addr_x400.
 */
struct addr_x400_value {
	char *ptr;
	size_t len;
};

struct addr_x400_dda {
	struct addr_x400_value type;	/* never absent in a used slot */
	struct addr_x400_value value;	/* never absent in a used slot */
};

/*
 * An O/R address. Caller-allocated (stack or embedded), initialised with
 * addr_x400_init, released with addr_x400_free; every string in it is
 * owned by it. Fill it with addr_x400_parse, addr_x400_set and
 * addr_x400_add_dda rather than by hand.
 */
struct addr_x400 {
	struct addr_x400_value attr[ADDR_X400_NATTR];
	struct addr_x400_dda dda[ADDR_X400_MAXDDA];	/* SEQUENCE order */
	size_t ndda;
};

/* addr_x400_init - make x the empty address (cannot fail) */
ADDR_EXTERN void addr_x400_init(struct addr_x400 *x);
/* addr_x400_free - free the strings of x (NULL is a no-op); x is then
 * the empty address again and may be reused */
ADDR_EXTERN void addr_x400_free(struct addr_x400 *x);
/*
 * addr_x400_set - set attribute attr (ADDR_X400_*) to a copy of v[0..len),
 * or make it absent when v is NULL. v is borrowed. Returns 0, ADDR_EINVAL
 * (bad attr) or ADDR_ENOMEM. No bounds are checked here.
 */
ADDR_EXTERN int addr_x400_set(struct addr_x400 *x, int attr,
			      const char *v, size_t len);
/* addr_x400_add_dda - append a copy of (type, value) as the last DDA;
 * both borrowed. 0, ADDR_ETOOLONG (already 4) or ADDR_ENOMEM. */
ADDR_EXTERN int addr_x400_add_dda(struct addr_x400 *x, const char *type,
				  size_t tlen, const char *value, size_t vlen);
/* addr_x400_copy - replace dst by a deep copy of src; 0 or ADDR_ENOMEM
 * (dst is then empty) */
ADDR_EXTERN int addr_x400_copy(struct addr_x400 *dst,
			       const struct addr_x400 *src);
/* addr_x400_equal - 1 if a and b hold the same values octet for octet
 * (absent differs from empty), else 0 */
ADDR_EXTERN int addr_x400_equal(const struct addr_x400 *a,
				const struct addr_x400 *b);
/* addr_x400_attr_name - "C", "OU1", "X.121", "N-ID", ... (Exchange
 * keys); NULL for an unknown index */
ADDR_EXTERN const char *addr_x400_attr_name(int attr);
/*
 * addr_x400_check - the bounds of §1.1 (both modes), the character sets
 * and the OU chain with ADDR_X400_STRICT. 0, ADDR_ETOOLONG or
 * ADDR_ESYNTAX (err says which attribute).
 */
ADDR_EXTERN int addr_x400_check(const struct addr_x400 *x, unsigned flags,
				struct addr_error *err);
/* addr_x400_is_valid - 1 if x is a "valid X.400 address" in the sense
 * of §1.1 (C and A present, mnemonic/numeric/terminal form, S with
 * G/I/Q, bounds), else 0 */
ADDR_EXTERN int addr_x400_is_valid(const struct addr_x400 *x);
/*
 * addr_x400_parse - parse in[0..len) (borrowed) in form (ADDR_X400_*;
 * AUTO detects it) with flags ADDR_X400_*; err nullable. out must be
 * initialised; it is replaced (emptied on error). An optional "X400:"
 * prefix (any case) is removed in the Exchange form, "X.400:" in the
 * RFC 1685 form. Returns the form parsed (positive ADDR_X400_*), or
 * ADDR_ESYNTAX, ADDR_ETOOLONG, ADDR_ENOTSUP (attribute outside the
 * model), ADDR_EINVAL (bad form), ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_x400_parse(struct addr_x400 *out, const char *in,
				size_t len, int form, unsigned flags,
				struct addr_error *err);
/*
 * addr_x400_format - append x in form (EXCHANGE, RFC1685 or STDOR) to
 * out. x is checked first (addr_x400_check with flags). Returns 0, or
 * ADDR_ESYNTAX when x cannot be written in that form (err says why),
 * ADDR_ETOOLONG, ADDR_EINVAL, ADDR_ENOMEM. out may then hold a partial
 * result.
 */
ADDR_EXTERN int addr_x400_format(struct addr_buf *out,
				 const struct addr_x400 *x, int form,
				 unsigned flags, struct addr_error *err);

/* --------------------------------------- ps-encoding (RFC 2156 §3.4) */

#define ADDR_PS_PASSTHROUGH 0x01u	/* decode: unparsable input unaltered */

/*
 * addr_ps_encode - append the PrintableString encoding of ASCII
 * in[0..len) to out. 0, ADDR_ESYNTAX (non-ASCII octet; err->offset) or
 * ADDR_ENOMEM. On ADDR_ESYNTAX out is left as it was.
 */
ADDR_EXTERN int addr_ps_encode(struct addr_buf *out, const char *in,
			       size_t len, struct addr_error *err);
/*
 * addr_ps_decode - append the ASCII decoding of in[0..len) to out.
 * 0 when decoded; 1 when the input was unparsable and ADDR_PS_PASSTHROUGH
 * copied it unaltered; ADDR_ESYNTAX (err->offset; out is left as it
 * was) or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_ps_decode(struct addr_buf *out, const char *in,
			       size_t len, unsigned flags,
			       struct addr_error *err);

/* ------------------------------- RFC 2156 mappings and MCGAM tables */

/*
 * The four tables of spec-x400.md §4: MCGAM X.400->822 (table1) and
 * 822->X.400 (table2), gateway X.400->822 (gate1) and 822->X.400 (gate2).
 * Opaque; created by addr_rfc2156_tables_new, freed by
 * addr_rfc2156_tables_free.
 */
struct addr_rfc2156_tables;

/* Kinds of table lines. */
#define ADDR_RFC2156_MCGAM	1
#define ADDR_RFC2156_GATEWAY	2

/* Mapping flags. */
#define ADDR_RFC2156_ALGORITHMIC	0x01u	/* §5.1 step 4, §5.2 step 8 */
#define ADDR_RFC2156_RETURN_ADDRESS	0x02u	/* §5.2 Stage II: local O/R */
#define ADDR_RFC2156_OWNER		0x04u	/* mcgam-dns owner-name form */

/* addr_rfc2156_tables_new - *out = empty tables (caller frees with
 * addr_rfc2156_tables_free); 0 or ADDR_ENOMEM */
ADDR_EXTERN int addr_rfc2156_tables_new(struct addr_rfc2156_tables **out);
/* addr_rfc2156_tables_free - NULL is a no-op */
ADDR_EXTERN void addr_rfc2156_tables_free(struct addr_rfc2156_tables *t);
/*
 * addr_rfc2156_tables_load - add the lines of text[0..len) (borrowed;
 * LF or CRLF separated; "#" comment lines and empty lines skipped) as
 * kind (ADDR_RFC2156_MCGAM or _GATEWAY). All or nothing: on error no
 * line of this call is kept, err->line names the line. Returns the
 * number of lines added, or ADDR_ESYNTAX, ADDR_ETOOLONG, ADDR_ECONFLICT
 * (duplicate key, or a key in both an MCGAM and a gateway table),
 * ADDR_EINVAL, ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_rfc2156_tables_load(struct addr_rfc2156_tables *t,
					 int kind, const char *text,
					 size_t len, struct addr_error *err);
/*
 * addr_rfc2156_to_822 - map X.400 address x to an RFC 822 addr-spec
 * (spec-x400.md §5.1), appended to out. tables and domain (the local
 * gateway's domain, NUL-terminated) are borrowed and nullable; flags
 * ADDR_RFC2156_ALGORITHMIC. Returns 1 (Mapping A: the RFC-822 DDA),
 * 2 (Mapping B), or ADDR_ESYNTAX, ADDR_ETOOLONG, ADDR_EINVAL (no table
 * entry and no domain), ADDR_ENOMEM; out is left as it was on error.
 */
ADDR_EXTERN int addr_rfc2156_to_822(struct addr_buf *out,
				    const struct addr_x400 *x,
				    const struct addr_rfc2156_tables *tables,
				    const char *domain, unsigned flags,
				    struct addr_error *err);
/*
 * addr_rfc2156_from_822 - map the RFC 822 address in[0..len) (borrowed)
 * to an X.400 address (spec-x400.md §5.2). out must be initialised; it is
 * replaced. tables and local_or (the local gateway's O/R address) are
 * borrowed and nullable; flags ADDR_RFC2156_ALGORITHMIC,
 * ADDR_RFC2156_RETURN_ADDRESS. Returns 1 (Stage I: X.400 in 822),
 * 2 (Stage II: RFC-822 DDA), or ADDR_ESYNTAX, ADDR_ETOOLONG,
 * ADDR_EINVAL (no O/R address for Stage II), ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_rfc2156_from_822(struct addr_x400 *out,
				      const char *in, size_t len,
				      const struct addr_rfc2156_tables *tables,
				      const struct addr_x400 *local_or,
				      unsigned flags, struct addr_error *err);
/*
 * addr_rfc2156_dns - append the RFC 2163 translation of the
 * dmn-or-address in[0..len) (borrowed) to out (spec-x400.md §4.1);
 * with ADDR_RFC2156_OWNER the owner name under X42D.<cc>. Returns 0,
 * ADDR_ESYNTAX or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_rfc2156_dns(struct addr_buf *out, const char *in,
				 size_t len, unsigned flags,
				 struct addr_error *err);

/* ------------------------------------------------- IMCEA encapsulation */

/*
 * IMCEA wraps a non-SMTP address TYPE:value in an SMTP address,
 * "IMCEA" TYPE "-" escaped-value "@" domain (spec-imcea-proxy.md §1).
 * Flags of addr_imcea_encode* and addr_imcea_decode:
 */
#define ADDR_IMCEA_STRICT	0x01u	/* decode: only upper-case "IMCEA"
					 * (another case is not encapsulated),
					 * "+" without two hex digits an error */
#define ADDR_IMCEA_X400_STRICT	0x02u	/* both: X400 values in strict X.400
					 * mode (spec-x400.md §1.1) */
#define ADDR_IMCEA_RFC5321	0x04u	/* encode: local part at most 64
					 * octets (RFC 5321 §4.5.3.1.1) */

/*
 * addr_imcea_encode - encapsulate address[0..alen) of type
 * type[0..tlen) for domain[0..dlen) (all borrowed) into out, which is
 * cleared first. The type is 1..9 ASCII letters, digits or
 * ! # $ % & ' * / = ? ^ ` { | } ~ and is written as given; the address
 * is UTF-8, not empty or blank, free of U+0000..U+001F and U+007F, and
 * valid for its type (SMTP, X400, EUM; spec §1.4); the domain has
 * labels of [A-Za-z0-9_-]. The result has "IMCEA" in upper case and
 * the Latin-1 form, or the UTF8- form when the address has a code point
 * above U+00FF or starts with "UTF8-"; it is at most 315 / 571 octets
 * (local part / whole; 1604 / 1860 for type X400 in any case), and the
 * local part at most 64 with ADDR_IMCEA_RFC5321. Every successful
 * encode decodes (addr_imcea_decode, either mode) to the same address
 * octet for octet and the type up to ASCII case.
 * Returns 0, ADDR_ESYNTAX, ADDR_ETOOLONG or ADDR_ENOMEM (out is then
 * empty); err (nullable) gets an offset into the type, the address or
 * the domain, whichever the message names. The inputs must not point
 * into out.
 */
ADDR_EXTERN int addr_imcea_encode(struct addr_buf *out, const char *type,
				  size_t tlen, const char *address,
				  size_t alen, const char *domain,
				  size_t dlen, unsigned flags,
				  struct addr_error *err);
/*
 * addr_imcea_encode_proxy - addr_imcea_encode of "TYPE:value"
 * proxy[0..len) (split at the first ":"; none is ADDR_ESYNTAX). Error
 * offsets of type and value are into proxy, those of the domain into
 * domain.
 */
ADDR_EXTERN int addr_imcea_encode_proxy(struct addr_buf *out,
					const char *proxy, size_t len,
					const char *domain, size_t dlen,
					unsigned flags,
					struct addr_error *err);
/*
 * addr_imcea_decode - de-encapsulate in[0..len) (borrowed) into out,
 * which is cleared first (spec §1.6). local is the domain gate: NULL
 * accepts every domain; otherwise an array of nlocal NUL-terminated
 * domains (borrowed; NULL entries skipped; nlocal 0 accepts none), and
 * an address whose domain is not one of them (ASCII case-insensitive)
 * is not encapsulated. Returns:
 *   1  decoded: out holds "TYPE:value", TYPE upper-cased (it never
 *      contains ":", so the first ":" separates the two), value exactly
 *      as unescaped, UTF-8;
 *   0  not encapsulated (not "IMCEA..." in the mode's case, or the gate
 *      refused the domain): out is empty, the caller treats the input
 *      as a plain SMTP address;
 *   ADDR_ESYNTAX, ADDR_ETOOLONG (a length limit: type, or the value's
 *      own syntax), ADDR_ENOMEM: out is empty; err (nullable) gets an
 *      offset into in.
 * in must not point into out.
 */
ADDR_EXTERN int addr_imcea_decode(struct addr_buf *out, const char *in,
				  size_t len, const char *const *local,
				  size_t nlocal, unsigned flags,
				  struct addr_error *err);

/* ------------------------------------ X.500 / legacyExchangeDN names */

/*
 * A DN "/o=Org/ou=Site/cn=Recipients/cn=alias" (spec-x400.md §6): the
 * value of legacyExchangeDN and of EX: and X500: proxies. Sections are
 * prefix=value with the prefixes below (any case), each at least 3
 * characters with a non-empty value free of control characters, DEL
 * and # $ / ; = \ ^ ~ `. A failure is the error "legdn.syntax"
 * (ADDR_ESYNTAX); non-ASCII text is the warning "dn.non-ascii".
 */
enum addr_exdn_prefix {
	ADDR_EXDN_O = 1,	/* o= organization */
	ADDR_EXDN_OU,		/* ou= site, administrative group */
	ADDR_EXDN_CN,		/* cn= container or object */
	ADDR_EXDN_GUID		/* guid= */
};

#define ADDR_EXDN_W_NON_ASCII	0x01u	/* warning "dn.non-ascii" */

/* addr_exdn_format flags: the case of the prefixes (default: as given) */
#define ADDR_EXDN_LOWER		0x01u	/* "/o=...": as Exchange writes them */
#define ADDR_EXDN_UPPER		0x02u	/* "/O=..." */

/* One section. Both strings are borrowed from the enclosing DN. */
struct addr_exdn_rdn {
	int prefix;		/* ADDR_EXDN_* */
	struct addr_str name;	/* the prefix as written ("ou", "OU") */
	struct addr_str value;	/* as written, never empty */
};

/*
 * A parsed or built DN. Caller-allocated, initialised with
 * addr_exdn_init, released with addr_exdn_free; the members below are
 * public and read-only, the rest is storage.
 */
struct addr_exdn {
	const struct addr_exdn_rdn *rdn;	/* sections in order */
	size_t nrdn;
	unsigned warnings;			/* ADDR_EXDN_W_* */

	/* private storage; do not touch */
	struct addr_buf text_;
	struct addr_exdn_rdn *rdn_;
	size_t cap_;
};

/*
 * addr_exdn_check - validate the DN in[0..len) (borrowed) without
 * allocating. Returns 0 (valid; *warnings, nullable, gets the
 * ADDR_EXDN_W_* bits) or ADDR_ESYNTAX (err, nullable, says what and
 * where).
 */
ADDR_EXTERN int addr_exdn_check(const char *in, size_t len,
				unsigned *warnings, struct addr_error *err);
/* addr_exdn_init - make dn the empty DN (cannot fail) */
ADDR_EXTERN void addr_exdn_init(struct addr_exdn *dn);
/* addr_exdn_free - free dn's storage (NULL is a no-op); dn is then empty
 * and may be reused */
ADDR_EXTERN void addr_exdn_free(struct addr_exdn *dn);
/*
 * addr_exdn_parse - validate in[0..len) (borrowed; copied) and replace
 * dn by its sections. Returns 0 (dn->warnings set), ADDR_ESYNTAX or
 * ADDR_ENOMEM (dn is then empty).
 */
ADDR_EXTERN int addr_exdn_parse(struct addr_exdn *dn, const char *in,
				size_t len, struct addr_error *err);
/*
 * addr_exdn_append - add the section prefix=value[0..vlen) (borrowed;
 * copied; the prefix written in lower case) at the end of dn. Returns
 * 0, ADDR_ESYNTAX (a value the DN syntax refuses), ADDR_EINVAL (unknown
 * prefix) or ADDR_ENOMEM; dn is unchanged on error. Pointers into dn
 * from before the call are invalid afterwards.
 */
ADDR_EXTERN int addr_exdn_append(struct addr_exdn *dn, int prefix,
				 const char *value, size_t vlen,
				 struct addr_error *err);
/*
 * addr_exdn_format - append dn to out: as given (flags 0), or with the
 * prefixes re-cased (ADDR_EXDN_LOWER or ADDR_EXDN_UPPER). Returns 0,
 * ADDR_EINVAL (empty dn, or both flags) or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_exdn_format(struct addr_buf *out,
				 const struct addr_exdn *dn, unsigned flags);
/*
 * addr_exdn_key - append the comparison key of in[0..len) (borrowed) to
 * out: ASCII A-Z folded to a-z, ICU full case folding for non-ASCII
 * text (spec-imcea-proxy.md §4.2). Works on any UTF-8 text, valid DN
 * or not. Returns 0, ADDR_ESYNTAX (not UTF-8) or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_exdn_key(struct addr_buf *out, const char *in,
			      size_t len);
/*
 * addr_exdn_equal - 1 if a[0..alen) and b[0..blen) (borrowed) have the
 * same key (EX and X500 values, legacyExchangeDN), 0 if not,
 * ADDR_ESYNTAX (not UTF-8) or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_exdn_equal(const char *a, size_t alen, const char *b,
				size_t blen);

/* ------------------------------------------------ proxy addresses */

/*
 * Proxy addresses "TYPE:value" (spec-imcea-proxy.md §2). The stored
 * form: primary -> upper-case prefix, secondary -> lower-case prefix,
 * X400 values in the Exchange canonical form, other values unchanged.
 */
#define ADDR_PROXY_X400_STRICT	0x01u	/* X400 values in strict X.400 */

/*
 * addr_proxy_parse - parse in[0..len) (borrowed) into its stored form
 * in out (cleared first). A value without ":" that is a valid SMTP
 * address is a secondary SMTP proxy (R18). Returns 1 (primary),
 * 0 (secondary), ADDR_ESYNTAX (invalid for its type, R21), ADDR_ETOOLONG
 * (prefix over 9 characters, or over 1123 octets) or ADDR_ENOMEM; err
 * (nullable) names the problem.
 */
ADDR_EXTERN int addr_proxy_parse(struct addr_buf *out, const char *in,
				 size_t len, unsigned flags,
				 struct addr_error *err);
/*
 * addr_proxy_key - append to out the comparison key of a proxy in[0..len)
 * in stored form (spec-imcea-proxy.md §4.2): the upper-cased prefix, ":"
 * and the value folded (ASCII A-Z to a-z, ICU full case folding for
 * non-ASCII). Returns 0, ADDR_ESYNTAX (no ":" or not UTF-8), ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_proxy_key(struct addr_buf *out, const char *in,
			       size_t len);

/* ------------------------------------------------- recipient directory */

/*
 * An in-memory recipient directory (spec-directory.md §2, §3): an
 * ordered list of entries with hash indexes by DN, by every proxy value,
 * legacyExchangeDN and contact target. Opaque; addr_dir_new creates one,
 * addr_dir_free frees it and every entry in it.
 */
struct addr_dir;
/*
 * One recipient: a DN and attributes in order (unknown attributes kept
 * for round trips). Opaque. An entry made with addr_dir_entry_new is the
 * caller's until addr_dir_add takes it; entries returned by the lookup
 * functions are borrowed from the directory and stay valid until the
 * directory is changed or freed, and so do the names and values read
 * from them (a change may move the values of entries it does not
 * replace: a rename rewrites the members that name the entry).
 */
struct addr_dir_entry;

/* Kinds (objectClass user / contact / group). */
enum addr_dir_kind {
	ADDR_DIR_MAILBOX = 1,
	ADDR_DIR_CONTACT,
	ADDR_DIR_GROUP
};

/* Directory flags (addr_dir_new). */
#define ADDR_DIR_LENIENT	0x01u	/* lenient reading (spec-directory §2) */
#define ADDR_DIR_X400_STRICT	0x02u	/* X400 proxies in strict X.400 */

/* Severities of a diagnostic. */
#define ADDR_SEV_ERROR		1
#define ADDR_SEV_WARNING	2

/* One diagnostic (spec-directory.md §4, §10). */
struct addr_dir_diag {
	char *file;		/* owned by the report; NULL when unknown */
	size_t line;		/* 1-based; 0 when unknown */
	size_t column;		/* 1-based; 0 when unknown */
	int severity;		/* ADDR_SEV_* */
	const char *rule;	/* static rule id, "proxy.duplicate" */
	char *message;		/* owned by the report, NUL-terminated */
};

/*
 * A list of diagnostics. Caller-allocated; addr_dir_report_init, then
 * addr_dir_report_free. Members are read-only for the caller.
 */
struct addr_dir_report {
	struct addr_dir_diag *diag;
	size_t n;
	size_t nerrors;
	size_t nwarnings;
	size_t cap_;		/* private */
	int oom;		/* nonzero when a diagnostic was lost */
};

ADDR_EXTERN void addr_dir_report_init(struct addr_dir_report *rep);
/*
 * addr_dir_report_add - append a diagnostic of the caller's own (a tool
 * combining libaddr's checks with its own): file and message are copied
 * (file nullable), rule must be a static string. 0 or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_report_add(struct addr_dir_report *rep,
				    const char *file, size_t line,
				    size_t column, int severity,
				    const char *rule, const char *message);
/* addr_dir_report_free - free every diagnostic; NULL is a no-op; the
 * report is then empty and reusable */
ADDR_EXTERN void addr_dir_report_free(struct addr_dir_report *rep);

/* addr_dir_new - *out = an empty directory (caller frees with
 * addr_dir_free); flags ADDR_DIR_*. 0 or ADDR_ENOMEM. */
ADDR_EXTERN int addr_dir_new(struct addr_dir **out, unsigned flags);
/* addr_dir_free - free d and all its entries; NULL is a no-op */
ADDR_EXTERN void addr_dir_free(struct addr_dir *d);
/* addr_dir_set_progress - have fn(ctx, n) called every 1024 entries a
 * reader adds to d (n: entries so far), for a progress display; fn NULL
 * turns it off */
ADDR_EXTERN void addr_dir_set_progress(struct addr_dir *d,
				       void (*fn)(void *ctx, size_t n),
				       void *ctx);
/* addr_dir_set_threads - let the LDIF and DSML loads of d
 * (addr_dir_load_ldif, addr_dir_load_dsml and their _read forms) and its
 * change runs (addr_dir_apply_ldif_read, addr_dir_apply_dsml_read) make
 * and check entries in n worker threads (at most 8; 0, the default,
 * none) while the calling thread reads the input and inserts or applies
 * them in file order, and its LDIF and DSML writers (the _to forms)
 * format chunks of entries in n + 1 threads. The result, the bytes
 * written, the report and its order are the same either way; d must not be used by another
 * thread during the load. ADDR_EINVAL when n is over 8. With glibc, the
 * workers' allocations come from arenas of their own, grown a page at a
 * time; a program loading large directories may want mallopt(M_ARENA_MAX,
 * 1), as addrdir does. */
ADDR_EXTERN int addr_dir_set_threads(struct addr_dir *d, unsigned n);
/* addr_dir_count - number of entries */
ADDR_EXTERN size_t addr_dir_count(const struct addr_dir *d);
/* addr_dir_at - entry i in directory order (borrowed), NULL past the end */
ADDR_EXTERN const struct addr_dir_entry *addr_dir_at(const struct addr_dir *d,
						     size_t i);
/* addr_dir_find - the entry with DN dn[0..len) (RFC 4514 comparison:
 * types and values case-insensitive, escapes and spaces after "," and
 * around "=" ignored), or NULL (borrowed) */
ADDR_EXTERN const struct addr_dir_entry *addr_dir_find(const struct addr_dir *d,
						       const char *dn,
						       size_t len);

/*
 * addr_dir_entry_new - *out = a new entry with DN dn[0..len) (borrowed;
 * copied) and no attributes. Caller-owned: hand it to addr_dir_add or
 * free it with addr_dir_entry_free. 0, ADDR_ESYNTAX (empty DN) or
 * ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_entry_new(struct addr_dir_entry **out,
				   const char *dn, size_t len);
/* addr_dir_entry_free - free a caller-owned entry; NULL is a no-op */
ADDR_EXTERN void addr_dir_entry_free(struct addr_dir_entry *e);
/* addr_dir_entry_copy - *out = a caller-owned deep copy of e */
ADDR_EXTERN int addr_dir_entry_copy(struct addr_dir_entry **out,
				    const struct addr_dir_entry *e);
/*
 * addr_dir_entry_add_value - append a copy of v[0..len) to the attribute
 * attr (NUL-terminated, borrowed; compared case-insensitively; a new
 * attribute goes at the end). Only for caller-owned entries. 0,
 * ADDR_ETOOLONG (a name over 255 octets, a value of 4 GiB, or 16 Mi
 * values in one attribute) or ADDR_ENOMEM (also past 65,535 attributes,
 * or past 2 GiB of names and values in one entry).
 */
ADDR_EXTERN int addr_dir_entry_add_value(struct addr_dir_entry *e,
					 const char *attr, const char *v,
					 size_t len);
/* addr_dir_entry_dn - the DN as given (borrowed, NUL-terminated) */
ADDR_EXTERN const char *addr_dir_entry_dn(const struct addr_dir_entry *e);
/* addr_dir_entry_kind - ADDR_DIR_*, 0 for an entry not yet added */
ADDR_EXTERN int addr_dir_entry_kind(const struct addr_dir_entry *e);
/* addr_dir_entry_line - source line of the entry, 0 when unknown */
ADDR_EXTERN size_t addr_dir_entry_line(const struct addr_dir_entry *e);
/* addr_dir_entry_nattrs, _attr_name - attributes in order (borrowed) */
ADDR_EXTERN size_t addr_dir_entry_nattrs(const struct addr_dir_entry *e);
ADDR_EXTERN const char *addr_dir_entry_attr_name(const struct addr_dir_entry *e,
						 size_t i);
/* addr_dir_entry_nvalues - values of attr (case-insensitive), 0 if absent */
ADDR_EXTERN size_t addr_dir_entry_nvalues(const struct addr_dir_entry *e,
					  const char *attr);
/* addr_dir_entry_value - value i of attr (borrowed, NUL-terminated;
 * *len, nullable, gets its length), NULL if absent. Proxies are in
 * stored form once the entry is in a directory. */
ADDR_EXTERN const char *addr_dir_entry_value(const struct addr_dir_entry *e,
					     const char *attr, size_t i,
					     size_t *len);
/* addr_dir_entry_mail - the derived mail: the address of the primary
 * SMTP proxy without "SMTP:" (borrowed), or NULL */
ADDR_EXTERN const char *addr_dir_entry_mail(const struct addr_dir_entry *e);
/* addr_dir_entry_delivery - where mail to e goes: the mail of a mailbox
 * or group, the targetAddress of a contact without an "SMTP:" prefix
 * (any case); NULL when there is none. Borrowed. */
ADDR_EXTERN const char *addr_dir_entry_delivery(const struct addr_dir_entry *e);
/* addr_dir_entry_hidden - msExchHideFromAddressLists: 1 TRUE, 0 FALSE,
 * -1 absent (it never affects resolution or delivery) */
ADDR_EXTERN int addr_dir_entry_hidden(const struct addr_dir_entry *e);

/*
 * Edits. Each is atomic: it checks the model rules and the uniqueness
 * of every proxy value, legacyExchangeDN and contact target against the
 * whole directory (spec-imcea-proxy.md §4.2, spec-directory.md §3) and
 * either applies completely or leaves the directory unchanged. A
 * uniqueness failure is ADDR_ECONFLICT and err->message names both
 * holders. dn arguments are borrowed.
 */
/* addr_dir_add - add e (proxies rewritten to stored form). On success
 * e belongs to d; on failure it stays the caller's. ADDR_ESYNTAX (model
 * rule), ADDR_ECONFLICT (duplicate DN or value), ADDR_ENOMEM. */
ADDR_EXTERN int addr_dir_add(struct addr_dir *d, struct addr_dir_entry *e,
			     struct addr_error *err);
/* addr_dir_delete - remove the entry dn and every member, acceptFrom
 * and rejectFrom value pointing at it. 1 removed, 0 no such entry. */
ADDR_EXTERN int addr_dir_delete(struct addr_dir *d, const char *dn,
				size_t dnlen, struct addr_error *err);
/*
 * addr_dir_set - replace the values of attribute attr (NUL-terminated)
 * of entry dn by values[0..n) with lengths lens[0..n) (all borrowed;
 * n 0 removes the attribute). 1 changed, 0 no such entry, or an error
 * as addr_dir_add.
 */
ADDR_EXTERN int addr_dir_set(struct addr_dir *d, const char *dn, size_t dnlen,
			     const char *attr, const char *const *values,
			     const size_t *lens, size_t n,
			     struct addr_error *err);
/*
 * Proxy collection edits of spec-imcea-proxy.md R24-R26:
 * addr_dir_proxy_add appends proxy[0..len); the first proxy of its type
 * becomes primary whatever its case, and a primary demotes the old
 * primary of its type. ADDR_ECONFLICT if the entry already holds an
 * equal proxy or another entry does.
 * addr_dir_proxy_remove removes the equal proxy (R24 comparison); the
 * primary SMTP is never removed (ADDR_EINVAL); removing the primary of
 * another type promotes the first remaining proxy of that type.
 * addr_dir_proxy_make_primary makes the equal proxy primary and demotes
 * every other primary of its type.
 * Each returns 1 changed, 0 no such entry or (remove, make_primary) no
 * such proxy, or a negative ADDR_E*.
 */
ADDR_EXTERN int addr_dir_proxy_add(struct addr_dir *d, const char *dn,
				   size_t dnlen, const char *proxy,
				   size_t len, struct addr_error *err);
ADDR_EXTERN int addr_dir_proxy_remove(struct addr_dir *d, const char *dn,
				      size_t dnlen, const char *proxy,
				      size_t len, struct addr_error *err);
ADDR_EXTERN int addr_dir_proxy_make_primary(struct addr_dir *d,
					    const char *dn, size_t dnlen,
					    const char *proxy, size_t len,
					    struct addr_error *err);

/*
 * addr_dir_check - check the whole directory (spec-directory.md §3):
 * every uniqueness conflict (each once, naming both holders), every
 * unresolved member and restriction. Appends to rep (borrowed). Returns
 * the number of errors found, or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_check(const struct addr_dir *d,
			       struct addr_dir_report *rep);

/* Resolve flags. */
#define ADDR_RESOLVE_IMCEA_STRICT	0x01u	/* strict IMCEA decoding */

/*
 * addr_dir_resolve - find the recipient of address in[0..len)
 * (borrowed): an SMTP address (primary or secondary, any case), an IMCEA
 * address at one of the local domains (local/nlocal as for
 * addr_imcea_decode: NULL accepts every domain) with any type inside,
 * an X.400 address in any textual form, a legacyExchangeDN (also old DNs
 * in X500 proxies), or "TYPE:value". *out gets the entry (borrowed).
 * Returns 1 found, 0 not found (*out NULL), ADDR_ESYNTAX (a malformed
 * IMCEA address, err says why) or ADDR_ENOMEM. Hash lookups only.
 */
ADDR_EXTERN int addr_dir_resolve(const struct addr_dir *d, const char *in,
				 size_t len, const char *const *local,
				 size_t nlocal, unsigned flags,
				 const struct addr_dir_entry **out,
				 struct addr_error *err);

/* ------------------------------------------------------------ LDIF */

/*
 * LDIF (RFC 2849) as spec-directory.md §6 reads and writes it. The
 * reader never fetches ":<" URLs and refuses "include:" lines; every
 * problem is a diagnostic with file, line and column, and the reader
 * resynchronises at the next blank line so that one run reports all.
 */
#define ADDR_LDIF_LENIENT	0x01u	/* the (L) relaxations of §6.2 */

/* Record kinds. */
enum addr_ldif_change {
	ADDR_LDIF_ENTRY = 0,	/* a content record (attrval-record) */
	ADDR_LDIF_ADD,
	ADDR_LDIF_DELETE,
	ADDR_LDIF_MODIFY,
	ADDR_LDIF_MODRDN	/* modrdn or moddn */
};

/* Item kinds. */
enum addr_ldif_item_kind {
	ADDR_LDIF_VALUE = 0,	/* name: value (also newrdn, deleteoldrdn,
				 * newsuperior of a modrdn) */
	ADDR_LDIF_MOD_ADD,	/* mod-spec header "add: name"; its values
				 * follow as ADDR_LDIF_VALUE items */
	ADDR_LDIF_MOD_DELETE,
	ADDR_LDIF_MOD_REPLACE,
	ADDR_LDIF_CONTROL	/* name = OID, value, critical */
};

/* One item; strings borrowed from the reader, valid during the call. */
struct addr_ldif_item {
	int kind;		/* ADDR_LDIF_* item kind */
	struct addr_str name;	/* attribute description as written */
	struct addr_str value;	/* decoded value (base64 undone) */
	int critical;		/* controls: "true" given */
	size_t line;
};

/* One record, as the callback of addr_ldif_parse sees it (borrowed). */
struct addr_ldif_record {
	struct addr_str dn;	/* decoded */
	int change;		/* ADDR_LDIF_ENTRY or a change kind */
	size_t line;		/* line of "dn:" */
	const struct addr_ldif_item *item;
	size_t nitem;
};

/* addr_ldif_record_fn - called once per well-formed record; a negative
 * return stops the parse and is returned by addr_ldif_parse. */
typedef int (*addr_ldif_record_fn)(void *ctx,
				   const struct addr_ldif_record *rec);

/*
 * addr_ldif_parse - read LDIF in[0..len) (borrowed). file (nullable,
 * borrowed) names the input in diagnostics, which are appended to rep
 * (nullable). fn is called for each record without errors, in order.
 * Returns the number of errors found (0: the whole input is good), a
 * negative value from fn, or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_ldif_parse(const char *in, size_t len, const char *file,
				unsigned flags, addr_ldif_record_fn fn,
				void *ctx, struct addr_dir_report *rep);

/*
 * addr_read_fn - the input of a streaming reader: put up to cap octets
 * of the input into buf and return how many (0 at the end of the
 * input, negative on a read error; retry EINTR yourself). ctx is the
 * caller's.
 */
typedef long (*addr_read_fn)(void *ctx, char *buf, size_t cap);

/*
 * addr_ldif_parse_read - addr_ldif_parse of the input rd delivers, read
 * in chunks: only the record being parsed (and a chunk of about a MiB)
 * is held in memory, never the whole input. The same records,
 * diagnostics and result as addr_ldif_parse of the whole input, or
 * ADDR_EIO when rd failed (the records before were delivered).
 */
ADDR_EXTERN int addr_ldif_parse_read(addr_read_fn rd, void *rctx,
				     const char *file, unsigned flags,
				     addr_ldif_record_fn fn, void *ctx,
				     struct addr_dir_report *rep);

/*
 * addr_dir_load_ldif - add the entries of the LDIF content file
 * in[0..len) to d, then check the whole directory (addr_dir_check).
 * Every problem is appended to rep (nullable); entries with model errors
 * are kept so that the check sees them, except a second entry with the
 * same DN. Use a fresh directory and discard it when errors were found.
 * Returns the number of errors, or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_load_ldif(struct addr_dir *d, const char *in,
				   size_t len, const char *file,
				   unsigned flags,
				   struct addr_dir_report *rep);

/*
 * addr_dir_load_ldif_read - addr_dir_load_ldif of the input rd delivers
 * (addr_ldif_parse_read): the file is never held whole in memory.
 * Returns the number of errors, ADDR_ENOMEM, or ADDR_EIO when rd failed.
 */
ADDR_EXTERN int addr_dir_load_ldif_read(struct addr_dir *d, addr_read_fn rd,
					void *rctx, const char *file,
					unsigned flags,
					struct addr_dir_report *rep);

/*
 * addr_dir_write_ldif - append d to out as LDIF (spec-directory.md
 * §6.5): "version: 1", records separated by one blank line, base64
 * exactly when RFC 2849 requires it, lines folded at 78 columns, the
 * derived mail. Returns 0 or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_write_ldif(const struct addr_dir *d,
				    struct addr_buf *out);

/*
 * addr_write_fn - the output of a streaming writer: take buf[0..len)
 * (borrowed, valid during the call) and return 0, or a negative value
 * on a write error. ctx is the caller's.
 */
typedef int (*addr_write_fn)(void *ctx, const char *buf, size_t len);

/*
 * addr_dir_write_ldif_to - addr_dir_write_ldif, the same bytes handed
 * to fn in pieces of about a MiB as they are made, so that the document
 * is never in memory whole. 0, ADDR_ENOMEM, or ADDR_EIO when fn failed
 * (what fn took before stays taken).
 */
ADDR_EXTERN int addr_dir_write_ldif_to(const struct addr_dir *d,
				       addr_write_fn fn, void *ctx);
/*
 * addr_ldif_put - append one "name: value" line pair (folded, base64
 * when required) for name (NUL-terminated) and v[0..len), both
 * borrowed. 0 or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_ldif_put(struct addr_buf *out, const char *name,
			      const char *v, size_t len);

/*
 * addr_ldif_rejects - the rejects file of a refused LDIF change file
 * in[0..len) (spec-directory.md §4): "version: 1", then every record
 * holding one of the error lines lines[0..nlines) (sorted), verbatim as
 * read without its comments, separated by one blank line. An error line
 * outside every record (a file-level error) makes out a byte copy of
 * the input. Appends to out; 0 or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_ldif_rejects(struct addr_buf *out, const char *in,
				  size_t len, const size_t *lines,
				  size_t nlines);

/* ------------------------------------------------------ CSV (io_csv.c) */

/*
 * Exchange 5.5 Administrator CSV ("Directory Import/Export") as
 * spec-directory.md §5 reads and writes it. A CSV file is always a change
 * file: each data line creates, modifies or deletes one recipient (column
 * Mode, default Update). Objects are identified by Directory Name and
 * container, mapped to LDAP DNs under base (§5.8). Every problem of a
 * file is a diagnostic (FILE:LINE[:COLUMN], rule id); a line that breaks
 * a rule is skipped, the rest of the file is still read.
 */
#define ADDR_CSV_BOM	0x01u	/* writer: start with a byte order mark
				 * (UTF-8, UTF-16LE); addr_csv_detect sets
				 * it when the file has one */

/*
 * Options of the CSV reader and writer. Every pointer is borrowed and
 * must stay valid during the call that uses the options.
 */
struct addr_csv_options {
	const char *base;	/* LDAP DN standing for the 5.5 recipients
				 * container, "OU=Recipients,DC=example,
				 * DC=com"; required */
	const char *container;	/* its 5.5 name: "Recipients", or a
				 * path "Recipients/cn=Sub" */
	const char *org;	/* nullable: 5.5 organisation and site, for */
	const char *site;	/* absolute /o=/ou= paths and generated
				 * legacyExchangeDNs */
	const char *encoding;	/* an ICU charset name, or NULL: the reader
				 * goes by the BOM, else windows-1252; the
				 * writer writes windows-1252 when every
				 * character has a byte there, else UTF-16LE
				 * with a BOM */
	const char *const *mv_column;	/* opaque columns that are
					 * multi-valued (case-insensitive) */
	size_t n_mv_column;
	int overwrite;		/* MV columns replace ("Overwrite") instead
				 * of adding ("Append", the default) */
	unsigned flags;		/* ADDR_CSV_* */
};

/* addr_csv_options_init - the defaults of spec-directory.md §5.8 and §11:
 * container "Recipients", no base, org, site or encoding, Append */
ADDR_EXTERN void addr_csv_options_init(struct addr_csv_options *opt);

/*
 * addr_csv_detect - set opt->encoding (to a static name or left as the
 * caller's) and the ADDR_CSV_BOM flag to what the CSV file in[0..len)
 * is read as: BOM FF FE -> "UTF-16LE", EF BB BF -> "UTF-8", no BOM ->
 * opt->encoding, else "windows-1252". Handing the options on to
 * addr_dir_write_csv then rewrites a file in its own encoding (§5.7).
 * 0, or ADDR_ESYNTAX (UTF-16BE BOM, or a BOM that contradicts
 * opt->encoding; opt unchanged) or ADDR_ENOTSUP (unknown charset).
 */
ADDR_EXTERN int addr_csv_detect(struct addr_csv_options *opt, const char *in,
				size_t len);

/*
 * addr_csv_apply - apply the CSV change file in[0..len) (borrowed) to d,
 * line by line in file order (§5.2, §5.5, §5.8). A line that breaks a
 * rule is skipped and leaves d as it was; every problem is appended to
 * rep (nullable), naming file (nullable, borrowed). Changed entries are
 * charged to their line, so that addr_dir_apply_check, run next on the
 * final state, reports each uniqueness clash and dangling reference at
 * the CSV line that made it. Returns the number of errors (0: every line
 * applied), ADDR_EINVAL (no or malformed opt->base) or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_csv_apply(struct addr_dir *d, const char *in, size_t len,
			       const char *file,
			       const struct addr_csv_options *opt,
			       struct addr_dir_report *rep);

/*
 * addr_dir_load_csv - read the CSV directory file in[0..len) into d
 * (normally empty): addr_csv_apply, then the whole-directory check of
 * addr_dir_check with every diagnostic naming file. Use a fresh
 * directory and discard it when errors were found. Returns the number
 * of errors, ADDR_EINVAL or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_load_csv(struct addr_dir *d, const char *in,
				  size_t len, const char *file,
				  const struct addr_csv_options *opt,
				  struct addr_dir_report *rep);

/*
 * addr_dir_write_csv - append d to out as CSV (§5.9): a header of
 * friendly names (the 13 default export columns, Initials,
 * Secondary-Proxy-Addresses, Obj-Dist-Name, the four restriction
 * columns, then one column per other attribute in order of first
 * appearance), one CR LF line per object, in opt->encoding (see above;
 * a BOM when ADDR_CSV_BOM is set, and always for a UTF-16LE file chosen
 * by the writer). An object that CSV cannot represent is left out and
 * reported in rep (nullable), naming it: csv.dn-unmappable (a DN not
 * under base or with an RDN other than one CN; a member without a 5.5
 * path; a restriction naming an object without legacyExchangeDN, unless
 * org and site are set; a name holding "/" in a path), proxy.type-too-
 * long (a type over 8 characters), model.single-valued, csv.encoding
 * (a character opt->encoding lacks), csv.header.duplicate (an attribute
 * named like a CSV column). An opaque attribute with several values is
 * written multi-valued with the warning csv.mv-column: read it back
 * with that column in opt->mv_column. Returns the number of errors (0:
 * out holds the whole directory), ADDR_EINVAL or ADDR_ENOMEM.
 *
 * What a round trip keeps. Writing what addr_dir_load_csv read from a
 * file this writer wrote gives the same octets. LDIF -> CSV -> LDIF
 * keeps every model field (§2): kind; the DN (spelled again as
 * CN=name[,CN=sub...],base, equal by RFC 4514 comparison); alias,
 * displayName, givenName, sn, initials, legacyExchangeDN,
 * targetAddress; the proxies with their primacy (primaries first, then
 * secondaries, each in stored order); the derived mail; the members;
 * acceptFrom and rejectFrom as sets of objects (filed again by kind: a
 * DL in dLMemSubmitPerms/dLMemRejectPerms, any other object in
 * authOrig/unauthOrig); hidden (absent, FALSE, TRUE); every opaque
 * attribute with its values in order, cn included when it is not just
 * the RDN value. It does not keep: objectClass values (an object born
 * in CSV gets top, person, organizationalPerson, user or contact; top,
 * group), the attribute order (§6.5 order, opaque attributes after, by
 * first appearance in the file), the spelling of a read mail attribute
 * and of DN-valued values, an empty value in a multi-valued attribute;
 * an object without cn gets its Directory Name as cn.
 */
ADDR_EXTERN int addr_dir_write_csv(const struct addr_dir *d,
				   const struct addr_csv_options *opt,
				   struct addr_buf *out,
				   struct addr_dir_report *rep);

/*
 * addr_csv_rejects - append to out the rejects file of a CSV change file
 * in[0..len) (§4): its header line, then every data line (a record, with
 * the physical lines of its quoted line breaks) that holds one of the
 * lines lines[0..nlines) (sorted ascending; those of the errors found),
 * byte for byte as read: same encoding, BOM and line ends. An error on
 * line 1 (the header, the BOM: a file-level error) makes out a byte copy
 * of in. Returns the number of records copied, or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_csv_rejects(struct addr_buf *out, const char *in,
				 size_t len, const size_t *lines,
				 size_t nlines);


/* ---------------------------------------------------- DSML (io_dsml.c) */

/*
 * DSML v2 (OASIS; spec-directory.md §7), read with libxml2's xmlreader
 * and written with its xmlwriter. The reader never loads a DTD, expands
 * an entity or uses the network: a DOCTYPE or an entity reference is
 * refused (dsml.doctype). A batchResponse is a content file (its
 * searchResultEntry elements are ADDR_LDIF_ENTRY records), a
 * batchRequest a change file (addRequest, modifyRequest, delRequest and
 * modDNRequest are ADDR_LDIF_ADD, _MODIFY, _DELETE and _MODRDN records);
 * a SOAP 1.1 Envelope is unwrapped. Records have the shape the LDIF
 * reader gives them, so addr_dir_apply takes either: a modification is
 * an ADDR_LDIF_MOD_* item whose name and value are the attribute, then
 * its ADDR_LDIF_VALUE items; a modDNRequest has the items newrdn,
 * deleteoldrdn ("1" or "0", default "1") and newsuperior (when given).
 * Lines are those of the elements. After a problem the reader goes on
 * at the next sibling element; an XML error ends the parse.
 */
#define ADDR_DSML_LENIENT	0x01u	/* dsml.result is a warning */

/*
 * addr_dsml_parse - read DSML in[0..len) (borrowed); otherwise as
 * addr_ldif_parse: file (nullable, borrowed) names the input in the
 * diagnostics appended to rep (nullable), fn (nullable) gets each record
 * without problems, in order. Returns the number of errors, a negative
 * value from fn, or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dsml_parse(const char *in, size_t len, const char *file,
				unsigned flags, addr_ldif_record_fn fn,
				void *ctx, struct addr_dir_report *rep);

/*
 * addr_dsml_parse_read - addr_dsml_parse of the input rd delivers, read
 * in pieces as libxml2's reader asks for them: only the record being
 * read (and libxml2's buffers) is held in memory, never the whole
 * input. The same records, diagnostics and result as addr_dsml_parse
 * of the whole input, or ADDR_EIO when rd failed (the records before
 * were delivered).
 */
ADDR_EXTERN int addr_dsml_parse_read(addr_read_fn rd, void *rctx,
				     const char *file, unsigned flags,
				     addr_ldif_record_fn fn, void *ctx,
				     struct addr_dir_report *rep);

/*
 * addr_dir_load_dsml - add the entries of the batchResponse in[0..len)
 * to d, then check the whole directory; as addr_dir_load_ldif (a
 * batchRequest is refused with dsml.root). Returns the number of errors,
 * or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_load_dsml(struct addr_dir *d, const char *in,
				   size_t len, const char *file,
				   unsigned flags,
				   struct addr_dir_report *rep);
/* addr_dir_load_dsml_read - the same for the document rd delivers
 * (addr_dsml_parse_read): the file is never held whole in memory;
 * ADDR_EIO when rd fails */
ADDR_EXTERN int addr_dir_load_dsml_read(struct addr_dir *d, addr_read_fn rd,
					void *rctx, const char *file,
					unsigned flags,
					struct addr_dir_report *rep);

/*
 * addr_dir_write_dsml - append d to out as a DSML batchResponse
 * (spec-directory.md §7.4): UTF-8, two-space indentation, one attr a
 * line, attributes in the order of the LDIF writer with the derived
 * mail, xsd:base64Binary for a value that is not XML text or holds a
 * CR. Byte-stable. Returns 0, ADDR_ESYNTAX when a DN or an attribute
 * name cannot be carried (dsml.unrepresentable: not UTF-8 XML text, or
 * a name outside DSML's attribute-description pattern; nothing is
 * appended) or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_write_dsml(const struct addr_dir *d,
				    struct addr_buf *out);
/*
 * addr_dir_write_dsml_to - addr_dir_write_dsml, the bytes handed to fn
 * in pieces as they are made (addr_dir_write_ldif_to). A directory DSML
 * cannot carry gives ADDR_ESYNTAX before fn is called at all.
 */
ADDR_EXTERN int addr_dir_write_dsml_to(const struct addr_dir *d,
				       addr_write_fn fn, void *ctx);

/*
 * addr_dir_stream_begin - write d through fn as addr_dir_write_ldif_to
 * (fmt ADDR_DIR_STREAM_LDIF) or addr_dir_write_dsml_to
 * (ADDR_DIR_STREAM_DSML) would, all but the end, and keep writing: the
 * entries a load or a change run (addr_dir_load_*_read,
 * addr_dir_apply_*_read) appends to d afterwards are formatted and
 * handed to fn a chunk at a time as they come, by the thread that
 * applies records (one call at a time, in order; with worker threads
 * that may be a worker). addr_dir_stream_end finishes the document.
 *
 * For an import into a temporary file: the result is written while the
 * change file is read, on the processor the reading leaves idle. The
 * bytes are the writer's only while d grows at its end: once an entry
 * it held is changed, replaced or removed, or one cannot be carried,
 * the stream stops and addr_dir_stream_end says so; the caller then
 * throws away what fn took and writes d again. Returns 0, ADDR_EINVAL
 * (fmt), ADDR_ESYNTAX (DSML cannot carry d; fn not called),
 * ADDR_ENOMEM or ADDR_EIO (fn failed).
 */
#define ADDR_DIR_STREAM_LDIF 1
#define ADDR_DIR_STREAM_DSML 2
ADDR_EXTERN int addr_dir_stream_begin(struct addr_dir *d, int fmt,
				      addr_write_fn fn, void *ctx);
/*
 * addr_dir_stream_end - the entries not written yet and the document's
 * end to fn, and the stream closed: 1 when fn has taken exactly what
 * the writer writes for d, 0 when the stream stopped (see above; fn's
 * octets are to be thrown away), ADDR_EIO when fn failed, ADDR_EINVAL
 * when no stream was begun.
 */
ADDR_EXTERN int addr_dir_stream_end(struct addr_dir *d);

/*
 * addr_dsml_rejects - append to out the rejects file (spec-directory.md
 * §4) of the DSML change file in[0..len) (borrowed), given the lines of
 * its error diagnostics lines[0..nlines) (borrowed, ascending): an XML
 * declaration, the input's text up to the end of the DSML root's start
 * tag (prefix and namespace declarations as they were; a SOAP wrapper
 * is kept), each child element whose lines hold one of the lines, copied
 * byte for byte, and the rest of the input from the root's end tag on.
 * A line outside every child element (a file-level problem: XML, DOCTYPE,
 * root) gives a byte copy of the input. 0 or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dsml_rejects(struct addr_buf *out, const char *in,
				  size_t len, const size_t *lines,
				  size_t nlines);

/* ------------------------------------------- applying changes (import) */

/*
 * A change file is applied record by record to an in-memory directory
 * (spec-directory.md §4): each record is checked against the rules of
 * its own (§6.3: change.exists, change.no-object, change.value-exists,
 * change.no-value; the model rules of §2) and skipped when it breaks
 * one; the uniqueness and reference invariants are checked once on the
 * final state by addr_dir_apply_check. An entry a record touched is
 * charged to that record: its diagnostics name the change file and the
 * record's line. Nothing here writes a file: the caller writes the
 * directory only when no error was found.
 */
#define ADDR_APPLY_REPLACE_EXISTING	0x01u	/* a content record for an
						 * existing DN replaces it */
#define ADDR_APPLY_SKIP_NONRECIPIENT	0x02u	/* non-recipients skipped
						 * with a warning */

/*
 * addr_dir_apply - apply one record rec (borrowed: an LDIF change
 * record, a DSML request mapped to one, or a content record, which is an
 * add) to d, naming file (nullable, borrowed) in diagnostics appended to
 * rep (nullable). Returns the number of errors (0: applied; otherwise d
 * is as before the record), or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_apply(struct addr_dir *d,
			       const struct addr_ldif_record *rec,
			       const char *file, unsigned flags,
			       struct addr_dir_report *rep);

/*
 * addr_dir_apply_ldif_read - every record of an LDIF change file read
 * from rd (as addr_ldif_parse_read, lflags ADDR_LDIF_*) applied to d as
 * addr_dir_apply does (aflags ADDR_APPLY_*), in order; after (nullable)
 * is called once per record applied, by the thread that applies it
 * (with worker threads and a DSML file, a worker: one call at a time,
 * in order). With addr_dir_set_threads, the
 * entries of add and content records are made and checked ahead by the
 * workers; d, the report and its order are the same either way.
 * Returns the reader's result (its own error count) or a negative
 * ADDR_E*; the records' errors are in rep.
 */
ADDR_EXTERN int addr_dir_apply_ldif_read(struct addr_dir *d, addr_read_fn rd,
					 void *rctx, const char *file,
					 unsigned lflags, unsigned aflags,
					 void (*after)(void *ctx), void *actx,
					 struct addr_dir_report *rep);
/* addr_dir_apply_dsml_read - the same for a DSML v2 document read from
 * rd (dflags ADDR_DSML_*, read as addr_dsml_parse_read) */
ADDR_EXTERN int addr_dir_apply_dsml_read(struct addr_dir *d, addr_read_fn rd,
					 void *rctx, const char *file,
					 unsigned dflags, unsigned aflags,
					 void (*after)(void *ctx), void *actx,
					 struct addr_dir_report *rep);
/*
 * addr_dir_apply_check - addr_dir_check after a change file: entries
 * read from the directory file are reported against dirfile, entries a
 * record touched against chfile at that record's line; a clash between
 * the two is charged to the changed entry. Returns the number of errors,
 * or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dir_apply_check(const struct addr_dir *d,
				     const char *dirfile, const char *chfile,
				     struct addr_dir_report *rep);

/* ------------------------------------ gateway rewriting (rewrite.c) */

/*
 * What a gateway needs to rewrite addresses with a directory
 * (spec-gateway.md §4-§6). All borrowed. dir NULL: no directory (every
 * address of a local domain is taken as it is). gate: the exact domains
 * at which IMCEA addresses are decoded (§6.1). is_local: the relay
 * notion of a local domain (§5; subdomains included as configured).
 */
struct addr_rw {
	const struct addr_dir *dir;
	const char *const *gate;
	size_t ngate;
	const char *imcea_domain;	/* nullable: no IMCEA encapsulation */
	int (*is_local)(void *arg, const char *domain, size_t len);
	void *arg;
};

/* addr_rw_sender - the local object the reverse-path addr[0..len) names
 * (any proxy, IMCEA at the gate), in *out; 1 found, 0 not (an external
 * or null sender), ADDR_ENOMEM */
ADDR_EXTERN int addr_rw_sender(const struct addr_rw *rw, const char *addr,
			       size_t len, const struct addr_dir_entry **out);

/* RCPT verdicts */
enum addr_rw_status {
	ADDR_RW_LOCAL = 1,	/* ours: entry set with a directory */
	ADDR_RW_REMOTE,		/* another domain: the relay check decides */
	ADDR_RW_UNKNOWN,	/* a local domain, no object: 550 5.1.1 */
	ADDR_RW_REFUSED,	/* encapsulated SMTP, X500, INVALID: 550 5.1.0 */
	ADDR_RW_RESTRICTED	/* the object refuses the sender: 550 5.7.1 */
};

struct addr_rw_rcpt {
	int status;				/* ADDR_RW_* */
	const struct addr_dir_entry *entry;	/* borrowed */
	char reply[600];			/* the refusal reply line */
};

/*
 * addr_rw_recipient - the verdict on forward-path addr[0..len) (a
 * normalized address without angle brackets) from sender (nullable: the
 * resolved sender). IMCEA is decoded at the gate first; the verdict is
 * on what it decodes to. 0 (res filled) or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_rw_recipient(struct addr_rw_rcpt *res,
				  const struct addr_rw *rw, const char *addr,
				  size_t len,
				  const struct addr_dir_entry *sender);

/* One final address of a message, or one failure for an NDR. */
struct addr_rw_target {
	char *addr;	/* delivery address (failure: the member's address
			 * or DN) */
	size_t orig;	/* index of the RCPT it came from */
	char *fail;	/* NULL, or "X.Y.Z text" for the NDR */
	const struct addr_dir_entry *entry;	/* the object it delivers
						 * to (borrowed), or NULL */
};

struct addr_rw_targets {
	struct addr_rw_target *v;
	size_t n, cap;
	size_t nfinal;	/* entries without fail */
	/* private: the set of folded final addresses, for "each once" */
	char **fold_;		/* per entry of v, NULL for failures */
	size_t *slot_;		/* open addressing: index + 1, 0 empty */
	size_t scap_;
};

ADDR_EXTERN void addr_rw_targets_init(struct addr_rw_targets *t);
ADDR_EXTERN void addr_rw_targets_free(struct addr_rw_targets *t);
/* addr_rw_target_add - append addr (or a failure), skipping an address
 * already in t (directory comparison); 1 added, 0 duplicate, ADDR_ENOMEM */
ADDR_EXTERN int addr_rw_target_add(struct addr_rw_targets *t, const char *addr,
				   size_t orig, const char *fail);
/*
 * addr_rw_expand - append the final addresses of object e (a group
 * expanded depth first with the restrictions of nested groups checked
 * against sender, a contact's target, a mailbox's primary SMTP or IMCEA
 * form) to t, each once per message; members that fail (a refusing
 * nested group, too deep, unresolved, no address) become failures naming
 * that member. max: the message's limit of final addresses (0: none).
 * 0, ADDR_ETOOLONG (over max), ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_rw_expand(struct addr_rw_targets *t,
			       const struct addr_rw *rw,
			       const struct addr_dir_entry *e, size_t orig,
			       const struct addr_dir_entry *sender, size_t max);
/* addr_rw_delivery - where mail to e goes (§6.4): a contact's target
 * (other types IMCEA-encapsulated), else as addr_rw_outbound. out is
 * replaced. 0, ADDR_EINVAL (no address), ADDR_ENOMEM. */
ADDR_EXTERN int addr_rw_delivery(struct addr_buf *out, const struct addr_rw *rw,
				 const struct addr_dir_entry *e);
/* addr_rw_outbound - e's address outside (§6.7): its primary SMTP, else
 * IMCEAEX- of its legacyExchangeDN, else IMCEA of its first primary
 * proxy, in the IMCEA domain. out is replaced. 0, ADDR_EINVAL, ENOMEM. */
ADDR_EXTERN int addr_rw_outbound(struct addr_buf *out, const struct addr_rw *rw,
				 const struct addr_dir_entry *e);
/*
 * addr_rw_headers - msg[0..len) (CR LF header section, then the body)
 * appended to out with every mailbox of From:, Sender: and Reply-To:
 * that names a local object written as addr_rw_outbound; display names,
 * comments, other fields and the body unchanged. 1 changed, 0 not,
 * ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_rw_headers(struct addr_buf *out, const char *msg,
				size_t len, const struct addr_rw *rw);

/* ------------------------------------------------ group expansion */

/* The depth limit of spec-directory.md §3.1 (the addressed group is 1). */
#define ADDR_DL_MAX_DEPTH 32

/* What one step of an expansion met (tree order). */
enum addr_dl_node_kind {
	ADDR_DL_RECIPIENT = 1,	/* a final recipient, first time */
	ADDR_DL_DUPLICATE,	/* a final recipient already listed */
	ADDR_DL_GROUP,		/* a group, entered */
	ADDR_DL_CYCLE,		/* a group already on the path, not entered */
	ADDR_DL_REFUSED,	/* a group refusing the sender, left out */
	ADDR_DL_TOO_DEEP,	/* a group beyond ADDR_DL_MAX_DEPTH */
	ADDR_DL_UNRESOLVED	/* a member DN naming no object */
};

/* One step. entry is NULL for ADDR_DL_UNRESOLVED; dn is the entry's
 * DN or the unresolved member value. Both borrowed from the directory. */
struct addr_dl_node {
	int kind;			/* ADDR_DL_* */
	size_t depth;			/* the addressed group is 1 */
	const struct addr_dir_entry *entry;
	const char *dn;
};

/*
 * The result of an expansion. Caller-allocated; addr_dl_result_init,
 * then addr_dl_result_free. Members are read-only; every pointer in it
 * is borrowed from the directory and valid while it is unchanged.
 * report holds dl.cycle (warning, message = the DN path), dl.too-deep,
 * dl.too-large, dl.refused and member.unresolved, each naming the
 * member that failed, never only the addressed group.
 */
struct addr_dl_result {
	const struct addr_dir_entry **member;	/* final recipients, each once */
	size_t nmember;
	struct addr_dl_node *node;		/* every step, depth first */
	size_t nnode;
	struct addr_dir_report report;
	size_t mcap_, ncap_;			/* private */
};

ADDR_EXTERN void addr_dl_result_init(struct addr_dl_result *res);
/* addr_dl_result_free - NULL is a no-op; res is then empty */
ADDR_EXTERN void addr_dl_result_free(struct addr_dl_result *res);

/* addr_dl_expand flags */
#define ADDR_DL_RESTRICT	0x01u	/* apply the delivery restrictions */

/*
 * addr_dl_expand - expand target (borrowed; a group, or any recipient,
 * which then expands to itself) of directory d depth first (§3.1).
 * With ADDR_DL_RESTRICT, sender (nullable, borrowed: NULL is an unknown
 * or external sender) is checked against every group reached: a group
 * that refuses it is left out with its branch (the addressed group
 * included). Without it no restriction is evaluated. max is the result
 * size limit (0: none). res is replaced. Returns the number of errors in
 * res->report (0: the expansion is complete), ADDR_EINVAL (target NULL)
 * or ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_dl_expand(struct addr_dl_result *res,
			       const struct addr_dir *d,
			       const struct addr_dir_entry *target,
			       const struct addr_dir_entry *sender,
			       size_t max, unsigned flags);

/*
 * addr_dir_may_send - the delivery restrictions of recipient (borrowed)
 * for sender (nullable: an unknown or null sender is in no list): 1 if
 * allowed, 0 if refused. acceptFrom (authOrig, dLMemSubmitPerms) and
 * rejectFrom (unauthOrig, dLMemRejectPerms) may name groups, which stand
 * for their members transitively.
 */
ADDR_EXTERN int addr_dir_may_send(const struct addr_dir *d,
				  const struct addr_dir_entry *recipient,
				  const struct addr_dir_entry *sender);

/* ------------------------------------------------- address policies */

/*
 * An address policy (spec-imcea-proxy.md §3): SMTP templates in the
 * language of §3.2 (%g %s %i %d %m %% %Ng %rxy), NOTES templates
 * (&G &S &I &D &M, &&), ICU transliteration, collision suffixes 2..99
 * against the whole directory, and the site addressing of §3.4 (X400
 * proxy and legacyExchangeDN). Opaque; addr_policy_new, addr_policy_free.
 */
struct addr_policy;

/* The data of one recipient (all borrowed, NUL-terminated, nullable:
 * a missing field expands to the empty string). */
struct addr_policy_data {
	const char *given;	/* %g */
	const char *surname;	/* %s */
	const char *initials;	/* %i */
	const char *display;	/* %d */
	const char *alias;	/* %m */
};

/* Options of addr_policy_set. */
enum addr_policy_option {
	ADDR_POLICY_TRANSLIT = 1,	/* ICU transform id; default
					 * "de-ASCII; Any-Latin; Latin-ASCII" */
	ADDR_POLICY_SPACE,		/* what a space becomes: one atext
					 * character or "."; "" removes */
	ADDR_POLICY_LOWERCASE,		/* "1" lower-cases local parts */
	ADDR_POLICY_X400_SITE,		/* "C=..;A= ;P=..;O=..;" */
	ADDR_POLICY_LEGACY_DN_BASE	/* "/o=ORG/ou=SITE/cn=Recipients" */
};

/* addr_policy_new - *out = an empty policy (free with addr_policy_free);
 * 0, ADDR_ENOTSUP (ICU lacks the default transform) or ADDR_ENOMEM */
ADDR_EXTERN int addr_policy_new(struct addr_policy **out);
/* addr_policy_free - NULL is a no-op */
ADDR_EXTERN void addr_policy_free(struct addr_policy *p);
/*
 * addr_policy_add_template - add template t[0..len) (borrowed). Without
 * a prefix it gets "SMTP:" (secondary 0) or "smtp:" (secondary 1).
 * ADDR_ESYNTAX (template error, err names it), ADDR_ENOTSUP (a type
 * other than SMTP and NOTES), ADDR_EINVAL (a second primary SMTP
 * template, R27), ADDR_ENOMEM. Returns the template's index (>= 0).
 */
ADDR_EXTERN int addr_policy_add_template(struct addr_policy *p, const char *t,
					 size_t len, int secondary,
					 struct addr_error *err);
/* addr_policy_set - set an option to v[0..len) (borrowed). 0,
 * ADDR_ENOTSUP (unknown transform), ADDR_ESYNTAX (bad value), ADDR_EINVAL
 * (unknown option), ADDR_ENOMEM. */
ADDR_EXTERN int addr_policy_set(struct addr_policy *p, int option,
				const char *v, size_t len,
				struct addr_error *err);
/*
 * addr_policy_expand - append to out the proxy (stored form) that
 * template i makes of data, with collision suffix k (0 or 1: none;
 * 2..99 appended to the local part). Returns 0, ADDR_ESYNTAX (empty or
 * invalid result; err names the template), ADDR_EINVAL, ADDR_ENOMEM.
 */
ADDR_EXTERN int addr_policy_expand(struct addr_buf *out,
				   const struct addr_policy *p, size_t i,
				   const struct addr_policy_data *data,
				   unsigned k, struct addr_error *err);
/*
 * addr_policy_apply - generate what the recipient dn[0..len) of d lacks:
 * each template whose exact prefix text ("SMTP", "smtp", ...) the
 * recipient holds no proxy of is expanded (R29 step 1), with the first
 * free suffix against every other object of d; then the X400 proxy and
 * legacyExchangeDN of §3.4 when configured and absent. The change is
 * applied atomically. added (nullable) gets the new proxies in stored
 * form, then "legacyExchangeDN:" + the new value if one was made, each
 * followed by "\n". Every failure (one per template) goes to rep
 * (nullable), naming the template or the recipient. Returns the number
 * of values added, 0 when nothing changed or no such entry, or a
 * negative ADDR_E* when nothing was applied (ADDR_ECONFLICT after 99
 * suffixes, ADDR_ESYNTAX, ADDR_ENOMEM).
 */
ADDR_EXTERN int addr_policy_apply(struct addr_dir *d,
				  const struct addr_policy *p,
				  const char *dn, size_t len,
				  struct addr_buf *added,
				  struct addr_dir_report *rep);

#ifdef __cplusplus
}
#endif
#endif /* ADDR_H */
