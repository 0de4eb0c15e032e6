/*
 * Hexadecimal digits: the one encoder and decoder used by the type map
 * (bytea and WKB values, UUIDs) and the chunk ledger (key bounds).
 */
#ifndef COMMON_HEX_H
#define COMMON_HEX_H

#include <stddef.h>
#include "common/xalloc.h"

/* hex_value: the value of one hex digit (either case), or -1 */
int hex_value(char c);

/* hex_append: appends each byte of data as two lowercase hex digits */
void hex_append(buf *out, const void *data, size_t len);

#endif
