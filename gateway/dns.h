/*
 * dns.h - reading a DNS answer for MX records (pure: bytes in)
 */
#ifndef GW_DNS_H
#define GW_DNS_H

#include <stddef.h>

#define GW_MX_MAX 16		/* exchangers kept per domain */

struct gw_mx {
	unsigned pref;
	char host[256];		/* "" for a null MX (RFC 7505) */
};

/*
 * gw_dns_mx_parse - the MX records of a DNS response msg[0..len),
 * sorted by preference (stable), at most max of them, into mx; *n gets
 * their count and *rcode the response code (0 NOERROR, 3 NXDOMAIN).
 * Returns 0, or -1 when the message is malformed. Compression pointers
 * are followed at most 64 times, names are bounded to 255 octets.
 */
int gw_dns_mx_parse(const unsigned char *msg, size_t len, struct gw_mx *mx,
		    size_t max, size_t *n, int *rcode);

#endif /* GW_DNS_H */
