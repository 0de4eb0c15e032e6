# Top-level build. `make` builds bin/migrate; `make test` runs unit and
# integration tests; `make demo` runs the sandbox demo; `make deps` installs
# the Debian packages. SANITIZE=address,undefined builds with sanitizers into
# a separate object directory.

CC      ?= cc
PKGS    := libmariadb libpq jansson zlib libzstd rdkafka libmicrohttpd
TESTPKGS := check
SANITIZE ?=

comma   := ,
VARIANT := $(if $(SANITIZE),san-$(subst $(comma),-,$(SANITIZE)),release)
OBJDIR  := build/$(VARIANT)
# Sanitized binaries live apart, so they never replace the release ones.
BINDIR  := $(if $(SANITIZE),$(OBJDIR)/bin,bin)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Werror -pthread -I.
CFLAGS  += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread -lm
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

COMMON_SRC  := $(wildcard common/*.c)
MIGRATE_SRC := $(wildcard migrate/*.c)
STREAM_SRC  := $(wildcard stream/*.c)
UNIT_SRC    := $(wildcard tests/unit/*.c)
SQL_SRC     := $(sort $(wildcard schemas/*.sql))

COMMON_OBJ  := $(COMMON_SRC:%.c=$(OBJDIR)/%.o) $(OBJDIR)/schemas/schemas.o
MIGRATE_OBJ := $(MIGRATE_SRC:%.c=$(OBJDIR)/%.o)
STREAM_OBJ  := $(STREAM_SRC:%.c=$(OBJDIR)/%.o)
# stream's modules without its command line: unit tests and benches link them
STREAM_LIB_OBJ := $(filter-out $(OBJDIR)/stream/main.o,$(STREAM_OBJ))
UNIT_OBJ    := $(UNIT_SRC:%.c=$(OBJDIR)/%.o)

# Relink the binaries whenever the variant changes.
VARIANT_STAMP := build/.variant
$(shell mkdir -p build; echo $(VARIANT) | cmp -s - $(VARIANT_STAMP) || echo $(VARIANT) > $(VARIANT_STAMP))

.PHONY: all deps test unit-test integration-test demo demo-stop bench clean check-banned

all: $(BINDIR)/migrate $(BINDIR)/stream

$(BINDIR)/migrate: $(MIGRATE_OBJ) $(COMMON_OBJ) $(VARIANT_STAMP) | check-banned
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) -o $@ $(MIGRATE_OBJ) $(COMMON_OBJ) $(LDLIBS)

$(BINDIR)/stream: $(STREAM_OBJ) $(COMMON_OBJ) $(VARIANT_STAMP) | check-banned
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) -o $@ $(STREAM_OBJ) $(COMMON_OBJ) $(LDLIBS)

# The binlog decoder's libFuzzer target: always clang with ASan and UBSan,
# whatever SANITIZE says; `make test` runs it briefly (tests/fuzz/run.sh).
FUZZ_CC  ?= clang
FUZZ_SRC := tests/fuzz/fuzz_binlog.c common/binlog.c common/binlog_table.c common/binlog_rows.c common/binlog_render.c common/xalloc.c
$(BINDIR)/fuzz-binlog: $(FUZZ_SRC) common/binlog.h common/xalloc.h
	@mkdir -p $(BINDIR)
	$(FUZZ_CC) -g -O1 -std=c11 -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $(FUZZ_SRC) $(shell pkg-config --libs zlib)

$(BINDIR)/unit-tests: $(UNIT_OBJ) $(STREAM_LIB_OBJ) $(COMMON_OBJ) $(VARIANT_STAMP)
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(STREAM_LIB_OBJ) $(COMMON_OBJ) $(shell pkg-config --libs $(TESTPKGS)) $(LDLIBS)

# Test-only Kafka tools (tests/kafka/): a mock cluster to stream into and a
# client that dumps (or produces) messages. They link only librdkafka, and
# only `make test` builds them.
KAFKA_TOOLS := $(BINDIR)/kafka-mock $(BINDIR)/kafka-dump

$(BINDIR)/kafka-mock: $(OBJDIR)/tests/kafka/mock_broker.o $(VARIANT_STAMP)
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs rdkafka) -pthread

$(BINDIR)/kafka-dump: $(OBJDIR)/tests/kafka/kafka_dump.o $(VARIANT_STAMP)
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs rdkafka) -pthread

# The DDL interpreter checked against a real MariaDB (tests/tools/ddl_check.c;
# t_ddl_history runs it); only `make test` builds it.
$(BINDIR)/ddl-check: $(OBJDIR)/tests/tools/ddl_check.o $(STREAM_LIB_OBJ) $(COMMON_OBJ) $(VARIANT_STAMP)
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) -o $@ $(OBJDIR)/tests/tools/ddl_check.o $(STREAM_LIB_OBJ) $(COMMON_OBJ) $(LDLIBS)

# What building and serialising one Debezium event costs (bench/dbz_encode.c;
# run by hand, see BENCHMARKS.md).
$(BINDIR)/dbz-encode-bench: $(OBJDIR)/bench/dbz_encode.o $(STREAM_LIB_OBJ) $(COMMON_OBJ) $(VARIANT_STAMP)
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) -o $@ $(OBJDIR)/bench/dbz_encode.o $(STREAM_LIB_OBJ) $(COMMON_OBJ) $(LDLIBS)

$(OBJDIR)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags $(TESTPKGS)) -MMD -MP -c -o $@ $<

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# SQL files are embedded as they are, so they also run unchanged in psql.
$(OBJDIR)/schemas/schemas.c: $(SQL_SRC) scripts/sql2c.sh
	@mkdir -p $(dir $@)
	sh scripts/sql2c.sh $(SQL_SRC) > $@

$(OBJDIR)/schemas/schemas.o: $(OBJDIR)/schemas/schemas.c
	$(CC) $(CFLAGS) -c -o $@ $<

# Functions that overflow buffers or hide errors are not used.
check-banned:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll)\s*\(' common/*.[ch] migrate/*.[ch] stream/*.[ch] tests/unit/*.c tests/fuzz/*.c tests/kafka/*.c tests/tools/*.c bench/*.c 2>/dev/null || (echo "banned function used (see above)"; exit 1)

deps:
	sh scripts/deps.sh

test: deps all $(BINDIR)/unit-tests $(BINDIR)/fuzz-binlog $(KAFKA_TOOLS) $(BINDIR)/ddl-check
	BINDIR=$(BINDIR) sh tests/run.sh

unit-test: $(BINDIR)/unit-tests
	$(BINDIR)/unit-tests

integration-test: all
	BINDIR=$(BINDIR) sh tests/integration/run.sh

demo: deps all $(KAFKA_TOOLS)
	sh scripts/demo.sh

demo-stop:
	sh scripts/demo.sh stop

bench: all
	sh bench/migrate_bench.sh

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
