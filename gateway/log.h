/*
 * log.h - addrgw's one log module
 *
 * stderr in the foreground (-f), syslog (mail facility) when daemonised,
 * or a file. Callers put the queue id (or NOQUEUE) first on every line
 * that concerns a message.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

/* log_init - dest NULL or "syslog": syslog; "stderr": standard error;
 * anything else a file appended to. Returns 0 or -1 (errno). */
int log_init(const char *dest, int foreground);
/* log_verbose - also emit log_debug lines */
void log_verbose(int on);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn - the message and strerror(errno); log_warnx without errno */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fatal, fatalx - log (with/without errno) and exit 1 */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif /* GW_LOG_H */
