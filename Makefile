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

# MPI (`make mpi`): the sweep across machines, built with OpenMPI's mpicc; nothing else needs it.
MPI_SRC := model/sweep/sweep_mpi.c model/cli/main_mpi.c
MPI_BIN := $(BUILD)/avalanche-mpi
MPICC ?= mpicc

LIB_SRC := $(filter-out model/cli/main.c $(MPI_SRC),$(wildcard model/*/*.c)) $(wildcard plots/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libavalanche.a
BIN := $(BUILD)/avalanche
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/test_sim_renumber

INCIDENT := configs/k8s-1.12-incident.cfg
STABILITY := configs/stability.cfg
RESULTS ?= results

.PHONY: all deps deps-mpi mpi run test check-tests asan bench fuzz figures paper format format-check \
	clean

all: $(BIN) $(TEST_BIN)

# ---- provenance (cli): the version and commit compiled into model/engine/version.c ----------------
# The commit is `git rev-parse --short HEAD`, with -dirty when tracked files differ from it, or
# "unknown" outside a git checkout. build_info.h is rewritten only when its text changes, so a
# new commit rebuilds one object.
VERSION := 0.2.0
GIT_COMMIT := $(shell git rev-parse --short=7 HEAD 2>/dev/null)
GIT_DIRTY := $(if $(GIT_COMMIT),$(shell git status --porcelain --untracked-files=no 2>/dev/null | \
	grep -q . && echo -dirty))
COMMIT := $(if $(GIT_COMMIT),$(GIT_COMMIT)$(GIT_DIRTY),unknown)
.PHONY: FORCE
$(BUILD)/gen/build_info.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define AVALANCHE_VERSION "%s"\n#define AVALANCHE_COMMIT "%s"\n' \
	  '$(VERSION)' '$(COMMIT)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/model/engine/version.o: $(BUILD)/gen/build_info.h
$(BUILD)/model/engine/version.o: CFLAGS += -I$(BUILD)/gen
# ---- end provenance ---------------------------------------------------------------------------

# Keep test objects between builds (they are intermediate files of a pattern chain).
.SECONDARY:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/model/cli/main.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(TEST_LDLIBS) $(LDLIBS)

# test_sim again on an engine whose 32-bit insertion counter runs out every 64 events, so that
# renumbering the pending events is exercised by every test of the engine.
$(BUILD)/model/engine/sim_renumber.o: model/engine/sim.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DSIM_SEQ_LIMIT=64 -c $< -o $@

$(BUILD)/tests/test_sim_renumber: $(BUILD)/tests/test_sim.o $(BUILD)/model/engine/sim_renumber.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(TEST_LDLIBS) $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DAVALANCHE_BIN='"$(BUILD)/avalanche"' $(shell pkg-config --cflags cmocka) -c $< -o $@

# build/avalanche-mpi: `mpirun -n N build/avalanche-mpi sweep CONFIG ...` (tests/test_mpi.c).
$(BUILD)/mpi/%.o: model/%.c
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS) -c $< -o $@

$(MPI_BIN): $(BUILD)/mpi/cli/main_mpi.o $(BUILD)/mpi/sweep/sweep_mpi.o $(LIB)
	$(MPICC) $(CFLAGS) $^ -o $@ $(LDLIBS)

mpi: deps deps-mpi
	@$(MAKE) --no-print-directory $(MPI_BIN)

# OpenMPI from Debian when mpicc or mpirun is missing (sudo when not root).
deps-mpi:
	@if ! command -v $(MPICC) >/dev/null || ! command -v mpirun >/dev/null; then \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	  echo "make deps-mpi: installing libopenmpi-dev openmpi-bin"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	    --no-install-recommends libopenmpi-dev openmpi-bin; \
	fi

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
# The main job afresh: a sweep directory left by another build or config would be refused.
run: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) run $(INCIDENT) --out $(RESULTS)/incident
	rm -rf $(RESULTS)/stability
	$(BIN) sweep $(STABILITY) --out $(RESULTS)/stability

test: deps deps-mpi
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-tests
	@$(MAKE) --no-print-directory install-check

# Runs every test program; prints one closing line "N passed, N failed". tests/test_mpi.c runs
# $(MPI_BIN) under mpirun, so this one target needs OpenMPI (`make deps-mpi`).
check-tests: $(TEST_BIN) $(BIN) $(MPI_BIN)
	@pass=0; fail=0; \
	for t in $(TEST_BIN); do \
	  if $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	done; \
	echo "test programs: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

asan: deps deps-mpi
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  check-tests

# ---- man pages, install, uninstall (cli) -------------------------------------------------------
# avalanche(1) is written by hand (model/cli/man/avalanche.1.in); avalanche.cfg(5) gets its key
# sections from the key table (`avalanche keys --man`). Both name the installed configs, so they
# are rebuilt when VERSION or PREFIX changes ($(BUILD)/man/vars).
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share/avalanche
COMPDIR = $(PREFIX)/share/bash-completion/completions
MAN := $(BUILD)/man/avalanche.1 $(BUILD)/man/avalanche.cfg.5
SHIPPED_CONFIGS := $(wildcard configs/*.cfg)
MAN_SED = sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@DATADIR@|$(DATADIR)|g'

.PHONY: man install uninstall install-check
man: $(MAN)

$(BUILD)/man/vars: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION) $(DATADIR)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/man/avalanche.1: model/cli/man/avalanche.1.in $(BUILD)/man/vars
	$(MAN_SED) $< > $@

$(BUILD)/man/avalanche.cfg.5: model/cli/man/avalanche.cfg.5.in $(BIN) $(BUILD)/man/vars
	$(BIN) keys --man > $@.keys
	$(MAN_SED) -e '/^@KEYS@$$/{' -e 'r $@.keys' -e 'd' -e '}' $< > $@
	@rm -f $@.keys

install: $(BIN) $(MAN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(DATADIR)/configs $(DESTDIR)$(COMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/avalanche
	install -m 644 $(BUILD)/man/avalanche.1 $(DESTDIR)$(MANDIR)/man1/avalanche.1
	install -m 644 $(BUILD)/man/avalanche.cfg.5 $(DESTDIR)$(MANDIR)/man5/avalanche.cfg.5
	install -m 644 $(SHIPPED_CONFIGS) $(DESTDIR)$(DATADIR)/configs/
	install -m 644 model/cli/completion/avalanche.bash $(DESTDIR)$(COMPDIR)/avalanche

# Removes exactly what install put there, and the two directories of its own when empty.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/avalanche $(DESTDIR)$(MANDIR)/man1/avalanche.1 \
	  $(DESTDIR)$(MANDIR)/man5/avalanche.cfg.5 $(DESTDIR)$(COMPDIR)/avalanche \
	  $(addprefix $(DESTDIR)$(DATADIR)/configs/,$(notdir $(SHIPPED_CONFIGS)))
	-rmdir $(DESTDIR)$(DATADIR)/configs $(DESTDIR)$(DATADIR) 2>/dev/null

# Part of `make test`: install into a temporary DESTDIR, run the installed binary on an installed
# config that includes another, render both man pages without a warning (man -l and groff -ww),
# complete a command and a key with the installed completion, then uninstall to an empty tree.
install-check: $(BIN) $(MAN)
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && p=/usr/local && \
	$(MAKE) --no-print-directory -s install DESTDIR=$$d PREFIX=$$p >/dev/null && \
	bin=$$d$$p/bin/avalanche && \
	$$bin --version | grep -q '^avalanche $(VERSION) (commit ' && \
	$$bin check $$d$$p/share/avalanche/configs/mitigation-certificate.cfg | \
	  grep -q 'auth = "certificate"' && \
	for m in $$d$$p/share/man/man1/avalanche.1 $$d$$p/share/man/man5/avalanche.cfg.5; do \
	  w=; \
	  if command -v man >/dev/null; then \
	    w=$$(MANWIDTH=80 man -l "$$m" 2>&1 >/dev/null); \
	    MANWIDTH=80 man -l "$$m" 2>/dev/null | grep -q 'SEE ALSO' || w="$$w (nothing rendered)"; \
	  fi; \
	  if command -v groff >/dev/null; then w="$$w$$(groff -man -ww -z "$$m" 2>&1)"; fi; \
	  command -v man >/dev/null || command -v groff >/dev/null || \
	    echo "install-check: neither man nor groff: $$m not rendered"; \
	  [ -z "$$w" ] || { echo "install-check: $$m: $$w"; exit 1; }; \
	done && \
	c=$$(bash -c ". $$d$$p/share/bash-completion/completions/avalanche; \
	  COMP_WORDS=($$bin comp); COMP_CWORD=1; _avalanche; echo \$${COMPREPLY[*]}; \
	  COMP_WORDS=($$bin run --set apiserver.loopback.q); COMP_CWORD=3; _avalanche; \
	  echo \$${COMPREPLY[*]}") && \
	[ "$$c" = "$$(printf 'compare\napiserver.loopback.qps=')" ] || \
	  { echo "install-check: bash completion gave: $$c"; exit 1; } && \
	$(MAKE) --no-print-directory -s uninstall DESTDIR=$$d PREFIX=$$p >/dev/null && \
	left=$$(find $$d -type f) && [ -z "$$left" ] || \
	  { echo "install-check: uninstall left: $$left"; exit 1; } && \
	echo "install-check: installed, ran $$p/bin/avalanche on an installed config, rendered both man pages, completed, uninstalled"
# ---- end man pages, install ---------------------------------------------------------------------

# Benchmarks (not part of `make test`): tests/bench.c prints a table and writes $(RESULTS)/bench.csv.
BENCH := $(BUILD)/tests/bench
$(BENCH): $(BUILD)/tests/bench.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

bench: deps deps-mpi
	@$(MAKE) --no-print-directory $(BIN) $(BENCH) $(MPI_BIN)
	@mkdir -p $(RESULTS)
	$(BENCH) $(RESULTS)/bench.csv

# libFuzzer harness for the config loader and the --set parser (clang).
FUZZ_BUILD := build-fuzz
# The loader and what it links: the key table, and the model for the keys interventions may set.
FUZZ_SRC := $(wildcard model/engine/*.c model/parts/*.c model/k8s/*.c) \
	$(filter-out model/config/keydoc.c,$(wildcard model/config/*.c))
FUZZ_CORPUS ?= $(FUZZ_BUILD)/corpus
FUZZ_SECONDS ?= 60
$(FUZZ_BUILD)/fuzz_config: tests/fuzz_config.c $(FUZZ_SRC) $(BUILD)/gen/build_info.h
	@mkdir -p $(dir $@)
	clang -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Iinclude -I$(BUILD)/gen \
	  -fsanitize=fuzzer,address,undefined $(shell pkg-config --cflags gsl libconfig) \
	  $(filter %.c,$^) -o $@ $(shell pkg-config --libs gsl libconfig) -lm -lpthread

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

FORMAT_SRC = $(wildcard model/*/*.c model/*/*.h plots/*.c include/*.h tests/*.c tests/*.h)
format:
	clang-format -i $(FORMAT_SRC)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

clean:
	rm -rf build build-asan build-fuzz
	-cd paper && latexmk -c >/dev/null 2>&1

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
