# Top-level build. `make` builds bin/migrate; `make test` runs unit and
# integration tests; `make demo` runs the sandbox demo; `make deps` installs
# the Debian packages. SANITIZE=address,undefined builds with sanitizers into
# a separate object directory. `make install` / `make uninstall` (PREFIX,
# DESTDIR) and `make deb` are at the end.

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

.PHONY: all deps test unit-test integration-test demo demo-stop bench clean check-banned install uninstall deb

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
	$(CC) $(CPPFLAGS) $(CFLAGS) $(shell pkg-config --cflags $(TESTPKGS)) -MMD -MP -c -o $@ $<

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# SQL files are embedded as they are, so they also run unchanged in psql.
$(OBJDIR)/schemas/schemas.c: $(SQL_SRC) scripts/sql2c.sh
	@mkdir -p $(dir $@)
	sh scripts/sql2c.sh $(SQL_SRC) > $@

$(OBJDIR)/schemas/schemas.o: $(OBJDIR)/schemas/schemas.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

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

# --- install -----------------------------------------------------------------
# The project is called mariadb-pg-sync, and so is everything it installs
# outside its own directories. The commands keep their short names in the
# package's directory (PKGLIBDIR/bin/migrate, PKGLIBDIR/bin/stream), where the
# unit runs them; PATH gets prefixed links (mariadb-pg-sync-migrate,
# mariadb-pg-sync-stream), because /usr/bin/migrate (python3-migrate) and
# /usr/bin/stream (ImageMagick's alternative) belong to Debian packages.
# /etc and /var are used whatever the PREFIX (a daemon's settings live there);
# SYSCONFDIR and LOCALSTATEDIR change that. A second install changes nothing
# an operator edited: env.example is installed only where there is none, and
# nothing else under SYSCONFDIR/NAME is written. uninstall leaves the
# operator's files (.env, tables.d/*, an edited env.example) and says so.
NAME          := mariadb-pg-sync
PREFIX        ?= /usr/local
DESTDIR       ?=
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
PKGLIBDIR     ?= $(PREFIX)/lib/$(NAME)
UNITDIR       ?= $(PREFIX)/lib/systemd/system
MANDIR        ?= $(PREFIX)/share/man
DOCDIR        ?= $(PREFIX)/share/doc/$(NAME)
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
CONFDIR       := $(SYSCONFDIR)/$(NAME)
STATEDIR      := $(LOCALSTATEDIR)/lib/$(NAME)
INSTALL       ?= install
MANPAGES      := man/$(NAME)-migrate.1 man/$(NAME)-stream.1
DOCS          := README.md BENCHMARKS.md deploy/grafana-dashboard.json

# The unit and the example settings as installed: deploy/stream@.service is
# written for PREFIX=/usr/local and the default directories.
build/install/stream@.service: deploy/stream@.service Makefile
	@mkdir -p $(dir $@)
	sed -e 's|/usr/local/lib/$(NAME)|$(PKGLIBDIR)|g' -e 's|/usr/local/share/doc/$(NAME)|$(DOCDIR)|g' \
		-e 's|/etc/$(NAME)|$(CONFDIR)|g' -e 's|/var/lib/$(NAME)|$(STATEDIR)|g' $< > $@

build/install/env.example: env.example Makefile
	@mkdir -p $(dir $@)
	sed -e 's|^#TABLES_DIR=tables.d$$|TABLES_DIR=$(CONFDIR)/tables.d|' $< > $@

# Rebuilt whenever the directories may differ from the last install's.
.PHONY: build/install/stream@.service build/install/env.example

install: all build/install/stream@.service build/install/env.example
	$(INSTALL) -d $(DESTDIR)$(PKGLIBDIR)/bin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(COMPLETIONDIR) \
		$(DESTDIR)$(CONFDIR)/tables.d $(DESTDIR)$(STATEDIR)
	$(INSTALL) -m 755 $(BINDIR)/migrate $(BINDIR)/stream $(DESTDIR)$(PKGLIBDIR)/bin/
	for c in migrate stream; do \
		ln -sfn "$$(realpath -m --relative-to=$(PREFIX)/bin $(PKGLIBDIR)/bin/$$c)" $(DESTDIR)$(PREFIX)/bin/$(NAME)-$$c; \
	done
	$(INSTALL) -m 644 build/install/stream@.service $(DESTDIR)$(UNITDIR)/stream@.service
	$(INSTALL) -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 README.md BENCHMARKS.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 644 deploy/grafana-dashboard.json $(DESTDIR)$(DOCDIR)/examples/
	$(INSTALL) -m 644 completion/$(NAME)-migrate completion/$(NAME)-stream $(DESTDIR)$(COMPLETIONDIR)/
	@if [ -e $(DESTDIR)$(CONFDIR)/env.example ]; then \
		echo "keeping $(DESTDIR)$(CONFDIR)/env.example"; \
	else \
		echo "$(INSTALL) -m 644 build/install/env.example $(DESTDIR)$(CONFDIR)/env.example"; \
		$(INSTALL) -m 644 build/install/env.example $(DESTDIR)$(CONFDIR)/env.example; \
	fi

uninstall: build/install/env.example
	rm -f $(DESTDIR)$(PKGLIBDIR)/bin/migrate $(DESTDIR)$(PKGLIBDIR)/bin/stream \
		$(DESTDIR)$(PREFIX)/bin/$(NAME)-migrate $(DESTDIR)$(PREFIX)/bin/$(NAME)-stream \
		$(DESTDIR)$(UNITDIR)/stream@.service $(MANPAGES:man/%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/BENCHMARKS.md \
		$(DESTDIR)$(DOCDIR)/examples/grafana-dashboard.json \
		$(DESTDIR)$(COMPLETIONDIR)/$(NAME)-migrate $(DESTDIR)$(COMPLETIONDIR)/$(NAME)-stream
	@if cmp -s build/install/env.example $(DESTDIR)$(CONFDIR)/env.example; then \
		echo "rm -f $(DESTDIR)$(CONFDIR)/env.example"; rm -f $(DESTDIR)$(CONFDIR)/env.example; \
	elif [ -e $(DESTDIR)$(CONFDIR)/env.example ]; then \
		echo "keeping $(DESTDIR)$(CONFDIR)/env.example (edited)"; \
	fi
	-rmdir $(DESTDIR)$(PKGLIBDIR)/bin $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(CONFDIR)/tables.d $(DESTDIR)$(CONFDIR) $(DESTDIR)$(STATEDIR) 2>/dev/null
	@for d in $(DESTDIR)$(CONFDIR) $(DESTDIR)$(STATEDIR); do \
		[ ! -d $$d ] || echo "keeping $$d: $$(ls -A $$d | tr '\n' ' ')"; \
	done

# The Debian package (debian/), built from a copy of this tree so that the
# build tree's objects and binaries are neither used nor touched; the .deb
# and its .buildinfo/.changes land in build/deb/.
deb:
	rm -rf build/deb && mkdir -p build/deb/src
	tar --exclude=./build --exclude=./bin --exclude=./.git --exclude=./.env --exclude=./.demo -cf - . | tar -C build/deb/src -xf -
	cd build/deb/src && DEB_BUILD_OPTIONS="nocheck $(DEB_BUILD_OPTIONS)" dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

# (build/deb holds a copy of the tree, with its own objects and a tables.d/)
-include $(shell find build -path build/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
