/*
 * version.h - the version addrgw reports in its banner and Received:
 *
 * The Makefile passes -DADDRGW_VERSION from its VERSION; the fallback
 * serves builds that include gateway sources directly (unit tests).
 */
#ifndef GW_VERSION_H
#define GW_VERSION_H
#ifndef ADDRGW_VERSION
#define ADDRGW_VERSION "0.1.0"
#endif
#endif /* GW_VERSION_H */
