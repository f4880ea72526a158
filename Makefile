# avalanche: build, test, run. `make run` and `make test` are the whole set-up on Debian.
# Objects go to $(BUILD) (default build/); `make asan` uses build-asan/.

CC := gcc
BUILD ?= build
PKGS := gsl cairo libconfig
# pkg-config name -> Debian package, for `make deps`
DEB_gsl := libgsl-dev
DEB_cairo := libcairo2-dev
DEB_libconfig := libconfig-dev
DEB_cmocka := libcmocka-dev

OPT ?= -O2
SAN ?=
CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra $(OPT) -g $(SAN) \
	-Iinclude -MMD -MP $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
TEST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

LIB_SRC := $(filter-out model/main.c,$(wildcard model/*.c)) $(wildcard model/k8s/*.c) $(wildcard plots/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libavalanche.a
BIN := $(BUILD)/avalanche
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/test_sim_renumber

INCIDENT := configs/k8s-1.12-incident.cfg
STABILITY := configs/stability.cfg
RESULTS ?= results

.PHONY: all deps run test check-tests asan bench fuzz figures paper format format-check clean

all: $(BIN) $(TEST_BIN)

# Keep test objects between builds (they are intermediate files of a pattern chain).
.SECONDARY:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/model/main.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(TEST_LDLIBS) $(LDLIBS)

# test_sim again on an engine whose 32-bit insertion counter runs out every 64 events, so that
# renumbering the pending events is exercised by every test of the engine.
$(BUILD)/model/sim_renumber.o: model/sim.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DSIM_SEQ_LIMIT=64 -c $< -o $@

$(BUILD)/tests/test_sim_renumber: $(BUILD)/tests/test_sim.o $(BUILD)/model/sim_renumber.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(TEST_LDLIBS) $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DAVALANCHE_BIN='"$(BUILD)/avalanche"' $(shell pkg-config --cflags cmocka) -c $< -o $@

# Install the Debian packages whose pkg-config module is missing (sudo when not root).
deps:
	@missing=""; \
	for p in $(PKGS) cmocka; do \
	  pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; \
	done; \
	pkgs=""; \
	command -v pkg-config >/dev/null || pkgs="pkg-config"; \
	for p in $$missing; do \
	  case $$p in gsl) pkgs="$$pkgs $(DEB_gsl)";; cairo) pkgs="$$pkgs $(DEB_cairo)";; \
	    libconfig) pkgs="$$pkgs $(DEB_libconfig)";; cmocka) pkgs="$$pkgs $(DEB_cmocka)";; esac; \
	done; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || pkgs="$$pkgs fonts-dejavu-core"; \
	if [ -n "$$pkgs" ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	  echo "make deps: installing$$pkgs"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	    --no-install-recommends gcc make pkg-config $$pkgs; \
	fi

# The main job: the 1.12 incident on the built-in defaults' config, with its dashboard.
run: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) run $(INCIDENT) --out $(RESULTS)/incident
	$(BIN) sweep $(STABILITY) --out $(RESULTS)/stability

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-tests

# Runs every test program; prints one closing line "N passed, N failed".
check-tests: $(TEST_BIN) $(BIN)
	@pass=0; fail=0; \
	for t in $(TEST_BIN); do \
	  if $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	done; \
	echo "test programs: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

asan: deps
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  check-tests

# Benchmarks (not part of `make test`): tests/bench.c prints a table and writes $(RESULTS)/bench.csv.
BENCH := $(BUILD)/tests/bench
$(BENCH): $(BUILD)/tests/bench.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory $(BIN) $(BENCH)
	@mkdir -p $(RESULTS)
	$(BENCH) $(RESULTS)/bench.csv

# libFuzzer harness for the config loader and the --set parser (clang).
FUZZ_BUILD := build-fuzz
FUZZ_SRC := model/config.c model/params.c model/dist.c model/err.c model/xmem.c
FUZZ_CORPUS ?= $(FUZZ_BUILD)/corpus
FUZZ_SECONDS ?= 60
$(FUZZ_BUILD)/fuzz_config: tests/fuzz_config.c $(FUZZ_SRC)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Iinclude \
	  -fsanitize=fuzzer,address,undefined $(shell pkg-config --cflags gsl libconfig) \
	  $^ -o $@ $(shell pkg-config --libs gsl libconfig) -lm -lpthread

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BUILD)/fuzz_config
	@mkdir -p $(FUZZ_CORPUS) $(FUZZ_BUILD)/artifacts
	$(FUZZ_BUILD)/fuzz_config -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_BUILD)/artifacts/ \
	  $(FUZZ_CORPUS) configs tests/data/bad

# The paper (not part of `make test`): figures and numbers from the shipped configs with fixed
# seeds (paper/figures.sh, about 2 minutes on 2 cores), then paper/paper.pdf with latexmk.
TEX_DEBS := latexmk texlive-latex-base texlive-latex-recommended texlive-latex-extra \
	texlive-fonts-recommended texlive-pictures
figures: deps
	@$(MAKE) --no-print-directory all
	@command -v python3 >/dev/null || { if [ "$$(id -u)" -eq 0 ]; then s=; else s=sudo; fi; \
	  $$s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq python3; }
	sh paper/figures.sh

paper:
	@if ! command -v latexmk >/dev/null 2>&1 || [ -z "$$(kpsewhich tikz.sty)" ] || \
	    [ -z "$$(kpsewhich natbib.sty)" ] || [ -z "$$(kpsewhich tabularx.sty)" ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then s=; else s=sudo; fi; \
	  $$s apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq $(TEX_DEBS); fi
	@[ -f paper/numbers.tex ] || $(MAKE) --no-print-directory figures
	cd paper && latexmk -pdf -interaction=nonstopmode -halt-on-error paper.tex

FORMAT_SRC = $(wildcard model/*.c model/k8s/*.c model/k8s/*.h plots/*.c include/*.h tests/*.c tests/*.h)
format:
	clang-format -i $(FORMAT_SRC)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

clean:
	rm -rf build build-asan build-fuzz
	-cd paper && latexmk -c >/dev/null 2>&1

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
