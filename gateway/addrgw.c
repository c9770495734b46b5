/*
 * addrgw - the SMTP gateway
 *
 * SYNOPSIS
 *	addrgw -c FILE [-f] [-v]
 *	addrgw -c FILE -n
 *	addrgw -c FILE reload
 *	addrgw -c FILE queue list|show|retry|hold|release|delete ...
 *
 * DESCRIPTION
 *	Reads the configuration (addrgw.conf(5)), binds the listeners,
 *	drops privileges to [server] user when started as root, opens the
 *	queue (quarantining bad files) and serves. -f stays in the
 *	foreground and logs to standard error; otherwise addrgw detaches
 *	and logs to syslog (or [logging] file). -n only checks the
 *	configuration. The queue and reload commands are in qtool.c.
 *
 * DIAGNOSTICS
 *	-n: one "FILE:LINE: what is wrong" line per problem on standard
 *	error, exit 1; exit 0 when the file is usable. Otherwise exit 1 when
 *	the gateway cannot start, 2 on a usage error.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "directory.h"
#include "disclaimer.h"
#include "pipeline.h"
#include "texts.h"
#include "log.h"
#include "qtool.h"
#include "server.h"
#include "version.h"

static void
usage(void)
{
	fprintf(stderr, "usage: addrgw -c FILE [-f] [-v]\n"
	    "       addrgw -c FILE -n\n"
	    "       addrgw -c FILE reload\n"
	    "       addrgw -c FILE queue list [--json] | show [--json] ID |\n"
	    "                        retry ID|all | hold ID | release ID | "
	    "delete ID\n");
	exit(2);
}

/* mkdirs - create path and its parents (mode 0755), like mkdir -p */
static int
mkdirs(const char *path)
{
	char buf[4096];
	char *p;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* own - hand a directory made by root to the service user */
static void
own(const char *path, const struct passwd *pw)
{
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0 && errno != ENOENT)
		fatal("chown %s", path);
}

/* drop_privileges - after binding, as OpenSMTPD does */
static void
drop_privileges(const struct gw_config *cfg)
{
	struct passwd *pw;
	char sub[4200];
	static const char *const subs[] = { "queue", "tmp", "quarantine" };
	size_t i;

	if (geteuid() != 0)
		return;
	if (cfg->user == NULL) {
		log_warnx("running as root: set [server] user to a service "
		    "account");
		return;
	}
	if ((pw = getpwnam(cfg->user)) == NULL)
		fatalx("[server] user %s: no such user", cfg->user);
	if (mkdirs(cfg->spool) < 0)
		fatal("%s", cfg->spool);
	own(cfg->spool, pw);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", cfg->spool, subs[i]);
		if (mkdir(sub, 0700) < 0 && errno != EEXIST)
			fatal("%s", sub);
		own(sub, pw);
	}
	for (i = 0; i < cfg->nroutes; i++)
		if (cfg->routes[i].hop_kind == GW_HOP_DROP)
			own(cfg->routes[i].hop, pw);
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		fatal("cannot drop privileges to %s", cfg->user);
	if (setuid(0) == 0)
		fatalx("privileges were not dropped");
	log_info("running as %s", cfg->user);
}

/* check_dirs - the start-up self-check of spec-gateway.md §13 */
static void
check_dirs(const struct gw_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nroutes; i++) {
		const char *d = cfg->routes[i].hop;
		if (cfg->routes[i].hop_kind != GW_HOP_DROP)
			continue;
		if (access(d, W_OK | X_OK) < 0)
			fatal("route %s: drop directory %s is not writable",
			    cfg->routes[i].hop_text, d);
	}
}

int
main(int argc, char **argv)
{
	struct gw_config cfg;
	struct addr_buf errs;
	struct gw_server *srv;
	const char *file = NULL;
	int ch, foreground = 0, check = 0, verbose = 0;
	size_t i, nerr;

	while ((ch = getopt(argc, argv, "c:fnvV")) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': check = 1; break;
		case 'v': verbose = 1; break;
		case 'V':
			printf("addrgw %s\n", ADDRGW_VERSION);
			return 0;
		default: usage();
		}
	}
	if (file == NULL)
		usage();
	if (optind < argc && strcmp(argv[optind], "queue") &&
	    strcmp(argv[optind], "reload"))
		usage();
	if (optind < argc && !strcmp(argv[optind], "reload") &&
	    optind + 1 != argc)
		usage();
	addr_buf_init(&errs);
	nerr = gw_config_load(&cfg, file, &errs);
	/* the queue tool and reload need no directory */
	if (nerr == 0 && optind == argc)
		nerr = gw_directory_load(&cfg, &errs) +
		    gw_texts_load(&cfg, &errs);
	if (nerr > 0) {
		fputs(errs.ptr, stderr);
		return 1;
	}
	addr_buf_free(&errs);
	if (optind < argc) {
		int rc = !strcmp(argv[optind], "reload") ? gw_reload(&cfg) :
		    gw_qtool(&cfg, argc - optind - 1, argv + optind + 1);
		gw_config_free(&cfg);
		return rc;
	}
	if (check) {
		printf("%s: configuration OK\n", file);
		gw_config_free(&cfg);
		return 0;
	}
	if (log_init(cfg.log_file, foreground) < 0) {
		fprintf(stderr, "addrgw: %s: %s\n", cfg.log_file,
		    strerror(errno));
		return 1;
	}
	log_verbose(verbose);
	gw_pipeline_disclaimers(gw_disclaimer_apply);
	for (i = 0; i < cfg.nroutes; i++)
		if (cfg.routes[i].hop_kind == GW_HOP_DROP &&
		    mkdirs(cfg.routes[i].hop) < 0)
			fatal("route %s: cannot create %s",
			    cfg.routes[i].hop_text, cfg.routes[i].hop);
	if ((srv = gw_server_listen(&cfg)) == NULL)
		return 1;
	drop_privileges(&cfg);
	check_dirs(&cfg);
	if (!foreground && daemon(1, 0) < 0)
		fatal("daemon");
	log_info("addrgw %s starting", ADDRGW_VERSION);
	return gw_server_run(srv);
}
