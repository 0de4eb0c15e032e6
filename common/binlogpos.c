/*
 * Binlog position helpers; see binlogpos.h. Binlog file names share a base
 * name and differ in a numeric extension that grows, so comparing the
 * extension as a number orders files even past 999999.
 */
#include "common/binlogpos.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* file_seq: the numeric extension of a binlog file name, or 0 */
static uint64_t
file_seq(const char *file)
{
	const char *dot = strrchr(file, '.');

	if (!dot)
		return 0;
	return strtoull(dot + 1, NULL, 10);
}

int
binlogpos_cmp(const binlogpos *a, const binlogpos *b)
{
	uint64_t fa = file_seq(a->file), fb = file_seq(b->file);

	if (fa != fb)
		return fa < fb ? -1 : 1;
	int c = strcmp(a->file, b->file);
	if (c != 0)
		return c;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return 0;
}

void
binlogpos_format(const binlogpos *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s:%" PRIu64, p->file, p->pos);
}
