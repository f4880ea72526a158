/* config: libconfig files and --set overrides -> a validated `params` (L4).
 * One schema table per group is the single source of key names, types, ranges and output order.
 * Errors are one line, first error only: "FILE:LINE: KEY: expected WHAT (got FOUND)", or with the
 * prefix "--set KEY=VALUE" (or a caller-given origin) instead of FILE:LINE. */
#ifndef AVALANCHE_CONFIG_H
#define AVALANCHE_CONFIG_H

#include "err.h"
#include "params.h"
#include <stdio.h>

/* Fills p: built-in defaults (params_defaults), then the file `path` (NULL: none), then each
 * "KEY=VALUE" of sets[0..nsets-1] in order, then cross-field checks. Returns 0, or -1 with e set.
 * A top-level `@include "base.cfg"` (outside any group) loads that file, relative to the including
 * file's directory, at that point: settings after it override it, key by key, so a mitigation is
 * a small file that includes the base one. An @include inside a group is libconfig's textual
 * include, resolved relative to the directory of the file being read. On error p holds partial
 * values. Cross-field errors are prefixed with the FILE:LINE (or --set) that set the first key
 * named, else with FILE. */
int config_load(params *p, const char *path, const char *const *sets, int nsets, err *e);

/* Applies one override "KEY=VALUE" (validated exactly like the file); origin names it in errors,
 * e.g. "--set apiserver.loopback.qps=-5". No cross-field checks. VALUE is parsed by the key's
 * type: numbers (strtod/strtoll, the whole string), true/false, strings with or without double
 * quotes, plot.formats as `png,svg` or `["png","svg"]`, sweep axis values as `1,2,5` or `[1,2,5]`.
 * A distribution key (e.g. apiserver.service_time.mean) keeps the group's other keys. */
int config_apply_set(params *p, const char *assignment, err *e);

/* Cross-field checks on a complete params (warm-up, trigger timing, sweep axes, and what the run
 * would cost: see below). Returns 0 or -1. Every message says which key to change and how; under
 * config_load it names the --set that set one of the keys involved (the last one applied), else
 * the FILE:LINE of the first key, else the file. */
int config_validate(const params *p, err *e);

/* What a run can cost, checked by config_validate so that a config that cannot finish sensibly is
 * refused before anything runs: at most CONFIG_MAX_SAMPLES samples over the horizon
 * max(sim.duration, sim.max_duration) (each sample is kept in memory and written out), and at
 * most CONFIG_MAX_EVENTS engine events by an a-priori estimate from the node count, the
 * heartbeat, scrape, SA-client, background and burst rates and the horizon (about 20 minutes
 * of simulation at 8 M events/s; a failing run takes a few times the healthy estimate). */
#define CONFIG_MAX_SAMPLES 1000000
#define CONFIG_MAX_EVENTS 1e10
double config_horizon_s(const params *p);       /* max(sim.duration, sim.max_duration) */
double config_samples(const params *p);         /* horizon / sim.sample_interval */
double config_events_per_s(const params *p);    /* estimated engine events per simulated s */
double config_estimate_events(const params *p); /* over the horizon, samples and burst included */

/* Writes every key with its value in libconfig syntax (the resolved config): reading it back with
 * config_load gives an identical params, and writing that gives identical bytes. Doubles are
 * printed in the shortest form that reads back bitwise, always with a '.' or an exponent. Sweep
 * axes are written only when present. Returns 0, or -1 on an I/O error (ferror(f)).
 * Named config_dump, not config_write: libconfig exports a `config_write` of its own. */
int config_dump(const params *p, FILE *f);

/* config.resolved.cfg of an output directory: a first line recording the build,
 * "# avalanche 0.2.0 (commit 5df96ab)" (a comment, so the file still loads), then config_dump.
 * Returns 0 or -1 as config_dump. */
int config_dump_resolved(const params *p, FILE *f);

/* Do two resolved configs hold the same config? Compares the texts without a first provenance
 * line (as config_dump_resolved writes), so that a directory written by another build of
 * avalanche still matches (sweep --resume after a rebuild). */
int config_resolved_same(const char *a, const char *b);

/* Sweep support: is `key` (dotted, e.g. "cluster.nodes") a numeric config key that can be swept?
 * *is_int tells int vs float. Keys of the sweep group and sim.seed are not sweepable. Returns 0,
 * or -1 (e: unknown or non-numeric key, with a did-you-mean suggestion). */
int config_key_numeric(const char *key, int *is_int, err *e);

/* Sets numeric `key` to v, with the same range checks as the file (no cross-field checks); an int
 * key needs an integral v. origin (e.g. "sweep.x value 12000") prefixes errors. Returns 0 or -1. */
int config_set_number(params *p, const char *key, double v, const char *origin, err *e);
/* Category i of the categorical axis a (a->ncats > 0) on p: an enum or bool key set by name; for
 * key AXIS_CONFIG, p becomes that config file loaded in full on the built-in defaults, keeping
 * p's sim.seed and its sweep and plot groups. Returns 0, or -1 with e (starting with origin). */
int config_set_category(params *p, const axis *a, int i, const char *origin, err *e);

/* Reads numeric `key` from p into *v. Returns 0, or -1 for a key config_key_numeric rejects. */
int config_get_number(const params *p, const char *key, double *v, err *e);

/* The title of every chart of a run or sweep: plot.title, which defaults to the name of the config
 * file (without its directory); "built-in Kubernetes 1.12 defaults" without a file. */
const char *config_title(const params *p);

/* A chart axis label for `key` in words with its unit, from the key table: "cluster size
 * (nodes)", "kubelet webhook cache TTL (s)", "SA request rate (requests/s)". An unknown key gives
 * the key itself. Returns buf. */
const char *config_key_label(const char *key, char *buf, size_t n);

#endif
