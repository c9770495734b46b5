/*
 * client.h - the SMTP client session as a pure state machine
 *
 * Like session.c for the server: the host (mta.c over a socket, a unit
 * test over strings) feeds the next hop's octets in and writes the
 * client's octets out; no sockets, no clock. One connection carries one
 * transaction of at most max_outbound_recipients recipients.
 */
#ifndef GW_CLIENT_H
#define GW_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "reply.h"

/* what the host must wait for, to choose the timeout of §2 */
enum gw_cphase {
	GW_CP_GREETING = 0,	/* greeting, EHLO, MAIL, RCPT: timeout 2 */
	GW_CP_DATA,		/* DATA's 354: timeout 3 */
	GW_CP_BLOCK,		/* content being written: timeout 4 */
	GW_CP_DOT,		/* the final ".": timeout 5 */
	GW_CP_DONE		/* results known; QUIT written */
};

/* the transaction to send; every pointer borrowed for the session */
struct gw_client_job {
	const char *helo;		/* our hostname, for EHLO and loops */
	const char *sender;		/* "" for <> */
	const char *const *rcpt;	/* forward-paths */
	size_t nrcpt;
	const char *content;		/* CR LF lines, not dot-stuffed */
	size_t len;
	int body_8bit;			/* the client declared BODY=8BITMIME */
	int smtputf8;			/* the client declared SMTPUTF8 */
};

/* the outcome for one recipient */
struct gw_client_result {
	int status;			/* 2, 4 or 5; 0 while unknown */
	char dsn[16];			/* enhanced status, e.g. "5.1.1" */
	char text[GW_REPLY_TEXT_MAX];	/* the reply or the reason */
};

struct gw_client;

/* gw_client_new - NULL when out of memory; job is borrowed */
struct gw_client *gw_client_new(const struct gw_client_job *job);
void gw_client_free(struct gw_client *c);

/* gw_client_feed - octets from the next hop */
void gw_client_feed(struct gw_client *c, const char *buf, size_t len);

/* gw_client_output - octets to write (borrowed); consume what was written */
const char *gw_client_output(const struct gw_client *c, size_t *len);
void gw_client_consume(struct gw_client *c, size_t n);

/* gw_client_phase - GW_CP_*; GW_CP_DONE once every result is known */
int gw_client_phase(const struct gw_client *c);

/*
 * gw_client_fail - the connection ended (EOF, error, timeout: text says
 * which, dsn its status): every recipient still unknown gets a
 * temporary failure. Also used before the greeting.
 */
void gw_client_fail(struct gw_client *c, const char *dsn, const char *text);

/* gw_client_result - the outcome of recipient i (borrowed) */
const struct gw_client_result *gw_client_result(const struct gw_client *c,
						size_t i);

/* gw_client_peer - the name the next hop gave in its greeting */
const char *gw_client_peer(const struct gw_client *c);


#endif /* GW_CLIENT_H */
