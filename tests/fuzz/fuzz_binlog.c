/*
 * libFuzzer target for the binlog decoder (common/binlog.c).
 *
 * An input is one mode byte and then a sequence of events, each as long as
 * its event_size field says when that fits in what is left (else the rest
 * of the input is one event), optionally after the "\xfebin" magic, so the
 * seeds are plain recorded events (tests/fuzz/corpus, cut from the unit
 * test fixtures by scripts/record_binlog.sh). All events go to one decoder,
 * so table maps, the format description and the checksum mode carry over
 * as in a real stream.
 *
 * The mode byte: bit 0 turns checksums on before the first event; bits 1-3
 * shift the render hint the hook gives each column (every hint lands on
 * some column); bit 4 has the hook set fractional digits (-1 to 6) on every
 * column; bit 5 flips signedness; bit 6 has the hook refuse tables whose
 * name starts with 'x'; bit 7 rewrites the last four bytes of every event
 * as the CRC32 of the rest, so that mutated events get past the checksum
 * to the parsers (the seeds have it set). The hook wants every table and
 * supplies ENUM/SET labels where the binlog has none.
 *
 * Every decoded value is read in full, so a pointer outside the arena or a
 * wrong length shows up under ASan; a failed decode must have written a
 * message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/binlog.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t mode;

static const char *const labels[] = { "a", "bb", "", "dddd", "e,e", "f", "g", "h" };

/* fuzz_hook: wants every table, varies what a stream's hook would set */
static bool
fuzz_hook(binlog_table *t, void *ctx, char *errbuf, size_t errlen)
{
	(void) ctx;
	if ((mode & 0x40) && t->name[0] == 'x') {
		snprintf(errbuf, errlen, "refused by the fuzz hook");
		return false;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		binlog_column *c = &t->cols[i];

		c->render = (binlog_render) (((mode >> 1) & 7) + i) % 5;
		if (c->nlabels == 0) {
			c->labels = (const char **) labels;
			c->nlabels = 1 + (i + mode) % 8;
		}
		if (mode & 0x10)
			c->decimals = (int) ((i + mode) % 8) - 1;
		if (mode & 0x20)
			c->is_unsigned = !c->is_unsigned;
	}
	t->wanted = true;
	return true;
}

/* touch: reads every byte the decoder handed out */
static void
touch(const void *p, size_t n)
{
	volatile uint8_t sink = 0;

	for (size_t i = 0; i < n; i++)
		sink ^= ((const uint8_t *) p)[i];
	(void) sink;
}

static void
touch_str(const char *s)
{
	if (s)
		touch(s, strlen(s) + 1);
}

static void
touch_event(const binlog_event *ev)
{
	switch (ev->kind) {
	case BINLOG_EV_FORMAT:
		touch_str(ev->u.format.server_version);
		break;
	case BINLOG_EV_ROTATE:
		touch_str(ev->u.rotate.file);
		break;
	case BINLOG_EV_QUERY:
		touch_str(ev->u.query.db);
		touch(ev->u.query.sql, ev->u.query.sql_len + 1);
		break;
	case BINLOG_EV_ANNOTATE:
		touch(ev->u.annotate.sql, ev->u.annotate.sql_len + 1);
		break;
	case BINLOG_EV_HEARTBEAT:
		touch_str(ev->u.heartbeat.file);
		break;
	case BINLOG_EV_TABLE_MAP: {
		const binlog_table *t = ev->u.table_map;

		touch_str(t->db);
		touch_str(t->name);
		for (size_t i = 0; i < t->ncols; i++) {
			touch_str(t->cols[i].name);
			for (size_t l = 0; l < t->cols[i].nlabels; l++)
				touch_str(t->cols[i].labels[l]);
		}
		break;
	}
	case BINLOG_EV_ROWS: {
		const binlog_table *t = ev->u.rows.table;

		if (ev->u.rows.nrows && !t)
			abort();
		for (size_t r = 0; r < ev->u.rows.nrows; r++)
			for (int img = 0; img < 2; img++) {
				const binlog_value *v = img ? ev->u.rows.rows[r].after : ev->u.rows.rows[r].before;

				for (size_t c = 0; v && c < t->ncols; c++) {
					if (!v[c].present && v[c].data)
						abort();
					if (v[c].data)
						touch(v[c].data, v[c].len);
				}
			}
		break;
	}
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;

	binlog_decoder *d = binlog_decoder_new(fuzz_hook, NULL);

	binlog_decoder_set_checksum(d, mode & 1);
	if (size >= 4 && memcmp(data, "\xfe" "bin", 4) == 0) {
		data += 4;
		size -= 4;
	}
	while (size > 0) {
		size_t		n = size;

		if (size >= 13) {
			uint32_t	es = (uint32_t) data[9] | (uint32_t) data[10] << 8 |
				(uint32_t) data[11] << 16 | (uint32_t) data[12] << 24;

			if (es > 0 && es <= size)
				n = es;
		}

		binlog_event ev;
		char		err[512] = "";
		const uint8_t *event = data;

		if ((mode & 0x80) && n >= 23) {
			uint8_t    *copy = malloc(n);
			uint32_t	crc;

			if (!copy)
				abort();
			memcpy(copy, data, n);
			crc = (uint32_t) crc32(0L, copy, (uInt) (n - 4));
			for (int i = 0; i < 4; i++)
				copy[n - 4 + i] = (uint8_t) (crc >> (8 * i));
			event = copy;
		}
		if (binlog_decode(d, event, n, &ev, err, sizeof(err)))
			touch_event(&ev);
		else if (err[0] == '\0')
			abort();            /* a failure always says why */
		if (event != data)
			free((void *) event);
		data += n;
		size -= n;
	}
	binlog_decoder_free(d);
	return 0;
}
