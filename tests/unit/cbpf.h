/* cbpf.h — a classic BPF interpreter for the tests: runs the socket filters
 * of common/watchfilter.c on packets in user space, as the kernel would
 * (sk_filter: a load past the end, or before the start, drops the packet;
 * SKF_NET_OFF reads the network header), so that tests/unit/test_watch.c
 * and fuzz/fuzz_watch.c can check that the filters and the parser agree.
 * Only the instructions those filters use; any other aborts.
 */
#ifndef NETBOX_TEST_CBPF_H
#define NETBOX_TEST_CBPF_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* @data from where the socket's view starts; @net, the network header
 * (for IPv4 raw sockets: @data itself). */
struct cbpf_pkt {
	const uint8_t *data;
	size_t len;
	const uint8_t *net;
	size_t netlen;
};

static inline bool cbpf_load(const struct cbpf_pkt *p, int64_t off, size_t size, uint32_t *v)
{
	const uint8_t *base = p->data;
	size_t len = p->len;

	if (off < 0) {
		if (off < SKF_NET_OFF) /* SKF_LL_OFF, SKF_AD_OFF: not used */
			return false;
		off -= SKF_NET_OFF;
		base = p->net;
		len = p->netlen;
	}
	if (!base || (uint64_t)off > len || len - (size_t)off < size)
		return false;
	*v = 0;
	for (size_t i = 0; i < size; i++)
		*v = *v << 8 | base[off + (int64_t)i];
	return true;
}

/* What the filter returns: the bytes kept, 0 for a dropped packet. */
static inline uint32_t cbpf_run(const struct sock_fprog *prog, const struct cbpf_pkt *p)
{
	uint32_t a = 0, x = 0, v;

	for (size_t pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *f = &prog->filter[pc];
		size_t size = BPF_SIZE(f->code) == BPF_W ? 4 : BPF_SIZE(f->code) == BPF_H ? 2 : 1;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			if (!cbpf_load(p, (int32_t)f->k, size, &a))
				return 0;
			break;
		case BPF_LD | BPF_W | BPF_IND:
		case BPF_LD | BPF_H | BPF_IND:
		case BPF_LD | BPF_B | BPF_IND:
			if (!cbpf_load(p, (int64_t)x + (int32_t)f->k, size, &a))
				return 0;
			break;
		case BPF_LDX | BPF_B | BPF_MSH:
			if (!cbpf_load(p, (int32_t)f->k, 1, &v))
				return 0;
			x = 4 * (v & 0xf);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			abort();
		}
	}
	abort(); /* the kernel refuses a program that can run off its end */
}

#endif
