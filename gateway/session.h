/*
 * session.h - the SMTP server session as a pure state machine
 *
 * The host (server.c over sockets, a test or a fuzz target over a byte
 * string) feeds the client's octets in and takes the replies out; the
 * session never touches a socket, a clock other than time() for the
 * Received: header, or the queue other than through the commit callback.
 */
#ifndef GW_SESSION_H
#define GW_SESSION_H

#include <stddef.h>
#include <sys/socket.h>

#include "config.h"

#define GW_QID_SIZE 24		/* a queue id and its NUL */

struct gw_rcpt {
	char *addr;		/* normalized forward-path, no angle brackets */
	char *orig;		/* as the client gave it, no angle brackets */
};

/* What the commit callback receives at the end of DATA. Borrowed. */
struct gw_message {
	const char *sender;	/* normalized reverse-path; "" for <> */
	const struct gw_rcpt *rcpt;
	size_t nrcpt;
	const char *data;	/* CR LF lines, unstuffed, our Received: first */
	size_t len;
	int body_8bit;		/* BODY=8BITMIME */
	int smtputf8;		/* MAIL ... SMTPUTF8 */
	const char *helo;
	const char *client;	/* client address as text */
};

struct gw_session_cb {
	void *arg;
	/*
	 * commit - make the message durable (queue.c) and write its queue id
	 * into id. Return 0 when the message is safely queued, -1 when it is
	 * not (the client gets 451 4.3.0 and nothing stays queued).
	 */
	int (*commit)(void *arg, const struct gw_message *msg, char *id,
		      size_t idsize);
	/* log - one event line ("NOQUEUE: reject: ..."), nullable */
	void (*log)(void *arg, const char *line);
	/* transcript - one protocol line, dir '<' (client) or '>' (server);
	 * nullable; message content is never passed */
	void (*transcript)(void *arg, char dir, const char *line, size_t len);
};

struct gw_session;

/*
 * gw_session_new - a session for one client connection, with the banner
 * already in the output. cfg and cb are borrowed and must outlive the
 * session; client is copied; relay_listener: the client came in on a
 * listener marked "relay". NULL when out of memory.
 */
struct gw_session *gw_session_new(const struct gw_config *cfg,
				  const struct gw_session_cb *cb,
				  const struct sockaddr *client,
				  int relay_listener);

/* gw_session_free - release a session; NULL is a no-op */
void gw_session_free(struct gw_session *s);

/*
 * gw_session_feed - process len octets from the client. Every complete
 * command (and a whole message at end of DATA, including its commit) is
 * handled before the call returns; replies accumulate in the output.
 * Input after the session decided to close is ignored.
 */
void gw_session_feed(struct gw_session *s, const char *buf, size_t len);

/* gw_session_output - the pending reply octets (borrowed) */
const char *gw_session_output(const struct gw_session *s, size_t *len);

/* gw_session_consume - drop n octets of output, written by the host */
void gw_session_consume(struct gw_session *s, size_t n);

/*
 * gw_session_delay - milliseconds the host should wait before writing
 * the pending output (the error tarpit); reading resets it to 0.
 */
unsigned gw_session_delay(struct gw_session *s);

/* gw_session_closing - nonzero when the host must close the connection
 * once the output is written */
int gw_session_closing(const struct gw_session *s);

/* gw_session_timeout - the client was idle too long: 421 and close */
void gw_session_timeout(struct gw_session *s);

/* gw_session_eof - the client closed its side; logs a lost transaction */
void gw_session_eof(struct gw_session *s);

#endif /* GW_SESSION_H */
