/* peek_tls.c — the server_name (SNI) of a TLS ClientHello, for peek.h's
 * peek_tls_sni(): the supervisor's transparent proxy (netproxy/proxy.c)
 * calls it on the bytes it peeks at on 443 and on rule ports that speak TLS.
 *
 * The bytes are untrusted (see peek.c for the rules all the peek parsers
 * keep): the record layer (tls_reassemble) checks what is left before each
 * byte it reads, the ClientHello is read through the bounds-checked cursor
 * below (get_u8/u16/u24/bytes/sub), and the one scratch buffer, for
 * reassembling a ClientHello fragmented across records, is on the stack.
 */
#include "netproxy/peek_internal.h"

#include <string.h>

#define TLS_RECORD_HDR		5
#define TLS_RECORD_MAX		16384	/* 2^14, RFC 8446 5.1 */
#define TLS_HS_HDR		4
#define TLS_HS_CLIENT_HELLO	1
#define TLS_RANDOM_LEN		32
#define TLS_SESSION_ID_MAX	32
#define TLS_EXT_SERVER_NAME	0x0000
#define TLS_EXT_ECH		0xfe0d
#define TLS_SNI_HOST_NAME	0
#define TLS_MAX_EXTENSIONS	128	/* real clients send about 20 */

/* ---- bounds-checked reader ----------------------------------------------- */

struct cursor {
	const uint8_t *p;
	size_t len;
	size_t off;	/* always <= len */
};

static void cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->off = 0;
}

static size_t cur_left(const struct cursor *c)
{
	return c->len - c->off;
}

static bool get_bytes(struct cursor *c, size_t n, const uint8_t **v)
{
	if (cur_left(c) < n)
		return false;
	*v = c->p + c->off;
	c->off += n;
	return true;
}

static bool skip(struct cursor *c, size_t n)
{
	const uint8_t *v;

	return get_bytes(c, n, &v);
}

static bool get_u8(struct cursor *c, uint8_t *v)
{
	const uint8_t *p;

	if (!get_bytes(c, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static bool get_u16(struct cursor *c, uint16_t *v)
{
	const uint8_t *p;

	if (!get_bytes(c, 2, &p))
		return false;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return true;
}

static bool get_u24(struct cursor *c, uint32_t *v)
{
	const uint8_t *p;

	if (!get_bytes(c, 3, &p))
		return false;
	*v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	return true;
}

/* The next @n bytes as a cursor of their own. */
static bool get_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	const uint8_t *p;

	if (!get_bytes(c, n, &p))
		return false;
	cur_init(sub, p, n);
	return true;
}

/* ---- ClientHello --------------------------------------------------------- */

/* Gather the first handshake message from the records in buf[0..len) into
 * hs[PEEK_TLS_HELLO_MAX].  PEEK_FOUND with *@hslen set once it is complete;
 * PEEK_NEED_MORE while the records so far are well-formed but do not hold it
 * all; PEEK_INVALID for a record that is not a handshake record or a message
 * that is not a ClientHello of at most PEEK_TLS_HELLO_MAX bytes.  Bytes after
 * the message are not looked at. */
static enum peek_result tls_reassemble(const uint8_t *buf, size_t len, uint8_t *hs, size_t *hslen)
{
	size_t pos = 0, have = 0, need = 0;	/* need: 0 until the header is in */

	for (;;) {
		size_t rlen, avail, end;

		if (len - pos < TLS_RECORD_HDR) {
			/* Judge the part of the record header we have. */
			if (len - pos > 0 && buf[pos] != TLS_CT_HANDSHAKE)
				return PEEK_INVALID;
			if (len - pos > 1 && buf[pos + 1] != 3)
				return PEEK_INVALID;
			if (len - pos > 3 && buf[pos + 3] > (TLS_RECORD_MAX >> 8))
				return PEEK_INVALID;
			return PEEK_NEED_MORE;
		}
		if (buf[pos] != TLS_CT_HANDSHAKE || buf[pos + 1] != 3)
			return PEEK_INVALID;
		rlen = (size_t)buf[pos + 3] << 8 | buf[pos + 4];
		/* Zero-length handshake fragments are forbidden (RFC 8446 5.1):
		 * refusing them also bounds the number of records. */
		if (rlen == 0 || rlen > TLS_RECORD_MAX)
			return PEEK_INVALID;
		pos += TLS_RECORD_HDR;
		end = pos + rlen;	/* may lie beyond len */
		avail = peek_min_size(rlen, len - pos);

		while (avail > 0) {
			size_t want = need ? need - have : TLS_HS_HDR - have;
			size_t n = peek_min_size(avail, want);

			memcpy(hs + have, buf + pos, n);
			have += n;
			pos += n;
			avail -= n;
			if (hs[0] != TLS_HS_CLIENT_HELLO)
				return PEEK_INVALID;
			if (have >= 2 && hs[1] != 0)	/* >= 64 KiB */
				return PEEK_INVALID;
			if (!need && have == TLS_HS_HDR) {
				need = TLS_HS_HDR +
				       ((size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3]);
				if (need > PEEK_TLS_HELLO_MAX)
					return PEEK_INVALID;
			}
			if (need && have == need) {
				*hslen = have;
				return PEEK_FOUND;
			}
		}
		if (end > len)
			return PEEK_NEED_MORE;
		pos = end;
	}
}

/* server_name (RFC 6066, 3): a list holding exactly one host_name. */
static bool tls_server_name(struct cursor *ext, const uint8_t **name, size_t *namelen)
{
	uint16_t list_len, n;
	uint8_t type;
	const uint8_t *p;

	if (!get_u16(ext, &list_len) || list_len != cur_left(ext))
		return false;
	if (!get_u8(ext, &type) || type != TLS_SNI_HOST_NAME)
		return false;
	if (!get_u16(ext, &n) || !get_bytes(ext, n, &p))
		return false;
	if (cur_left(ext) != 0)		/* a second entry */
		return false;
	if (!peek_name_check(p, n, namelen))
		return false;
	*name = p;
	return true;
}

/* The ClientHello (RFC 8446 4.1.2; 5246 7.4.1.2) in hs[0..n), complete. */
static enum peek_result tls_client_hello(const uint8_t *hs, size_t n, char *host, size_t hostlen,
					 struct peek_tls_info *info)
{
	struct cursor c, exts;
	uint16_t version, cs_len, ext_len, types[TLS_MAX_EXTENSIONS];
	uint8_t type, sid_len, cm_len;
	uint32_t body;
	const uint8_t *name = NULL;
	size_t name_len = 0, next = 0;
	bool ech = false;

	cur_init(&c, hs, n);
	if (!get_u8(&c, &type) || type != TLS_HS_CLIENT_HELLO)
		return PEEK_INVALID;
	if (!get_u24(&c, &body) || body != cur_left(&c))
		return PEEK_INVALID;
	if (!get_u16(&c, &version) || version >> 8 != 3)
		return PEEK_INVALID;
	if (!skip(&c, TLS_RANDOM_LEN))
		return PEEK_INVALID;
	if (!get_u8(&c, &sid_len) || sid_len > TLS_SESSION_ID_MAX || !skip(&c, sid_len))
		return PEEK_INVALID;
	if (!get_u16(&c, &cs_len) || cs_len < 2 || cs_len % 2 || !skip(&c, cs_len))
		return PEEK_INVALID;
	if (!get_u8(&c, &cm_len) || cm_len < 1 || !skip(&c, cm_len))
		return PEEK_INVALID;
	if (cur_left(&c) == 0) {
		/* No extensions at all (SSL 3.0 / TLS 1.0 style): no SNI. */
		if (info)
			info->ech = false;
		return PEEK_ABSENT;
	}
	if (!get_u16(&c, &ext_len) || ext_len != cur_left(&c) || !get_sub(&c, ext_len, &exts))
		return PEEK_INVALID;

	while (cur_left(&exts) > 0) {
		struct cursor ext;
		uint16_t etype, elen;

		if (!get_u16(&exts, &etype) || !get_u16(&exts, &elen) ||
		    !get_sub(&exts, elen, &ext))
			return PEEK_INVALID;
		if (next == TLS_MAX_EXTENSIONS)
			return PEEK_INVALID;
		/* "There MUST NOT be more than one extension of the same type"
		 * (RFC 8446 4.2): a server might act on another one than us. */
		for (size_t i = 0; i < next; i++)
			if (types[i] == etype)
				return PEEK_INVALID;
		types[next++] = etype;

		if (etype == TLS_EXT_SERVER_NAME) {
			if (!tls_server_name(&ext, &name, &name_len))
				return PEEK_INVALID;
		} else if (etype == TLS_EXT_ECH) {
			ech = true;
		}
	}
	if (!name) {
		if (info)
			info->ech = ech;
		return PEEK_ABSENT;
	}
	if (!peek_put_lower(host, hostlen, name, name_len))
		return PEEK_INVALID;
	if (info)
		info->ech = ech;
	return PEEK_FOUND;
}

enum peek_result peek_tls_sni_ex(const uint8_t *buf, size_t len, char *host, size_t hostlen,
				 struct peek_tls_info *info)
{
	uint8_t hs[PEEK_TLS_HELLO_MAX];
	size_t n = peek_min_size(len, PEEK_TLS_MAX), hslen = 0;
	enum peek_result r;

	peek_clear_host(host, hostlen);
	if (info)
		memset(info, 0, sizeof(*info));
	r = tls_reassemble(buf, n, hs, &hslen);
	if (r == PEEK_NEED_MORE && len >= PEEK_TLS_MAX)
		return PEEK_INVALID;
	if (r != PEEK_FOUND)
		return r;
	r = tls_client_hello(hs, hslen, host, hostlen, info);
	if (r != PEEK_FOUND)
		peek_clear_host(host, hostlen);
	if (r == PEEK_INVALID && info)
		memset(info, 0, sizeof(*info));
	return r;
}

enum peek_result peek_tls_sni(const uint8_t *buf, size_t len, char *host, size_t hostlen)
{
	return peek_tls_sni_ex(buf, len, host, hostlen, NULL);
}
