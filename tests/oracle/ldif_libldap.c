/*
 * ldif_libldap - differential test of addr_ldif_parse against OpenLDAP's
 * ldap_parse_ldif_record (spec-directory.md §6.4)
 *
 * SYNOPSIS
 *	ldif_libldap FILE...
 *
 * DESCRIPTION
 *	Each FILE is parsed by libaddr first. Only a file libaddr accepts
 *	without a diagnostic is given to libldap (which would fetch ":<"
 *	URLs and follow "include:" lines, so it never sees a file libaddr
 *	refuses). Both parses are written in one canonical text form (one
 *	line per record and per attribute value, attribute names in lower
 *	case, values hex-escaped) and compared. Prints "PASS: ldif-libldap
 *	FILE", "FAIL: ..." with both forms, or "SKIP: ..." for a refused file.
 *	Built by tests/t_ldif_libldap.sh (links -lldap; test-only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lber.h>
#include <ldap.h>
#include <ldif.h>
#include "addr.h"

static void put_val(struct addr_buf *b, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c >= 0x7f || c == '%') {
			addr_buf_putc(b, '%');
			addr_buf_putc(b, hex[c >> 4]);
			addr_buf_putc(b, hex[c & 15]);
		} else
			addr_buf_putc(b, (char)c);
	}
}

static void put_name(struct addr_buf *b, const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = v[i];
		addr_buf_putc(b, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c);
	}
}

/* ours: group the values of an entry by attribute, first appearance */
static int ours_record(void *ctx, const struct addr_ldif_record *r)
{
	struct addr_buf *b = ctx;
	static const char *const op[] = { "add", "add", "delete", "modify",
					  "modrdn" };
	size_t i, j;

	addr_buf_puts(b, op[r->change]);
	addr_buf_puts(b, " ");
	put_val(b, r->dn.ptr, r->dn.len);
	addr_buf_puts(b, "\n");
	for (i = 0; i < r->nitem; i++) {
		const struct addr_ldif_item *it = &r->item[i];

		if (it->kind == ADDR_LDIF_CONTROL) {
			addr_buf_puts(b, " control ");
			put_val(b, it->name.ptr, it->name.len);
			addr_buf_puts(b, it->critical ? " true" : " false");
			if (it->value.len) {
				addr_buf_puts(b, " ");
				put_val(b, it->value.ptr, it->value.len);
			}
			addr_buf_puts(b, "\n");
		}
	}
	if (r->change == ADDR_LDIF_MODRDN) {
		for (i = 0; i < r->nitem; i++) {
			addr_buf_puts(b, " ");
			put_name(b, r->item[i].name.ptr, r->item[i].name.len);
			addr_buf_puts(b, " ");
			put_val(b, r->item[i].value.ptr, r->item[i].value.len);
			addr_buf_puts(b, "\n");
		}
		return 0;
	}
	if (r->change == ADDR_LDIF_MODIFY) {
		for (i = 0; i < r->nitem; i++) {
			const struct addr_ldif_item *it = &r->item[i];

			if (it->kind == ADDR_LDIF_CONTROL)
				continue;
			if (it->kind != ADDR_LDIF_VALUE) {
				addr_buf_puts(b, it->kind == ADDR_LDIF_MOD_ADD ? " mod-add " :
					      it->kind == ADDR_LDIF_MOD_DELETE ?
					      " mod-delete " : " mod-replace ");
				put_name(b, it->name.ptr, it->name.len);
				addr_buf_puts(b, "\n");
			} else {
				addr_buf_puts(b, "  ");
				put_val(b, it->value.ptr, it->value.len);
				addr_buf_puts(b, "\n");
			}
		}
		return 0;
	}
	for (i = 0; i < r->nitem; i++) {
		const struct addr_ldif_item *it = &r->item[i];
		int seen = 0;

		if (it->kind != ADDR_LDIF_VALUE)
			continue;
		for (j = 0; j < i; j++)
			if (r->item[j].name.len == it->name.len &&
			    strncasecmp(r->item[j].name.ptr, it->name.ptr,
					it->name.len) == 0)
				seen = 1;
		if (seen)
			continue;
		addr_buf_puts(b, " attr ");
		put_name(b, it->name.ptr, it->name.len);
		addr_buf_puts(b, "\n");
		for (j = i; j < r->nitem; j++)
			if (r->item[j].kind == ADDR_LDIF_VALUE &&
			    r->item[j].name.len == it->name.len &&
			    strncasecmp(r->item[j].name.ptr, it->name.ptr,
					it->name.len) == 0) {
				addr_buf_puts(b, "  ");
				put_val(b, r->item[j].value.ptr,
					r->item[j].value.len);
				addr_buf_puts(b, "\n");
			}
	}
	return 0;
}

static int theirs(const char *path, struct addr_buf *b)
{
	LDIFFP *fp = ldif_open(path, "r");
	unsigned long line = 0;
	char *buf = NULL;
	int buflen = 0, rc = 0;

	if (fp == NULL)
		return -1;
	while (ldif_read_record(fp, &line, &buf, &buflen) > 0) {
		struct berval bv;
		LDIFRecord lr;
		size_t i, j;

		bv.bv_val = buf;
		bv.bv_len = strlen(buf);
		memset(&lr, 0, sizeof(lr));
		if (ldap_parse_ldif_record(&bv, line, &lr, "oracle",
					   LDIF_DEFAULT_ADD) != 0) {
			rc = -1;
			break;
		}
		if (lr.lr_op == 0)	/* a version-only record */
			goto done;
		addr_buf_puts(b, lr.lr_op == LDAP_REQ_ADD ? "add" :
			      lr.lr_op == LDAP_REQ_DELETE ? "delete" :
			      lr.lr_op == LDAP_REQ_MODIFY ? "modify" : "modrdn");
		addr_buf_puts(b, " ");
		put_val(b, lr.lr_dn.bv_val, lr.lr_dn.bv_len);
		addr_buf_puts(b, "\n");
		for (i = 0; lr.lr_ctrls && lr.lr_ctrls[i]; i++) {
			LDAPControl *c = lr.lr_ctrls[i];

			addr_buf_puts(b, " control ");
			addr_buf_puts(b, c->ldctl_oid);
			addr_buf_puts(b, c->ldctl_iscritical ? " true" : " false");
			if (c->ldctl_value.bv_len) {
				addr_buf_puts(b, " ");
				put_val(b, c->ldctl_value.bv_val,
					c->ldctl_value.bv_len);
			}
			addr_buf_puts(b, "\n");
		}
		if (lr.lr_op == LDAP_REQ_MODRDN) {
			addr_buf_puts(b, " newrdn ");
			put_val(b, lr.lrop_newrdn.bv_val, lr.lrop_newrdn.bv_len);
			addr_buf_puts(b, lr.lrop_delold ? "\n deleteoldrdn 1\n" :
				      "\n deleteoldrdn 0\n");
			if (lr.lrop_newsup.bv_val) {
				addr_buf_puts(b, " newsuperior ");
				put_val(b, lr.lrop_newsup.bv_val,
					lr.lrop_newsup.bv_len);
				addr_buf_puts(b, "\n");
			}
		} else if (lr.lr_op == LDAP_REQ_ADD || lr.lr_op == LDAP_REQ_MODIFY) {
			for (i = 0; lr.lrop_mods && lr.lrop_mods[i]; i++) {
				LDAPMod *m = lr.lrop_mods[i];
				int o = m->mod_op & ~LDAP_MOD_BVALUES;

				if (lr.lr_op == LDAP_REQ_ADD)
					addr_buf_puts(b, " attr ");
				else
					addr_buf_puts(b, o == LDAP_MOD_ADD ? " mod-add " :
						      o == LDAP_MOD_DELETE ?
						      " mod-delete " : " mod-replace ");
				put_name(b, m->mod_type, strlen(m->mod_type));
				addr_buf_puts(b, "\n");
				for (j = 0; m->mod_bvalues && m->mod_bvalues[j]; j++) {
					addr_buf_puts(b, "  ");
					put_val(b, m->mod_bvalues[j]->bv_val,
						m->mod_bvalues[j]->bv_len);
					addr_buf_puts(b, "\n");
				}
			}
		}
done:
		ldap_ldif_record_done(&lr);
	}
	ber_memfree(buf);
	ldif_close(fp);
	return rc;
}

int main(int argc, char **argv)
{
	int i, fails = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		struct addr_buf in, a, b;
		struct addr_dir_report rep;
		char chunk[65536];
		size_t n;
		int rc;

		if (f == NULL) {
			printf("FAIL: ldif-libldap %s (cannot open)\n", argv[i]);
			fails++;
			continue;
		}
		addr_buf_init(&in);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			addr_buf_put(&in, chunk, n);
		fclose(f);
		addr_buf_init(&a);
		addr_buf_init(&b);
		addr_dir_report_init(&rep);
		rc = addr_ldif_parse(in.ptr, in.size, argv[i], 0, ours_record,
				     &a, &rep);
		if (rc != 0 || rep.n != 0) {
			printf("SKIP: ldif-libldap %s (refused by libaddr: %s)\n",
			       argv[i], rep.n ? rep.diag[0].rule : "error");
		} else if (theirs(argv[i], &b) < 0) {
			printf("FAIL: ldif-libldap %s (libldap refused it)\n",
			       argv[i]);
			fails++;
		} else if (a.size != b.size || memcmp(a.ptr, b.ptr, a.size)) {
			printf("FAIL: ldif-libldap %s\n--- libaddr\n%s--- libldap\n%s",
			       argv[i], a.ptr, b.ptr);
			fails++;
		} else
			printf("PASS: ldif-libldap %s\n", argv[i]);
		addr_buf_free(&in);
		addr_buf_free(&a);
		addr_buf_free(&b);
		addr_dir_report_free(&rep);
	}
	return fails != 0;
}
