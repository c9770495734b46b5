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

#ifdef __cplusplus
}
#endif
#endif /* ADDR_H */
