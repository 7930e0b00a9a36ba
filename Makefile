# soupbench: build, run, test.
#
#   make          build ./soupbench
#   make run      the main job: the quickstart synthetic experiment, results and figures
#   make bench    print DGEMM GFLOP/s, one training step and the basis training time
#   make test     build and run every test (cmocka unit tests and end-to-end checks)
#   make deps     check the Debian packages soupbench needs; install the missing ones
#   make clean    remove build outputs (not results/)
#
# `run` and `test` first make sure every dependency is installed, then
# re-enter make, so that pkg-config is only asked once the packages exist.

PKGS       := hdf5-serial openblas lapacke libcjson zlib
CC         ?= cc
GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
# Recursively expanded: pkg-config is asked when a recipe needs it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Iharness -Imethods -Idatasets -Ibuild
CPPFLAGS  += -DSB_GIT_COMMIT='"$(GIT_COMMIT)"'
LDLIBS     = $(PKG_LIBS) -lm

LIB_SRC    := $(filter-out harness/main.c,$(wildcard harness/*.c methods/*.c datasets/*.c))
LIB_OBJ    := $(LIB_SRC:%.c=build/%.o) build/plot_templates.o
TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=build/tests/%)

QUICKSTART := paper/experiments/quickstart.json

.PHONY: all run bench test deps clean 
all: soupbench

soupbench: build/harness/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/%.o: %.c $(wildcard harness/*.h methods/*.h datasets/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The gnuplot templates in plots/ are compiled into the binary, so that
# `soupbench plot` works from any folder.
build/plot_templates.c: $(wildcard plots/*.gp) harness/embed_templates.sh
	@mkdir -p build
	sh harness/embed_templates.sh plots/*.gp > $@

build/plot_templates.o: build/plot_templates.c
	$(CC) $(CFLAGS) -c -o $@ $<

build/tests/%: tests/%.c $(LIB_OBJ)
	@mkdir -p build/tests
	$(CC) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -Itests -o $@ $< $(LIB_OBJ) $(LDLIBS) $(shell pkg-config --libs cmocka)

deps:
	@sh harness/ensure_deps.sh

run: deps
	@$(MAKE) --no-print-directory soupbench
	./soupbench run $(QUICKSTART) --out results/quickstart.h5
	./soupbench plot results/quickstart.h5 --outdir plots/quickstart --format png,svg,pdf

bench: deps
	@$(MAKE) --no-print-directory soupbench
	./soupbench bench $(QUICKSTART)

test: deps
	@$(MAKE) --no-print-directory soupbench $(TEST_BIN)
	@sh tests/run.sh $(TEST_BIN)

clean:
	rm -rf build soupbench
