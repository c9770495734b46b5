/*
 * dl.c - distribution-list expansion (spec-directory.md §3.1,
 * spec-gateway.md §6.3)
 *
 * EXPORTS
 *	addr_dl_expand()	a group to its final recipients, depth first
 *	addr_dl_result_init(), addr_dl_result_free()
 *	addr_dir_may_send()	the accept-from / reject-from restrictions
 *
 * The expansion keeps the current path of groups (at most
 * ADDR_DL_MAX_DEPTH), so a cycle is seen as a group already on the path:
 * it is reported once per (parent, group) pair with the DN path and not
 * entered. Final recipients are deduplicated by entry with a small open
 * hash set of entry pointers. Hidden entries expand like any other.
 */
#include <stdio.h>
#include <string.h>
#include "dir_int.h"

/* indexes of addr__dir_ref_attrs */
enum { REF_MEMBER, REF_AUTHORIG, REF_UNAUTHORIG, REF_SUBMIT, REF_REJECT };

void addr_dl_result_init(struct addr_dl_result *res)
{
	memset(res, 0, sizeof(*res));
	addr_dir_report_init(&res->report);
}

void addr_dl_result_free(struct addr_dl_result *res)
{
	if (res == NULL)
		return;
	addr__free(res->member);
	addr__free(res->node);
	addr_dir_report_free(&res->report);
	addr_dl_result_init(res);
}

/* a pointer set (open addressing), for "each recipient once" */
struct pset {
	const void **s;
	size_t cap, n;
};

static int pset_add(struct pset *p, const void *x)
{
	size_t i, j;

	if ((p->n + 1) * 2 > p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		const void **ns;

		if (nc > ((size_t)-1) / sizeof(*ns))
			return ADDR_ENOMEM;
		ns = addr__malloc(nc * sizeof(*ns));
		if (ns == NULL)
			return ADDR_ENOMEM;
		memset(ns, 0, nc * sizeof(*ns));
		for (i = 0; i < p->cap; i++)
			if (p->s[i] != NULL) {
				for (j = addr__dir_hash((const char *)&p->s[i],
							sizeof(void *)) & (nc - 1);
				     ns[j] != NULL; j = (j + 1) & (nc - 1))
					;
				ns[j] = p->s[i];
			}
		addr__free(p->s);
		p->s = ns;
		p->cap = nc;
	}
	for (j = addr__dir_hash((const char *)&x, sizeof(x)) & (p->cap - 1);
	     p->s[j] != NULL; j = (j + 1) & (p->cap - 1))
		if (p->s[j] == x)
			return 0;
	p->s[j] = x;
	p->n++;
	return 1;
}

struct exp {
	const struct addr_dir *d;
	const struct addr_dir_entry *sender;
	struct addr_dl_result *res;
	size_t max;
	int restrict_;		/* evaluate the restrictions */
	const struct addr_dir_entry *path[ADDR_DL_MAX_DEPTH + 1];
	size_t depth;
	struct pset seen;	/* final recipients */
	const struct addr_dir_entry **cyc;	/* (parent, group) pairs */
	size_t ncyc, cyccap;
	struct addr__sink s;
	struct addr_buf pathbuf;	/* DN path of a message */
	int stop;
};

static int push_node(struct exp *x, int kind, const struct addr_dir_entry *e,
		     const char *dn)
{
	struct addr_dl_result *r = x->res;

	if (r->nnode == r->ncap_) {
		size_t nc = r->ncap_ ? r->ncap_ * 2 : 32;
		void *p;

		if (nc > ((size_t)-1) / sizeof(*r->node))
			return ADDR_ENOMEM;
		if ((p = addr__realloc(r->node, nc * sizeof(*r->node))) == NULL)
			return ADDR_ENOMEM;
		r->node = p;
		r->ncap_ = nc;
	}
	r->node[r->nnode].kind = kind;
	r->node[r->nnode].depth = x->depth + 1;
	r->node[r->nnode].entry = e;
	r->node[r->nnode].dn = dn;
	r->nnode++;
	return 0;
}

/* path_text - "A -> B -> C" of the current path plus last, into p */
static int path_text(const struct exp *x, const char *last,
		     struct addr_buf *p)
{
	size_t i;

	addr_buf_clear(p);
	for (i = 0; i < x->depth; i++) {
		addr_buf_puts(p, x->path[i]->dn);
		addr_buf_puts(p, " -> ");
	}
	addr_buf_puts(p, last);
	return p->oom ? ADDR_ENOMEM : 0;
}

static int walk(struct exp *x, const struct addr_dir_entry *g);

/* visit - one member value of the group on top of the path */
static int visit(struct exp *x, const struct addr_dir_entry *e, const char *dn)
{
	size_t i;
	int rc;

	if (e == NULL) {
		x->s.line = x->path[x->depth - 1]->line;
		addr__sink_diag(&x->s, ADDR_SEV_WARNING, 0, "member.unresolved",
				"member \"%s\" of %s names no object", dn,
				x->path[x->depth - 1]->dn);
		return push_node(x, ADDR_DL_UNRESOLVED, NULL, dn);
	}
	if (e->kind != ADDR_DIR_GROUP) {
		rc = pset_add(&x->seen, e);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return push_node(x, ADDR_DL_DUPLICATE, e, e->dn);
		if (x->max != 0 && x->res->nmember >= x->max) {
			addr__sink_diag(&x->s, ADDR_SEV_ERROR, ADDR_ETOOLONG,
					"dl.too-large", "more than %zu recipients "
					"(stopped at %s)", x->max, e->dn);
			x->stop = 1;
			return 0;
		}
		if (x->res->nmember == x->res->mcap_) {
			size_t nc = x->res->mcap_ ? x->res->mcap_ * 2 : 32;
			void *p;

			if (nc > ((size_t)-1) / sizeof(*x->res->member))
				return ADDR_ENOMEM;
			p = addr__realloc(x->res->member,
					  nc * sizeof(*x->res->member));
			if (p == NULL)
				return ADDR_ENOMEM;
			x->res->member = p;
			x->res->mcap_ = nc;
		}
		x->res->member[x->res->nmember++] = e;
		return push_node(x, ADDR_DL_RECIPIENT, e, e->dn);
	}
	for (i = 0; i < x->depth; i++)
		if (x->path[i] == e) {
			const struct addr_dir_entry *parent =
				x->path[x->depth - 1];
			size_t c;

			/* a (parent, group) edge identifies the cycle:
			 * reported once however often it is reached */
			for (c = 0; c + 1 < x->ncyc; c += 2)
				if (x->cyc[c] == parent && x->cyc[c + 1] == e)
					return push_node(x, ADDR_DL_CYCLE, e,
							 e->dn);
			if (x->ncyc + 2 > x->cyccap) {
				size_t nc = x->cyccap ? x->cyccap * 2 : 8;
				void *p;

				if (nc > ((size_t)-1) / sizeof(*x->cyc))
					return ADDR_ENOMEM;
				p = addr__realloc(x->cyc, nc * sizeof(*x->cyc));
				if (p == NULL)
					return ADDR_ENOMEM;
				x->cyc = p;
				x->cyccap = nc;
			}
			x->cyc[x->ncyc++] = parent;
			x->cyc[x->ncyc++] = e;
			if ((rc = push_node(x, ADDR_DL_CYCLE, e, e->dn)) < 0)
				return rc;
			if (path_text(x, e->dn, &x->pathbuf) < 0)
				return ADDR_ENOMEM;
			addr__sink_diag(&x->s, ADDR_SEV_WARNING, 0, "dl.cycle",
					"%s", x->pathbuf.ptr);
			return 0;
		}
	return walk(x, e);
}

/* walk - enter group g (restrictions, depth), then its members */
static int walk(struct exp *x, const struct addr_dir_entry *g)
{
	const struct addr__dattr *a;
	struct addr_buf k;
	size_t i;
	int rc = 0;

	if (x->depth >= ADDR_DL_MAX_DEPTH) {
		if (path_text(x, g->dn, &x->pathbuf) < 0)
			return ADDR_ENOMEM;
		addr__sink_diag(&x->s, ADDR_SEV_ERROR, ADDR_ETOOLONG,
				"dl.too-deep", "groups nested more than %d deep: "
				"%s", ADDR_DL_MAX_DEPTH, x->pathbuf.ptr);
		return push_node(x, ADDR_DL_TOO_DEEP, g, g->dn);
	}
	if (x->restrict_ && !addr_dir_may_send(x->d, g, x->sender)) {
		if (path_text(x, g->dn, &x->pathbuf) < 0)
			return ADDR_ENOMEM;
		addr__sink_diag(&x->s, ADDR_SEV_ERROR, ADDR_EINVAL, "dl.refused",
				"%s does not accept mail from %s (%s)", g->dn,
				x->sender ? x->sender->dn : "this sender",
				x->pathbuf.ptr);
		return push_node(x, ADDR_DL_REFUSED, g, g->dn);
	}
	if ((rc = push_node(x, ADDR_DL_GROUP, g, g->dn)) < 0)
		return rc;
	x->path[x->depth++] = g;
	a = addr__entry_attr(g, "member");
	addr_buf_init(&k);
	for (i = 0; a != NULL && i < a->n && !x->stop; i++) {
		/* the member's key as addr__entry_prepare kept it */
		const struct addr_dir_entry *m = addr__dir_ref(x->d, g, REF_MEMBER,
							       a, i, &k, &rc);

		if (rc == ADDR_ENOMEM)
			break;
		if ((rc = visit(x, m, addr__dv(&a->v[i]))) < 0)
			break;
	}
	addr_buf_free(&k);
	x->depth--;
	return rc < 0 ? rc : 0;
}

int addr_dl_expand(struct addr_dl_result *res, const struct addr_dir *d,
		   const struct addr_dir_entry *target,
		   const struct addr_dir_entry *sender, size_t max,
		   unsigned flags)
{
	struct exp x;
	int rc;

	addr_dl_result_free(res);
	if (target == NULL)
		return ADDR_EINVAL;
	memset(&x, 0, sizeof(x));
	addr_buf_init(&x.pathbuf);
	x.d = d;
	x.sender = sender;
	x.res = res;
	x.max = max;
	x.restrict_ = (flags & ADDR_DL_RESTRICT) != 0;
	addr__sink_init(&x.s, &res->report, NULL, NULL);
	if (target->kind == ADDR_DIR_GROUP)
		rc = walk(&x, target);
	else {
		x.path[0] = target;	/* unused: no members */
		rc = visit(&x, target, target->dn);
	}
	addr__free(x.seen.s);
	addr__free(x.cyc);
	addr_buf_free(&x.pathbuf);
	if (rc == 0 && x.s.fatal)
		rc = ADDR_ENOMEM;
	return rc < 0 ? rc : (int)res->report.nerrors;
}

/* is_member_dfs - is s the entry e, or (transitively) a member of group
 * e? Every path, depth first: exponential when groups of several group
 * members form cycles; only the fallback of is_member. */
static int is_member_dfs(const struct addr_dir *d,
			 const struct addr_dir_entry *e,
			 const struct addr_dir_entry *s, size_t depth)
{
	const struct addr__dattr *a;
	struct addr_buf k;
	size_t i;
	int found = 0;

	if (e == s)
		return 1;
	if (e->kind != ADDR_DIR_GROUP || depth >= ADDR_DL_MAX_DEPTH)
		return 0;	/* the depth bound also ends cycles */
	a = addr__entry_attr(e, "member");
	addr_buf_init(&k);
	for (i = 0; a != NULL && i < a->n && !found; i++) {
		int rc;
		const struct addr_dir_entry *m = addr__dir_ref(d, e, REF_MEMBER,
							       a, i, &k, &rc);

		if (m != NULL)
			found = is_member_dfs(d, m, s, depth + 1);
	}
	addr_buf_free(&k);
	return found;
}

/*
 * is_member - is_member_dfs(d, e, s, 0) in linear time: breadth first,
 * each group entered once. The depth-first search finds s exactly when
 * some path from e reaches it through fewer than ADDR_DL_MAX_DEPTH
 * groups, so the shortest path decides, and breadth first meets every
 * entry first on a shortest path. Without memory for the queue or the
 * set of groups seen, the depth-first search answers.
 */
static int is_member(const struct addr_dir *d, const struct addr_dir_entry *e,
		     const struct addr_dir_entry *s)
{
	const struct addr_dir_entry **q = NULL;
	struct pset seen = { NULL, 0, 0 };
	struct addr_buf k;
	size_t n = 0, cap = 0, head = 0, level = 0, level_end, i;
	int found = 0, fail = 0;

	if (e == s)
		return 1;
	if (e->kind != ADDR_DIR_GROUP)
		return 0;
	addr_buf_init(&k);
	if (pset_add(&seen, e) < 0 ||
	    (q = addr__malloc(16 * sizeof(*q))) == NULL) {
		fail = 1;
		goto out;
	}
	cap = 16;
	q[n++] = e;
	level_end = n;
	/* q[head] is a group at depth level (< ADDR_DL_MAX_DEPTH) */
	while (head < n && !found) {
		const struct addr_dir_entry *g = q[head++];
		const struct addr__dattr *a = addr__entry_attr(g, "member");

		for (i = 0; a != NULL && i < a->n; i++) {
			int rc;
			const struct addr_dir_entry *m = addr__dir_ref(d, g,
							REF_MEMBER, a, i, &k, &rc);

			if (m == NULL)
				continue;
			if (m == s) {
				found = 1;
				break;
			}
			if (m->kind != ADDR_DIR_GROUP ||
			    level + 1 >= ADDR_DL_MAX_DEPTH)
				continue;
			if ((rc = pset_add(&seen, m)) < 0) {
				fail = 1;
				goto out;
			}
			if (rc == 0)
				continue;	/* met before, no deeper */
			if (n == cap) {
				void *p = NULL;

				if (cap <= ((size_t)-1) / 2 / sizeof(*q))
					p = addr__realloc(q, cap * 2 * sizeof(*q));
				if (p == NULL) {
					fail = 1;
					goto out;
				}
				q = p;
				cap *= 2;
			}
			q[n++] = m;
		}
		if (head == level_end) {
			level++;
			level_end = n;
		}
	}
out:
	addr__free(q);
	addr__free(seen.s);
	addr_buf_free(&k);
	return fail ? is_member_dfs(d, e, s, 0) : found;
}

/* listed - does any DN of the reference attributes refs[0..2) (indexes
 * of addr__dir_ref_attrs) stand for s? */
static int listed(const struct addr_dir *d, const struct addr_dir_entry *r,
		  const size_t refs[2], const struct addr_dir_entry *s,
		  int *nonempty)
{
	struct addr_buf k;
	size_t i, j;
	int found = 0;

	addr_buf_init(&k);
	for (j = 0; j < 2 && !found; j++) {
		const struct addr__dattr *a =
			addr__entry_attr(r, addr__dir_ref_attrs[refs[j]]);

		for (i = 0; a != NULL && i < a->n && !found; i++) {
			const struct addr_dir_entry *m;
			int rc;

			*nonempty = 1;
			if (s == NULL)
				continue;
			m = addr__dir_ref(d, r, refs[j], a, i, &k, &rc);
			if (m != NULL)
				found = is_member(d, m, s);
		}
	}
	addr_buf_free(&k);
	return found;
}

int addr_dir_may_send(const struct addr_dir *d,
		      const struct addr_dir_entry *recipient,
		      const struct addr_dir_entry *sender)
{
	/* authOrig, dLMemSubmitPerms; unauthOrig, dLMemRejectPerms */
	static const size_t acc[2] = { REF_AUTHORIG, REF_SUBMIT };
	static const size_t rej[2] = { REF_UNAUTHORIG, REF_REJECT };
	int any = 0;

	if (listed(d, recipient, rej, sender, &any))
		return 0;
	any = 0;
	if (listed(d, recipient, acc, sender, &any))
		return 1;
	return !any;
}
