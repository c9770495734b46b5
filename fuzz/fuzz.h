/*
 * fuzz.h - what every fuzz target shares
 *
 * DESCRIPTION
 *	The libFuzzer entry point's prototype (the replay driver and
 *	libFuzzer both call it) and FZ_CHECK. A violated invariant prints
 *	one line naming it and calls abort(): libFuzzer then saves the
 *	input as a crash, and the replay driver dies with SIGABRT, which
 *	make test counts as a failure.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FZ_CHECK - abort with a message when an invariant does not hold */
#define FZ_CHECK(cond, what)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz invariant failed: %s [%s] "\
				"at %s:%d\n", (what), #cond, __FILE__,	\
				__LINE__);				\
			abort();					\
		}							\
	} while (0)

#endif /* FUZZ_H */
