/*
 * GTID lists. A list is parsed strictly (three unsigned numbers separated
 * by '-', entries separated by ','), because a checkpoint or a server
 * state that cannot be read exactly must stop a failover rather than be
 * half understood. Sets are small (one entry per domain, or per domain and
 * server), so lookups are linear scans.
 */
#include "common/gtid.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* push: appends one entry */
static void
push(gtid_set *s, uint32_t domain, uint32_t server, uint64_t seq)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(gtid_entry));
	}
	s->v[s->n++] = (gtid_entry) { domain, server, seq };
}

/* number: one unsigned decimal number up to max; the rest or NULL */
static const char *
number(const char *p, uint64_t max, uint64_t *out)
{
	char *end;

	if (*p < '0' || *p > '9')
		return NULL;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno || v > max)
		return NULL;
	*out = v;
	return end;
}

bool
gtid_set_parse(gtid_set *s, const char *text, char *errbuf, size_t errlen)
{
	const char *p = text;

	gtid_set_clear(s);
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	while (*p) {
		const char *entry = p;
		uint64_t d, sv, q;
		if (!(p = number(p, UINT32_MAX, &d)) || *p++ != '-' || !(p = number(p, UINT32_MAX, &sv)) ||
			*p++ != '-' || !(p = number(p, UINT64_MAX, &q))) {
			size_t n = strcspn(entry, ",");
			snprintf(errbuf, errlen, "invalid GTID \"%.*s\" in \"%.200s\": expected domain-server-sequence",
					 (int) (n > 100 ? 100 : n), entry, text);
			gtid_set_clear(s);
			return false;
		}
		push(s, (uint32_t) d, (uint32_t) sv, q);
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == ',') {
			p++;
			while (*p == ' ' || *p == '\n' || *p == '\t')
				p++;
			if (!*p) {
				snprintf(errbuf, errlen, "invalid GTID list \"%.200s\": ends with a comma", text);
				gtid_set_clear(s);
				return false;
			}
		} else if (*p) {
			snprintf(errbuf, errlen, "invalid GTID list \"%.200s\": unexpected \"%c\"", text, *p);
			gtid_set_clear(s);
			return false;
		}
	}
	return true;
}

void
gtid_set_note(gtid_set *s, uint32_t domain, uint32_t server, uint64_t seq)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].domain == domain) {
			s->v[i].server = server;
			s->v[i].seq = seq;
			return;
		}
	push(s, domain, server, seq);
}

const gtid_entry *
gtid_set_domain(const gtid_set *s, uint32_t domain)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].domain == domain)
			return &s->v[i];
	return NULL;
}

bool
gtid_state_has(const gtid_set *state, const gtid_entry *g)
{
	for (size_t i = 0; i < state->n; i++)
		if (state->v[i].domain == g->domain && state->v[i].server == g->server && state->v[i].seq >= g->seq)
			return true;
	return false;
}

const gtid_entry *
gtid_state_last(const gtid_set *state, uint32_t domain)
{
	const gtid_entry *last = NULL;

	for (size_t i = 0; i < state->n; i++)
		if (state->v[i].domain == domain && (!last || state->v[i].seq > last->seq))
			last = &state->v[i];
	return last;
}

void
gtid_set_format(const gtid_set *s, buf *out)
{
	for (size_t i = 0; i < s->n; i++)
		buf_printf(out, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64, i ? "," : "", s->v[i].domain, s->v[i].server,
				   s->v[i].seq);
}

bool
gtid_set_format_fixed(const gtid_set *s, char *out, size_t len)
{
	buf b = BUF_INIT;
	bool fits;

	gtid_set_format(s, &b);
	fits = b.len < len;
	snprintf(out, len, "%s", fits && b.data ? b.data : "");
	buf_free(&b);
	return fits;
}

void
gtid_set_copy(gtid_set *dst, const gtid_set *src)
{
	gtid_set_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		push(dst, src->v[i].domain, src->v[i].server, src->v[i].seq);
}

void
gtid_set_clear(gtid_set *s)
{
	s->n = 0;
}

void
gtid_set_free(gtid_set *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
