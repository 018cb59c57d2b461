/* list.h — an intrusive circular doubly linked list (the Linux kernel's
 * list_head shape): the resolver's cache LRU, waiters on an answer and TCP
 * clients.  A node that is in no list points at itself, so list_del() of a
 * lone node is a no-op and a node can be deleted twice safely. */
#ifndef NETBOX_LIST_H
#define NETBOX_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
	struct list *next, *prev;
};

#define list_entry(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

static inline void list_init(struct list *h)
{
	h->next = h->prev = h;
}

static inline bool list_empty(const struct list *h)
{
	return h->next == h;
}

static inline void list_add_tail(struct list *h, struct list *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

/* Unlink @n from whatever list holds it; a no-op on a lone node.
 * (clang-analyzer does not see that unlinking the first node moves the
 * head, and takes "free the first node until the list is empty" loops for
 * a use after free: hence the NOLINTs here and at such loops.) */
static inline void list_del(struct list *n)
{
	n->prev->next = n->next; /* NOLINT(clang-analyzer-unix.Malloc): see above */
	n->next->prev = n->prev;
	list_init(n);
}

/* Move every node of @from onto the (uninitialised) head @to. */
static inline void list_move_all(struct list *from, struct list *to)
{
	list_init(to);
	if (list_empty(from))
		return;
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	list_init(from);
}

#endif
