/* uringprobe.c — io_uring as a way around the network filter, for
 * tests/shell/escape.sh.
 *
 *   uringprobe connect IPV4 PORT   a TCP socket made and connected by io_uring
 *                                  (IORING_OP_SOCKET, IORING_OP_CONNECT: no
 *                                  socket(2) or connect(2) call at all), then
 *                                  "ping" sent and the reply read
 *   uringprobe enter               io_uring_enter(-1, ...)
 *   uringprobe register            io_uring_register(-1, ...)
 *
 * prints one line per step: "setup ok" / "setup err ERRNO", "socket ok" /
 * "socket err ERRNO", "connect ok" / "connect err ERRNO", "reply TEXT";
 * "enter err ERRNO", "register err ERRNO" (EBADF is the kernel's answer to
 * fd -1, EPERM the seccomp filter's).  Raw system calls, no liburing.
 * Exit status 0; 2 for bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ECONNRESET: return "ECONNRESET";
	case ENETUNREACH: return "ENETUNREACH";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOMEM: return "ENOMEM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "OTHER";
	}
}

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r)
{
	struct io_uring_params p;
	size_t sqsz, cqsz;
	uint8_t *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sqsz = cqsz = sqsz > cqsz ? sqsz : cqsz;
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -errno;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -errno;
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submit one request and wait for its completion: its res (>= 0 or -errno). */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe)
{
	unsigned tail = atomic_load_explicit((_Atomic unsigned *)r->sq_tail, memory_order_acquire);
	unsigned idx = tail & *r->sq_mask, head;
	int res;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	atomic_store_explicit((_Atomic unsigned *)r->sq_tail, tail + 1, memory_order_release);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = atomic_load_explicit((_Atomic unsigned *)r->cq_head, memory_order_acquire);
	if (head == atomic_load_explicit((_Atomic unsigned *)r->cq_tail, memory_order_acquire))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	atomic_store_explicit((_Atomic unsigned *)r->cq_head, head + 1, memory_order_release);
	return res;
}

static int probe_connect(const char *ip, int port)
{
	struct ring r;
	struct io_uring_sqe sqe;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char buf[64];
	int rc, fd;
	ssize_t n;

	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return 2;
	rc = ring_setup(&r);
	if (rc < 0) {
		printf("setup err %s\n", errname(-rc));
		return 0;
	}
	printf("setup ok\n");

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_SOCKET;
	sqe.fd = AF_INET;
	sqe.off = SOCK_STREAM;
	sqe.len = 0;
	fd = ring_run(&r, &sqe);
	if (fd < 0) {
		printf("socket err %s\n", errname(-fd));
		return 0;
	}
	printf("socket ok\n");

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_CONNECT;
	sqe.fd = fd;
	sqe.addr = (uint64_t)(uintptr_t)&sa;
	sqe.off = sizeof(sa);
	rc = ring_run(&r, &sqe);
	if (rc < 0) {
		printf("connect err %s\n", errname(-rc));
		return 0;
	}
	printf("connect ok\n");
	fflush(stdout);
	if (write(fd, "ping", 4) != 4 || shutdown(fd, SHUT_WR) < 0) {
		printf("send err %s\n", errname(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("reply %s\n", n > 0 ? buf : errname(errno));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "connect"))
		return probe_connect(argv[2], atoi(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "enter")) {
		long r = syscall(__NR_io_uring_enter, -1, 0, 0, 0, NULL, 0);

		printf("enter %s %s\n", r < 0 ? "err" : "ok", r < 0 ? errname(errno) : "");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "register")) {
		long r = syscall(__NR_io_uring_register, -1, 0, NULL, 0);

		printf("register %s %s\n", r < 0 ? "err" : "ok", r < 0 ? errname(errno) : "");
		return 0;
	}
	fprintf(stderr, "usage: uringprobe connect IPV4 PORT | enter | register\n");
	return 2;
}
