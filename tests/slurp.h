/*
 * slurp.h - a whole test data file in memory (slurp.c)
 *
 * The Makefile links every tests/ file that is not a test program into
 * all test programs.
 */
#ifndef TESTS_SLURP_H
#define TESTS_SLURP_H

#include <stddef.h>

/* slurp - path's contents, NUL-terminated (*len without the NUL), in a
 * malloc'd buffer the caller frees; NULL if it cannot be read */
char *slurp(const char *path, size_t *len);

#endif /* TESTS_SLURP_H */
