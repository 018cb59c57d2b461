/* fuzz.h — what every libFuzzer target here shares: the entry point's
 * prototype (-Wmissing-prototypes) and CHECK(), an invariant that aborts
 * with the condition named (libFuzzer then keeps the input as a crash),
 * even where assert() is compiled out. */
#ifndef NETBOX_FUZZ_H
#define NETBOX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
				__LINE__, #cond);				\
			abort();						\
		}								\
	} while (0)

#endif
