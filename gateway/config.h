/*
 * config.h - addrgw's configuration (addrgw.conf(5))
 *
 * The settings of architecture.md's configuration table, parsed into one
 * struct gw_config. The parser is pure: no logging, no libevent, no
 * sockets, so the unit tests include config.c directly.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"

#define GW_CONFIG_VERSION 1	/* the newest [server] version understood */

/* one CIDR network, IPv4 or IPv6 */
struct gw_net {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16];	/* network bits; host bits are zero */
	unsigned prefix;	/* 0..32 or 0..128 */
};

struct gw_netlist {
	struct gw_net *v;
	size_t n;
};

/* one [server] listen line */
struct gw_listen {
	struct sockaddr_storage ss;
	socklen_t sslen;
	int relay;		/* trailing "relay": a relay listener */
	char text[80];		/* as written, for log lines */
};

struct gw_strlist {
	char **v;
	size_t n;
};

enum gw_hop_kind { GW_HOP_SMTP_MX = 1, GW_HOP_SMTP_HOST, GW_HOP_DROP };

/* one [routes] line: TYPE:pattern = next-hop cost */
struct gw_route {
	char *type;		/* "SMTP", upper case */
	char *pattern;		/* may be empty (type-only route) */
	int hop_kind;		/* GW_HOP_* */
	char *hop;		/* host or directory */
	unsigned port;		/* 0: default (25) */
	char *hop_text;		/* the next hop as written */
	unsigned cost;
	size_t line;
};

enum gw_bare { GW_BARE_REJECT = 0, GW_BARE_NORMALIZE };
enum gw_transcript { GW_TRANSCRIPT_OFF = 0, GW_TRANSCRIPT_ALL, GW_TRANSCRIPT_NETS };

#define GW_CLIENT_TIMEOUTS 5	/* connect; greeting..RCPT; DATA; block; final . */

struct gw_config {
	char *file;			/* path it was read from */

	/* [server] */
	struct gw_listen *listen;
	size_t nlisten;
	char *hostname;
	char *spool;
	char *user;			/* NULL: none */
	unsigned version;
	int accept;
	uint64_t max_message_size;
	unsigned max_recipients;
	unsigned max_outbound_recipients;
	unsigned max_command_line;
	unsigned max_text_line;		/* 0: no limit */
	unsigned hop_limit;
	unsigned timeout;		/* seconds */
	unsigned soft_error_limit;
	unsigned hard_error_limit;
	int bare_newline;		/* GW_BARE_* */
	int transcript;			/* GW_TRANSCRIPT_* */
	struct gw_netlist transcript_nets;

	/* [directory] */
	int has_directory;
	char *dir_file;
	int dir_lenient;
	unsigned max_expansion;
	int rewrite_headers;
	char *csv_base, *csv_container, *csv_org, *csv_site, *csv_encoding;

	/* [routing] */
	struct gw_strlist local_domains;	/* "#x" entries keep their "#" */
	char *imcea_domain;
	const char **gate;		/* IMCEA domain gate: local_domains
					 * without "#", and imcea_domain
					 * (borrowed from those) */
	size_t ngate;
	struct gw_netlist relay_from;
	struct gw_netlist relay_deny;

	/* [routes] */
	struct gw_route *routes;
	size_t nroutes;

	/* [delivery] */
	int deliver;
	unsigned *retry;		/* seconds; the last one repeats */
	size_t nretry;
	unsigned lifetime;
	unsigned delay_warning;		/* 0: off */
	char *postmaster;
	int ndr_suppress;
	int ndr_copy_postmaster;
	char *unknown_forward;		/* NULL: reject */
	struct gw_route unknown_route;	/* its next hop, when forward: */
	unsigned concurrency;
	unsigned client_timeouts[GW_CLIENT_TIMEOUTS];

	/* [restrictions] */
	struct gw_strlist accept_from;
	struct gw_strlist reject_from;

	/* loaded by gw_directory_load (directory.c), not by the parser */
	struct addr_dir *dir;		/* NULL: relay by domain only */
	struct addr_dir_entry *connector;	/* §6.8 lists as authOrig and
					 * unauthOrig of a pseudo entry;
					 * NULL: no connector restriction */

	/* [journal] */
	char *journal_inbound;
	char *journal_outbound;
	char *journal_ndr_to;
	char *journal_attribute;

	/* [disclaimer] */
	char *disclaimer[4];		/* in_prepend, in_append, out_prepend, out_append */
	char *disclaimer_text[4];	/* their contents (texts.c) */

	/* [archive] */
	char *archive_inbound;
	char *archive_outbound;
	uint64_t archive_max_size;

	/* [logging] */
	char *log_file;			/* NULL: syslog (stderr with -f) */
};

/*
 * gw_config_defaults - fill cfg with the defaults of the table; hostname
 * from gethostname(). Returns 0 or -1 when out of memory.
 */
int gw_config_defaults(struct gw_config *cfg);

/*
 * gw_config_parse - parse text[0..len) (named name in messages) into cfg,
 * which gw_config_parse initialises itself. Each problem is appended to
 * errs as one line "NAME:LINE: what is wrong\n". Returns the number of
 * problems (0: cfg is usable); cfg must be freed either way.
 */
size_t gw_config_parse(struct gw_config *cfg, const char *name,
		       const char *text, size_t len, struct addr_buf *errs);

/* gw_config_load - gw_config_parse on a file; an unreadable file is one
 * problem "FILE: cannot read: reason". */
size_t gw_config_load(struct gw_config *cfg, const char *path,
		      struct addr_buf *errs);

/* gw_config_free - release everything; the struct may be reused */
void gw_config_free(struct gw_config *cfg);

/* gw_net_parse - "net/prefix" or a bare address; 0 or -1 (why in err).
 * An IPv4-mapped network (::ffff:a.b.c.d/96+n) is stored as IPv4. */
int gw_net_parse(struct gw_net *net, const char *s, char *err, size_t errsize);

/* gw_netlist_match - 1 if the address (AF_INET/AF_INET6 sockaddr) is in a
 * network of the list; IPv4-mapped IPv6 addresses match IPv4 networks */
int gw_netlist_match(const struct gw_netlist *list, const struct sockaddr *sa);

/* gw_domain_is_local - 1 if domain (ASCII case-insensitive) is covered by
 * local_domains: a plain entry covers its subdomains, "#d" only d */
int gw_domain_is_local(const struct gw_config *cfg, const char *domain,
		       size_t len);

/* gw_duration_parse - "30", "30s", "5m", "1h", "5d" to seconds; 0 or -1 */
int gw_duration_parse(const char *s, unsigned *out);

#endif /* GW_CONFIG_H */
