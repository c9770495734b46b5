/*
 * test_gwconfig.c - addrgw.conf parser: defaults, every value type, the
 * comment rule, CIDR lists, routes, and the exact error messages.
 *
 * The parser is pure, so the test includes gateway/config.c directly
 * (the test build links only build/libaddr.a).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../gateway/config.c"

static const char *PM = "[delivery]\npostmaster = postmaster@example.com\n";

/* parse - parse text, return the number of problems; errors in *errs */
static size_t
parse(struct gw_config *cfg, struct addr_buf *errs, const char *text)
{
	addr_buf_init(errs);
	return gw_config_parse(cfg, "t.conf", text, strlen(text), errs);
}

static void
test_defaults(void **state)
{
	struct gw_config cfg;
	struct addr_buf e;
	char buf[64];

	(void)state;
	assert_int_equal(parse(&cfg, &e, PM), 0);
	assert_int_equal(cfg.nlisten, 1);
	assert_string_equal(cfg.listen[0].text, "127.0.0.1:2525");
	inet_ntop(AF_INET, &((struct sockaddr_in *)&cfg.listen[0].ss)->sin_addr,
	    buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1");
	assert_string_equal(cfg.spool, "var/spool");
	assert_int_equal(cfg.version, 1);
	assert_int_equal(cfg.accept, 1);
	assert_true(cfg.max_message_size == 10240000);
	assert_int_equal(cfg.max_recipients, 1000);
	assert_int_equal(cfg.max_outbound_recipients, 50);
	assert_int_equal(cfg.max_command_line, 2048);
	assert_int_equal(cfg.max_text_line, 1000);
	assert_int_equal(cfg.hop_limit, 50);
	assert_int_equal(cfg.timeout, 300);
	assert_int_equal(cfg.soft_error_limit, 10);
	assert_int_equal(cfg.hard_error_limit, 20);
	assert_int_equal(cfg.bare_newline, GW_BARE_REJECT);
	assert_int_equal(cfg.transcript, GW_TRANSCRIPT_OFF);
	assert_int_equal(cfg.has_directory, 0);
	assert_int_equal(cfg.max_expansion, 10000);
	assert_int_equal(cfg.rewrite_headers, 1);
	assert_int_equal(cfg.relay_from.n, 0);
	assert_int_equal(cfg.relay_deny.n, 0);
	assert_int_equal(cfg.deliver, 1);
	assert_int_equal(cfg.nretry, 5);
	assert_int_equal(cfg.retry[0], 300);
	assert_int_equal(cfg.retry[4], 3600);
	assert_int_equal(cfg.lifetime, 5 * 86400);
	assert_int_equal(cfg.delay_warning, 0);
	assert_int_equal(cfg.ndr_suppress, 0);
	assert_int_equal(cfg.ndr_copy_postmaster, 0);
	assert_null(cfg.unknown_forward);
	assert_int_equal(cfg.concurrency, 20);
	assert_int_equal(cfg.client_timeouts[0], 30);
	assert_int_equal(cfg.client_timeouts[4], 600);
	assert_true(cfg.archive_max_size == 1073741824);
	assert_null(cfg.log_file);
	assert_non_null(cfg.hostname);
	gw_config_free(&cfg);
	addr_buf_free(&e);
}

static void
test_full(void **state)
{
	struct gw_config cfg;
	struct addr_buf e;
	const char *text =
	    "# a comment\n"
	    "; another\n"
	    "   # indented comment\n"
	    "\n"
	    "[server]\n"
	    "listen = 127.0.0.1:2600\n"
	    "listen = [::1]:2601 relay\n"
	    "hostname = gw.example.com\n"
	    "spool = /tmp/spool\n"
	    "user = nobody\n"
	    "version = 1\n"
	    "accept = no\n"
	    "max_message_size = 2048\n"
	    "max_recipients = 100\n"
	    "max_command_line = 512\n"
	    "max_text_line = 0\n"
	    "hop_limit = 3\n"
	    "timeout = 2m\n"
	    "soft_error_limit = 2\n"
	    "hard_error_limit = 4\n"
	    "bare_newline = normalize\n"
	    "transcript = 10.0.0.0/8, ::1\n"
	    "[directory]\n"
	    "file = dir.ldif\n"
	    "mode = lenient\n"
	    "[routing]\n"
	    "local_domains = example.com, #exact.example.org\n"
	    "relay_from = 127.0.0.0/8, ::1/128\n"
	    "relay_deny = 127.0.0.2\n"
	    "[routes]\n"
	    "SMTP:*@example.com = smtp:[127.0.0.1]:2600 1\n"
	    "smtp:* = drop:var/drop 2\n"
	    "X400:c=US;a= ;p=Org; = smtp:x400gw.example.com 5\n"
	    "[delivery]\n"
	    "retry = 1s 2s, 3m\n"
	    "lifetime = 1d\n"
	    "delay_warning = 4h\n"
	    "postmaster = pm@example.com\n"
	    "ndr_policy = suppress\n"
	    "ndr_copy_postmaster = yes\n"
	    "unknown_recipient = forward:smtp:[old.example.com]\n"
	    "concurrency = 3\n"
	    "client_timeouts = 1s 2s 3s 4s 5s\n"
	    "[restrictions]\n"
	    "accept_from = a@example.com, b@example.com\n"
	    "[journal]\n"
	    "inbound = j@example.com\n"
	    "ndr_to = jn@example.com\n"
	    "[archive]\n"
	    "inbound_dir = /tmp/arch\n"
	    "max_size = 1000\n"
	    "[logging]\n"
	    "file = stderr\n";

	(void)state;
	assert_int_equal(parse(&cfg, &e, text), 0);
	assert_string_equal(e.ptr, "");
	assert_int_equal(cfg.nlisten, 2);
	assert_int_equal(cfg.listen[0].relay, 0);
	assert_int_equal(cfg.listen[1].relay, 1);
	assert_int_equal(cfg.listen[1].ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&cfg.listen[1].ss)->sin6_port),
	    2601);
	assert_string_equal(cfg.hostname, "gw.example.com");
	assert_string_equal(cfg.user, "nobody");
	assert_int_equal(cfg.accept, 0);
	assert_true(cfg.max_message_size == 2048);
	assert_int_equal(cfg.max_text_line, 0);
	assert_int_equal(cfg.timeout, 120);
	assert_int_equal(cfg.bare_newline, GW_BARE_NORMALIZE);
	assert_int_equal(cfg.transcript, GW_TRANSCRIPT_NETS);
	assert_int_equal(cfg.transcript_nets.n, 2);
	assert_int_equal(cfg.has_directory, 1);
	assert_int_equal(cfg.dir_lenient, 1);
	assert_int_equal(cfg.local_domains.n, 2);
	assert_string_equal(cfg.local_domains.v[1], "#exact.example.org");
	assert_string_equal(cfg.imcea_domain, "example.com");
	assert_int_equal(cfg.relay_from.n, 2);
	assert_int_equal(cfg.relay_deny.n, 1);
	assert_int_equal(cfg.nroutes, 3);
	assert_string_equal(cfg.routes[0].type, "SMTP");
	assert_string_equal(cfg.routes[0].pattern, "*@example.com");
	assert_int_equal(cfg.routes[0].hop_kind, GW_HOP_SMTP_HOST);
	assert_string_equal(cfg.routes[0].hop, "127.0.0.1");
	assert_int_equal(cfg.routes[0].port, 2600);
	assert_string_equal(cfg.routes[1].type, "SMTP");
	assert_int_equal(cfg.routes[1].hop_kind, GW_HOP_DROP);
	assert_string_equal(cfg.routes[1].hop, "var/drop");
	assert_int_equal(cfg.routes[1].cost, 2);
	assert_string_equal(cfg.routes[2].type, "X400");
	assert_string_equal(cfg.routes[2].pattern, "c=US;a= ;p=Org;");
	assert_int_equal(cfg.routes[2].hop_kind, GW_HOP_SMTP_MX);
	assert_int_equal(cfg.nretry, 3);
	assert_int_equal(cfg.retry[2], 180);
	assert_int_equal(cfg.lifetime, 86400);
	assert_int_equal(cfg.delay_warning, 4 * 3600);
	assert_int_equal(cfg.ndr_suppress, 1);
	assert_int_equal(cfg.ndr_copy_postmaster, 1);
	assert_string_equal(cfg.unknown_forward, "smtp:[old.example.com]");
	assert_int_equal(cfg.client_timeouts[4], 5);
	assert_int_equal(cfg.accept_from.n, 2);
	assert_string_equal(cfg.archive_inbound, "/tmp/arch");
	assert_string_equal(cfg.log_file, "stderr");
	gw_config_free(&cfg);
	addr_buf_free(&e);
}

/* each row: a configuration and the exact error text it must produce */
struct erow {
	const char *name;
	const char *text;	/* PM is appended */
	const char *want;
};

static const struct erow erows[] = {
	{ "hash-is-data", "[routing]\nlocal_domains = example.com # ours\n",
	  "t.conf:2: local_domains: \"example.com # ours\" is not a domain "
	  "(a \"#\" inside a value is data, not a comment)\n" },
	{ "version-newer", "[server]\nversion = 2\n",
	  "t.conf:2: version 2 is newer than this addrgw understands (1): "
	  "upgrade addrgw\n" },
	{ "version-junk", "[server]\nversion = one\n",
	  "t.conf:2: version: \"one\" is not a positive number\n" },
	{ "unknown-key", "[server]\nlisten_on = x\n",
	  "t.conf:2: unknown key \"listen_on\" in [server]\n" },
	{ "unknown-section", "[sever]\nlisten = x\n",
	  "t.conf:1: unknown section [sever]\n" },
	{ "outside", "listen = 1.2.3.4:25\n",
	  "t.conf:1: \"listen = 1.2.3.4:25\" outside a [section]\n" },
	{ "no-equals", "[server]\nhostname\n",
	  "t.conf:2: expected key = value\n" },
	{ "repeated", "[server]\ntimeout = 1s\n\ntimeout = 2s\n",
	  "t.conf:4: [server] timeout repeated (first set at line 2)\n" },
	{ "duration", "[server]\ntimeout = 5x\n",
	  "t.conf:2: timeout: \"5x\": expected a duration (NUMBER[s|m|h|d]) "
	  "from 1s to 86400s\n" },
	{ "number-range", "[server]\nmax_command_line = 100\n",
	  "t.conf:2: max_command_line: \"100\": expected a number from 512 to "
	  "65536\n" },
	{ "bool", "[server]\naccept = maybe\n",
	  "t.conf:2: accept: \"maybe\": expected yes or no\n" },
	{ "cidr-bad", "[routing]\nrelay_from = 127.0.0.0/33\n",
	  "t.conf:2: relay_from: \"127.0.0.0/33\": prefix length must be 0 to "
	  "32\n" },
	{ "cidr-host-bits", "[routing]\nrelay_from = 127.0.0.1/8\n",
	  "t.conf:2: relay_from: \"127.0.0.1/8\" has host bits set beyond /8\n" },
	{ "cidr-not-ip", "[routing]\nrelay_from = localhost\n",
	  "t.conf:2: relay_from: \"localhost\" is not an IPv4 or IPv6 address\n" },
	{ "list-empty-entry", "[routing]\nrelay_from = 127.0.0.1,,::1\n",
	  "t.conf:2: relay_from: empty list entry\n" },
	{ "listen-port", "[server]\nlisten = 127.0.0.1:70000\n",
	  "t.conf:2: listen: \"127.0.0.1:70000\": port must be 1 to 65535\n" },
	{ "listen-v6-unbracketed", "[server]\nlisten = ::1:25\n",
	  "t.conf:2: listen: \"::1:25\": write an IPv6 address as "
	  "[ADDR]:PORT\n" },
	{ "listen-name", "[server]\nlisten = localhost:25\n",
	  "t.conf:2: listen: \"localhost\" is not an IPv4 address\n" },
	{ "listen-flag", "[server]\nlisten = 127.0.0.1:25 open\n",
	  "t.conf:2: listen: \"127.0.0.1:25 open\": unknown flag \"open\" "
	  "(only \"relay\")\n" },
	{ "route-hop", "[routes]\nSMTP:* = ftp:x 1\n",
	  "t.conf:2: route \"SMTP:*\": next hop \"ftp:x\" must start with smtp: "
	  "or drop:\n" },
	{ "route-cost", "[routes]\nSMTP:* = drop:x\n",
	  "t.conf:2: route \"SMTP:*\": expected \"next-hop cost\"\n" },
	{ "route-type", "[routes]\n* = drop:x 1\n",
	  "t.conf:2: route \"*\": expected TYPE:pattern\n" },
	{ "bare-newline", "[server]\nbare_newline = accept\n",
	  "t.conf:2: bare_newline: \"accept\": expected reject or normalize\n" },
	{ "client-timeouts", "[delivery]\nclient_timeouts = 1s 2s\n",
	  "t.conf:2: client_timeouts: expected 5 durations (connect; greeting, "
	  "EHLO, MAIL, RCPT; DATA; data block; final .), got 2\n" },
	{ "journal-needs-ndr-to", "[journal]\ninbound = j@example.com\n",
	  "t.conf: [journal] ndr_to is required when a journal is on\n" },
	{ "limits-order", "[server]\nsoft_error_limit = 20\n",
	  "t.conf: [server] soft_error_limit (20) must be below "
	  "hard_error_limit (20)\n" },
	{ "directory-file", "[directory]\nmode = strict\n",
	  "t.conf: [directory] file is required in a [directory] section\n" },
	{ "postmaster-bad", "[server]\n[delivery]\npostmaster = not an address\n",
	  "t.conf:3: postmaster: \"not an address\" is not an address "
	  "(local@domain)\n"
	  "t.conf: [delivery] postmaster is required (the From: of "
	  "non-delivery reports)\n" },
};

static void
test_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(erows) / sizeof(erows[0]); i++) {
		struct gw_config cfg;
		struct addr_buf e;
		char text[2048];
		int is_pm = strstr(erows[i].text, "postmaster") != NULL;

		snprintf(text, sizeof(text), "%s%s", erows[i].text,
		    is_pm ? "" : PM);
		parse(&cfg, &e, text);
		if (strcmp(e.ptr, erows[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", erows[i].name,
			    e.ptr, erows[i].want);
		gw_config_free(&cfg);
		addr_buf_free(&e);
	}
}

static void
test_missing_postmaster(void **state)
{
	struct gw_config cfg;
	struct addr_buf e;

	(void)state;
	assert_int_equal(parse(&cfg, &e, "[server]\n"), 1);
	assert_string_equal(e.ptr, "t.conf: [delivery] postmaster is required "
	    "(the From: of non-delivery reports)\n");
	gw_config_free(&cfg);
	addr_buf_free(&e);
}

static void
test_load_missing_file(void **state)
{
	struct gw_config cfg;
	struct addr_buf e;

	(void)state;
	addr_buf_init(&e);
	assert_int_equal(gw_config_load(&cfg, "/nonexistent/addrgw.conf", &e), 1);
	assert_string_equal(e.ptr, "/nonexistent/addrgw.conf: cannot read: No "
	    "such file or directory\n");
	gw_config_free(&cfg);
	addr_buf_free(&e);
}

static void
test_durations(void **state)
{
	static const struct { const char *in; int rc; unsigned want; } rows[] = {
		{ "30", 0, 30 }, { "30s", 0, 30 }, { "5m", 0, 300 },
		{ "1h", 0, 3600 }, { "5d", 0, 432000 }, { "", -1, 0 },
		{ "m", -1, 0 }, { "5w", -1, 0 }, { "5mm", -1, 0 },
		{ "-1", -1, 0 }, { "99999999999", -1, 0 },
		{ "4294967295", 0, 4294967295u }, { "49711d", -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned v = 0;
		int rc = gw_duration_parse(rows[i].in, &v);
		if (rc != rows[i].rc || (rc == 0 && v != rows[i].want))
			fail_msg("%s: got rc %d value %u, want rc %d value %u",
			    rows[i].in, rc, v, rows[i].rc, rows[i].want);
	}
}

struct iprow {
	const char *ip;
	int want;
};

/* netlist_rows - relay_from of conf matches each row's address or not */
static void
netlist_rows(const char *conf, const struct iprow *rows, size_t n)
{
	struct gw_config cfg;
	struct addr_buf e;
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	size_t i;

	assert_int_equal(parse(&cfg, &e, conf), 0);
	for (i = 0; i < n; i++) {
		int got;
		memset(&a4, 0, sizeof(a4));
		memset(&a6, 0, sizeof(a6));
		if (inet_pton(AF_INET, rows[i].ip, &a4.sin_addr) == 1) {
			a4.sin_family = AF_INET;
			got = gw_netlist_match(&cfg.relay_from,
			    (struct sockaddr *)&a4);
		} else {
			assert_int_equal(inet_pton(AF_INET6, rows[i].ip,
			    &a6.sin6_addr), 1);
			a6.sin6_family = AF_INET6;
			got = gw_netlist_match(&cfg.relay_from,
			    (struct sockaddr *)&a6);
		}
		if (got != rows[i].want)
			fail_msg("%s: got %d, want %d", rows[i].ip, got,
			    rows[i].want);
	}
	gw_config_free(&cfg);
	addr_buf_free(&e);
}

static void
test_netlist(void **state)
{
	static const struct iprow rows[] = {
		{ "10.1.2.3", 1 }, { "11.0.0.1", 0 }, { "192.168.1.129", 1 },
		{ "192.168.1.127", 0 }, { "::1", 1 }, { "::2", 0 },
		{ "2001:db8:1::5", 1 }, { "2001:db9::1", 0 },
		{ "::ffff:10.9.9.9", 1 }, { "::ffff:11.9.9.9", 0 },
	};

	(void)state;
	netlist_rows("[routing]\nrelay_from = 10.0.0.0/8, "
	    "192.168.1.128/25, ::1, 2001:db8::/32\n[delivery]\n"
	    "postmaster = p@example.com\n", rows, sizeof(rows) / sizeof(rows[0]));
}

/* fuzz finding (gw_config): a network written IPv4-mapped never matched,
 * since gw_netlist_match compares a mapped client as IPv4 */
static void
test_netlist_mapped(void **state)
{
	static const struct iprow rows[] = {
		{ "10.1.2.3", 1 }, { "::ffff:10.1.2.3", 1 }, { "11.0.0.1", 0 },
		{ "::ffff:11.0.0.1", 0 }, { "192.0.2.1", 1 },
		{ "::ffff:192.0.2.1", 1 }, { "192.0.2.2", 0 }, { "::1", 0 },
	};

	(void)state;
	netlist_rows("[routing]\nrelay_from = ::ffff:10.0.0.0/104, "
	    "::ffff:192.0.2.1\n[delivery]\npostmaster = p@example.com\n",
	    rows, sizeof(rows) / sizeof(rows[0]));
}

static void
test_local_domains(void **state)
{
	struct gw_config cfg;
	struct addr_buf e;
	static const struct { const char *d; int want; } rows[] = {
		{ "example.com", 1 }, { "EXAMPLE.com", 1 }, { "a.example.com", 1 },
		{ "example.com.", 1 }, { "badexample.com", 0 }, { "com", 0 },
		{ "exact.example.org", 1 }, { "sub.exact.example.org", 0 },
		{ "example.org", 0 },
	};
	size_t i;

	(void)state;
	assert_int_equal(parse(&cfg, &e, "[routing]\nlocal_domains = "
	    "example.com, #exact.example.org\n[delivery]\n"
	    "postmaster = p@example.com\n"), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int got = gw_domain_is_local(&cfg, rows[i].d, strlen(rows[i].d));
		if (got != rows[i].want)
			fail_msg("%s: got %d, want %d", rows[i].d, got,
			    rows[i].want);
	}
	gw_config_free(&cfg);
	addr_buf_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_postmaster),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_netlist),
		cmocka_unit_test(test_netlist_mapped),
		cmocka_unit_test(test_local_domains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
