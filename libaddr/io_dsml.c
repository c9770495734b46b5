/*
 * io_dsml.c - DSML v2 reader and writer (spec-directory.md §7)
 *
 * EXPORTS
 *	addr_dsml_parse()	records of a DSML file: the entries of a
 *				batchResponse or the changes of a
 *				batchRequest, every problem a diagnostic
 *	addr_dsml_parse_read()	the same, the file read in pieces
 *	addr_dir_load_dsml()	a batchResponse into a directory, checked
 *	addr_dir_write_dsml()	a directory as a batchResponse, byte-stable
 *	addr_dir_write_dsml_to()	the same, handed out in pieces
 *	addr_dsml_rejects()	the rejects file of a DSML change file (§4)
 *	addr__b64_encode()	base64 without line breaks (dir_int.h)
 *
 * The reader streams the document with libxml2's xmlreader and expands
 * one record element at a time into a small tree (xmlTextReaderExpand),
 * so memory follows the largest record, not the file (§12). The input
 * reaches libxml2 through a read callback (xmlReaderForIO), so a file
 * need not be in memory whole; a document in memory goes through the
 * same callback, one path for both (the DOCTYPE line is counted there).
 * libxml2 is never asked to substitute entities, load a DTD or use the
 * network: a DOCTYPE or an entity reference rejects the document
 * (dsml.doctype) before anything is looked up, and libxml2's own limits
 * (entity loops, 10 MB text nodes) end the parse as dsml.xml.
 * XML_PARSE_BIG_LINES is the one option besides NONET: it only stores
 * line numbers above 65535, without which every diagnostic and every
 * rejected record past that line would point at line 65535. Records are
 * the struct addr_ldif_record of the LDIF reader, so addr_dir_apply
 * takes either format. After a problem in a record the reader goes on
 * at the next sibling element; an XML error ends the parse, keeping what
 * was found.
 *
 * DIAGNOSTICS
 *	dsml.xml, dsml.doctype, dsml.root, dsml.v1, dsml.schema,
 *	dsml.xsi-type, dsml.anyuri, dsml.base64, dsml.request, dsml.result
 *	(a warning with ADDR_DSML_LENIENT) and limit.value. The writer
 *	refuses a directory with a DN or attribute name that DSML cannot
 *	carry (dsml.unrepresentable, ADDR_ESYNTAX).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include "dir_int.h"

#define NS_DSML		"urn:oasis:names:tc:DSML:2:0:core"
#define NS_DSML1	"http://www.dsml.org/DSML"
#define NS_SOAP		"http://schemas.xmlsoap.org/soap/envelope/"
#define NS_XSD		"http://www.w3.org/2001/XMLSchema"
#define NS_XSI		"http://www.w3.org/2001/XMLSchema-instance"
#define VALUE_MAX	((size_t)1 << 20)	/* limit.value: 1 MiB */
#define OPTIONS		(XML_PARSE_NONET | XML_PARSE_BIG_LINES)

#define S(x)		((const char *)(x))

/* ------------------------------------------------------------ base64 */

static const char b64abc[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int addr__b64_encode(struct addr_buf *out, const void *data, size_t n)
{
	const unsigned char *s = data;
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned long g = (unsigned long)s[i] << 16;
		char q[4];

		if (i + 1 < n)
			g |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			g |= s[i + 2];
		q[0] = b64abc[g >> 18 & 63];
		q[1] = b64abc[g >> 12 & 63];
		q[2] = i + 1 < n ? b64abc[g >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64abc[g & 63] : '=';
		addr_buf_put(out, q, 4);
	}
	return out->oom ? ADDR_ENOMEM : 0;
}

static int xml_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * b64_xsd - decode the xsd:base64Binary s[0..n) into out: XML white
 * space anywhere is skipped (the type's whiteSpace facet is collapse),
 * "=" only at the end, and the bits a padded group leaves over must be
 * zero, as the type's lexical grammar says. 0, or -1 when malformed.
 */
static int b64_xsd(struct addr_buf *out, const char *s, size_t n)
{
	unsigned long g = 0;
	size_t i, k = 0, pad = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i], v;

		if (xml_space(c))
			continue;
		if (c == '=') {
			if (k < 2 || ++pad + k > 4)
				return -1;
			continue;
		}
		if (pad || (v = addr__b64val((unsigned char)c)) < 0)
			return -1;
		g = g << 6 | (unsigned long)v;
		if (++k == 4) {
			addr_buf_putc(out, (char)(g >> 16));
			addr_buf_putc(out, (char)(g >> 8 & 255));
			addr_buf_putc(out, (char)(g & 255));
			g = 0;
			k = 0;
		}
	}
	if (k == 0)
		return pad ? -1 : 0;
	if (k + pad != 4)
		return -1;
	if (k == 2) {
		if (g & 15)
			return -1;
		addr_buf_putc(out, (char)(g >> 4));
	} else {
		if (g & 3)
			return -1;
		addr_buf_putc(out, (char)(g >> 10));
		addr_buf_putc(out, (char)(g >> 2 & 255));
	}
	return 0;
}

/* ------------------------------------------------------ libxml2 errors */

/*
 * libxml2 reports some errors without a parser context, to the thread's
 * handlers (encoding conversion, the writer), and prints a few with
 * xmlGenericError directly ("xmlParseChunk: encoder error"). For the
 * time of a call both handlers of the thread are replaced: the library
 * never prints. struct hooks keeps the thread's own to put them back.
 */
struct hooks {
	xmlStructuredErrorFunc serr;
	void *serrctx;
	xmlGenericErrorFunc gerr;
	void *gerrctx;
	int set;
};

static void generic_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void hook(struct hooks *h, void *ctx, xmlStructuredErrorFunc f)
{
	h->serr = xmlStructuredError;
	h->serrctx = xmlStructuredErrorContext;
	h->gerr = xmlGenericError;
	h->gerrctx = xmlGenericErrorContext;
	h->set = 1;
	xmlSetStructuredErrorFunc(ctx, f);
	xmlSetGenericErrorFunc(NULL, generic_quiet);
}

static void unhook(struct hooks *h)
{
	if (!h->set)
		return;
	xmlSetStructuredErrorFunc(h->serrctx, h->serr);
	xmlSetGenericErrorFunc(h->gerrctx, h->gerr);
	h->set = 0;
}

/* ------------------------------------------------------------ reader */

struct dsml {
	xmlTextReaderPtr r;
	addr_read_fn rd;	/* the input */
	void *rctx;
	int rderr;		/* rd failed, or (2) its buffer could not be
				 * had: ADDR_ENOMEM, not ADDR_EIO */
	char *ibuf;		/* rd's octets not yet given to libxml2 (a
				 * file's reader only): libxml2 asks for 4000
				 * at a time, a read(2) each without it */
	size_t ipos, ilen;
	/* "<!DOCTYPE" looked for in what libxml2 read before the document
	 * element (the reader gives the DOCTYPE node no line) */
	int dtseen;		/* found; dtline is its line */
	size_t dtline, rdline;	/* lines before the octets read so far */
	char dttail[8];		/* the last octets read, for a match
				 * across two reads */
	size_t ndttail;
	unsigned flags;
	struct addr__sink s;
	addr_ldif_record_fn fn;
	void *ctx;
	int stop;		/* fn's negative return, or ADDR_ENOMEM */
	int xmlerr;		/* libxml2 reported an error */
	int lasterr;		/* its code: libxml2 repeats itself */
	int filelevel;		/* a problem that rejects every record */
	int rootseen;		/* the document element was reached */
	struct hooks hooks;	/* the thread's error handlers */
	struct addr_buf vals;	/* DN, names and decoded values of a record */
	struct addr_buf tmp;
	struct addr_ldif_item *it;	/* pointing into vals once delivered */
	size_t *off;		/* while built: the name and value offsets
				 * of each item in vals */
	size_t nit, itcap;
	const xmlNs *dsmlns;	/* a namespace found to be DSML's */
};

static void diag(struct dsml *ds, size_t line, int sev, const char *rule,
		 const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;
static void diag(struct dsml *ds, size_t line, int sev, const char *rule,
		 const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line == 0 && ds->r != NULL)
		line = (size_t)xmlTextReaderGetParserLineNumber(ds->r);
	ds->s.line = line ? line : 1;
	ds->s.column = 0;
	addr__sink_diag(&ds->s, sev, ADDR_ESYNTAX, rule, "%s", msg);
	if (ds->s.fatal)
		ds->stop = ADDR_ENOMEM;
}

/* on_xml_error - libxml2's structured error handler: nothing goes to
 * stderr, each problem becomes a dsml.xml diagnostic */
static void on_xml_error(void *ctx, xmlErrorPtr e)
{
	struct dsml *ds = ctx;
	const char *m;
	int n;

	if (e == NULL || e->level == XML_ERR_NONE)
		return;
	m = e->message ? e->message : "XML error";
	/* libxml2 says "huge text node" through its out-of-memory path */
	if (e->code == XML_ERR_NO_MEMORY && strstr(m, "huge") == NULL &&
	    strstr(m, "overflow") == NULL) {
		ds->stop = ADDR_ENOMEM;
		return;
	}
	if (e->level == XML_ERR_WARNING) {
		n = (int)strcspn(m, "\n");
		diag(ds, e->line > 0 ? (size_t)e->line : 0, ADDR_SEV_WARNING,
		     "dsml.xml", "%.*s", n, m);
		return;
	}
	if (ds->xmlerr && e->code == ds->lasterr)
		return;
	ds->xmlerr = 1;
	ds->lasterr = e->code;
	ds->filelevel = 1;
	n = (int)strcspn(m, "\n");
	diag(ds, e->line > 0 ? (size_t)e->line : 0, ADDR_SEV_ERROR, "dsml.xml",
	     "%.*s%s", n, m, e->level == XML_ERR_FATAL ?
	     " (not well-formed XML)" : "");
}

/* quiet - an error handler that drops everything (second passes) */
static void quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* text_line - the line libxml2 gave the text node t (where its parser
 * was after the text), less the text's newlines when back; 0 if t is
 * not a text node */
static long text_line(const xmlNode *t, int back)
{
	const char *c;
	long l;

	if (t == NULL || t->type != XML_TEXT_NODE || t->content == NULL)
		return 0;
	l = xmlGetLineNo(t);
	for (c = S(t->content); back && (c = strchr(c, '\n')) != NULL; c++)
		l--;
	return l;
}

/*
 * node_line - the line of n. Past line 65535 libxml2 keeps line numbers
 * (XML_PARSE_BIG_LINES) on text nodes only, as the line its parser had
 * reached after the text. So an element there takes the line of the
 * white space before it (exact), else of its first child's or its next
 * sibling's text less that text's newlines (exact for the usual layout:
 * white space after a start tag or an empty element, a value's text),
 * else its parent's line.
 */
static size_t node_line(const xmlNode *n)
{
	long l;

	/* xmlGetLineNo would look for a line below such an element first */
	if (n->type == XML_ELEMENT_NODE && n->line != 65535)
		return n->line;
	if (n->type != XML_ELEMENT_NODE)
		l = xmlGetLineNo(n);
	else if ((l = text_line(n->prev, 0)) <= 0 &&
		 (l = text_line(n->children, 1)) <= 0 &&
		 (l = text_line(n->next, 1)) <= 0)
		return n->parent != NULL && n->parent->type == XML_ELEMENT_NODE ?
		       node_line(n->parent) : 65535;
	return l > 0 ? (size_t)l : 0;
}

static size_t cur_line(const struct dsml *ds)
{
	return node_line(xmlTextReaderCurrentNode(ds->r));
}

/* cur_is - is the reader on the element {ns}local? */
static int cur_is(const struct dsml *ds, const char *ns, const char *local)
{
	const xmlChar *u = xmlTextReaderConstNamespaceUri(ds->r);
	const xmlChar *l = xmlTextReaderConstLocalName(ds->r);

	return u != NULL && l != NULL && strcmp(S(u), ns) == 0 &&
	       strcmp(S(l), local) == 0;
}

static const char *cur_name(const struct dsml *ds)
{
	const xmlChar *l = xmlTextReaderConstLocalName(ds->r);

	return l ? S(l) : "?";
}

/* node_is - is n the DSML element local? The namespace once found to
 * be DSML's is remembered: the elements of a document usually share
 * one declaration, and its URI is long. */
static int node_is(struct dsml *ds, const xmlNode *n, const char *local)
{
	if (n->type != XML_ELEMENT_NODE || n->ns == NULL ||
	    strcmp(S(n->name), local) != 0)
		return 0;
	if (n->ns == ds->dsmlns)
		return 1;
	if (n->ns->href == NULL || strcmp(S(n->ns->href), NS_DSML) != 0)
		return 0;
	ds->dsmlns = n->ns;
	return 1;
}

static int blank(const xmlChar *s)
{
	while (s != NULL && *s != '\0' && xml_space(*s))
		s++;
	return s == NULL || *s == '\0';
}

/*
 * find_doctype - look for "<!DOCTYPE" in the n octets b just read, and
 * count their lines. A DOCTYPE stands before the document element, so
 * once the reader is past that element the octets only pass through.
 */
static void find_doctype(struct dsml *ds, const char *b, size_t n)
{
	char w[16];
	size_t i, k;

	if (ds->dtseen || ds->rootseen || n == 0)
		return;
	/* a match across the previous read and this one */
	k = n < 8 ? n : 8;
	memcpy(w, ds->dttail, ds->ndttail);
	memcpy(w + ds->ndttail, b, k);
	for (i = 0; i + 9 <= ds->ndttail + k; i++)
		if (i < ds->ndttail && memcmp(w + i, "<!DOCTYPE", 9) == 0) {
			ds->dtseen = 1;
			ds->dtline = ds->rdline;
			return;
		}
	for (i = 0; i < n; i++) {
		if (b[i] == '<' && n - i >= 9 && memcmp(b + i, "<!DOCTYPE", 9) == 0) {
			ds->dtseen = 1;
			ds->dtline = ds->rdline;
			return;
		}
		ds->rdline += b[i] == '\n';
	}
	/* keep the last 8 octets (a shorter read adds to the old ones) */
	if (n >= 8) {
		memcpy(ds->dttail, b + n - 8, 8);
		ds->ndttail = 8;
	} else {
		size_t keep = ds->ndttail + n > 8 ? 8 - n : ds->ndttail;

		memmove(ds->dttail, ds->dttail + ds->ndttail - keep, keep);
		memcpy(ds->dttail + keep, b, n);
		ds->ndttail = keep + n;
	}
}

/* doctype - the document has a DTD or an entity reference: refuse it
 * before anything is expanded (T35). The reader reports no line for
 * the DOCTYPE node: find_doctype counted it in the input. */
static void doctype(struct dsml *ds, int isref)
{
	size_t line = 0;

	if (isref)
		line = cur_line(ds);
	else
		line = ds->dtseen ? ds->dtline : 0;
	ds->filelevel = 1;
	diag(ds, line, ADDR_SEV_ERROR, "dsml.doctype", "%s: DSML needs no DTD "
	     "and entities are never expanded", isref ? "entity reference" :
	     "DOCTYPE");
}

/* ended - the reader stopped inside the document: an XML error (already
 * reported by on_xml_error, unless libxml2 was silent) */
static int ended(struct dsml *ds, int rc)
{
	if (rc < 0 && !ds->xmlerr && !ds->stop) {
		ds->xmlerr = 1;
		ds->filelevel = 1;
		diag(ds, 0, ADDR_SEV_ERROR, "dsml.xml", "XML parsing failed");
	}
	return 0;
}

/* push_item - one item; name and value are offsets in ds->vals, which
 * may move as it grows: deliver makes them pointers */
static int push_item(struct dsml *ds, int kind, size_t noff, size_t nlen,
		     size_t voff, size_t vlen, int critical, size_t line)
{
	struct addr_ldif_item *p;

	if (ds->nit == ds->itcap) {
		size_t nc = ds->itcap ? ds->itcap * 2 : 32;
		void *q;

		if (nc > ((size_t)-1) / (2 * sizeof(*ds->off)) ||
		    (q = addr__realloc(ds->it, nc * sizeof(*ds->it))) == NULL) {
			ds->stop = ADDR_ENOMEM;
			return ADDR_ENOMEM;
		}
		ds->it = q;
		if ((q = addr__realloc(ds->off, nc * 2 *
				       sizeof(*ds->off))) == NULL) {
			ds->stop = ADDR_ENOMEM;
			return ADDR_ENOMEM;
		}
		ds->off = q;
		ds->itcap = nc;
	}
	ds->off[2 * ds->nit] = noff;
	ds->off[2 * ds->nit + 1] = voff;
	p = &ds->it[ds->nit++];
	p->kind = kind;
	p->name.len = nlen;
	p->value.len = vlen;
	p->critical = critical;
	p->line = line;
	return 0;
}

/* put_lit - the literal s into ds->vals, NUL-terminated; its offset */
static size_t put_lit(struct dsml *ds, const char *s)
{
	size_t off = ds->vals.size;

	addr_buf_puts(&ds->vals, s);
	addr_buf_putc(&ds->vals, '\0');
	return off;
}

/* entity_ref - an entity reference node c inside owner (only a document
 * with a DTD has one, and that was refused already) */
static void entity_ref(struct dsml *ds, const xmlNode *c, const xmlNode *owner)
{
	ds->filelevel = 1;
	diag(ds, node_line(owner), ADDR_SEV_ERROR, "dsml.doctype",
	     "entity reference &%.60s; (never expanded)", S(c->name));
}

/* put_text - append the text of the nodes from c on (an attribute's
 * value or an element's content) to ds->vals; element children are
 * dsml.schema, entity references dsml.doctype. 0, or -1 when reported. */
static int put_text(struct dsml *ds, const xmlNode *c, const xmlNode *owner)
{
	for (; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content != NULL)
				addr_buf_puts(&ds->vals, S(c->content));
		} else if (c->type == XML_ENTITY_REF_NODE) {
			entity_ref(ds, c, owner);
			return -1;
		} else if (c->type == XML_ELEMENT_NODE) {
			diag(ds, node_line(c), ADDR_SEV_ERROR, "dsml.schema",
			     "element <%.60s> inside <%.60s>", S(c->name),
			     S(owner->name));
			return -1;
		}
	}
	return 0;
}

/* prop - the unqualified attribute name of el appended to ds->vals
 * (NUL-terminated) at *off, *len; 0 absent, 1 present, -1 reported */
static int prop(struct dsml *ds, const xmlNode *el, const char *name,
		size_t *off, size_t *len)
{
	const xmlAttr *a;

	for (a = el->properties; a != NULL; a = a->next)
		if (a->ns == NULL && strcmp(S(a->name), name) == 0)
			break;
	if (a == NULL)
		return 0;
	*off = ds->vals.size;
	if (put_text(ds, a->children, el) < 0)
		return -1;
	*len = ds->vals.size - *off;
	addr_buf_putc(&ds->vals, '\0');
	if (*len > VALUE_MAX) {
		diag(ds, node_line(el), ADDR_SEV_ERROR, "limit.value",
		     "%s longer than %zu octets", name, VALUE_MAX);
		return -1;
	}
	return 1;
}

/* attrdesc_ok - the DSML AttributeDescriptionValue pattern:
 * ((([0-2](\.[0-9]+)+)|([a-zA-Z]+([a-zA-Z0-9]|[-])*))(;([a-zA-Z0-9]|[-])+)*) */
static int attrdesc_ok(const char *s, size_t n)
{
	size_t i = 0;

#define ALNUM(c) ((((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z') || \
		  ((c) >= '0' && (c) <= '9'))
	if (n == 0)
		return 0;
	if (s[0] >= '0' && s[0] <= '2') {
		i = 1;
		if (i == n || s[i] != '.')
			return 0;
		while (i < n && s[i] == '.') {
			size_t j = ++i;

			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i == j)
				return 0;
		}
	} else {
		if (!(((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')))
			return 0;
		while (i < n && (ALNUM(s[i]) || s[i] == '-'))
			i++;
	}
	while (i < n && s[i] == ';') {
		size_t j = ++i;

		while (i < n && (ALNUM(s[i]) || s[i] == '-'))
			i++;
		if (i == j)
			return 0;
	}
#undef ALNUM
	return i == n;
}

/*
 * value_type - the xsi:type of v resolved as a QName through the
 * namespaces in scope at v (an unprefixed QName takes the default
 * namespace): 0 text (absent or xsd:string), 1 base64Binary, -1
 * reported (anyURI, an unbound prefix, any other type).
 */
static int value_type(struct dsml *ds, xmlNode *v)
{
	const xmlAttr *a;
	const xmlChar *t = NULL;
	const char *local, *colon, *b, *e;
	xmlChar *prefix = NULL;
	xmlNs *ns;
	int w;

	for (a = v->properties; a != NULL; a = a->next)
		if (a->ns != NULL && a->ns->href != NULL &&
		    strcmp(S(a->ns->href), NS_XSI) == 0 &&
		    strcmp(S(a->name), "type") == 0)
			break;
	if (a == NULL)
		return 0;
	if (a->children != NULL && a->children->next == NULL &&
	    a->children->type == XML_TEXT_NODE)
		t = a->children->content;
	if (t == NULL) {
		diag(ds, node_line(v), ADDR_SEV_ERROR, "dsml.xsi-type",
		     "xsi:type is not a QName");
		return -1;
	}
	/* xsd:QName collapses white space */
	for (b = S(t); xml_space(*b); b++)
		;
	for (e = b + strlen(b); e > b && xml_space(e[-1]); e--)
		;
	w = (int)(e - b > 80 ? 80 : e - b);	/* for messages */
	colon = memchr(b, ':', (size_t)(e - b));
	local = colon ? colon + 1 : b;
	if (colon != NULL) {
		if (colon == b) {
			diag(ds, node_line(v), ADDR_SEV_ERROR, "dsml.xsi-type",
			     "xsi:type \"%.*s\" is not a QName", w, b);
			return -1;
		}
		prefix = xmlStrndup((const xmlChar *)b, (int)(colon - b));
		if (prefix == NULL) {
			ds->stop = ADDR_ENOMEM;
			return -1;
		}
	}
	ns = xmlSearchNs(v->doc, v, prefix);
	xmlFree(prefix);
	if (ns == NULL && colon != NULL) {
		diag(ds, node_line(v), ADDR_SEV_ERROR, "dsml.xsi-type",
		     "xsi:type \"%.*s\": its prefix is not bound", w, b);
		return -1;
	}
	if (ns != NULL && ns->href != NULL && strcmp(S(ns->href), NS_XSD) == 0) {
		size_t n = (size_t)(e - local);

		if (n == 12 && memcmp(local, "base64Binary", 12) == 0)
			return 1;
		if (n == 6 && memcmp(local, "string", 6) == 0)
			return 0;
		if (n == 6 && memcmp(local, "anyURI", 6) == 0) {
			diag(ds, node_line(v), ADDR_SEV_ERROR, "dsml.anyuri",
			     "xsd:anyURI values are refused (never "
			     "dereferenced)");
			return -1;
		}
	}
	diag(ds, node_line(v), ADDR_SEV_ERROR, "dsml.xsi-type",
	     "xsi:type \"%.*s\" is not xsd:string or xsd:base64Binary", w, b);
	return -1;
}

/* value - one <value> of attribute (or modification) noff/nlen as an
 * ADDR_LDIF_VALUE item */
static void value(struct dsml *ds, xmlNode *v, size_t noff, size_t nlen)
{
	size_t voff = ds->vals.size, vlen;
	int type = value_type(ds, v);

	if (type < 0 || put_text(ds, v->children, v) < 0)
		return;
	vlen = ds->vals.size - voff;
	if (type == 1) {
		addr_buf_clear(&ds->tmp);
		if (b64_xsd(&ds->tmp, ds->vals.ptr + voff, vlen) < 0) {
			diag(ds, node_line(v), ADDR_SEV_ERROR, "dsml.base64",
			     "invalid xsd:base64Binary value");
			return;
		}
		addr_buf_truncate(&ds->vals, voff);
		addr_buf_put(&ds->vals, ds->tmp.ptr, ds->tmp.size);
		vlen = ds->tmp.size;
	}
	if (vlen > VALUE_MAX) {
		diag(ds, node_line(v), ADDR_SEV_ERROR, "limit.value",
		     "value longer than %zu octets", VALUE_MAX);
		return;
	}
	addr_buf_putc(&ds->vals, '\0');
	push_item(ds, ADDR_LDIF_VALUE, noff, nlen, voff, vlen, 0,
		  node_line(v));
}

/*
 * attr - an <attr> (kind ADDR_LDIF_VALUE) or a <modification> (kind
 * ADDR_LDIF_MOD_*: a header item whose name and value are the
 * attribute, then its values). White space between values is ignored.
 */
static void attr(struct dsml *ds, xmlNode *el, int kind)
{
	size_t noff, nlen;
	xmlNode *c;
	int rc = prop(ds, el, "name", &noff, &nlen);

	if (rc == 0)
		diag(ds, node_line(el), ADDR_SEV_ERROR, "dsml.schema",
		     "<%s> without name", S(el->name));
	if (rc <= 0)
		return;
	if (!attrdesc_ok(ds->vals.ptr + noff, nlen)) {
		diag(ds, node_line(el), ADDR_SEV_ERROR, "dsml.schema",
		     "\"%.60s\" is not an attribute description",
		     ds->vals.ptr + noff);
		return;
	}
	if (kind != ADDR_LDIF_VALUE &&
	    push_item(ds, kind, noff, nlen, noff, nlen, 0, node_line(el)) < 0)
		return;
	for (c = el->children; c != NULL; c = c->next) {
		if (node_is(ds, c, "value"))
			value(ds, c, noff, nlen);
		else if (c->type == XML_ELEMENT_NODE ||
			 ((c->type == XML_TEXT_NODE ||
			   c->type == XML_CDATA_SECTION_NODE) && !blank(c->content)))
			diag(ds, node_line(c), ADDR_SEV_ERROR, "dsml.schema",
			     "%s%.60s%s in <%s> (only <value> elements)",
			     c->type == XML_ELEMENT_NODE ? "<" : "",
			     c->type == XML_ELEMENT_NODE ? S(c->name) : "text",
			     c->type == XML_ELEMENT_NODE ? ">" : "", S(el->name));
		else if (c->type == XML_ENTITY_REF_NODE)
			entity_ref(ds, c, el);
	}
}

/* modification - <modification name= operation=add|delete|replace> */
static void modification(struct dsml *ds, xmlNode *el)
{
	static const char *const ops[] = { "add", "delete", "replace" };
	static const int kinds[] = { ADDR_LDIF_MOD_ADD, ADDR_LDIF_MOD_DELETE,
				     ADDR_LDIF_MOD_REPLACE };
	size_t off, len, k, mark = ds->vals.size;
	int rc = prop(ds, el, "operation", &off, &len);

	if (rc < 0)
		return;
	for (k = 0; rc > 0 && k < 3; k++)
		if (strcmp(ds->vals.ptr + off, ops[k]) == 0)
			break;
	if (rc == 0 || k == 3) {
		diag(ds, node_line(el), ADDR_SEV_ERROR, "dsml.schema",
		     "<modification> needs operation add, delete or replace");
		return;
	}
	addr_buf_truncate(&ds->vals, mark);
	attr(ds, el, kinds[k]);
}

/* control - <control type= criticality=> of a request as an
 * ADDR_LDIF_CONTROL item (addr_dir_apply refuses a critical one) */
static void control(struct dsml *ds, xmlNode *el)
{
	size_t toff, tlen, coff, clen, voff, line = node_line(el);
	int critical = 0, rc;
	xmlNode *c;

	if ((rc = prop(ds, el, "type", &toff, &tlen)) <= 0) {
		if (rc == 0)
			diag(ds, line, ADDR_SEV_ERROR, "dsml.schema",
			     "<control> without type");
		return;
	}
	if ((rc = prop(ds, el, "criticality", &coff, &clen)) < 0)
		return;
	if (rc > 0) {
		const char *v = ds->vals.ptr + coff;

		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
			critical = 1;
		} else if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0) {
			diag(ds, line, ADDR_SEV_ERROR, "dsml.schema",
			     "control criticality is not a boolean");
			return;
		}
	}
	/* the control value is kept as written, as the LDIF reader does */
	voff = ds->vals.size;
	for (c = el->children; c != NULL; c = c->next)
		if (node_is(ds, c, "controlValue") && put_text(ds, c->children, c) < 0)
			return;
	addr_buf_putc(&ds->vals, '\0');
	push_item(ds, ADDR_LDIF_CONTROL, toff, tlen, voff,
		  ds->vals.size - voff - 1, critical, line);
}

/* moddn - the attributes of a <modDNRequest> as the ADDR_LDIF_VALUE
 * items newrdn, deleteoldrdn ("1" or "0"; DSML's default is true) and
 * newsuperior that dir_apply.c's do_modrdn reads */
static void moddn(struct dsml *ds, xmlNode *el)
{
	size_t off, len, line = node_line(el);
	const char *del = "1";
	int rc;

	if ((rc = prop(ds, el, "newrdn", &off, &len)) <= 0) {
		if (rc == 0)
			diag(ds, line, ADDR_SEV_ERROR, "dsml.schema",
			     "<modDNRequest> without newrdn");
		return;
	}
	push_item(ds, ADDR_LDIF_VALUE, put_lit(ds, "newrdn"), 6, off, len, 0,
		  line);
	if ((rc = prop(ds, el, "deleteoldrdn", &off, &len)) < 0)
		return;
	if (rc > 0) {
		const char *v = ds->vals.ptr + off;

		if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
			del = "0";
		} else if (strcmp(v, "true") != 0 && strcmp(v, "1") != 0) {
			diag(ds, line, ADDR_SEV_ERROR, "dsml.schema",
			     "deleteoldrdn is not a boolean");
			return;
		}
	}
	push_item(ds, ADDR_LDIF_VALUE, put_lit(ds, "deleteoldrdn"), 12,
		  put_lit(ds, del), 1, 0, line);
	if (prop(ds, el, "newSuperior", &off, &len) > 0)
		push_item(ds, ADDR_LDIF_VALUE, put_lit(ds, "newsuperior"), 11,
			  off, len, 0, line);
}

/* deliver - the built record to fn, its offsets made pointers */
static void deliver(struct dsml *ds, int change, size_t dnoff, size_t dnlen,
		    size_t line)
{
	struct addr_ldif_record rec;
	size_t i;
	int rc;

	for (i = 0; i < ds->nit; i++) {
		ds->it[i].name.ptr = ds->vals.ptr + ds->off[2 * i];
		ds->it[i].value.ptr = ds->vals.ptr + ds->off[2 * i + 1];
	}
	rec.dn.ptr = ds->vals.ptr + dnoff;
	rec.dn.len = dnlen;
	rec.change = change;
	rec.line = line;
	rec.item = ds->it;
	rec.nitem = ds->nit;
	if (ds->fn != NULL && (rc = ds->fn(ds->ctx, &rec)) < 0)
		ds->stop = rc;
}

/*
 * record - the element under the reader (searchResultEntry, addRequest,
 * modifyRequest, delRequest, modDNRequest) as one record of kind change.
 * A record with any problem is reported and skipped. 1 go on, 0 stop.
 */
static int record(struct dsml *ds, int change)
{
	xmlNode *el = xmlTextReaderExpand(ds->r), *c;
	size_t before = ds->s.nerrors, dnoff, dnlen, line;
	int body = 0, rc;

	if (el == NULL)
		return ended(ds, -1);
	line = node_line(el);
	addr_buf_clear(&ds->vals);
	ds->nit = 0;
	if ((rc = prop(ds, el, "dn", &dnoff, &dnlen)) == 0)
		diag(ds, line, ADDR_SEV_ERROR, "dsml.schema", "<%s> without dn",
		     S(el->name));
	if (rc <= 0)
		return !ds->stop;
	for (c = el->children; c != NULL && !ds->stop; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (!blank(c->content))
				diag(ds, node_line(c), ADDR_SEV_ERROR,
				     "dsml.schema", "text in <%s>", S(el->name));
			continue;
		}
		if (c->type == XML_ENTITY_REF_NODE)
			entity_ref(ds, c, el);
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (node_is(ds, c, "control") && !body) {
			/* response controls of an entry say nothing about it */
			if (change != ADDR_LDIF_ENTRY)
				control(ds, c);
			continue;
		}
		body = 1;
		if ((change == ADDR_LDIF_ENTRY || change == ADDR_LDIF_ADD) &&
		    node_is(ds, c, "attr"))
			attr(ds, c, ADDR_LDIF_VALUE);
		else if (change == ADDR_LDIF_MODIFY && node_is(ds, c, "modification"))
			modification(ds, c);
		else
			diag(ds, node_line(c), ADDR_SEV_ERROR, "dsml.schema",
			     "<%.60s> is not allowed here in <%s>", S(c->name),
			     S(el->name));
	}
	if (change == ADDR_LDIF_MODRDN && !ds->stop)
		moddn(ds, el);
	if (ds->vals.oom || ds->tmp.oom)
		ds->stop = ADDR_ENOMEM;
	if (ds->stop)
		return 0;
	if (ds->s.nerrors == before)
		deliver(ds, change, dnoff, dnlen, line);
	return !ds->stop;
}

/* result - an LDAP result element under the reader (searchResultDone,
 * addResponse, ...) or an errorResponse: anything but code 0 means the
 * file is not a complete answer (dsml.result) */
static int result(struct dsml *ds)
{
	xmlNode *el = xmlTextReaderExpand(ds->r), *c;
	int sev = (ds->flags & ADDR_DSML_LENIENT) ? ADDR_SEV_WARNING :
		  ADDR_SEV_ERROR;
	size_t off, len;

	if (el == NULL)
		return ended(ds, -1);
	addr_buf_clear(&ds->vals);
	if (node_is(ds, el, "errorResponse")) {
		if (prop(ds, el, "type", &off, &len) <= 0)
			off = 0, addr_buf_putc(&ds->vals, '\0');
		diag(ds, node_line(el), sev, "dsml.result",
		     "errorResponse%s%.60s: the batch did not complete",
		     ds->vals.ptr[off] ? " " : "", ds->vals.ptr + off);
		return !ds->stop;
	}
	for (c = el->children; c != NULL; c = c->next)
		if (node_is(ds, c, "resultCode"))
			break;
	if (c == NULL || prop(ds, c, "code", &off, &len) <= 0) {
		diag(ds, node_line(el), ADDR_SEV_ERROR, "dsml.schema",
		     "<%s> without resultCode code", S(el->name));
		return !ds->stop;
	}
	if (strcmp(ds->vals.ptr + off, "0") != 0)
		diag(ds, node_line(el), sev, "dsml.result", "<%s> with result "
		     "code %.20s", S(el->name), ds->vals.ptr + off);
	return !ds->stop;
}

/*
 * each_child - call fn for each element child of the element under the
 * reader, with the reader on that child; fn leaves the reader on it (or
 * on its end) and returns 1 to go on. Text other than white space is
 * dsml.schema. Returns 1 with the reader on the element's end, 0 when
 * the parse is over (an XML error, a refused document, fn's stop).
 */
typedef int (*child_fn)(struct dsml *ds, void *arg);

static int each_child(struct dsml *ds, child_fn fn, void *arg)
{
	int depth = xmlTextReaderDepth(ds->r), rc;
	const char *where = cur_name(ds);
	char wbuf[64];

	snprintf(wbuf, sizeof(wbuf), "%s", where);
	if (xmlTextReaderIsEmptyElement(ds->r))
		return 1;
	rc = xmlTextReaderRead(ds->r);
	while (rc == 1 && !ds->stop) {
		int t = xmlTextReaderNodeType(ds->r);

		if (t == XML_READER_TYPE_END_ELEMENT &&
		    xmlTextReaderDepth(ds->r) == depth)
			return 1;
		if (t == XML_READER_TYPE_ELEMENT) {
			if (!fn(ds, arg))
				return 0;
		} else if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) {
			if (!blank(xmlTextReaderConstValue(ds->r)))
				diag(ds, cur_line(ds), ADDR_SEV_ERROR,
				     "dsml.schema", "text in <%s>", wbuf);
		} else if (t == XML_READER_TYPE_ENTITY_REFERENCE) {
			doctype(ds, 1);
			return 0;
		}
		rc = xmlTextReaderNext(ds->r);
	}
	return ds->stop ? 0 : ended(ds, rc);
}

/* unexpected - an element that has no place here */
static int unexpected(struct dsml *ds, const char *parent)
{
	const xmlChar *u = xmlTextReaderConstNamespaceUri(ds->r);

	diag(ds, cur_line(ds), ADDR_SEV_ERROR, "dsml.schema",
	     "<%.60s>%s%.80s%s is not allowed in <%s>", cur_name(ds),
	     u && strcmp(S(u), NS_DSML) ? " {" : "",
	     u && strcmp(S(u), NS_DSML) ? S(u) : "",
	     u && strcmp(S(u), NS_DSML) ? "}" : "", parent);
	return !ds->stop;
}

/* searchResponse: searchResultEntry*, searchResultReference*,
 * searchResultDone; *state counts how far the sequence has come */
static int search_child(struct dsml *ds, void *arg)
{
	int *state = arg;

	if (cur_is(ds, NS_DSML, "searchResultEntry")) {
		if (*state > 0)
			return unexpected(ds, "searchResponse after its "
					  "references or result");
		return record(ds, ADDR_LDIF_ENTRY);
	}
	if (cur_is(ds, NS_DSML, "searchResultReference")) {
		if (*state > 1)
			return unexpected(ds, "searchResponse after its result");
		*state = 1;
		return 1;
	}
	if (cur_is(ds, NS_DSML, "searchResultDone")) {
		if (*state > 1)
			return unexpected(ds, "searchResponse after its result");
		*state = 2;
		return result(ds);
	}
	return unexpected(ds, "searchResponse");
}

static int response_child(struct dsml *ds, void *arg)
{
	static const char *const results[] = {
		"authResponse", "modifyResponse", "addResponse", "delResponse",
		"modDNResponse", "compareResponse", "extendedResponse",
		"errorResponse", NULL
	};
	size_t k, line = cur_line(ds);
	int state = 0;

	(void)arg;
	if (cur_is(ds, NS_DSML, "searchResponse")) {
		if (!each_child(ds, search_child, &state))
			return 0;
		if (state != 2)
			diag(ds, line, ADDR_SEV_ERROR, "dsml.schema",
			     "searchResponse without searchResultDone");
		return !ds->stop;
	}
	for (k = 0; results[k] != NULL; k++)
		if (cur_is(ds, NS_DSML, results[k]))
			return result(ds);
	return unexpected(ds, "batchResponse");
}

static int request_child(struct dsml *ds, void *arg)
{
	static const struct {
		const char *name;
		int change;
	} map[] = {
		{ "addRequest", ADDR_LDIF_ADD },
		{ "modifyRequest", ADDR_LDIF_MODIFY },
		{ "delRequest", ADDR_LDIF_DELETE },
		{ "modDNRequest", ADDR_LDIF_MODRDN },
		{ "authRequest", -1 }, { "searchRequest", -1 },
		{ "compareRequest", -1 }, { "abandonRequest", -1 },
		{ "extendedRequest", -1 },
	};
	size_t k;

	(void)arg;
	for (k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
		if (!cur_is(ds, NS_DSML, map[k].name))
			continue;
		if (map[k].change >= 0)
			return record(ds, map[k].change);
		diag(ds, cur_line(ds), ADDR_SEV_ERROR, "dsml.request",
		     "%s is not supported: a change file holds addRequest, "
		     "modifyRequest, delRequest and modDNRequest", map[k].name);
		return !ds->stop;
	}
	return unexpected(ds, "batchRequest");
}

/* dsml_root - the document element (or the SOAP Body's element) */
static int dsml_root(struct dsml *ds)
{
	const xmlChar *u = xmlTextReaderConstNamespaceUri(ds->r);

	if (cur_is(ds, NS_DSML, "batchResponse"))
		return each_child(ds, response_child, NULL);
	if (cur_is(ds, NS_DSML, "batchRequest"))
		return each_child(ds, request_child, NULL);
	ds->filelevel = 1;
	if (u != NULL && strcmp(S(u), NS_DSML1) == 0)
		diag(ds, cur_line(ds), ADDR_SEV_ERROR, "dsml.v1",
		     "unsupported DSML v1 (%s); DSML v2 is read", NS_DSML1);
	else
		diag(ds, cur_line(ds), ADDR_SEV_ERROR, "dsml.root",
		     "<%.60s>%s%.80s%s is not a DSML v2 batchRequest or "
		     "batchResponse", cur_name(ds), u ? " {" : "",
		     u ? S(u) : "", u ? "}" : "");
	return 0;
}

/* SOAP 1.1: Envelope (Header?, Body); the Body's one element is the
 * document */
static int body_child(struct dsml *ds, void *arg)
{
	int *seen = arg;

	if ((*seen)++ > 0) {
		ds->filelevel = 1;
		diag(ds, cur_line(ds), ADDR_SEV_ERROR, "dsml.root",
		     "the SOAP Body holds more than one element");
		return 0;
	}
	return dsml_root(ds);
}

static int envelope_child(struct dsml *ds, void *arg)
{
	int *body = arg, seen = 0;

	if (cur_is(ds, NS_SOAP, "Body")) {
		*body = 1;
		if (!each_child(ds, body_child, &seen))
			return 0;
		if (seen == 0) {
			ds->filelevel = 1;
			diag(ds, cur_line(ds), ADDR_SEV_ERROR, "dsml.root",
			     "empty SOAP Body");
			return 0;
		}
	}
	return 1;
}

/* walk - the whole document, to its end */
static void walk(struct dsml *ds)
{
	int rc, body = 0;

	while ((rc = xmlTextReaderRead(ds->r)) == 1 && !ds->stop) {
		int t = xmlTextReaderNodeType(ds->r);

		if (t == XML_READER_TYPE_DOCUMENT_TYPE ||
		    t == XML_READER_TYPE_ENTITY_REFERENCE) {
			doctype(ds, t == XML_READER_TYPE_ENTITY_REFERENCE);
			return;
		}
		if (t != XML_READER_TYPE_ELEMENT)
			continue;
		ds->rootseen = 1;
		if (cur_is(ds, NS_SOAP, "Envelope")) {
			size_t line = cur_line(ds);

			if (!each_child(ds, envelope_child, &body))
				return;
			if (!body) {
				ds->filelevel = 1;
				diag(ds, line, ADDR_SEV_ERROR, "dsml.root",
				     "SOAP Envelope without Body");
				return;
			}
		} else if (!dsml_root(ds)) {
			return;
		}
	}
	if (rc < 0)
		ended(ds, rc);
	/* libxml2 may stop in the DTD (an entity loop) before it shows the
	 * DOCTYPE node: name the real reason too */
	if (rc < 0 && !ds->rootseen && ds->dtseen)
		doctype(ds, 0);
}

/* dsml_close - free the reader, give the thread its handlers back */
static void dsml_close(struct dsml *ds)
{
	xmlFreeTextReader(ds->r);
	ds->r = NULL;
	unhook(&ds->hooks);
	addr__free(ds->ibuf);
	ds->ibuf = NULL;
}

/* A document in memory as an addr_read_fn. */
struct memin {
	const char *p;
	size_t left;
};

static long mem_read(void *ctx, char *buf, size_t cap)
{
	struct memin *m = ctx;
	size_t n = m->left < cap ? m->left : cap;

	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}

/* io_read - libxml2's read callback: the next octets from ds->rd, a
 * read error ends the parse (ADDR_EIO) */
#define IBUF ((size_t)256 << 10)

/* io_fill - ds->ibuf refilled from rd; octets read, or -1 */
static long io_fill(struct dsml *ds)
{
	long n;

	if (ds->ibuf == NULL && (ds->ibuf = addr__malloc(IBUF)) == NULL) {
		ds->rderr = 2;
		return -1;
	}
	n = ds->rd(ds->rctx, ds->ibuf, IBUF);
	if (n < 0 || (size_t)n > IBUF)
		return -1;
	ds->ipos = 0;
	ds->ilen = (size_t)n;
	return n;
}

static int io_read(void *ctx, char *buf, int len)
{
	struct dsml *ds = ctx;
	long n;

	if (len <= 0 || ds->rderr)
		return ds->rderr ? -1 : 0;
	if (ds->rd == mem_read) {	/* already in memory */
		n = ds->rd(ds->rctx, buf, (size_t)len);
	} else {
		if (ds->ipos == ds->ilen && io_fill(ds) < 0)
			n = -1;
		else {
			n = (long)(ds->ilen - ds->ipos < (size_t)len ?
				   ds->ilen - ds->ipos : (size_t)len);
			memcpy(buf, ds->ibuf + ds->ipos, (size_t)n);
			ds->ipos += (size_t)n;
		}
	}
	if (n < 0 || n > len) {
		if (!ds->rderr)
			ds->rderr = 1;
		return -1;
	}
	find_doctype(ds, buf, (size_t)n);
	return (int)n;
}

static int io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* dsml_open - the reader for what ds->rd delivers, errors routed to
 * handler */
static int dsml_open(struct dsml *ds, xmlStructuredErrorFunc handler)
{
	xmlInitParser();
	ds->rdline = 1;
	hook(&ds->hooks, ds, handler);
	ds->r = xmlReaderForIO(io_read, io_close, ds, NULL, NULL, OPTIONS);
	if (ds->r == NULL) {
		dsml_close(ds);
		ds->stop = ds->rderr == 1 ? ADDR_EIO : ADDR_ENOMEM;
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(ds->r, handler, ds);
	return 0;
}

/* dsml_run - parse what rd delivers; the caller frees with dsml_done */
static void dsml_run(struct dsml *ds, addr_read_fn rd, void *rctx,
		     const char *file, unsigned flags, addr_ldif_record_fn fn,
		     void *ctx, struct addr_dir_report *rep)
{
	memset(ds, 0, sizeof(*ds));
	ds->rd = rd;
	ds->rctx = rctx;
	ds->flags = flags;
	ds->fn = fn;
	ds->ctx = ctx;
	addr__sink_init(&ds->s, rep, NULL, file);
	addr_buf_init(&ds->vals);
	addr_buf_init(&ds->tmp);
	if (dsml_open(ds, on_xml_error) == 0)
		walk(ds);
}

static int dsml_done(struct dsml *ds)
{
	int rc = ds->rderr ? (ds->rderr == 1 ? ADDR_EIO : ADDR_ENOMEM) :
		 ds->stop ? ds->stop :
		 ds->s.fatal ? ADDR_ENOMEM : (int)ds->s.nerrors;

	dsml_close(ds);
	addr_buf_free(&ds->vals);
	addr_buf_free(&ds->tmp);
	addr__free(ds->it);
	addr__free(ds->off);
	return rc;
}

int addr_dsml_parse(const char *in, size_t len, const char *file,
		    unsigned flags, addr_ldif_record_fn fn, void *ctx,
		    struct addr_dir_report *rep)
{
	struct memin m = { in, len };
	struct dsml ds;

	dsml_run(&ds, mem_read, &m, file, flags, fn, ctx, rep);
	return dsml_done(&ds);
}

int addr_dsml_parse_read(addr_read_fn rd, void *rctx, const char *file,
			 unsigned flags, addr_ldif_record_fn fn, void *ctx,
			 struct addr_dir_report *rep)
{
	struct dsml ds;

	dsml_run(&ds, rd, rctx, file, flags, fn, ctx, rep);
	return dsml_done(&ds);
}

/* ----------------------------------------------------------- loading */

struct loader {
	struct addr_dir *d;
	int refused;		/* a change record was reported */
};

/* load_consume - one record into the directory (dir_pipe.c) */
static int load_consume(void *ctx, struct addr__piped *x, struct addr__sink *s)
{
	struct loader *ld = ctx;

	if (x->rec->change == ADDR_LDIF_ENTRY)
		return addr__piped_load(ld->d, x, s);
	/* once: every request of a batchRequest would say the same */
	if (!ld->refused++) {
		s->line = x->rec->line;
		s->column = 0;
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"dsml.root", "a batchRequest is a change file; "
				"a directory file is a batchResponse");
	}
	return 0;
}

static int load_src(struct addr_dir *d, struct addr__src *src,
		    struct addr_dir_report *rep);

int addr_dir_load_dsml(struct addr_dir *d, const char *in, size_t len,
		       const char *file, unsigned flags,
		       struct addr_dir_report *rep)
{
	struct addr__src src = { in, len, NULL, NULL, file, flags, 1 };

	return load_src(d, &src, rep);
}

int addr_dir_load_dsml_read(struct addr_dir *d, addr_read_fn rd, void *rctx,
			    const char *file, unsigned flags,
			    struct addr_dir_report *rep)
{
	struct addr__src src = { NULL, 0, rd, rctx, file, flags, 1 };

	return load_src(d, &src, rep);
}

/* load_src - a DSML directory file into d */
static int load_src(struct addr_dir *d, struct addr__src *src,
		    struct addr_dir_report *rep)
{
	const char *file = src->file;
	struct loader ld = { d, 0 };
	struct addr__sink s;
	int rc, c;

	addr__sink_init(&s, rep, NULL, file);
	if (d->flags & ADDR_DIR_LENIENT)
		src->flags |= ADDR_DSML_LENIENT;
	rc = addr__pipe_run(d, file, 0, addr__src_parse, src, load_consume,
			    &ld, &s, rep);
	if (rc < 0)
		return rc;
	if (s.fatal)
		return ADDR_ENOMEM;
	if ((c = addr__dir_check(d, rep, file, NULL)) < 0)
		return c;
	return rc + (int)s.nerrors + c;
}

/* ------------------------------------------------------------ writer */

#define ONES	0x0101010101010101ull
#define HIGH	0x8080808080808080ull

/* has_octet - does the word w hold the octet c? */
static int has_octet(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return ((x - ONES) & ~x & HIGH) != 0;
}

/*
 * xml_text_ok - is s[0..n) UTF-8 made only of XML 1.0 Chars
 * (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF)?
 * cr: is CR allowed (it is not in a value, §7.4). *esc (nullable) is
 * set to 1 when the text holds an octet that xmlTextWriterWriteString
 * escapes in text (< > & " CR), found on the same pass, else to 0.
 */
static int xml_text_ok(const char *s, size_t n, int cr, int *esc)
{
	size_t i = 0;
	int e = 0;

	/* eight printable ASCII octets at a time (a word with an octet
	 * below 0x20 or above 0x7F goes to the loop below) */
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if ((w & HIGH) || ((w - 0x20 * ONES) & ~w & HIGH))
			break;
		if (!e && esc != NULL &&
		    (has_octet(w, '<') || has_octet(w, '>') ||
		     has_octet(w, '&') || has_octet(w, '"')))
			e = 1;
	}
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' &&
			    (c != '\r' || !cr))
				return 0;
			e |= c == '<' || c == '>' || c == '&' || c == '"' ||
			     c == '\r';
			i++;
			continue;
		}
		if ((k = addr__utf8_seqlen((const unsigned char *)s + i,
					   n - i)) == 0)
			return 0;
		cp = addr__utf8_decode((const unsigned char *)s + i, k);
		if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
		    cp == 0xFFFF)
			return 0;
		i += k;
	}
	if (esc != NULL)
		*esc = e;
	return 1;
}

/*
 * The writer is libxml2's xmlTextWriter (spec-directory.md §7.4), its
 * output buffer appending to the caller's buffer; after each entry the
 * text writer is flushed and, for addr_dir_write_dsml_to, the buffer
 * handed on in pieces.
 */
struct writer {
	xmlTextWriterPtr w;
	int bad;		/* a writer call failed */
	struct addr_buf b64;
};

/* What xmlTextWriterWriteString escapes: in text (xmlEncodeSpecialChars)
 * < > & " CR; in an attribute value (xmlBufAttrSerializeTxtContent, the
 * writer's document being UTF-8) TAB and LF as well. */
#define ESC_TEXT	1
#define ESC_ATTR	2
static const unsigned char esc[256] = {
	['\t'] = ESC_ATTR, ['\n'] = ESC_ATTR, ['\r'] = ESC_TEXT | ESC_ATTR,
	['"'] = ESC_TEXT | ESC_ATTR, ['&'] = ESC_TEXT | ESC_ATTR,
	['<'] = ESC_TEXT | ESC_ATTR, ['>'] = ESC_TEXT | ESC_ATTR,
};

/* plain - s[0..n) (valid XML text, at most INT_MAX octets) holds
 * nothing that xmlTextWriterWriteString would escape in the context
 * what (ESC_TEXT or ESC_ATTR) */
static int plain(const char *s, size_t n, int what)
{
	size_t i;

	if (n > INT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (esc[(unsigned char)s[i]] & what)
			return 0;
	return 1;
}

/* raw, el, at, end - xmlTextWriter calls, failures collected in bad */
static void raw_len(struct writer *wr, const char *s, size_t n)
{
	wr->bad |= xmlTextWriterWriteRawLen(wr->w, (const xmlChar *)s,
					    (int)n) < 0;
}

#define raw(wr, lit)	raw_len(wr, lit, sizeof(lit) - 1)

static void el(struct writer *wr, const char *name)
{
	wr->bad |= xmlTextWriterStartElement(wr->w, (const xmlChar *)name) < 0;
}

/*
 * at - attribute name="v". The escaping is done here, as
 * xmlBufAttrSerializeTxtContent does it for a UTF-8 document: that
 * function writes characters beyond ASCII as character references when
 * the writer has no document encoding, which the text writers of the
 * workers' chunks (dsml_range: no xmlTextWriterStartDocument) do not,
 * so a DN such as "CN=René \>x" came out two ways (found by fuzzing
 * dir_stream.c). Nothing to escape: the value as it is.
 */
static void at(struct writer *wr, const char *name, const char *v)
{
	size_t n = strlen(v), i, from = 0;

	wr->bad |= xmlTextWriterStartAttribute(wr->w,
					       (const xmlChar *)name) < 0;
	if (plain(v, n, ESC_ATTR)) {
		raw_len(wr, v, n);
	} else {
		for (i = 0; i < n; i++) {
			const char *r;

			switch (v[i]) {
			case '\n': r = "&#10;"; break;
			case '\r': r = "&#13;"; break;
			case '\t': r = "&#9;"; break;
			case '"': r = "&quot;"; break;
			case '<': r = "&lt;"; break;
			case '>': r = "&gt;"; break;
			case '&': r = "&amp;"; break;
			default: continue;
			}
			raw_len(wr, v + from, i - from);
			raw_len(wr, r, strlen(r));
			from = i + 1;
		}
		raw_len(wr, v + from, n - from);
	}
	wr->bad |= xmlTextWriterEndAttribute(wr->w) < 0;
}

static void end(struct writer *wr)
{
	wr->bad |= xmlTextWriterEndElement(wr->w) < 0;
}

/* Attribute names found good, by address: a directory's entries share
 * a few names, and each entry is checked before anything is written. */
struct names_ok {
	const char *p[16];
	size_t n;
};

/* check_attr - addr__entry_out callback: can DSML carry the name? */
static int check_attr(void *ctx, const char *name, const struct addr__dval *v,
		      size_t n, const char *one)
{
	struct names_ok *ok = ctx;
	size_t i;

	(void)v;
	(void)n;
	(void)one;
	for (i = 0; i < ok->n; i++)
		if (ok->p[i] == name)
			return 0;
	if (!attrdesc_ok(name, strlen(name)))
		return ADDR_ESYNTAX;
	if (ok->n < sizeof(ok->p) / sizeof(ok->p[0]))
		ok->p[ok->n++] = name;
	return 0;
}

/* put_attr - one <attr> on its own line, its values inline; a value
 * that is not UTF-8 XML text, or holds a CR (which XML would turn into
 * LF), is xsd:base64Binary */
static int put_attr(void *ctx, const char *name, const struct addr__dval *v,
		    size_t n, const char *one)
{
	struct writer *wr = ctx;
	size_t k, len;
	int e;

	raw(wr, "\n      ");
	el(wr, "attr");
	at(wr, "name", name);
	for (k = 0; k < n; k++) {
		const char *p = addr__vat(v, one, k, &len);

		el(wr, "value");
		if (!xml_text_ok(p, len, 0, &e)) {
			at(wr, "xsi:type", "xsd:base64Binary");
			addr_buf_clear(&wr->b64);
			if (addr__b64_encode(&wr->b64, p, len) < 0)
				return ADDR_ENOMEM;
			wr->bad |= xmlTextWriterWriteString(wr->w,
				(const xmlChar *)wr->b64.ptr) < 0;
		} else if (len > 0 && !e && len <= INT_MAX) {
			/* nothing to escape: skip xmlEncodeSpecialChars' copy */
			raw_len(wr, p, len);
		} else if (len > 0) {
			wr->bad |= xmlTextWriterWriteString(wr->w,
				(const xmlChar *)p) < 0;
		}
		end(wr);
	}
	end(wr);
	return wr->bad ? ADDR_ENOMEM : 0;
}

/* out_write - into the caller's buffer; out of memory is kept in the
 * buffer (sticky) and checked at the end: a failed write would have
 * libxml2 print "flush error" on stderr */
static int out_write(void *ctx, const char *buf, int len)
{
	addr_buf_put(ctx, buf, (size_t)len);
	return len;
}

static int out_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* wr_open - a text writer appending to out; 0 or ADDR_ENOMEM */
static int wr_open(struct writer *wr, struct addr_buf *out,
		   struct hooks *hooks)
{
	xmlOutputBufferPtr ob;

	xmlInitParser();
	hook(hooks, NULL, quiet);
	if ((ob = xmlOutputBufferCreateIO(out_write, out_close, out,
					  NULL)) == NULL) {
		unhook(hooks);
		return ADDR_ENOMEM;
	}
	if ((wr->w = xmlNewTextWriter(ob)) == NULL) {
		xmlOutputBufferClose(ob);
		unhook(hooks);
		return ADDR_ENOMEM;
	}
	wr->bad = 0;
	addr_buf_init(&wr->b64);
	return 0;
}

/* wr_close - free the writer (which flushes into out); 0 or
 * ADDR_ENOMEM when a call failed or out ran out of memory */
static int wr_close(struct writer *wr, struct addr_buf *out,
		    struct hooks *hooks)
{
	xmlFreeTextWriter(wr->w);
	unhook(hooks);
	addr_buf_free(&wr->b64);
	return wr->bad || out->oom ? ADDR_ENOMEM : 0;
}

/* dsml_head, dsml_entry, dsml_tail - the document in three parts: the
 * root and searchResponse start tags (left open), one entry, the rest */
static void dsml_head(struct writer *wr)
{
	wr->bad |= xmlTextWriterStartDocument(wr->w, NULL, "UTF-8", NULL) < 0;
	el(wr, "batchResponse");
	at(wr, "xmlns", NS_DSML);
	at(wr, "xmlns:xsd", NS_XSD);
	at(wr, "xmlns:xsi", NS_XSI);
	raw(wr, "\n  ");
	el(wr, "searchResponse");
}

static int dsml_entry(struct writer *wr, const struct addr_dir_entry *e)
{
	int rc;

	raw(wr, "\n    ");
	el(wr, "searchResultEntry");
	/* TAB, LF and CR become character references here */
	at(wr, "dn", e->dn);
	rc = addr__entry_out(e, put_attr, wr);
	raw(wr, "\n    ");
	end(wr);
	return rc;
}

static void dsml_tail(struct writer *wr)
{
	raw(wr, "\n    ");
	el(wr, "searchResultDone");
	el(wr, "resultCode");
	at(wr, "code", "0");
	at(wr, "descr", "success");
	end(wr);
	end(wr);
	raw(wr, "\n  ");
	end(wr);
	raw(wr, "\n");
	end(wr);
	wr->bad |= xmlTextWriterEndDocument(wr->w) < 0;
}

/* addr__dsml_entries_ok - can DSML hold entries [from, to) of d?
 * (dsml.unrepresentable: nothing is written for a directory that it
 * cannot; dir_stream.c asks it of each chunk) */
int addr__dsml_entries_ok(const struct addr_dir *d, size_t from, size_t to)
{
	struct names_ok ok;
	size_t i;

	ok.n = 0;
	for (i = from; i < to; i++)
		if (!xml_text_ok(d->e[i]->dn, d->e[i]->dnlen, 1, NULL) ||
		    addr__entry_out(d->e[i], check_attr, &ok) < 0)
			return 0;
	return 1;
}

static int representable(const struct addr_dir *d)
{
	return addr__dsml_entries_ok(d, 0, d->n);
}

/* write_dsml - the DSML writer into w */
static int write_dsml(const struct addr_dir *d, struct addr__wout *w)
{
	struct addr_buf *out = w->out;
	size_t start = out->size, i;
	struct hooks hooks;
	struct writer wr;
	int rc = 0, rc2;

	if (!representable(d))
		return ADDR_ESYNTAX;
	if (wr_open(&wr, out, &hooks) < 0)
		return ADDR_ENOMEM;
	dsml_head(&wr);
	for (i = 0; i < d->n && rc == 0 && !wr.bad && !w->err; i++) {
		rc = dsml_entry(&wr, d->e[i]);
		if (w->fn != NULL) {
			/* the entry's octets into out, then on to fn */
			wr.bad |= xmlTextWriterFlush(wr.w) < 0;
			addr__wout_flush(w, 0);
		}
	}
	dsml_tail(&wr);
	rc2 = wr_close(&wr, out, &hooks);
	addr__wout_flush(w, 1);
	if (rc == 0)
		rc = rc2;
	if (rc == 0 && w->err)
		rc = ADDR_EIO;
	if (rc < 0)
		addr_buf_truncate(out, start);
	return rc;
}

/* addr__dsml_range - entries [from, to) of d, each as dsml_entry
 * writes it, by a writer of their own (addr__write_par: a worker's
 * chunk; dir_stream.c: the entries appended since the last) */
int addr__dsml_range(void *octx, struct addr_buf *out,
		     const struct addr_dir *d, size_t from, size_t to)
{
	struct hooks hooks;
	struct writer wr;
	size_t i;
	int rc = 0, rc2;

	(void)octx;
	if (wr_open(&wr, out, &hooks) < 0)
		return ADDR_ENOMEM;
	for (i = from; i < to && rc == 0 && !wr.bad; i++)
		rc = dsml_entry(&wr, d->e[i]);
	rc2 = wr_close(&wr, out, &hooks);
	return rc < 0 ? rc : rc2;
}

int addr__dsml_frame(struct addr_buf *head, struct addr_buf *tail)
{
	struct addr_buf all;
	struct hooks hooks;
	struct writer wr;
	size_t h;
	int rc;

	addr_buf_init(&all);
	if (wr_open(&wr, &all, &hooks) < 0)
		return ADDR_ENOMEM;
	/* as write_par writes them, one writer around entries written by
	 * writers of their own: the head with its last start tag closed,
	 * then the tail */
	dsml_head(&wr);
	raw_len(&wr, "", 0);
	wr.bad |= xmlTextWriterFlush(wr.w) < 0;
	h = all.size;
	dsml_tail(&wr);
	rc = wr_close(&wr, &all, &hooks);
	if (rc == 0) {
		addr_buf_put(head, all.ptr, h);
		addr_buf_put(tail, all.ptr + h, all.size - h);
		rc = head->oom || tail->oom ? ADDR_ENOMEM : 0;
	}
	addr_buf_free(&all);
	return rc;
}

/* write_par - the document with the entries written by d's workers
 * between the head and the tail of addr__dsml_frame */
static int write_par(const struct addr_dir *d, addr_write_fn fn, void *ctx)
{
	struct addr_buf head, tail;
	int rc;

	if (!representable(d))
		return ADDR_ESYNTAX;
	addr_buf_init(&head);
	addr_buf_init(&tail);
	rc = addr__dsml_frame(&head, &tail);
	if (rc == 0 && fn(ctx, head.ptr, head.size) < 0)
		rc = ADDR_EIO;
	if (rc == 0)
		rc = addr__write_par(d, addr__dsml_range, NULL, fn, ctx);
	if (rc == 0 && fn(ctx, tail.ptr, tail.size) < 0)
		rc = ADDR_EIO;
	addr_buf_free(&head);
	addr_buf_free(&tail);
	return rc;
}

int addr_dir_write_dsml(const struct addr_dir *d, struct addr_buf *out)
{
	struct addr__wout w = { out, NULL, NULL, 0 };

	return write_dsml(d, &w);
}

int addr_dir_write_dsml_to(const struct addr_dir *d, addr_write_fn fn,
			   void *ctx)
{
	/* with workers, the entries are written in parallel */
	if (d->nthreads > 0 && d->n > 0)
		return write_par(d, fn, ctx);
	return addr__write_stream(d, write_dsml, fn, ctx);
}

/* ----------------------------------------------------------- rejects */

/* One child element of the DSML root: octets [b, e), lines l0..l1. */
struct span {
	size_t b, e, l0, l1;
	int take;
};

struct spans {
	struct span *v;
	size_t n, cap;
	size_t rootstag_end;	/* just after the root's start tag */
	size_t rootetag;	/* the root's end tag */
};

/* root_ordinal - which element, counted in document order, is the DSML
 * root (the SOAP Body's element when wrapped); 0 when none */
static long root_ordinal(const char *in, size_t len)
{
	struct memin m = { in, len };
	struct dsml ds;
	long ord = 0, found = 0;
	int soap = 0, inbody = 0;

	memset(&ds, 0, sizeof(ds));
	ds.rd = mem_read;
	ds.rctx = &m;
	ds.dtseen = 1;		/* no DOCTYPE to look for: not reported */
	if (dsml_open(&ds, quiet) < 0)
		return 0;
	while (found == 0 && xmlTextReaderRead(ds.r) == 1) {
		int depth = xmlTextReaderDepth(ds.r);

		if (xmlTextReaderNodeType(ds.r) != XML_READER_TYPE_ELEMENT)
			continue;
		ord++;
		if (depth == 0 && cur_is(&ds, NS_SOAP, "Envelope"))
			soap = 1;
		else if (depth == 0 || (soap && depth == 2 && inbody))
			found = ord;
		else if (depth == 1)
			inbody = cur_is(&ds, NS_SOAP, "Body");
	}
	dsml_close(&ds);
	return found;
}

static int push_span(struct spans *sp, size_t b, size_t l0)
{
	if (sp->n == sp->cap) {
		size_t nc = sp->cap ? sp->cap * 2 : 64;
		void *p;

		if (nc > ((size_t)-1) / sizeof(*sp->v) ||
		    (p = addr__realloc(sp->v, nc * sizeof(*sp->v))) == NULL)
			return ADDR_ENOMEM;
		sp->v = p;
		sp->cap = nc;
	}
	sp->v[sp->n].b = b;
	sp->v[sp->n].l0 = l0;
	sp->v[sp->n].take = 0;
	sp->n++;
	return 0;
}

/* skip_to - index just after the first occurrence of z at or after i,
 * counting lines; len when absent */
static size_t skip_to(const char *in, size_t len, size_t i, const char *z,
		      size_t *line)
{
	size_t zn = strlen(z);

	for (; i + zn <= len; i++) {
		if (memcmp(in + i, z, zn) == 0)
			return i + zn;
		*line += in[i] == '\n';
	}
	return len + 1;
}

/*
 * scan - the spans of the root's children in a document libxml2 has
 * read without error, so that a light tokenizer suffices: comments,
 * CDATA sections, processing instructions, and tags whose quoted
 * attribute values may hold ">". 0, -1 (not understood: the caller
 * copies the whole input) or ADDR_ENOMEM.
 */
static int scan(const char *in, size_t len, long rootord, struct spans *sp)
{
	size_t i = 0, line = 1, depth = 0, rootdepth = 0;
	long ord = 0;
	int inroot = 0;

	while (i < len) {
		const char *lt = memchr(in + i, '<', len - i);
		size_t b, l0;

		if (lt == NULL)
			break;
		for (; in + i < lt; i++)
			line += in[i] == '\n';
		b = i;
		l0 = line;
		if (len - i >= 4 && memcmp(in + i, "<!--", 4) == 0) {
			i = skip_to(in, len, i + 4, "-->", &line);
		} else if (len - i >= 9 && memcmp(in + i, "<![CDATA[", 9) == 0) {
			i = skip_to(in, len, i + 9, "]]>", &line);
		} else if (len - i >= 2 && in[i + 1] == '?') {
			i = skip_to(in, len, i + 2, "?>", &line);
		} else if (len - i >= 2 && in[i + 1] == '!') {
			return -1;	/* a DOCTYPE: refused anyway */
		} else {
			int q = 0, etag = len - i >= 2 && in[i + 1] == '/';

			for (i++; i < len && (q || in[i] != '>'); i++) {
				if (q == 0 && (in[i] == '"' || in[i] == '\''))
					q = in[i];
				else if (q == in[i])
					q = 0;
				line += in[i] == '\n';
			}
			if (i++ >= len)
				return -1;
			if (etag) {
				if (depth == 0)
					return -1;
				depth--;
				if (inroot && depth == rootdepth + 1)
					sp->v[sp->n - 1].e = i,
					sp->v[sp->n - 1].l1 = line;
				if (inroot && depth == rootdepth) {
					sp->rootetag = b;
					return 0;
				}
				continue;
			}
			if (++ord == rootord) {
				inroot = 1;
				rootdepth = depth;
				sp->rootstag_end = i;
				if (in[i - 2] == '/')
					return -1;	/* no children */
			} else if (inroot && depth == rootdepth + 1) {
				if (push_span(sp, b, l0) < 0)
					return ADDR_ENOMEM;
				sp->v[sp->n - 1].e = i;
				sp->v[sp->n - 1].l1 = line;
			}
			if (in[i - 2] != '/')
				depth++;
			continue;
		}
		if (i > len)
			return -1;
	}
	return -1;
}

/* line_start - where the white space before the tag at b begins, when
 * only white space stands between the line's start and the tag */
static size_t line_start(const char *in, size_t b)
{
	size_t s = b;

	while (s > 0 && (in[s - 1] == ' ' || in[s - 1] == '\t'))
		s--;
	return s == 0 || in[s - 1] == '\n' ? s : b;
}

/* pick - mark the spans holding each line; 0 when some line is in none */
static int pick(struct spans *sp, const size_t *lines, size_t nlines)
{
	size_t k;

	for (k = 0; k < nlines; k++) {
		size_t lo = 0, hi = sp->n, j;
		int hit = 0;

		/* the first span that ends on or after the line */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (sp->v[mid].l1 < lines[k])
				lo = mid + 1;
			else
				hi = mid;
		}
		for (j = lo; j < sp->n && sp->v[j].l0 <= lines[k]; j++)
			hit = sp->v[j].take = 1;
		if (!hit)
			return 0;
	}
	return 1;
}

int addr_dsml_rejects(struct addr_buf *out, const char *in, size_t len,
		      const size_t *lines, size_t nlines)
{
	static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	struct memin m = { in, len };
	struct spans sp;
	struct dsml ds;
	size_t i, bom;
	long ord;
	int rc, whole;

	/* a file-level problem rejects every record; so does an encoding
	 * that is not ASCII-compatible (UTF-16), which scan cannot read */
	dsml_run(&ds, mem_read, &m, NULL, 0, NULL, NULL, NULL);
	whole = ds.filelevel || len < 4 || memchr(in, '\0', 4) != NULL ||
		(unsigned char)in[0] >= 0xfe;
	if ((rc = dsml_done(&ds)) == ADDR_ENOMEM)
		return rc;
	memset(&sp, 0, sizeof(sp));
	if (!whole && (ord = root_ordinal(in, len)) > 0 &&
	    (rc = scan(in, len, ord, &sp)) == 0 && pick(&sp, lines, nlines)) {
		bom = len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
		addr_buf_put(out, in, bom);
		if (len - bom < 5 || memcmp(in + bom, "<?xml", 5) != 0)
			addr_buf_puts(out, decl);
		addr_buf_put(out, in + bom, sp.rootstag_end - bom);
		for (i = 0; i < sp.n; i++) {
			size_t s = line_start(in, sp.v[i].b);

			if (!sp.v[i].take)
				continue;
			addr_buf_putc(out, '\n');
			addr_buf_put(out, in + s, sp.v[i].e - s);
		}
		addr_buf_putc(out, '\n');
		i = line_start(in, sp.rootetag);
		addr_buf_put(out, in + i, len - i);
	} else if (rc != ADDR_ENOMEM) {
		addr_buf_put(out, in, len);
	}
	addr__free(sp.v);
	return rc == ADDR_ENOMEM || out->oom ? ADDR_ENOMEM : 0;
}
