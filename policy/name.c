/* name.c — host name normalisation for the policy (policy/): lower case,
 * no trailing dot, labels with non-ASCII characters in IDNA "xn--" form.
 *
 * The punycode encoder follows RFC 3492 section 6.3 (no decoder is needed:
 * names are only ever compared in their ASCII form).  Lower-casing is a
 * table of simple case mappings for the scripts most domain names use;
 * see policy_name_normalize() in policy.h for what is not covered.
 */
#include <string.h>

#include "policy/internal.h"

#define LABEL_MAX 63
#define NAME_MAX_LEN 253

/* ---- UTF-8 -------------------------------------------------------------- */

int policy_utf8_next(const unsigned char **pp, uint32_t *cp)
{
	const unsigned char *s = *pp;
	uint32_t c = s[0], min;
	int n;

	if (c < 0x80) {
		*cp = c;
		*pp = s + 1;
		return 0;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1, c &= 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2, c &= 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3, c &= 0x07, min = 0x10000;
	} else {
		return -1;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1; /* also stops at the NUL */
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*cp = c;
	*pp = s + n + 1;
	return 0;
}

/* ---- character tables --------------------------------------------------- */

/* Simple lower-case mappings.  alt: only every other code point from lo
 * (the upper case of an upper/lower pair) maps. */
static const struct case_range {
	uint32_t lo, hi;
	int32_t delta;
	bool alt;
} case_table[] = {
	/* Latin-1 Supplement (not U+00D7 ×) */
	{ 0x00C0, 0x00D6, 32, false },
	{ 0x00D8, 0x00DE, 32, false },
	/* Latin Extended-A (U+0130 İ is handled apart) */
	{ 0x0100, 0x012F, 1, true },
	{ 0x0132, 0x0137, 1, true },
	{ 0x0139, 0x0148, 1, true },
	{ 0x014A, 0x0177, 1, true },
	{ 0x0178, 0x0178, 0x00FF - 0x0178, false },
	{ 0x0179, 0x017E, 1, true },
	/* Greek */
	{ 0x0370, 0x0373, 1, true },
	{ 0x0376, 0x0376, 1, false },
	{ 0x037F, 0x037F, 0x03F3 - 0x037F, false },
	{ 0x0386, 0x0386, 0x03AC - 0x0386, false },
	{ 0x0388, 0x038A, 0x03AD - 0x0388, false },
	{ 0x038C, 0x038C, 0x03CC - 0x038C, false },
	{ 0x038E, 0x038F, 0x03CD - 0x038E, false },
	{ 0x0391, 0x03A1, 32, false },
	{ 0x03A3, 0x03AB, 32, false },
	{ 0x03CF, 0x03CF, 0x03D7 - 0x03CF, false },
	{ 0x03D8, 0x03EF, 1, true },
	{ 0x03F4, 0x03F4, 0x03B8 - 0x03F4, false },
	{ 0x03F7, 0x03F7, 1, false },
	{ 0x03F9, 0x03F9, 0x03F2 - 0x03F9, false },
	{ 0x03FA, 0x03FA, 1, false },
	{ 0x03FD, 0x03FF, 0x037B - 0x03FD, false },
	/* Cyrillic and Cyrillic Supplement */
	{ 0x0400, 0x040F, 80, false },
	{ 0x0410, 0x042F, 32, false },
	{ 0x0460, 0x0481, 1, true },
	{ 0x048A, 0x04BF, 1, true },
	{ 0x04C0, 0x04C0, 0x04CF - 0x04C0, false },
	{ 0x04C1, 0x04CE, 1, true },
	{ 0x04D0, 0x052F, 1, true },
};

static uint32_t lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xC0)
		return c;
	for (size_t i = 0; i < ARRAY_SIZE(case_table); i++) {
		const struct case_range *r = &case_table[i];

		if (c < r->lo || c > r->hi)
			continue;
		if (r->alt && (c - r->lo) % 2)
			return c;
		return (uint32_t)((int32_t)c + r->delta);
	}
	return c;
}

/* Non-ASCII code points refused in names: invisible, spacing, control,
 * private use.  (Noncharacters U+xFFFE/U+xFFFF are checked apart.) */
static const struct { uint32_t lo, hi; } refused[] = {
	{ 0x0080, 0x00A0 },   /* C1 controls, no-break space */
	{ 0x00AD, 0x00AD },   /* soft hyphen */
	{ 0x034F, 0x034F },   /* combining grapheme joiner */
	{ 0x061C, 0x061C },   /* Arabic letter mark */
	{ 0x115F, 0x1160 },   /* Hangul fillers */
	{ 0x1680, 0x1680 },   /* Ogham space */
	{ 0x180B, 0x180E },   /* Mongolian selectors, vowel separator */
	{ 0x2000, 0x200F },   /* spaces, zero-width, LRM/RLM */
	{ 0x2028, 0x202F },   /* separators, bidi embedding, narrow NBSP */
	{ 0x205F, 0x206F },   /* math space, word joiner, invisible operators, bidi */
	{ 0x3000, 0x3000 },   /* ideographic space */
	{ 0x3164, 0x3164 },   /* Hangul filler */
	{ 0xE000, 0xF8FF },   /* private use */
	{ 0xFDD0, 0xFDEF },   /* noncharacters */
	{ 0xFE00, 0xFE0F },   /* variation selectors */
	{ 0xFEFF, 0xFEFF },   /* BOM, zero-width no-break space */
	{ 0xFFA0, 0xFFA0 },   /* halfwidth Hangul filler */
	{ 0xFFF0, 0xFFFF },   /* specials, replacement character */
	{ 0xE0000, 0xE0FFF }, /* tags, variation selectors supplement */
	{ 0xF0000, 0x10FFFF },/* private use planes */
};

bool policy_char_invisible(uint32_t c)
{
	if ((c & 0xFFFE) == 0xFFFE)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		if (c >= refused[i].lo && c <= refused[i].hi)
			return true;
	return false;
}

/* Label separators: '.', and the dots UTS #46 maps to it. */
static bool is_dot(uint32_t c)
{
	return c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61;
}

static bool is_name_char(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* ---- punycode (RFC 3492) ------------------------------------------------ */

enum {
	PUNY_BASE = 36,
	PUNY_TMIN = 1,
	PUNY_TMAX = 26,
	PUNY_SKEW = 38,
	PUNY_DAMP = 700,
	PUNY_INITIAL_BIAS = 72,
	PUNY_INITIAL_N = 128,
};

static uint32_t puny_adapt(uint32_t delta, uint32_t numpoints, bool first)
{
	uint32_t k = 0;

	delta = first ? delta / PUNY_DAMP : delta / 2;
	delta += delta / numpoints;
	while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2) {
		delta /= PUNY_BASE - PUNY_TMIN;
		k += PUNY_BASE;
	}
	return k + (PUNY_BASE - PUNY_TMIN + 1) * delta / (delta + PUNY_SKEW);
}

static char puny_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/* Encode @n code points into @out (not NUL-terminated).  Returns the
 * length, or -1 if it would exceed @outmax. */
static int punycode_encode(const uint32_t *in, size_t n, char *out, size_t outmax)
{
	uint32_t cur = PUNY_INITIAL_N, bias = PUNY_INITIAL_BIAS, delta = 0;
	size_t o = 0, h, b;

	for (size_t j = 0; j < n; j++) {
		if (in[j] >= 0x80)
			continue;
		if (o >= outmax)
			return -1;
		out[o++] = (char)in[j];
	}
	h = b = o;
	if (b > 0) {
		if (o >= outmax)
			return -1;
		out[o++] = '-';
	}
	while (h < n) {
		uint32_t m = UINT32_MAX;

		for (size_t j = 0; j < n; j++)
			if (in[j] >= cur && in[j] < m)
				m = in[j];
		/* n <= 64 and m <= 0x10FFFF: no overflow in 32 bits. */
		delta += (m - cur) * (uint32_t)(h + 1);
		cur = m;
		for (size_t j = 0; j < n; j++) {
			if (in[j] < cur) {
				delta++;
				continue;
			}
			if (in[j] != cur)
				continue;
			uint32_t q = delta;
			for (uint32_t k = PUNY_BASE;; k += PUNY_BASE) {
				uint32_t t = k <= bias ? PUNY_TMIN :
					     k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
				if (q < t)
					break;
				if (o >= outmax)
					return -1;
				out[o++] = puny_digit(t + (q - t) % (PUNY_BASE - t));
				q = (q - t) / (PUNY_BASE - t);
			}
			if (o >= outmax)
				return -1;
			out[o++] = puny_digit(q);
			bias = puny_adapt(delta, (uint32_t)h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		cur++;
	}
	return (int)o;
}

/* ---- labels and names --------------------------------------------------- */

struct label {
	uint32_t cp[LABEL_MAX + 1];
	size_t n;
};

static int label_push(struct label *l, uint32_t c)
{
	if (l->n >= ARRAY_SIZE(l->cp))
		return -1;
	l->cp[l->n++] = c;
	return 0;
}

#define FIX_CHARS "host names contain letters, digits, '-', '_' and dots"
#define WHAT_LABEL_LEN "a label (the part between dots) is longer than 63 bytes"
#define FIX_LABEL_LEN "check the name; DNS labels have at most 63 bytes"

static int name_error(struct name_error *e, const char *what, const char *fix, uint32_t cp)
{
	e->what = what;
	e->fix = fix;
	e->cp = cp;
	return -1;
}

/* Convert one label (code points already lower-cased) and append it to
 * @out (length *olen) with a leading dot if not the first. */
static int label_emit(const struct label *l, char *out, size_t *olen, struct name_error *e)
{
	char tmp[LABEL_MAX + 1];
	size_t len = 0;
	bool ascii = true;

	for (size_t i = 0; i < l->n; i++) {
		if (l->cp[i] < 0x80 && !is_name_char(l->cp[i]))
			return name_error(e, "character not allowed in a host name", FIX_CHARS,
					  l->cp[i]);
		if (l->cp[i] >= 0x80)
			ascii = false;
	}
	if (ascii) {
		for (size_t i = 0; i < l->n && i < sizeof(tmp); i++)
			tmp[len++] = (char)l->cp[i];
		if (l->n > LABEL_MAX)
			len = LABEL_MAX + 1;
	} else {
		int r = punycode_encode(l->cp, l->n, tmp + 4, LABEL_MAX - 4);

		memcpy(tmp, "xn--", 4);
		len = r < 0 ? LABEL_MAX + 1 : (size_t)r + 4;
	}
	if (len > LABEL_MAX)
		return name_error(e, WHAT_LABEL_LEN, FIX_LABEL_LEN, 0);
	if (*olen + (*olen > 0) + len > NAME_MAX_LEN)
		return name_error(e, "name longer than 253 bytes",
				  "check the name; DNS names have at most 253 bytes", 0);
	if (*olen > 0)
		out[(*olen)++] = '.';
	memcpy(out + *olen, tmp, len);
	*olen += len;
	return 0;
}

/* Plain ASCII names (nearly all of them in profiles): lower-cased and
 * copied in one pass.  Anything the fast path would have to judge — a
 * byte outside [A-Za-z0-9_-.], an empty or long label, a long name, a
 * trailing dot — goes the full way instead, which also words the error.
 * fuzz_policy.c checks that both ways agree. */
static int name_check_ascii(const char *in, char *out, size_t outlen)
{
	size_t i, label = 0;

	for (i = 0; in[i]; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
			out[i] = '.';
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (!is_name_char(c))
			return -1;
		if (++label > LABEL_MAX || i + 1 >= outlen || i + 1 > NAME_MAX_LEN)
			return -1;
		out[i] = (char)c;
	}
	if (label == 0)
		return -1;
	out[i] = '\0';
	return 0;
}

int policy_name_check(const char *in, char *out, size_t outlen, struct name_error *e)
{
	if (in && name_check_ascii(in, out, outlen) == 0)
		return 0;
	return policy_name_check_slow(in, out, outlen, e);
}

int policy_name_check_slow(const char *in, char *out, size_t outlen, struct name_error *e)
{
	const unsigned char *s = (const unsigned char *)in;
	char buf[NAME_MAX_LEN + 1];
	size_t blen = 0;
	struct label l = { .n = 0 };
	struct name_error dummy;

	if (!e)
		e = &dummy;
	if (!in || !*in)
		return name_error(e, "empty host name", "give a name such as example.com", 0);
	for (;;) {
		uint32_t c = 0;
		bool end = *s == '\0';

		if (!end && policy_utf8_next(&s, &c) < 0)
			return name_error(e, "invalid UTF-8",
					  "write the name in UTF-8 or in its xn-- form", 0);
		if (end || is_dot(c)) {
			if (l.n == 0) {
				if (end && blen > 0)
					break; /* one trailing dot */
				return name_error(e, "empty label (a leading dot or two dots in a row)",
						  "write the name as example.com; it already covers subdomains", 0);
			}
			if (label_emit(&l, buf, &blen, e) < 0)
				return -1;
			l.n = 0;
			if (end)
				break;
			continue;
		}
		if (c >= 0x80 && policy_char_invisible(c))
			return name_error(e, "invisible, control or private-use character in the name",
					  FIX_CHARS, c);
		if (c == 0x0130) { /* İ: i and a combining dot above, as UTS #46 */
			if (label_push(&l, 'i') < 0 || label_push(&l, 0x0307) < 0)
				return name_error(e, WHAT_LABEL_LEN, FIX_LABEL_LEN, 0);
		} else if (label_push(&l, lower(c)) < 0) {
			return name_error(e, WHAT_LABEL_LEN, FIX_LABEL_LEN, 0);
		}
	}
	if (blen + 1 > outlen)
		return name_error(e, "no room for the name", "give a buffer of POLICY_NAME_MAX bytes", 0);
	memcpy(out, buf, blen);
	out[blen] = '\0';
	return 0;
}

int policy_name_normalize(const char *in, char *out, size_t outlen)
{
	return policy_name_check(in, out, outlen, NULL);
}
