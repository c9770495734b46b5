/*
 * log.c - logging for addrgw: stderr, syslog or a file
 *
 * SYNOPSIS
 *	log_init(), log_verbose(), log_info(), log_debug(), log_warn(),
 *	log_warnx(), fatal(), fatalx()
 *
 * DESCRIPTION
 *	The OpenSMTPD split: log_warn appends strerror(errno) for failed
 *	system calls, log_warnx is for everything else, fatal/fatalx log and
 *	exit. One line per event; the caller puts the queue id first.
 *	Before log_init, lines go to stderr, so start-up errors are seen.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int use_syslog;
static FILE *logfp;
static int verbose;

int
log_init(const char *dest, int foreground)
{
	if (dest != NULL && strcmp(dest, "stderr") == 0) {
		use_syslog = 0;
		logfp = NULL;
	} else if (dest == NULL || strcmp(dest, "syslog") == 0) {
		/* -f without a [logging] file: the terminal */
		use_syslog = !foreground;
		if (use_syslog)
			openlog("addrgw", LOG_PID | LOG_NDELAY, LOG_MAIL);
	} else {
		FILE *fp = fopen(dest, "a");
		if (fp == NULL)
			return -1;
		setvbuf(fp, NULL, _IOLBF, 0);
		logfp = fp;
		use_syslog = 0;
	}
	return 0;
}

void
log_verbose(int on)
{
	verbose = on;
}

static void
vlog(int pri, const char *fmt, va_list ap, int with_errno)
{
	char msg[2048];
	int saved = errno;
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	if (use_syslog)
		syslog(pri, "%s", msg);
	else {
		FILE *fp = logfp ? logfp : stderr;
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
		fprintf(fp, "%s addrgw: %s\n", ts, msg);
		fflush(fp);
	}
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 1);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
