/*
 * Hexadecimal digits; see hex.h.
 */
#include "common/hex.h"

int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
hex_append(buf *out, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = data;

	buf_reserve(out, 2 * len);
	char *d = out->data + out->len;
	for (size_t i = 0; i < len; i++) {
		*d++ = digits[s[i] >> 4];
		*d++ = digits[s[i] & 15];
	}
	out->len += 2 * len;
	out->data[out->len] = '\0';
}
