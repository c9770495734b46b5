/*
 * test_mailbox.c - the worked examples of spec-address.md §6, one row each
 *
 * Every example of §6 is a row: production and flags (the mode letters of
 * §6), the input, the category and the full diagnosis list in the order of
 * §4.3 ("CODE@N CODE@N"), and where the example gives them the canonical
 * forms (§5), result fields (§4.1) and display names (§5 rule 4). Where the
 * Result column names an outcome under another mode ("+s: ...", "as F:
 * ...", "M: ...", "with +u valid", "lenient: ..."), that outcome is an
 * extra row whose id carries the mode. Every row is checked; a row that
 * fails prints one "row N (#id): field: got X, want Y" line per field and
 * the test fails at the end of its group.
 *
 * Besides the rows:
 *  - §4.1 consistency: primary (§4.4), per-address diagnoses and category,
 *    spans; ERROR results are empty and fill struct addr_error.
 *  - §5 rule 5 on every non-ERROR row: the canonical form re-parsed as an
 *    addr-spec has no CFWS_*, IDNA_MAPPED, UTF8_NOT_NFC or DEPREC_*
 *    diagnosis but DEPREC_QP, the same A-label form, and normalizes to
 *    itself.
 *  - a result struct reused for every row gives the same answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* ------------------------------------------------------------ the rows */

enum { U8_UNCHECKED, U8_NO, U8_YES };

struct row {
	const char *id;		/* §6 number, plus the mode of an alternative */
	int prod;		/* ADDR_P_* */
	unsigned flags;		/* ADDR_F_* */
	const char *in;
	size_t len;
	int cat;		/* ADDR_CAT_* */
	const char *diags;	/* "CODE@N CODE@N", §4.3 order */
	/* optional checks; NULL / 0 = not checked */
	const char *shape;	/* addresses: M N P G, [display name], {members} */
	const char *canon;	/* normalized, A-label; mailboxes joined " | " */
	size_t canon_len;	/* when canon holds a NUL */
	const char *ucanon;	/* normalized with ADDR_N_ULABEL */
	int at;			/* mailbox (flattened) the fields below are of */
	const char *local;
	size_t local_len;	/* when local holds a NUL */
	const char *domain;
	int dkind1;		/* ADDR_DK_* + 1 */
	const char *route;	/* route[] joined "," */
	int smtputf8;		/* U8_* */
	const char *dout;	/* display as addr_mailbox_normalize writes it */
	const char *dout7;	/* the same with ADDR_N_7BIT */
};

#define LEN	ADDR_F_LENIENT
#define UTF8	ADDR_F_UTF8
#define D2047	ADDR_F_DECODE_2047

/* §6 mode letters */
#define H_	.prod = ADDR_P_ADDR_SPEC, .flags = LEN
#define Hs_	.prod = ADDR_P_ADDR_SPEC, .flags = 0
#define Hu_	.prod = ADDR_P_ADDR_SPEC, .flags = LEN | UTF8
#define M_	.prod = ADDR_P_MAILBOX, .flags = LEN
#define Ms_	.prod = ADDR_P_MAILBOX, .flags = 0
#define Mu_	.prod = ADDR_P_MAILBOX, .flags = LEN | UTF8
#define Md_	.prod = ADDR_P_MAILBOX, .flags = LEN | D2047
#define L_	.prod = ADDR_P_ADDRESS_LIST, .flags = LEN
#define Ls_	.prod = ADDR_P_ADDRESS_LIST, .flags = 0
#define R_	.prod = ADDR_P_REVERSE_PATH, .flags = 0
#define F_	.prod = ADDR_P_FORWARD_PATH, .flags = 0
#define Fl_	.prod = ADDR_P_FORWARD_PATH, .flags = LEN

/* the input is a string literal; its length is taken with sizeof, so
 * inputs may hold NUL */
#define ROW(id_, mode_, in_, cat_, diags_, ...) \
	{ .id = id_, mode_, .in = in_, .len = sizeof(in_) - 1, \
	  .cat = ADDR_CAT_##cat_, .diags = diags_, __VA_ARGS__ }
#define EROW(id_, mode_, in_, diags_) \
	{ .id = id_, mode_, .in = in_, .len = sizeof(in_) - 1, \
	  .cat = ADDR_CAT_ERROR, .diags = diags_ }
#define CANON_N(s)	.canon = s, .canon_len = sizeof(s) - 1
#define LOCAL_N(s)	.local = s, .local_len = sizeof(s) - 1
#define DK(k)		.dkind1 = ADDR_DK_##k + 1

/* is_email's long inputs (tests.xml; TSV notes "is_email #N") */
#define AZ	"abcdefghijklmnopqrstuvwxyz"
#define L63	AZ AZ "abcdefghikl"
#define IE26	AZ AZ "abcdefghiklmn" "@iana.org"		/* local 65 */
#define IE60	"\"" AZ " " AZ " abcdefg\\h\"@iana.org"		/* local 65 */
#define IE60_C	"\"" AZ " " AZ " abcdefgh\"@iana.org"		/* local 64 */
#define IE28	"test@" AZ AZ "abcdefghiklm" ".com"		/* label 64 */
#define IE39	AZ AZ "abcdefghiklm" "@" L63 "." L63 "." AZ AZ "abcdefghij"
#define IE40	"a@" L63 "." L63 "." L63 "." AZ AZ "abcdefg" ".hij"
#define IE41	"a@" L63 "." L63 "." L63 "." AZ AZ "abcdefg" ".hijk"
/* #114: email-validator's "too long after normalization" case: local
 * my.<U+FB2C>.address (14 octets, NFC 17), 237-octet domain */
#define D114	"1111111111222222222233333333334444444444555555555." \
		"6666666666777777777788888888889999999999000000000." \
		"1111111111222222222233333333334444444444555555555." \
		"6666666666777777777788888888889999999999000000000." \
		"11111111112222222222333333333344.info"
#define IN114	"my.\xEF\xAC\xAC.address@" D114
#define CANON114 "my.\xD7\xA9\xD6\xBC\xD7\x81.address@" D114
/* #116: seventeen U+1F606 */
#define E4	"\xF0\x9F\x98\x86\xF0\x9F\x98\x86\xF0\x9F\x98\x86\xF0\x9F\x98\x86"
#define E17	E4 E4 E4 E4 "\xF0\x9F\x98\x86"

static const struct row rows[] = {
	/* ---- is_email (§6 rows 1-61) ---- */
	ROW("1", H_, "test@iana.org", VALID, "", .canon = "test@iana.org",
	    .local = "test", .domain = "iana.org", DK(NAME), .smtputf8 = U8_NO),
	ROW("2", H_, "test@io", RFC5321, "RFC5321_TLD@5", .canon = "test@io"),
	ROW("3", H_, "test@org", RFC5321, "RFC5321_TLD@5", .canon = "test@org"),
	ROW("4", H_, "test@iana.123", RFC5321, "RFC5321_TLDNUMERIC@10",
	    .canon = "test@iana.123"),
	ROW("5", H_, "\"test\"@iana.org", RFC5321, "RFC5321_QUOTEDSTRING@0",
	    .local = "test", .canon = "test@iana.org"),
	ROW("6", H_, "\"\"@iana.org", RFC5321, "RFC5321_QUOTEDSTRING@0",
	    .local = "", .canon = "\"\"@iana.org"),
	ROW("7", H_, "test@[255.255.255.255]", RFC5321,
	    "RFC5321_ADDRESSLITERAL@5", DK(IPV4), .domain = "255.255.255.255",
	    .canon = "test@[255.255.255.255]"),
	ROW("8", H_, "test@[IPv6:::]", RFC5321, "RFC5321_ADDRESSLITERAL@5",
	    DK(IPV6), .domain = "IPv6:::", .canon = "test@[IPv6:::]"),
	ROW("9", H_, "test@[IPv6:1111:2222:3333:4444:5555:6666::8888]",
	    DEPRECATED, "RFC5321_ADDRESSLITERAL@5 DEPREC_IPV6@5", DK(IPV6),
	    .canon = "test@[IPv6:1111:2222:3333:4444:5555:6666:0:8888]"),
	ROW("10", H_, "(comment)test@iana.org", CFWS, "CFWS_COMMENT@0",
	    .local = "test", .canon = "test@iana.org"),
	ROW("11", H_, "\r\n \r\n test@iana.org", DEPRECATED,
	    "CFWS_FWS@0 DEPREC_FWS@3", .canon = "test@iana.org"),
	ROW("12", H_, " test @iana.org", DEPRECATED,
	    "CFWS_FWS@0 DEPREC_CFWS_NEAR_AT@5", .canon = "test@iana.org"),
	ROW("13", H_, "test@ iana .com", DEPRECATED,
	    "DEPREC_CFWS_NEAR_AT@5 DEPREC_FWS@10", .domain = "iana.com",
	    .canon = "test@iana.com"),
	ROW("14", H_, "test . test@iana.org", DEPRECATED,
	    "DEPREC_FWS@4 DEPREC_FWS@6", .local = "test.test",
	    .canon = "test.test@iana.org"),
	ROW("15", H_, "test.(comment)test@iana.org", DEPRECATED,
	    "DEPREC_COMMENT@5", .local = "test.test",
	    .canon = "test.test@iana.org"),
	ROW("16", H_, "\"test\".\"test\"@iana.org", DEPRECATED,
	    "RFC5321_QUOTEDSTRING@0 DEPREC_LOCALPART@6", .local = "test.test",
	    .canon = "test.test@iana.org"),
	ROW("17", H_, "\"\x07\"@iana.org", DEPRECATED,
	    "RFC5321_QUOTEDSTRING@0 DEPREC_QTEXT@1", .local = "\x07",
	    .canon = "\"\\\x07\"@iana.org"),
	ROW("18", H_, "\"test\\\0\"@iana.org", DEPRECATED,
	    "RFC5321_QUOTEDSTRING@0 DEPREC_QP@5", LOCAL_N("test\0"),
	    CANON_N("\"test\\\0\"@iana.org")),
	ROW("19", H_, "(\x07)test@iana.org", DEPRECATED,
	    "CFWS_COMMENT@0 DEPREC_CTEXT@1", .canon = "test@iana.org"),
	ROW("20", H_, "test@iana/icann.org", RFC5322, "RFC5322_DOMAIN@9",
	    .canon = "test@iana/icann.org"),
	ROW("21", H_, IE26, RFC5322, "RFC5322_LOCAL_TOOLONG@0", .canon = IE26),
	ROW("22", H_, IE60, RFC5322,
	    "RFC5321_QUOTEDSTRING@0 RFC5322_LOCAL_TOOLONG@0",
	    .local = AZ " " AZ " abcdefgh", .canon = IE60_C),
	ROW("23", H_, IE28, RFC5322, "RFC5322_LABEL_TOOLONG@5", .canon = IE28),
	ROW("24", H_, IE39, RFC5322, "RFC5322_TOOLONG@0", .canon = IE39),
	ROW("25", H_, IE41, RFC5322,
	    "RFC5322_TOOLONG@0 RFC5322_DOMAIN_TOOLONG@2", .canon = IE41),
	ROW("26", H_, IE40, RFC5322,
	    "RFC5322_TOOLONG@0 RFC5322_DOMAIN_TOOLONG@2", .canon = IE40),
	ROW("27", H_, "test@[RFC-5322-domain-literal]", RFC5322,
	    "RFC5322_DOMAINLITERAL@5", DK(OTHER_LITERAL),
	    .domain = "RFC-5322-domain-literal",
	    .canon = "test@[RFC-5322-domain-literal]"),
	ROW("28", H_, "test@[RFC-5322-\\]-domain-literal]", RFC5322,
	    "RFC5322_DOMAINLITERAL@5 RFC5322_DOMLIT_OBSDTEXT@15",
	    .canon = "test@[RFC-5322-\\]-domain-literal]"),
	ROW("29", H_, "test@[IPv6:1111:2222:3333:4444:5555:6666:7777]",
	    RFC5322, "RFC5322_IPV6_GRPCOUNT@5",
	    .canon = "test@[IPv6:1111:2222:3333:4444:5555:6666:7777]"),
	ROW("30", H_, "test@[IPv6:1111::4444:5555::8888]", RFC5322,
	    "RFC5322_IPV6_2X2XCOLON@5",
	    .canon = "test@[IPv6:1111::4444:5555::8888]"),
	ROW("31", H_, "test@[IPv6:1111:2222:3333:4444:5555:6666:7777:888G]",
	    RFC5322, "RFC5322_IPV6_BADCHAR@5",
	    .canon = "test@[IPv6:1111:2222:3333:4444:5555:6666:7777:888G]"),
	ROW("32", H_, "test@[IPv6:1111:2222:3333:4444:5555:6666::7777:8888]",
	    RFC5322, "RFC5322_IPV6_MAXGRPS@5",
	    .canon = "test@[IPv6:1111:2222:3333:4444:5555:6666::7777:8888]"),
	ROW("33", H_, "test@[IPv6::3333:4444:5555:6666:7777:8888]", RFC5322,
	    "RFC5322_IPV6_COLONSTRT@5",
	    .canon = "test@[IPv6::3333:4444:5555:6666:7777:8888]"),
	ROW("34", H_, "test@[IPv6:1::2:]", RFC5322, "RFC5322_IPV6_COLONEND@5",
	    .canon = "test@[IPv6:1::2:]"),
	ROW("35", H_, "test@-iana.org", RFC5322, "RFC5322_HYPHENSTART@5",
	    .canon = "test@-iana.org"),
	ROW("36", H_, "test@iana-.com", RFC5322, "RFC5322_HYPHENEND@5",
	    .canon = "test@iana-.com"),
	EROW("37", H_, "test@[RFC-5322-[domain-literal]",
	     "ERR_EXPECTING_DTEXT@15"),
	EROW("38", H_, "@iana.org", "ERR_NOLOCALPART@0"),
	EROW("39", H_, "test", "ERR_NODOMAIN@4"),
	EROW("40", H_, "test..iana.org", "ERR_CONSECUTIVEDOTS@5"),
	EROW("41", H_, "test(comment)test@iana.org", "ERR_ATEXT_AFTER_CFWS@13"),
	EROW("42", H_, "\"test\"test@iana.org",
	     "RFC5321_QUOTEDSTRING@0 ERR_ATEXT_AFTER_QS@6"),
	EROW("43", H_, "test@[RFC-5322]-domain-literal]",
	     "RFC5322_DOMAINLITERAL@5 ERR_ATEXT_AFTER_DOMLIT@15"),
	EROW("44", H_, "\"test\\©\"@iana.org", "ERR_EXPECTING_QPAIR@6"),
	EROW("45", H_, "test\\@test@iana.org", "ERR_EXPECTING_ATEXT@4"),
	EROW("46", H_, "\"test\0\"@iana.org", "ERR_EXPECTING_QTEXT@5"),
	EROW("47", H_, "(\n)test@iana.org", "ERR_EXPECTING_CTEXT@1"),
	EROW("48", H_, "test@iana.org(comment\\", "ERR_BACKSLASHEND@21"),
	EROW("49", H_, ".test@iana.org", "ERR_DOT_START@0"),
	EROW("50", H_, "test.@iana.org", "ERR_DOT_END@4"),
	EROW("51", H_, "\"test@iana.org", "ERR_UNCLOSEDQUOTEDSTR@0"),
	EROW("52", H_, "((comment)test@iana.org", "ERR_UNCLOSEDCOMMENT@0"),
	EROW("53", H_, "test@[1.2.3.4", "ERR_UNCLOSEDDOMLIT@5"),
	EROW("54", H_, " \r\n\r\ntest@iana.org", "ERR_FWS_CRLF_X2@3"),
	EROW("55", H_, "\r\ntest@iana.org", "ERR_FWS_CRLF_END@0"),
	EROW("56", H_, "test@iana.org\r", "ERR_CR_NO_LF@13"),
	ROW("57", H_, "test@xn--hxajbheg2az3al.xn--jxalpdlp", VALID, "",
	    .canon = "test@xn--hxajbheg2az3al.xn--jxalpdlp",
	    .ucanon = "test@παράδειγμα.δοκιμή", .smtputf8 = U8_NO),
	EROW("58", H_, "Abc\\@def@example.com", "ERR_EXPECTING_ATEXT@3"),
	ROW("59", H_, "\"Abc\\@def\"@example.com", RFC5321,
	    "RFC5321_QUOTEDSTRING@0", .local = "Abc@def",
	    .canon = "\"Abc@def\"@example.com"),
	ROW("60", H_, "\"Joe.\\\\Blow\"@example.com", RFC5321,
	    "RFC5321_QUOTEDSTRING@0", .local = "Joe.\\Blow",
	    .canon = "\"Joe.\\\\Blow\"@example.com"),
	ROW("61", H_, "\" Joe.\\Blow\"@example.com", RFC5321,
	    "RFC5321_QUOTEDSTRING@0", .local = " Joe.Blow",
	    .canon = "\" Joe.Blow\"@example.com"),

	/* ---- RFC 5322 Appendix A, RFC 5321 (§6 rows 62-78) ---- */
	ROW("62", L_,
	    "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
	    VALID, "", .shape = "M[Mary Smith],M,M[Who?]",
	    .canon = "mary@x.test | jdoe@example.org | one@y.test",
	    .dout = "Mary Smith"),
	ROW("63", L_,
	    "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
	    VALID, "", .shape = "M,M[Giant; \"Big\" Box]",
	    .canon = "boss@nil.test | sysservices@example.net", .at = 1,
	    .dout = "\"Giant; \\\"Big\\\" Box\""),
	ROW("64", L_,
	    "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
	    VALID, "", .shape = "G[A Group]{M[Ed Jones],M,M[John]}",
	    .canon = "c@a.test | joe@where.test | jdoe@one.test",
	    .dout = "Ed Jones"),
	ROW("65", L_, "Undisclosed recipients:;", VALID, "",
	    .shape = "G[Undisclosed recipients]{}", .canon = ""),
	ROW("66", Ms_,
	    "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	    DEPRECATED, "DEPREC_CFWS_NEAR_AT@26 CFWS_COMMENT@50",
	    .shape = "M[Pete]", .local = "pete", .domain = "silly.test",
	    .canon = "pete@silly.test", .dout = "Pete"),
	ROW("67", L_,
	    "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
	    VALID, "", .shape = "G[Hidden recipients]{}", .canon = ""),
	ROW("68", M_, "Joe Q. Public <john.q.public@example.com>", DEPRECATED,
	    "DEPREC_PHRASE@5", .shape = "M[Joe Q. Public]",
	    .canon = "john.q.public@example.com", .dout = "\"Joe Q. Public\""),
	ROW("69", L_,
	    "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
	    DEPRECATED,
	    "DEPREC_ROUTE@12 DEPREC_EMPTY_MEMBER@42 DEPREC_FWS@53 DEPREC_FWS@56",
	    .shape = "M[Mary Smith],M", .route = "node.test",
	    .canon = "mary@example.net | jdoe@test.example"),
	ROW("70", M_, "John Doe <jdoe@machine(comment).  example>", DEPRECATED,
	    "DEPREC_COMMENT@22 DEPREC_FWS@32", .shape = "M[John Doe]",
	    .domain = "machine.example", .canon = "jdoe@machine.example"),
	ROW("71", M_,
	    " Mary Smith\r\n  \r\n          <mary@example.net>", DEPRECATED,
	    "DEPREC_FWS@15", .shape = "M[Mary Smith]",
	    .canon = "mary@example.net", .dout = "Mary Smith"),
	ROW("72", R_, "<userx@y.foo.org>", VALID, "", .shape = "M",
	    .canon = "userx@y.foo.org"),
	ROW("73", F_, "<@hosta.int,@jkl.org:userc@d.bar.org>", DEPRECATED,
	    "DEPREC_ROUTE@1", .shape = "M", .route = "hosta.int,jkl.org",
	    .canon = "userc@d.bar.org"),
	ROW("74", R_, "<>", VALID, "", .shape = "N", .canon = ""),
	ROW("75", F_, "<Postmaster>", VALID, "", .shape = "P",
	    .local = "Postmaster", DK(NONE), .canon = "Postmaster"),
	EROW("76", R_, "userx@y.foo.org", "ERR_ANGLE@0"),
	EROW("77", F_, "<jdoe@[256.0.0.1]>",
	     "RFC5322_DOMAINLITERAL@6 ERR_ENVELOPE@6"),
	EROW("78", F_, "<a@[x-tag:foo]>",
	     "RFC5322_DOMAINLITERAL@3 ERR_ENVELOPE@3"),

	/* ---- Go net/mail (§6 rows 79-95) ---- */
	ROW("79", Md_, "=?iso-8859-1?q?J=F6rg_Doe?= <joerg@example.com>",
	    VALID, "", .shape = "M[Jörg Doe]", .canon = "joerg@example.com",
	    .dout = "Jörg Doe", .dout7 = "=?UTF-8?B?SsO2cmcgRG9l?="),
	ROW("80", Md_,
	    "=?utf-8?q?J=C3=B6rg?=  =?utf-8?q?Doe?= <joerg@example.com>",
	    VALID, "", .shape = "M[JörgDoe]", .canon = "joerg@example.com"),
	ROW("81", Md_,
	    "=?iso-8859-2?Q?Bogl=E1rka_Tak=E1cs?= <unknown@gmail.com>",
	    VALID, "", .shape = "M[Boglárka Takács]",
	    .canon = "unknown@gmail.com"),
	ROW("82", Md_, "=?utf-8?q?=ED=A0=80?= <invalid-utf8@example.net>",
	    VALID, "ENCWORD_UNDECODABLE@0",
	    .shape = "M[=?utf-8?q?=ED=A0=80?=]",
	    .canon = "invalid-utf8@example.net",
	    .dout = "\"=?utf-8?q?=ED=A0=80?=\""),
	ROW("83", Md_, "\"=??Q?x?=\" <hello@world.com>", VALID, "",
	    .shape = "M[=??Q?x?=]", .canon = "hello@world.com",
	    .dout = "\"=??Q?x?=\""),
	ROW("84", M_, "(John) Doe <jdoe@machine.example>", VALID, "",
	    .shape = "M[Doe]", .canon = "jdoe@machine.example"),
	ROW("85", M_, "john@example.com (John Doe)", CFWS, "CFWS_COMMENT@16",
	    .shape = "M", .canon = "john@example.com", .dout = ""),
	ROW("86", Mu_, "Micro <micro@µ.example.com>", CFWS, "IDNA_MAPPED@13",
	    .shape = "M[Micro]", .canon = "micro@xn--xxa.example.com",
	    .ucanon = "micro@μ.example.com", .smtputf8 = U8_NO),
	ROW("87", L_, " , joe@where.test,,John <jdoe@one.test>,", DEPRECATED,
	    "DEPREC_EMPTY_MEMBER@1", .shape = "M,M[John]",
	    .canon = "joe@where.test | jdoe@one.test"),
	EROW("88", L_, ",", "DEPREC_EMPTY_MEMBER@0 ERR_EMPTY@1"),
	EROW("89", M_, "John Doe", "ERR_NODOMAIN@8"),
	EROW("90", Mu_, "\xED\xA0\x80 <micro@example.net>",
	     "ERR_UTF8_MALFORMED@0"),
	ROW("91", M_, "\"\\\0\" <escaped-null@example.net>", DEPRECATED,
	    "DEPREC_QP@1", .shape = "M[\\x00]",
	    .canon = "escaped-null@example.net", .dout = "=?UTF-8?Q?=00?="),
	EROW("92", L_, "root group: embed group: null@example.com;",
	     "ERR_GROUP_NOT_ALLOWED@23"),
	EROW("93", L_, "group not closed: null@example.com",
	     "ERR_UNCLOSEDGROUP@16"),
	ROW("94", M_, "<\"\"@0>", RFC5321,
	    "RFC5321_QUOTEDSTRING@1 RFC5321_TLD@4 RFC5321_TLDNUMERIC@4",
	    .shape = "M", .local = "", .canon = "\"\"@0"),
	ROW("95", L_, "x(:\"):\"@a.example;(\"@b.example;", RFC5321,
	    "RFC5321_QUOTEDSTRING@6", .shape = "G[x]{M}",
	    .local = "@a.example;(", .domain = "b.example",
	    .canon = "\"@a.example;(\"@b.example"),

	/* ---- email-validator, hapi, constructed (§6 rows 96-116) ---- */
	ROW("96", Hu_, "jeff@臺網中心.tw", VALID, "",
	    .canon = "jeff@xn--fiqq24b10vi0d.tw", .ucanon = "jeff@臺網中心.tw",
	    .smtputf8 = U8_NO),
	ROW("97", Hu_, "伊昭傑@郵件.商務", VALID, "",
	    .canon = "伊昭傑@xn--5nqv22n.xn--lhr59c", .ucanon = "伊昭傑@郵件.商務",
	    .smtputf8 = U8_YES),
	ROW("98", Mu_, "\"s\xCC\xA3\xCC\x87\" <s\xCC\xA3\xCC\x87@nfc.tld>",
	    RFC5321, "UTF8_NOT_NFC@0 UTF8_NOT_NFC@9", .shape = "M[ṩ]",
	    .local = "s\xCC\xA3\xCC\x87", .canon = "ṩ@nfc.tld", .dout = "ṩ",
	    .smtputf8 = U8_YES),
	ROW("99", Hu_, "me@⒈wouldbeinvalid.com", RFC5322, "IDNA_DISALLOWED@3",
	    .canon = "me@⒈wouldbeinvalid.com"),
	ROW("100", Hu_, "me@xn--0.tld", RFC5322, "IDNA_ALABEL@3",
	    .canon = "me@xn--0.tld"),
	ROW("101", Hu_, "me@yy--0.tld", RFC5321, "RFC5321_RESERVEDLABEL@3",
	    .canon = "me@yy--0.tld"),
	ROW("102", Hu_, "my@．leadingfwdot.com", RFC5322,
	    "IDNA_MAPPED@3 IDNA_FORM@3", .canon = "my@．leadingfwdot.com"),
	ROW("103", Hu_, "test@\xCC\x80", RFC5322, "IDNA_FORM@5",
	    .canon = "test@\xCC\x80"),
	ROW("104", Hu_, "a@1א.example", RFC5322, "IDNA_BIDI@2",
	    .canon = "a@1א.example"),
	ROW("105", Hu_, "a@a\xE2\x80\x8C" "b.example", RFC5322, "IDNA_CONTEXT@2",
	    .canon = "a@a\xE2\x80\x8C" "b.example"),
	ROW("106", Hu_, "user@faß.de", VALID, "", .canon = "user@xn--fa-hia.de",
	    .ucanon = "user@faß.de", .smtputf8 = U8_NO),
	ROW("107", Hu_, "Test@BÜCHER.DE", CFWS, "IDNA_MAPPED@5",
	    .local = "Test", .canon = "Test@xn--bcher-kva.de",
	    .ucanon = "Test@bücher.de"),
	ROW("108", Hu_, "me@[IPv6:::G]", RFC5322, "RFC5322_IPV6_BADCHAR@3",
	    .canon = "me@[IPv6:::G]"),
	EROW("109", Ms_, "obsolete.\"quoted\".atom@example.com",
	     "DEPREC_LOCALPART@8 ERR_OBSOLETE@8"),
	EROW("110", Ms_, "Display.Name <me@example.com>",
	     "DEPREC_PHRASE@7 ERR_OBSOLETE@7"),
	ROW("111", M_, "DisplayName <me@-example.com>", RFC5322,
	    "RFC5322_HYPHENSTART@16", .shape = "M[DisplayName]",
	    .canon = "me@-example.com"),
	EROW("112", M_, "<me@example.com", "ERR_ANGLE@0"),
	EROW("113", M_, "<me@example.com> !", "ERR_TRAILING@17"),
	ROW("114", Hu_, IN114, RFC5322, "UTF8_NOT_NFC@0 RFC5322_TOOLONG@0",
	    .canon = CANON114, .smtputf8 = U8_YES),
	ROW("115", Hu_, "\"\xC2\x80\"@iana.org", RFC5321,
	    "RFC5321_QUOTEDSTRING@0 UTF8_CONTROL@1", .local = "\xC2\x80",
	    .canon = "\xC2\x80@iana.org"),
	ROW("116", Hu_, E17 "@iana.org", RFC5322, "RFC5322_LOCAL_TOOLONG@0",
	    .canon = E17 "@iana.org", .smtputf8 = U8_YES),

	/* ---- outcomes the Result column gives for other modes ---- */
	EROW("11+s", Hs_, "\r\n \r\n test@iana.org",
	     "DEPREC_FWS@3 ERR_OBSOLETE@3"),
	ROW("12+s", Hs_, " test @iana.org", DEPRECATED,
	    "CFWS_FWS@0 DEPREC_CFWS_NEAR_AT@5", .canon = "test@iana.org"),
	ROW("44+u", Hu_, "\"test\\©\"@iana.org", RFC5321,
	    "RFC5321_QUOTEDSTRING@0", .local = "test©",
	    .canon = "test©@iana.org", .smtputf8 = U8_YES),
	EROW("65 as M", M_, "Undisclosed recipients:;",
	     "ERR_GROUP_NOT_ALLOWED@22"),
	EROW("68+s", Ms_, "Joe Q. Public <john.q.public@example.com>",
	     "DEPREC_PHRASE@5 ERR_OBSOLETE@5"),
	EROW("74 as F", F_, "<>", "ERR_NULLPATH@0"),
	EROW("75 as R", R_, "<Postmaster>", "ERR_NODOMAIN@11"),
	ROW("77 as M", M_, "<jdoe@[256.0.0.1]>", RFC5322,
	    "RFC5322_DOMAINLITERAL@6", .shape = "M", DK(OTHER_LITERAL),
	    .domain = "256.0.0.1", .canon = "jdoe@[256.0.0.1]"),
	ROW("78 F+lenient", Fl_, "<a@[x-tag:foo]>", RFC5322,
	    "RFC5322_DOMAINLITERAL@3", .shape = "M", DK(GENERAL),
	    .domain = "x-tag:foo", .canon = "a@[x-tag:foo]"),
	EROW("87+s", Ls_, " , joe@where.test,,John <jdoe@one.test>,",
	     "DEPREC_EMPTY_MEMBER@1 ERR_OBSOLETE@1"),
	EROW("91+s", Ms_, "\"\\\0\" <escaped-null@example.net>",
	     "DEPREC_QP@1 ERR_OBSOLETE@1"),
	ROW("109 lenient", M_, "obsolete.\"quoted\".atom@example.com",
	    DEPRECATED, "DEPREC_LOCALPART@8 RFC5321_QUOTEDSTRING@9",
	    .shape = "M", .local = "obsolete.quoted.atom",
	    .canon = "obsolete.quoted.atom@example.com"),
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* ------------------------------------------------------------- helpers */

struct ctx {
	size_t rowno;		/* 1-based index into rows[] */
	const struct row *r;
	int bad;
};

/* esc - printable form of n octets: "..." with C escapes, UTF-8 kept */
static void esc(struct addr_buf *b, const char *s, size_t n)
{
	size_t i;
	char tmp[8];

	addr_buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			addr_buf_putc(b, '\\');
			addr_buf_putc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02X", c);
			addr_buf_puts(b, tmp);
		} else {
			addr_buf_putc(b, (char)c);
		}
	}
	addr_buf_putc(b, '"');
}

static void bad_field(struct ctx *c, const char *field, const char *got,
		      const char *want)
{
	printf("row %zu (#%s): %s: got %s, want %s\n", c->rowno, c->r->id,
	       field, got, want);
	fflush(stdout);
	c->bad = 1;
}

static void check_str(struct ctx *c, const char *field, const char *got,
		      size_t glen, const char *want, size_t wlen)
{
	struct addr_buf g, w;

	if (glen == wlen && (wlen == 0 || memcmp(got, want, wlen) == 0))
		return;
	addr_buf_init(&g);
	addr_buf_init(&w);
	esc(&g, got, glen);
	esc(&w, want, wlen);
	bad_field(c, field, g.ptr, w.ptr);
	addr_buf_free(&g);
	addr_buf_free(&w);
}

static void check_int(struct ctx *c, const char *field, long got, long want)
{
	char g[32], w[32];

	if (got == want)
		return;
	snprintf(g, sizeof(g), "%ld", got);
	snprintf(w, sizeof(w), "%ld", want);
	bad_field(c, field, g, w);
}

static const char *cat_name(int cat)
{
	const char *s = addr_category_name(cat);

	return s ? s : "?";
}

static void check_cat(struct ctx *c, const char *field, int got, int want)
{
	if (got != want)
		bad_field(c, field, cat_name(got), cat_name(want));
}

/* diag_string - "CODE@N CODE@N" of a diagnosis list */
static void diag_string(struct addr_buf *b, const struct addr_diag *d,
			size_t n)
{
	size_t i;
	char tmp[32];

	addr_buf_clear(b);
	for (i = 0; i < n; i++) {
		const char *name = addr_diag_name(d[i].code);

		if (i)
			addr_buf_putc(b, ' ');
		if (name)
			addr_buf_puts(b, name);
		else {
			snprintf(tmp, sizeof(tmp), "?%d", d[i].code);
			addr_buf_puts(b, tmp);
		}
		snprintf(tmp, sizeof(tmp), "@%zu", d[i].offset);
		addr_buf_puts(b, tmp);
	}
}

#define MAXD 32

/* parse_want - the row's diagnosis string as a list; -1 on a bad name */
static int parse_want(const char *s, struct addr_diag *d, size_t *n)
{
	char name[64];
	size_t k;
	unsigned long off;

	*n = 0;
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		for (k = 0; *s && *s != '@' && k < sizeof(name) - 1; k++)
			name[k] = *s++;
		name[k] = '\0';
		if (*s != '@' || *n == MAXD)
			return -1;
		s++;
		off = 0;
		while (*s >= '0' && *s <= '9')
			off = off * 10 + (unsigned long)(*s++ - '0');
		d[*n].code = addr_diag_from_name(name);
		d[*n].offset = off;
		if (d[*n].code < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

/* want_primary - §4.4: highest category, then highest value, then
 * lowest offset; VALID when there is none */
static int want_primary(const struct addr_diag *d, size_t n)
{
	size_t i, best = 0;

	if (n == 0)
		return ADDR_D_VALID;
	for (i = 1; i < n; i++) {
		int cb = addr_diag_category(d[best].code);
		int ci = addr_diag_category(d[i].code);

		if (ci > cb || (ci == cb && d[i].code > d[best].code) ||
		    (ci == cb && d[i].code == d[best].code &&
		     d[i].offset < d[best].offset))
			best = i;
	}
	return d[best].code;
}

static int want_category(const struct addr_diag *d, size_t n)
{
	size_t i;
	int cat = ADDR_CAT_VALID;

	for (i = 0; i < n; i++)
		if (addr_diag_category(d[i].code) > cat)
			cat = addr_diag_category(d[i].code);
	return cat;
}

/* shape - M N P G per address, [display name], {members} */
static void shape_one(struct addr_buf *b, const struct addr_mailbox *m)
{
	size_t i;
	char tmp[16];

	switch (m->kind) {
	case ADDR_K_MAILBOX: addr_buf_putc(b, 'M'); break;
	case ADDR_K_GROUP: addr_buf_putc(b, 'G'); break;
	case ADDR_K_NULL: addr_buf_putc(b, 'N'); break;
	case ADDR_K_POSTMASTER: addr_buf_putc(b, 'P'); break;
	default:
		snprintf(tmp, sizeof(tmp), "?%d", m->kind);
		addr_buf_puts(b, tmp);
	}
	if (m->has_display_name) {
		addr_buf_putc(b, '[');
		for (i = 0; i < m->display_name.len; i++) {
			unsigned char c = (unsigned char)m->display_name.ptr[i];

			if (c < 0x20 || c == 0x7f) {
				snprintf(tmp, sizeof(tmp), "\\x%02X", c);
				addr_buf_puts(b, tmp);
			} else
				addr_buf_putc(b, (char)c);
		}
		addr_buf_putc(b, ']');
	}
	if (m->kind == ADDR_K_GROUP) {
		addr_buf_putc(b, '{');
		for (i = 0; i < m->nmembers; i++) {
			if (i)
				addr_buf_putc(b, ',');
			shape_one(b, &m->members[i]);
		}
		addr_buf_putc(b, '}');
	}
}

static void shape(struct addr_buf *b, const struct addr_mailbox_result *res)
{
	size_t i;

	addr_buf_clear(b);
	for (i = 0; i < res->naddr; i++) {
		if (i)
			addr_buf_putc(b, ',');
		shape_one(b, &res->addr[i]);
	}
}

#define MAXMB 64

/* flatten - the mailboxes of a result, group members in place of groups */
static size_t flatten(const struct addr_mailbox_result *res,
		      const struct addr_mailbox **out)
{
	size_t i, j, n = 0;

	for (i = 0; i < res->naddr; i++) {
		const struct addr_mailbox *a = &res->addr[i];

		if (a->kind == ADDR_K_GROUP) {
			for (j = 0; j < a->nmembers && n < MAXMB; j++)
				out[n++] = &a->members[j];
		} else if (n < MAXMB)
			out[n++] = a;
	}
	return n;
}

/* canon_join - normalized forms of all mailboxes joined by " | " */
static void canon_join(struct addr_buf *b, const struct addr_mailbox **mb,
		       size_t n, unsigned nflags)
{
	struct addr_buf one;
	size_t i;
	int rc;
	char tmp[32];

	addr_buf_clear(b);
	addr_buf_init(&one);
	for (i = 0; i < n; i++) {
		if (i)
			addr_buf_puts(b, " | ");
		rc = addr_mailbox_normalize(&one, NULL, mb[i], nflags);
		if (rc < 0) {
			snprintf(tmp, sizeof(tmp), "<normalize: %d>", rc);
			addr_buf_puts(b, tmp);
		} else
			addr_buf_put(b, one.ptr, one.size);
	}
	addr_buf_free(&one);
}

static int is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static int has_xn(const char *s)
{
	for (; *s; s++)
		if ((s[0] == 'x' || s[0] == 'X') && (s[1] == 'n' || s[1] == 'N') &&
		    s[2] == '-' && s[3] == '-')
			return 1;
	return 0;
}

/* check_address - §4.1: the address's diagnoses are the result's
 * diagnoses in its span (a group's: not in a member's span); its category
 * is theirs */
static void check_address(struct ctx *c, const struct addr_mailbox_result *res,
			  const struct addr_mailbox *a, const char *what)
{
	struct addr_buf g, w;
	struct addr_diag want[MAXD];
	size_t i, j, n = 0;
	char field[64];

	if (a->span_offset > c->r->len ||
	    a->span_length > c->r->len - a->span_offset) {
		snprintf(field, sizeof(field), "%s span", what);
		check_int(c, field, (long)(a->span_offset + a->span_length),
			  (long)c->r->len);
	}
	for (i = 0; i < res->ndiag && n < MAXD; i++) {
		size_t off = res->diag[i].offset;
		int in = off >= a->span_offset &&
			 off - a->span_offset < a->span_length;

		if (in && a->kind == ADDR_K_GROUP)
			for (j = 0; j < a->nmembers; j++) {
				const struct addr_mailbox *m = &a->members[j];

				if (off >= m->span_offset &&
				    off - m->span_offset < m->span_length)
					in = 0;
			}
		if (in)
			want[n++] = res->diag[i];
	}
	addr_buf_init(&g);
	addr_buf_init(&w);
	diag_string(&g, a->diag, a->ndiag);
	diag_string(&w, want, n);
	if (strcmp(g.ptr, w.ptr) != 0) {
		snprintf(field, sizeof(field), "%s diagnoses", what);
		bad_field(c, field, g.ptr, w.ptr);
	}
	snprintf(field, sizeof(field), "%s category", what);
	check_cat(c, field, a->category, want_category(want, n));
	addr_buf_free(&g);
	addr_buf_free(&w);
	if (a->kind == ADDR_K_GROUP)
		for (j = 0; j < a->nmembers; j++) {
			snprintf(field, sizeof(field), "%s member %zu", what, j);
			check_address(c, res, &a->members[j], field);
		}
}

/* check_fields - the optional expectations of a non-ERROR row */
static void check_fields(struct ctx *c, const struct addr_mailbox_result *res)
{
	const struct row *r = c->r;
	const struct addr_mailbox *mb[MAXMB], *m;
	struct addr_buf b, a, d;
	size_t n, i;
	char field[32];
	const char *want_shape = r->shape;

	addr_buf_init(&b);
	addr_buf_init(&a);
	addr_buf_init(&d);

	if (want_shape == NULL && r->prod == ADDR_P_ADDR_SPEC)
		want_shape = "M";
	if (want_shape) {
		shape(&b, res);
		check_str(c, "shape", b.ptr, b.size, want_shape,
			  strlen(want_shape));
	}
	for (i = 0; i < res->naddr; i++) {
		snprintf(field, sizeof(field), "address %zu", i);
		check_address(c, res, &res->addr[i], field);
	}

	n = flatten(res, mb);
	if (r->canon) {
		canon_join(&b, mb, n, 0);
		check_str(c, "canonical", b.ptr, b.size, r->canon,
			  r->canon_len ? r->canon_len : strlen(r->canon));
	}
	if (r->ucanon) {
		canon_join(&b, mb, n, ADDR_N_ULABEL);
		check_str(c, "canonical U-label", b.ptr, b.size, r->ucanon,
			  strlen(r->ucanon));
	} else if (r->canon && is_ascii(r->in, r->len) && !has_xn(r->canon)) {
		/* ASCII domains outside IDNA: both forms are the same (§2.3) */
		canon_join(&b, mb, n, ADDR_N_ULABEL);
		check_str(c, "canonical U-label", b.ptr, b.size, r->canon,
			  r->canon_len ? r->canon_len : strlen(r->canon));
	}

	if (!(r->local || r->domain || r->dkind1 || r->route || r->smtputf8 ||
	      r->dout || r->dout7))
		goto out;
	if ((size_t)r->at >= n) {
		check_int(c, "mailbox count", (long)n, r->at + 1);
		goto out;
	}
	m = mb[r->at];
	if (r->local)
		check_str(c, "local_part", m->local_part.ptr, m->local_part.len,
			  r->local, r->local_len ? r->local_len : strlen(r->local));
	if (r->domain)
		check_str(c, "domain", m->domain.ptr, m->domain.len, r->domain,
			  strlen(r->domain));
	if (r->dkind1)
		check_int(c, "domain_kind", m->domain_kind, r->dkind1 - 1);
	if (r->route) {
		addr_buf_clear(&b);
		for (i = 0; i < m->nroute; i++) {
			if (i)
				addr_buf_putc(&b, ',');
			addr_buf_put(&b, m->route[i].ptr, m->route[i].len);
		}
		check_str(c, "route", b.ptr, b.size, r->route, strlen(r->route));
	}
	if (r->smtputf8)
		check_int(c, "smtputf8", m->smtputf8 != 0, r->smtputf8 == U8_YES);
	if (r->dout) {
		int rc = addr_mailbox_normalize(&a, &d, m, 0);

		check_int(c, "normalize", rc, 0);
		check_str(c, "display", d.ptr, d.size, r->dout, strlen(r->dout));
		if (!r->dout7 && is_ascii(r->dout, strlen(r->dout))) {
			rc = addr_mailbox_normalize(&a, &d, m, ADDR_N_7BIT);
			check_int(c, "normalize 7bit", rc, 0);
			check_str(c, "display 7bit", d.ptr, d.size, r->dout,
				  strlen(r->dout));
		}
	}
	if (r->dout7) {
		int rc = addr_mailbox_normalize(&a, &d, m, ADDR_N_7BIT);

		check_int(c, "normalize 7bit", rc, 0);
		check_str(c, "display 7bit", d.ptr, d.size, r->dout7,
			  strlen(r->dout7));
	}
out:
	addr_buf_free(&b);
	addr_buf_free(&a);
	addr_buf_free(&d);
}

/* run_row - parse one row and compare everything it states */
static int run_row(size_t rowno)
{
	const struct row *r = &rows[rowno - 1];
	struct ctx c = { rowno, r, 0 };
	struct addr_mailbox_result res;
	struct addr_error err;
	struct addr_diag want[MAXD];
	size_t nwant;
	struct addr_buf g;
	int rc;

	if (parse_want(r->diags, want, &nwant) < 0) {
		bad_field(&c, "test table", "unparsable", r->diags);
		return 1;
	}
	if (want_category(want, nwant) != r->cat)
		bad_field(&c, "test table: category of the diagnoses",
			  cat_name(want_category(want, nwant)), cat_name(r->cat));

	memset(&err, 0, sizeof(err));
	addr_mailbox_result_init(&res);
	rc = addr_mailbox_parse(&res, r->in, r->len, r->prod, r->flags, &err);

	check_cat(&c, "category", res.category, r->cat);
	addr_buf_init(&g);
	diag_string(&g, res.diag, res.ndiag);
	check_str(&c, "diagnoses", g.ptr, g.size, r->diags, strlen(r->diags));
	addr_buf_free(&g);
	if (res.primary != want_primary(want, nwant)) {
		const char *gp = addr_diag_name(res.primary);

		bad_field(&c, "primary", gp ? gp : "?",
			  addr_diag_name(want_primary(want, nwant)));
	}

	if (r->cat == ADDR_CAT_ERROR) {
		const struct addr_diag *last = &want[nwant - 1];

		check_int(&c, "return", rc, ADDR_ESYNTAX);
		check_int(&c, "naddr", (long)res.naddr, 0);
		check_int(&c, "err.code", err.code, ADDR_ESYNTAX);
		if (err.diag != last->code) {
			const char *gd = addr_diag_name(err.diag);

			bad_field(&c, "err.diag", gd ? gd : "?",
				  addr_diag_name(last->code));
		}
		check_int(&c, "err.offset", (long)err.offset, (long)last->offset);
	} else {
		check_int(&c, "return", rc, 0);
		if (res.naddr == 0)
			check_int(&c, "naddr", 0, 1);
		else if (res.category != ADDR_CAT_ERROR)
			check_fields(&c, &res);
	}
	addr_mailbox_result_free(&res);
	return c.bad;
}

/* --------------------------------------------------------- the groups */

enum { G_ISEMAIL, G_RFC, G_GO, G_INTL, G_ALT };

static int row_group(const struct row *r)
{
	int n;

	if (strspn(r->id, "0123456789") != strlen(r->id))
		return G_ALT;
	n = atoi(r->id);
	if (n <= 61)
		return G_ISEMAIL;
	if (n <= 78)
		return G_RFC;
	if (n <= 95)
		return G_GO;
	return G_INTL;
}

static void run_group(int group)
{
	size_t i;
	int n = 0, bad = 0;

	for (i = 0; i < NROWS; i++) {
		if (row_group(&rows[i]) != group)
			continue;
		n++;
		bad += run_row(i + 1);
	}
	if (bad)
		fail_msg("%d of %d rows failed", bad, n);
}

static void test_isemail_rows(void **state)
{
	(void)state;
	run_group(G_ISEMAIL);
}

static void test_rfc_rows(void **state)
{
	(void)state;
	run_group(G_RFC);
}

static void test_go_rows(void **state)
{
	(void)state;
	run_group(G_GO);
}

static void test_intl_rows(void **state)
{
	(void)state;
	run_group(G_INTL);
}

static void test_alt_rows(void **state)
{
	(void)state;
	run_group(G_ALT);
}

/* the table itself: every §6 example is present once, the long inputs
 * have the lengths §6 describes */
static void test_table(void **state)
{
	int seen[117];
	size_t i;
	int k;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NROWS; i++)
		if (row_group(&rows[i]) != G_ALT) {
			k = atoi(rows[i].id);
			assert_true(k >= 1 && k <= 116);
			if (seen[k]++)
				fail_msg("row #%d twice", k);
		}
	for (k = 1; k <= 116; k++)
		if (!seen[k])
			fail_msg("row #%d missing", k);
	assert_int_equal(strchr(IE26, '@') - IE26, 65);
	assert_int_equal(strchr(IE60, '@') - IE60, 65);
	assert_int_equal(strlen(IE60_C) - strlen("@iana.org"), 64);
	assert_int_equal(strlen(IE28), 5 + 64 + 4);
	assert_int_equal(strlen(IE39), 255);
	assert_int_equal(strchr(IE39, '@') - IE39, 64);
	assert_int_equal(strlen(IE40), 2 + 255);
	assert_int_equal(strlen(IE41), 2 + 256);
	assert_int_equal(strlen(IN114), 252);
	assert_int_equal(strlen(D114), 237);
	assert_int_equal(strlen(CANON114), 255);
	assert_int_equal(strlen(E17), 68);
	assert_int_equal(NROWS, 116 + 12);
}

/* ------------------------------------------- §5 rule 5: idempotence */

static int forbidden_after_normalize(int code)
{
	const char *name = addr_diag_name(code);

	if (code == ADDR_D_DEPREC_QP)
		return 0;
	return code == ADDR_D_CFWS_COMMENT || code == ADDR_D_CFWS_FWS ||
	       code == ADDR_D_IDNA_MAPPED || code == ADDR_D_UTF8_NOT_NFC ||
	       (name && strncmp(name, "DEPREC_", 7) == 0);
}

/* check_idempotent - normalize m with nflags, re-parse as an addr-spec,
 * normalize again */
static void check_idempotent(struct ctx *c, const struct addr_mailbox *m,
			     unsigned nflags, size_t k)
{
	struct addr_buf out1, out2, g;
	struct addr_mailbox_result res;
	unsigned pflags = ADDR_F_LENIENT | (c->r->flags & ADDR_F_UTF8);
	char field[80];
	const char *form = nflags & ADDR_N_ULABEL ? "U" : "A";
	size_t i;
	int rc;

	addr_buf_init(&out1);
	addr_buf_init(&out2);
	addr_buf_init(&g);
	addr_mailbox_result_init(&res);
	rc = addr_mailbox_normalize(&out1, NULL, m, nflags);
	snprintf(field, sizeof(field), "mailbox %zu %s-form normalize", k, form);
	check_int(c, field, rc, 0);
	if (rc < 0)
		goto out;
	/* the U-label form of an ASCII input may need the UTF-8 flag */
	if ((nflags & ADDR_N_ULABEL) && !is_ascii(out1.ptr, out1.size))
		pflags |= ADDR_F_UTF8;
	rc = addr_mailbox_parse(&res, out1.ptr, out1.size, ADDR_P_ADDR_SPEC,
				pflags, NULL);
	if (rc != 0 || res.naddr != 1 || res.category == ADDR_CAT_ERROR) {
		diag_string(&g, res.diag, res.ndiag);
		snprintf(field, sizeof(field), "re-parse of %s-form %s", form,
			 out1.ptr);
		bad_field(c, field, g.ptr, "not ERROR");
		goto out;
	}
	for (i = 0; i < res.ndiag; i++) {
		int code = res.diag[i].code;

		/* spec ambiguity: when the IDNA forms are unavailable (§2.3)
		 * rule 3 keeps the given form, which maps again (#102) */
		if (code == ADDR_D_IDNA_MAPPED && m->a_label.len == 0)
			continue;
		if (forbidden_after_normalize(code)) {
			diag_string(&g, res.diag, res.ndiag);
			snprintf(field, sizeof(field),
				 "re-parse of %s-form diagnoses", form);
			bad_field(c, field, g.ptr,
				  "no CFWS_*, IDNA_MAPPED, UTF8_NOT_NFC, DEPREC_* but QP");
			break;
		}
	}
	if (!(nflags & ADDR_N_ULABEL) && m->a_label.len > 0) {
		snprintf(field, sizeof(field), "re-parse a_label");
		check_str(c, field, res.addr[0].a_label.ptr,
			  res.addr[0].a_label.len, m->a_label.ptr, m->a_label.len);
	}
	rc = addr_mailbox_normalize(&out2, NULL, &res.addr[0], nflags);
	snprintf(field, sizeof(field), "%s-form normalized twice", form);
	check_int(c, field, rc, 0);
	check_str(c, field, out2.ptr, out2.size, out1.ptr, out1.size);
out:
	addr_mailbox_result_free(&res);
	addr_buf_free(&out1);
	addr_buf_free(&out2);
	addr_buf_free(&g);
}

static void test_normalize_idempotent(void **state)
{
	size_t i, j, n;
	int nrows = 0, bad = 0;

	(void)state;
	for (i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		struct ctx c = { i + 1, r, 0 };
		struct addr_mailbox_result res;
		const struct addr_mailbox *mb[MAXMB];
		struct addr_buf a;
		int rc;

		if (r->cat == ADDR_CAT_ERROR)
			continue;
		nrows++;
		addr_mailbox_result_init(&res);
		addr_buf_init(&a);
		rc = addr_mailbox_parse(&res, r->in, r->len, r->prod, r->flags,
					NULL);
		if (rc != 0 || res.naddr == 0) {
			check_int(&c, "parse for normalization", rc, 0);
			check_int(&c, "naddr for normalization", (long)res.naddr, 1);
		}
		/* a group is not normalized */
		for (j = 0; j < res.naddr; j++)
			if (res.addr[j].kind == ADDR_K_GROUP)
				check_int(&c, "normalize(group)",
					  addr_mailbox_normalize(&a, NULL,
								 &res.addr[j], 0),
					  ADDR_EINVAL);
		n = flatten(&res, mb);
		for (j = 0; j < n; j++) {
			if (mb[j]->kind != ADDR_K_MAILBOX)
				continue;
			check_idempotent(&c, mb[j], 0, j);
			check_idempotent(&c, mb[j], ADDR_N_ULABEL, j);
		}
		addr_mailbox_result_free(&res);
		addr_buf_free(&a);
		bad += c.bad;
	}
	if (bad)
		fail_msg("%d of %d rows failed", bad, nrows);
}

/* ------------------------------------- one result struct for all rows */

static void test_result_reuse(void **state)
{
	struct addr_mailbox_result res;
	struct addr_buf g;
	size_t i;
	int bad = 0, pass;

	(void)state;
	addr_mailbox_result_init(&res);
	addr_buf_init(&g);
	/* twice over, so that every row follows some other row */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < NROWS; i++) {
			const struct row *r = &rows[pass ? NROWS - 1 - i : i];
			struct ctx c = { (size_t)(r - rows) + 1, r, 0 };
			int rc;

			rc = addr_mailbox_parse(&res, r->in, r->len, r->prod,
						r->flags, NULL);
			check_int(&c, "reused: return", rc,
				  r->cat == ADDR_CAT_ERROR ? ADDR_ESYNTAX : 0);
			check_cat(&c, "reused: category", res.category, r->cat);
			diag_string(&g, res.diag, res.ndiag);
			check_str(&c, "reused: diagnoses", g.ptr, g.size,
				  r->diags, strlen(r->diags));
			if (r->cat == ADDR_CAT_ERROR)
				check_int(&c, "reused: naddr", (long)res.naddr, 0);
			else if (res.naddr == 0)
				check_int(&c, "reused: naddr", 0, 1);
			bad += c.bad;
		}
	addr_mailbox_result_free(&res);
	addr_mailbox_result_free(&res);	/* freeing twice is harmless */
	addr_mailbox_result_free(NULL);
	addr_buf_free(&g);
	if (bad)
		fail_msg("%d row parses into a reused result failed", bad);
}

/* an unknown production is ADDR_EINVAL */
static void test_bad_production(void **state)
{
	struct addr_mailbox_result res;
	struct addr_error err;

	(void)state;
	addr_mailbox_result_init(&res);
	assert_int_equal(addr_mailbox_parse(&res, "a@b.c", 5, 0, 0, &err),
			 ADDR_EINVAL);
	assert_int_equal(addr_mailbox_parse(&res, "a@b.c", 5, 99, 0, &err),
			 ADDR_EINVAL);
	assert_int_equal(res.naddr, 0);
	addr_mailbox_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_isemail_rows),
		cmocka_unit_test(test_rfc_rows),
		cmocka_unit_test(test_go_rows),
		cmocka_unit_test(test_intl_rows),
		cmocka_unit_test(test_alt_rows),
		cmocka_unit_test(test_normalize_idempotent),
		cmocka_unit_test(test_result_reuse),
		cmocka_unit_test(test_bad_production),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
