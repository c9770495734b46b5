/*
 * test_ldif.c - the LDIF reader and writer (spec-directory.md §6, §11.2,
 * §11.3)
 *
 * The RFC 2849 examples parse to the expected records; the AD-flavoured
 * vectors T23..T27; every reader rule; the writer's base64 and folding;
 * and the round trip: write(read(x)) is stable on the second round and
 * a file in writer form (testdata/sample/directory.ldif) is reproduced
 * byte for byte; and the streaming reader (addr_ldif_parse_read) gives
 * the same records, diagnostics and result as the buffer reader, however
 * the input is cut into reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "slurp.h"

/* dump - one text line per record and item, for comparisons. The
 * strings are struct addr_str, NUL-terminated: the DN, the names and
 * values of value items, a control's value and a mod-spec's attribute
 * (the reader hands them over in place); "<no NUL>" marks one that is
 * not. */
static int dump(void *ctx, const struct addr_ldif_record *rec)
{
	struct addr_buf *b = ctx;
	static const char *const kinds[] = { "entry", "add", "delete",
					     "modify", "modrdn" };
	static const char *const ik[] = { "", "add:", "delete:", "replace:",
					  "control:" };
	size_t i;

	addr_buf_puts(b, kinds[rec->change]);
	addr_buf_puts(b, " [");
	addr_buf_put(b, rec->dn.ptr, rec->dn.len);
	addr_buf_puts(b, "]\n");
	if (rec->dn.ptr[rec->dn.len] != '\0')
		addr_buf_puts(b, "<no NUL>\n");
	for (i = 0; i < rec->nitem; i++) {
		const struct addr_ldif_item *it = &rec->item[i];

		addr_buf_puts(b, " ");
		addr_buf_puts(b, ik[it->kind]);
		addr_buf_put(b, it->name.ptr, it->name.len);
		addr_buf_puts(b, it->critical ? "!=" : "=");
		addr_buf_put(b, it->value.ptr, it->value.len);
		addr_buf_puts(b, "\n");
		if ((it->kind != ADDR_LDIF_CONTROL &&
		     it->name.ptr[it->name.len] != '\0') ||
		    ((it->kind == ADDR_LDIF_VALUE ||
		      it->kind == ADDR_LDIF_CONTROL) &&
		     it->value.ptr[it->value.len] != '\0'))
			addr_buf_puts(b, "<no NUL>\n");
	}
	return 0;
}

struct lrow {
	const char *name;
	const char *in;
	unsigned flags;
	const char *want;	/* dump of the good records */
	const char *rules;	/* "rule@line ..." of the diagnostics */
};

static const struct lrow lrows[] = {
	{ "T15-example1",
	  "version: 1\n"
	  "dn: cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com\n"
	  "objectclass: top\nobjectclass: person\nobjectclass: organizationalPerson\n"
	  "cn: Barbara Jensen\ncn: Barbara J Jensen\ncn: Babs Jensen\nsn: Jensen\n"
	  "uid: bjensen\ntelephonenumber: +1 408 555 1212\n"
	  "description: A big sailing fan.\n\n"
	  "dn: cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com\n"
	  "objectclass: top\nobjectclass: person\nobjectclass: organizationalPerson\n"
	  "cn: Bjorn Jensen\nsn: Jensen\ntelephonenumber: +1 408 555 1212\n", 0,
	  "entry [cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com]\n"
	  " objectclass=top\n objectclass=person\n objectclass=organizationalPerson\n"
	  " cn=Barbara Jensen\n cn=Barbara J Jensen\n cn=Babs Jensen\n sn=Jensen\n"
	  " uid=bjensen\n telephonenumber=+1 408 555 1212\n"
	  " description=A big sailing fan.\n"
	  "entry [cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com]\n"
	  " objectclass=top\n objectclass=person\n objectclass=organizationalPerson\n"
	  " cn=Bjorn Jensen\n sn=Jensen\n telephonenumber=+1 408 555 1212\n", "" },
	{ "example2-folded",
	  "version: 1\n"
	  "dn:cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com\n"
	  "cn:Babs Jensen\n"
	  "description:Babs is a big sailing fan, and travels extensively in sea\n"
	  " rch of perfect sailing conditions.\n"
	  "title:Product Manager, Rod and Reel Division\n", 0,
	  "entry [cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com]\n"
	  " cn=Babs Jensen\n"
	  " description=Babs is a big sailing fan, and travels extensively in search "
	  "of perfect sailing conditions.\n"
	  " title=Product Manager, Rod and Reel Division\n", "" },
	{ "T17-example3",
	  "version: 1\n"
	  "dn: cn=Gern Jensen, ou=Product Testing, dc=airius, dc=com\n"
	  "cn: Gern Jensen\n"
	  "description:: V2hhdCBhIGNhcmVmdWwgcmVhZGVyIHlvdSBhcmUhICBUaGlzIHZhbHVl\n"
	  " IGlzIGJhc2UtNjQtZW5jb2RlZCBiZWNhdXNlIGl0IGhhcyBhIGNvbnRyb2wgY2hhcmFjdG\n"
	  " VyIGluIGl0IChhIENSKS4NICBCeSB0aGUgd2F5LCB5b3Ugc2hvdWxkIHJlYWxseSBnZXQg\n"
	  " b3V0IG1vcmUu\n", 0,
	  "entry [cn=Gern Jensen, ou=Product Testing, dc=airius, dc=com]\n"
	  " cn=Gern Jensen\n"
	  " description=What a careful reader you are!  This value is base-64-encoded "
	  "because it has a control character in it (a CR).\r  By the way, you "
	  "should really get out more.\n", "" },
	{ "T19-example5",
	  "version: 1\n"
	  "dn: cn=Horatio Jensen, ou=Product Testing, dc=airius, dc=com\n"
	  "objectclass: top\n"
	  "cn: Horatio Jensen\n"
	  "\n"
	  "cn: Horatio N Jensen\n"
	  "sn: Jensen\n"
	  "jpegphoto:< file:///usr/local/directory/photos/hjensen.jpg\n", 0,
	  "entry [cn=Horatio Jensen, ou=Product Testing, dc=airius, dc=com]\n"
	  " objectclass=top\n cn=Horatio Jensen\n", "ldif.no-dn@6" },
	{ "T19-url-alone",
	  "version: 1\ndn: cn=x\njpegphoto:< file:///etc/passwd\n", 0, "",
	  "ldif.url-value@3" },
	{ "T21-example7",
	  "version: 1\n"
	  "# Delete an entry. The operation will attach the LDAPv3\n"
	  "# Tree Delete Control defined in [9]. The criticality\n"
	  "# field is \"true\" and the controlValue field is\n"
	  "# absent, as required by [9].\n"
	  "dn: ou=Product Development, dc=airius, dc=com\n"
	  "control: 1.2.840.113556.1.4.805 true\n"
	  "changetype: delete\n", 0,
	  "delete [ou=Product Development, dc=airius, dc=com]\n"
	  " control:1.2.840.113556.1.4.805!=\n", "" },
	{ "example6-changes",
	  "version: 1\n"
	  "dn: cn=Fiona Jensen, ou=Marketing, dc=airius, dc=com\n"
	  "changetype: add\nobjectclass: top\ncn: Fiona Jensen\n\n"
	  "dn: cn=Robert Jensen, ou=Marketing, dc=airius, dc=com\n"
	  "changetype: delete\n\n"
	  "dn: cn=Paul Jensen, ou=Product Development, dc=airius, dc=com\n"
	  "changetype: modrdn\nnewrdn: cn=Paula Jensen\ndeleteoldrdn: 1\n\n"
	  "dn: cn=Paula Jensen, ou=Product Development, dc=airius, dc=com\n"
	  "changetype: modify\nadd: postaladdress\n"
	  "postaladdress: 123 Anystreet $ Sunnyvale, CA $ 94086\n-\n"
	  "delete: description\n-\n"
	  "replace: telephonenumber\ntelephonenumber: +1 408 555 1234\n"
	  "telephonenumber: +1 408 555 5678\n-\n", 0,
	  "add [cn=Fiona Jensen, ou=Marketing, dc=airius, dc=com]\n"
	  " objectclass=top\n cn=Fiona Jensen\n"
	  "delete [cn=Robert Jensen, ou=Marketing, dc=airius, dc=com]\n"
	  "modrdn [cn=Paul Jensen, ou=Product Development, dc=airius, dc=com]\n"
	  " newrdn=cn=Paula Jensen\n deleteoldrdn=1\n"
	  "modify [cn=Paula Jensen, ou=Product Development, dc=airius, dc=com]\n"
	  " add:postaladdress=\n postaladdress=123 Anystreet $ Sunnyvale, CA $ 94086\n"
	  " delete:description=\n"
	  " replace:telephonenumber=\n telephonenumber=+1 408 555 1234\n"
	  " telephonenumber=+1 408 555 5678\n", "" },
	{ "T23-contact-escaped-dn",
	  "version: 1\r\ndn: CN=Partner\\, Pat,OU=Contacts,DC=example,DC=com\r\n"
	  "objectClass: contact\r\ncn: Partner, Pat\r\n", 0,
	  "entry [CN=Partner\\, Pat,OU=Contacts,DC=example,DC=com]\n"
	  " objectClass=contact\n cn=Partner, Pat\n", "" },
	{ "T25-must-base64",
	  "version: 1\ndn: cn=x\n"
	  "description:: IGxlYWRpbmcgc3BhY2U=\ndescription:: OnN0YXJ0cyB3aXRoIGNvbG9u\n"
	  "description:: PHN0YXJ0cyB3aXRoIGx0\ndescription:: dHJhaWxpbmcgc3BhY2Ug\n"
	  "info:: TGluZTENCkxpbmUy\nempty:\nb64empty::\n", 0,
	  "entry [cn=x]\n description= leading space\n description=:starts with colon\n"
	  " description=<starts with lt\n description=trailing space \n"
	  " info=Line1\r\nLine2\n empty=\n b64empty=\n", "" },
	{ "no-version", "dn: cn=x\ncn: x\n", 0, "entry [cn=x]\n cn=x\n", "" },
	{ "base64-dn", "version: 1\ndn:: Q049Wm/DqyDDh2VsaWs=\ncn: x\n", 0,
	  "entry [CN=Zo\xc3\xab \xc3\x87" "elik]\n cn=x\n", "" },
	/* T27 negatives */
	{ "tab-fold", "version: 1\ndn: cn=x\ndescription: a\n\tb\n", 0, "",
	  "ldif.fold@4" },
	{ "tab-fold-lenient", "version: 1\ndn: cn=x\ndescription: a\n\tb\n",
	  ADDR_LDIF_LENIENT, "entry [cn=x]\n description=ab\n", "" },
	{ "bad-base64", "version: 1\ndn: cn=x\ndescription:: !!notbase64\n", 0, "",
	  "ldif.base64@3" },
	{ "bad-padding", "version: 1\ndn: cn=x\ndescription:: YQ=\n", 0, "",
	  "ldif.base64@3" },
	{ "mod-dash", "version: 1\ndn: cn=x\nchangetype: modify\nadd: cn\ncn: y\n", 0,
	  "", "ldif.mod-dash@5" },
	{ "mod-dash-lenient", "version: 1\ndn: cn=x\nchangetype: modify\nadd: cn\ncn: y\n",
	  ADDR_LDIF_LENIENT, "modify [cn=x]\n add:cn=\n cn=y\n", "ldif.mod-dash@5" },
	{ "mod-wrong-attr", "version: 1\ndn: cn=x\nchangetype: modify\nadd: cn\nsn: y\n-\n",
	  0, "", "ldif.syntax@5" },
	{ "version-2", "version: 2\ndn: cn=x\ncn: x\n", 0, "", "ldif.version@1" },
	{ "include", "version: 1\ninclude: file:///etc/passwd\n\ndn: cn=x\ncn: x\n", 0,
	  "entry [cn=x]\n cn=x\n", "ldif.include@2" },
	{ "mixed", "version: 1\ndn: cn=x\ncn: x\n\ndn: cn=y\nchangetype: delete\n", 0,
	  "entry [cn=x]\n cn=x\n", "ldif.mixed@5" },
	{ "nul-in-value", "version: 1\ndn: cn=x\ncn: a\0b\n", 0, "",
	  "ldif.unsafe-value@3" },
	{ "raw-utf8", "version: 1\ndn: cn=x\ncn: Zo\xc3\xab\n", 0, "",
	  "ldif.unsafe-value@3" },
	{ "raw-utf8-lenient", "version: 1\ndn: cn=x\ncn: Zo\xc3\xab\n", ADDR_LDIF_LENIENT,
	  "entry [cn=x]\n cn=Zo\xc3\xab\n", "" },
	{ "raw-latin1-lenient", "version: 1\ndn: cn=x\ncn: Zo\xeb\n", ADDR_LDIF_LENIENT,
	  "", "ldif.unsafe-value@3" },
	{ "base64-dn-not-utf8", "version: 1\ndn:: 6w==\ncn: x\n", 0, "", "ldif.utf8@2" },
	{ "changetype-unknown", "version: 1\ndn: cn=x\nchangetype: rename\n", 0, "",
	  "ldif.changetype@3" },
	{ "no-colon", "version: 1\ndn: cn=x\nthis is not ldif\n", 0, "",
	  "ldif.syntax@3" },
	{ "space-before-colon", "version: 1\ndn: cn=x\ncn : x\n", 0, "",
	  "ldif.syntax@3" },
	/* the stray continuation starts the record, which is dropped */
	{ "continuation-first", "version: 1\n\n continued\ndn: cn=x\ncn: x\n\n"
	  "dn: cn=y\ncn: y\n", 0, "entry [cn=y]\n cn=y\n", "ldif.fold@3" },
	/* the ends of the input and of lines, which the reader's line
	 * scan and its in-place NULs must get right */
	{ "eof-without-lf", "dn: cn=x\ncn: x", 0, "entry [cn=x]\n cn=x\n", "" },
	{ "eof-crlf", "dn: cn=x\r\ncn: x\r\n", 0, "entry [cn=x]\n cn=x\n", "" },
	{ "eof-empty-value", "dn: cn=x\ncn:", 0, "entry [cn=x]\n cn=\n", "" },
	{ "eof-base64", "dn: cn=x\ncn::  eA==", 0, "entry [cn=x]\n cn=x\n", "" },
	{ "eof-cr-without-lf", "dn: cn=x\ncn: x\r", 0, "",
	  "ldif.unsafe-value@2" },
	{ "cr-inside-value", "dn: cn=x\ncn: a\rb\n", 0, "",
	  "ldif.unsafe-value@2" },
	/* a CR LF line is blank: the record before has no attributes */
	{ "lone-cr-line", "dn: cn=x\n\r\ncn: x\n", 0, "",
	  "ldif.syntax@1 ldif.no-dn@3" },
	{ "spaces-only-value", "dn: cn=x\ncn:   \n", 0,
	  "entry [cn=x]\n cn=\n", "" },
	{ "options-and-oid-names",
	  "dn: cn=x\ncn;lang-en: x\nuserCertificate;binary:: eA==\n"
	  "2.5.4.3: y\nA-b-9: z\n", 0,
	  "entry [cn=x]\n cn;lang-en=x\n userCertificate;binary=x\n"
	  " 2.5.4.3=y\n A-b-9=z\n", "" },
	{ "name-starts-with-dash", "dn: cn=x\n-cn: x\n", 0, "",
	  "ldif.syntax@2" },
	{ "folded-name", "dn: cn=x\nc\n n: x\nsn: y\n", 0,
	  "entry [cn=x]\n cn=x\n sn=y\n", "" },
	{ "folded-dn-crlf", "dn: cn=x,\r\n dc=y\r\ncn: x\r\n", 0,
	  "entry [cn=x,dc=y]\n cn=x\n", "" },
	{ "long-name", "dn: cn=x\nmsExchHideFromAddressListsAndMore: TRUE\n", 0,
	  "entry [cn=x]\n msExchHideFromAddressListsAndMore=TRUE\n", "" },
	{ "include-mixed-case", "dn: cn=x\nInClUdE: y\n", 0, "",
	  "ldif.include@2" },
	{ "seven-octet-names", "dn: cn=x\ncompany: y\ninclude\n", 0, "",
	  "ldif.syntax@3" },
	{ "every-problem-reported",
	  "version: 1\ndn: cn=a\ncn:: !!\n\ndn: cn=b\ncn: b\n\ndn: cn=c\njpegphoto:< x\n"
	  "\ndn: cn=d\ncn: d\n", 0,
	  "entry [cn=b]\n cn=b\nentry [cn=d]\n cn=d\n",
	  "ldif.base64@3 ldif.url-value@9" },
};

static void test_reader(void **state)
{
	size_t i;
	int fails = 0;

	(void)state;
	for (i = 0; i < sizeof(lrows) / sizeof(lrows[0]); i++) {
		const struct lrow *r = &lrows[i];
		struct addr_buf got, rules;
		struct addr_dir_report rep;
		size_t len = strlen(r->in), j;
		int rc;

		if (strcmp(r->name, "nul-in-value") == 0)
			len = strlen(r->in) + 1 + strlen(r->in + strlen(r->in) + 1);
		addr_buf_init(&got);
		addr_buf_init(&rules);
		addr_dir_report_init(&rep);
		rc = addr_ldif_parse(r->in, len, "t.ldif", r->flags, dump, &got,
				     &rep);
		for (j = 0; j < rep.n; j++) {
			char b[64];

			snprintf(b, sizeof(b), "%s%s@%zu", j ? " " : "",
				 rep.diag[j].rule, rep.diag[j].line);
			addr_buf_puts(&rules, b);
		}
		if (strcmp(got.ptr, r->want) != 0 ||
		    strcmp(rules.ptr, r->rules) != 0 ||
		    rc != (int)rep.nerrors) {
			printf("%s: got rc %d\n%s[%s]\nwant\n%s[%s]\n", r->name, rc,
			       got.ptr, rules.ptr, r->want, r->rules);
			fails++;
		}
		addr_buf_free(&got);
		addr_buf_free(&rules);
		addr_dir_report_free(&rep);
	}
	assert_int_equal(fails, 0);
}

static void test_put(void **state)
{
	static const struct {
		const char *name, *v, *want;
	} rows[] = {
		{ "description", " leading space", "description:: IGxlYWRpbmcgc3BhY2U=\n" },
		{ "description", ":starts with colon", "description:: OnN0YXJ0cyB3aXRoIGNvbG9u\n" },
		{ "description", "<starts with lt", "description:: PHN0YXJ0cyB3aXRoIGx0\n" },
		{ "description", "trailing space ", "description:: dHJhaWxpbmcgc3BhY2Ug\n" },
		{ "info", "Line1\r\nLine2", "info:: TGluZTENCkxpbmUy\n" },
		{ "cn", "Zo\xc3\xab", "cn:: Wm/Dqw==\n" },
		{ "cn", "a\tb", "cn: a\tb\n" },		/* TAB is SAFE-CHAR */
		{ "cn", "", "cn:\n" },
		{ "cn", "mid: colon <lt", "cn: mid: colon <lt\n" },
	};
	struct addr_buf b;
	size_t i;

	(void)state;
	addr_buf_init(&b);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		addr_buf_clear(&b);
		assert_int_equal(addr_ldif_put(&b, rows[i].name, rows[i].v,
					       strlen(rows[i].v)), 0);
		assert_string_equal(b.ptr, rows[i].want);
	}
	/* folding: 78, then " " + 77 */
	{
		char v[300];

		memset(v, 'x', sizeof(v));
		addr_buf_clear(&b);
		assert_int_equal(addr_ldif_put(&b, "description", v, 200), 0);
		assert_int_equal(strchr(b.ptr, '\n') - b.ptr, 78);
		assert_int_equal(strchr(b.ptr + 79, '\n') - (b.ptr + 79), 78);
		assert_int_equal(b.ptr[79], ' ');
		/* exactly 78: not folded */
		addr_buf_clear(&b);
		assert_int_equal(addr_ldif_put(&b, "description", v, 78 - 13), 0);
		assert_int_equal(b.size, 79);
	}
	addr_buf_free(&b);
}

/* roundtrip - load, write; returns the written text (malloc) */
static char *roundtrip(const char *in, size_t len, size_t *outlen, int want_errors)
{
	struct addr_dir *d;
	struct addr_dir_report rep;
	struct addr_buf out;
	int rc;

	assert_int_equal(addr_dir_new(&d, 0), 0);
	addr_dir_report_init(&rep);
	rc = addr_dir_load_ldif(d, in, len, "in.ldif", 0, &rep);
	if (rc != want_errors)
		for (size_t i = 0; i < rep.n; i++)
			printf("%zu: %s: %s\n", rep.diag[i].line, rep.diag[i].rule,
			       rep.diag[i].message);
	assert_int_equal(rc, want_errors);
	addr_buf_init(&out);
	assert_int_equal(addr_dir_write_ldif(d, &out), 0);
	*outlen = out.size;
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	return addr_buf_detach(&out);
}

static void test_sample_byte_stable(void **state)
{
	size_t len, olen;
	char *in = slurp("testdata/sample/directory.ldif", &len), *out;

	(void)state;
	assert_non_null(in);
	out = roundtrip(in, len, &olen, 0);
	assert_int_equal(olen, len);
	assert_memory_equal(out, in, len);
	addr_free(out);
	free(in);
}

static const char messy[] =
	"# not in writer form\r\n"
	"dn: CN=Partner\\, Pat,OU=Contacts,DC=example,DC=com\r\n"
	"objectClass: contact\r\n"
	"cn: Partner, Pat\r\n"
	"targetAddress: SMTP:pat@partner.example.net\r\n"
	"proxyAddresses: SMTP:pat@partner.example.net\r\n"
	"\r\n\r\n"
	"dn:: Q049Wm/DqyDDh2VsaWssREM9ZXhhbXBsZSxEQz1jb20=\r\n"
	"objectClass: user\r\n"
	"proxyAddresses: Smtp:zcelik@example.com\r\n"
	"proxyAddresses: x400:c=US;a= ;p=Example;o=HQ;s=Celik;g=Zoe\r\n"
	"proxyAddresses: SMTP:zoe.celik@example.com\r\n"
	"mail: ZOE.CELIK@example.com\r\n"
	"description:: c2hvcnQ=\r\n"
	"info: a very long value that goes well beyond the seventy-eight col\r\n"
	" umns of an LDIF line so that the writer must fold it\r\n";

static void test_roundtrip_stable(void **state)
{
	size_t l1, l2;
	char *w1, *w2;

	(void)state;
	w1 = roundtrip(messy, sizeof(messy) - 1, &l1, 0);
	w2 = roundtrip(w1, l1, &l2, 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(w1, w2, l1);
	/* T23: mail goes right before proxyAddresses; stored forms */
	assert_non_null(strstr(w1, "targetAddress: SMTP:pat@partner.example.net\n"
			       "mail: pat@partner.example.net\n"
			       "proxyAddresses: SMTP:pat@partner.example.net\n"));
	assert_non_null(strstr(w1, "proxyAddresses: smtp:zcelik@example.com\n"
			       "proxyAddresses: x400:C=US;A= ;P=Example;O=HQ;"
			       "S=Celik;G=Zoe;\n"));
	assert_non_null(strstr(w1, "mail: zoe.celik@example.com\n"));
	assert_non_null(strstr(w1, "description: short\n"));
	assert_non_null(strstr(w1, "dn:: Q049Wm/DqyDDh2VsaWssREM9ZXhhbXBsZSxEQz1jb20=\n"));
	assert_int_equal(strncmp(w1, "version: 1\ndn: ", 15), 0);
	addr_free(w1);
	addr_free(w2);
}

/* limit.value: 1 MiB per value, plain or base64; the next record is read */
static void test_value_limit(void **state)
{
	size_t n = (1u << 20) + 1, i;
	char *in = malloc(n + 200);
	struct addr_buf got;
	struct addr_dir_report rep;
	int rc, len;

	(void)state;
	len = sprintf(in, "version: 1\ndn: cn=x\ndescription: ");
	for (i = 0; i < n; i++)
		in[len++] = 'a';
	len += sprintf(in + len, "\n\ndn: cn=y\ncn: y\n");
	addr_buf_init(&got);
	addr_dir_report_init(&rep);
	rc = addr_ldif_parse(in, (size_t)len, "big", 0, dump, &got, &rep);
	assert_int_equal(rc, 1);
	assert_string_equal(rep.diag[0].rule, "limit.value");
	assert_string_equal(got.ptr, "entry [cn=y]\n cn=y\n");
	addr_buf_free(&got);
	addr_dir_report_free(&rep);
	free(in);
}

/* limit.value for lines longer than a 1 MiB value's base64 line plus
 * 1 KiB, however the length is made up: a long name, a long run of
 * spaces before a short value, a long plain value; the next record is
 * read */
static void test_long_lines(void **state)
{
	static const struct {
		const char *head;
		char fill;
		const char *tail;
	} rows[] = {
		{ "", 'a', ": x" },
		{ "cn:", ' ', "x" },
		{ "cn: ", 'v', "" },
		{ "cn:: ", 'Q', "" },
	};
	size_t n = (1u << 20) / 3 * 4 + 2048, i, k;

	(void)state;
	for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		char *in = malloc(n + 200);
		struct addr_buf got;
		struct addr_dir_report rep;
		int rc, len;

		assert_non_null(in);
		len = sprintf(in, "version: 1\ndn: cn=x\n%s", rows[k].head);
		for (i = 0; i < n; i++)
			in[len++] = rows[k].fill;
		len += sprintf(in + len, "%s\n\ndn: cn=y\ncn: y\n", rows[k].tail);
		addr_buf_init(&got);
		addr_dir_report_init(&rep);
		rc = addr_ldif_parse(in, (size_t)len, "big", 0, dump, &got, &rep);
		assert_int_equal(rc, 1);
		assert_string_equal(rep.diag[0].rule, "limit.value");
		assert_int_equal(rep.diag[0].line, 3);
		assert_string_equal(got.ptr, "entry [cn=y]\n cn=y\n");
		addr_buf_free(&got);
		addr_dir_report_free(&rep);
		free(in);
	}
}

/* A streamed input: the octets of in[0..len) in reads of at most step
 * octets; fail: a read error after that many octets. */
struct chunks {
	const char *in;
	size_t len, pos, step, fail;
};

static long chunk_read(void *ctx, char *buf, size_t cap)
{
	struct chunks *c = ctx;
	size_t n = c->len - c->pos;

	if (c->pos >= c->fail)
		return -1;
	if (n > c->step)
		n = c->step;
	if (n > cap)
		n = cap;
	memcpy(buf, c->in + c->pos, n);
	c->pos += n;
	return (long)n;
}

/* parse_dump - the records and diagnostics of one parse as text */
static int parse_dump(struct addr_buf *out, const char *in, size_t len,
		      unsigned flags, size_t step)
{
	struct addr_dir_report rep;
	struct chunks c = { in, len, 0, step, (size_t)-1 };
	size_t j;
	int rc;

	addr_dir_report_init(&rep);
	rc = step == 0 ?
	     addr_ldif_parse(in, len, "t.ldif", flags, dump, out, &rep) :
	     addr_ldif_parse_read(chunk_read, &c, "t.ldif", flags, dump, out,
				  &rep);
	for (j = 0; j < rep.n; j++) {
		char b[600];

		snprintf(b, sizeof(b), "%s@%zu:%zu %s\n", rep.diag[j].rule,
			 rep.diag[j].line, rep.diag[j].column,
			 rep.diag[j].message);
		addr_buf_puts(out, b);
	}
	addr_dir_report_free(&rep);
	return rc;
}

/* same_streamed - the buffer reader and the streaming reader with reads
 * of 1, 2, 7 and 4096 octets agree on in[0..len); 0 or 1 failure */
static int same_streamed(const char *name, const char *in, size_t len,
			 unsigned flags)
{
	static const size_t steps[] = { 1, 2, 7, 4096 };
	struct addr_buf want, got;
	size_t k;
	int rc0, rc, bad = 0;

	addr_buf_init(&want);
	rc0 = parse_dump(&want, in, len, flags, 0);
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]) && !bad; k++) {
		addr_buf_init(&got);
		rc = parse_dump(&got, in, len, flags, steps[k]);
		if (rc != rc0 || got.size != want.size ||
		    memcmp(got.ptr, want.ptr, want.size) != 0) {
			printf("%s (reads of %zu): got rc %d\n%s\nwant rc %d\n%s\n",
			       name, steps[k], rc, got.ptr, rc0, want.ptr);
			bad = 1;
		}
		addr_buf_free(&got);
	}
	addr_buf_free(&want);
	return bad;
}

static void test_streamed(void **state)
{
	static const char *const files[] = {
		"testdata/sample/directory.ldif", NULL
	};
	const char *dir = "fuzz/corpus/ldif_read";
	struct dirent *de;
	size_t i, n = 0;
	int fails = 0;
	DIR *dp;

	(void)state;
	for (i = 0; i < sizeof(lrows) / sizeof(lrows[0]); i++) {
		size_t len = strlen(lrows[i].in);

		if (strcmp(lrows[i].name, "nul-in-value") == 0)
			len = len + 1 + strlen(lrows[i].in + len + 1);
		fails += same_streamed(lrows[i].name, lrows[i].in, len,
				       lrows[i].flags);
	}
	for (i = 0; files[i] != NULL; i++) {
		size_t len;
		char *in = slurp(files[i], &len);

		assert_non_null(in);
		fails += same_streamed(files[i], in, len, 0);
		free(in);
	}
	/* the fuzz seeds: every kind of broken input */
	assert_non_null(dp = opendir(dir));
	while ((de = readdir(dp)) != NULL) {
		char path[1024];
		size_t len;
		char *in;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((in = slurp(path, &len)) == NULL)
			continue;
		fails += same_streamed(path, in, len, 0);
		fails += same_streamed(path, in, len, ADDR_LDIF_LENIENT);
		free(in);
		n++;
	}
	closedir(dp);
	assert_true(n > 0);
	assert_int_equal(fails, 0);
}

/*
 * An input of a few MiB: the reader's window is refilled (from the
 * buffer, a MiB at a time, or by the reads) many times, so lines of
 * every kind fall across its end. Block blk is repeated: each copy
 * gives the same record and the same diagnostic, at its own line.
 */
static void test_big_window(void **state)
{
	static const char blk[] =
		"dn: cn=a,dc=x\r\n"
		"objectClass: top\r\n"
		"cn;lang-en: a\n"
		"description: folded va\n"
		" lue\n"
		"# a comment\n"
		"jpegPhoto:: /9j/4A==\n"
		"sn: a\n"
		"\n"
		"dn: cn=b,dc=x\n"
		"cn: b\x80\n"
		"\n";
	static const char rec[] =
		"entry [cn=a,dc=x]\n objectClass=top\n cn;lang-en=a\n"
		" description=folded value\n jpegPhoto=\xff\xd8\xff\xe0\n"
		" sn=a\n";
	static const size_t steps[] = { 0, 7, 4096, ((size_t)1 << 20) + 3 };
	size_t nblk = (3u << 20) / (sizeof(blk) - 1) + 1, lines = 0, bad = 0;
	size_t i, k, len = 0;
	struct addr_buf in, want;
	int fails = 0;

	(void)state;
	for (i = 0; i < sizeof(blk) - 1; i++) {
		lines += blk[i] == '\n';
		if (bad == 0 && memcmp(blk + i, "cn: b", 5) == 0)
			bad = lines + 1;	/* the line of the unsafe octet */
	}
	addr_buf_init(&in);
	addr_buf_init(&want);
	addr_buf_puts(&in, "version: 1\n");
	for (k = 0; k < nblk; k++) {
		addr_buf_put(&in, blk, sizeof(blk) - 1);
		addr_buf_puts(&want, rec);
	}
	for (k = 0; k < nblk; k++) {
		char b[200];

		snprintf(b, sizeof(b), "ldif.unsafe-value@%zu:6 non-ASCII octet "
			 "in a plain value (use base64)\n", 1 + k * lines + bad);
		addr_buf_puts(&want, b);
	}
	assert_false(in.oom || want.oom);
	len = in.size;
	assert_true(len > (3u << 20));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct addr_buf got;
		int rc;

		addr_buf_init(&got);
		rc = parse_dump(&got, in.ptr, len, 0, steps[i]);
		if (rc != (int)nblk || got.size != want.size ||
		    memcmp(got.ptr, want.ptr, want.size) != 0) {
			printf("reads of %zu: rc %d, %zu octets of output, want "
			       "%zu\n", steps[i], rc, got.size, want.size);
			fails++;
		}
		addr_buf_free(&got);
	}
	addr_buf_free(&in);
	addr_buf_free(&want);
	assert_int_equal(fails, 0);
}

/* a read error ends the parse with ADDR_EIO, after the records before */
static void test_streamed_eio(void **state)
{
	static const char in[] = "version: 1\ndn: cn=a\ncn: a\n\n"
				 "dn: cn=b\ncn: b\n\ndn: cn=c\ncn: c\n";
	struct chunks c = { in, sizeof(in) - 1, 0, 5, 40 };
	struct addr_buf got;
	int rc;

	(void)state;
	addr_buf_init(&got);
	rc = addr_ldif_parse_read(chunk_read, &c, "t.ldif", 0, dump, &got,
				  NULL);
	assert_int_equal(rc, ADDR_EIO);
	assert_string_equal(got.ptr, "entry [cn=a]\n cn=a\n");
	addr_buf_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_streamed),
		cmocka_unit_test(test_streamed_eio),
		cmocka_unit_test(test_big_window),
		cmocka_unit_test(test_value_limit),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_sample_byte_stable),
		cmocka_unit_test(test_roundtrip_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
