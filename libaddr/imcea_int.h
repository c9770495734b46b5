/*
 * imcea_int.h - private declarations of imcea.c shared with the tests
 *
 * Not exported (libaddr is built with -fvisibility=hidden); the tests
 * link the static library and call these directly.
 */
#ifndef IMCEA_INT_H
#define IMCEA_INT_H

#include <stddef.h>

/*
 * addr__imcea_x400_quick - 1 when value[0..n) is certainly an
 * Exchange-form O/R address that addr_x400_parse accepts in lenient
 * mode, 0 when it cannot tell (the caller then runs the parser).
 */
int addr__imcea_x400_quick(const char *value, size_t n);

/*
 * addr__imcea_smtp_quick - 1 when value[0..n), whose last "@" is at at
 * (n when none), is certainly an addr-spec that addr_mailbox_parse
 * (ADDR_P_ADDR_SPEC, ADDR_F_UTF8) does not rate ERROR and whose domain
 * is a name; 0 when it cannot tell (the caller then runs the parser).
 */
int addr__imcea_smtp_quick(const char *value, size_t n, size_t at);

#endif
