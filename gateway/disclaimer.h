/*
 * disclaimer.h - add disclaimer texts to a message (spec-gateway.md §12)
 *
 * A pure function of the message octets and the texts: no I/O, no
 * configuration, no logging. GMime 3 reads the MIME structure; the
 * result is the input with only the changed text parts, their MIME
 * header fields and the marker header field rewritten.
 */
#ifndef GW_DISCLAIMER_H
#define GW_DISCLAIMER_H

#include <stddef.h>

#include "addr.h"

/* the header field that makes a second application a no-op */
#define GW_DISCLAIMER_MARKER	"X-Addrgw-Disclaimer"

/*
 * gw_disclaimer_apply - add a disclaimer to the RFC 5322 message
 * msg[0..len) (CR LF lines), writing the result to out (cleared first).
 * prepend/append: UTF-8 texts, nullable (none); trailing empty lines
 * are ignored. direction: "inbound" or "outbound"; instance: the
 * gateway's hostname (printable ASCII, no ';'). Every pointer is
 * borrowed.
 *
 * Returns 1 when the message was changed (*why NULL): the main
 * text/plain part got the text, the main text/html part the HTML-escaped
 * text (non-ASCII as character references), and a field
 * "X-Addrgw-Disclaimer: <direction>; <instance>" was added.
 *
 * Returns 0 when the message is left untouched: out then holds a
 * byte-identical copy and *why (why nullable) a static reason: "signed",
 * "encrypted", "marker present", "no text part" (none, or none whose
 * charset and transfer encoding allow a change) or "no disclaimer"
 * (both texts empty).
 *
 * Returns -1 on error: out of memory, a message GMime cannot parse or
 * whose structure cannot be located in its octets, a result GMime would
 * not read back with the same MIME tree and the marker (malformed
 * header sections), a text that is not UTF-8, a bad direction or
 * instance; out then holds a byte-identical copy (unless the copy
 * itself ran out of memory: out->oom) and *why a static reason.
 *
 * Memory: GMime parses a copy of the message, and of the result for
 * the final check; about four times the message size at the peak.
 *
 * GMime is initialised on the first call, exactly once per process
 * (pthread_once), so the function may be called from several threads
 * at once; a program must not call g_mime_shutdown() while calls may
 * still run. GLib, under GMime, aborts when its own allocations fail.
 */
int gw_disclaimer_apply(struct addr_buf *out, const char *msg, size_t len,
			const char *prepend, const char *append,
			const char *direction, const char *instance,
			const char **why);

#endif /* GW_DISCLAIMER_H */
