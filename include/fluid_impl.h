/* fluid_impl: the fluid model's state layout, derived constants and right-hand side, shared by
 * model/fluid/fluid.c (equations), model/fluid/fluid_solve.c (integration, classification) and
 * model/fluid/fluid_fixed.c (equilibria) (L3, private to the fluid module). Units as in fluid.h. */
#ifndef AVALANCHE_FLUID_IMPL_H
#define AVALANCHE_FLUID_IMPL_H

#include "err.h"
#include "fluid.h"
#include "params.h"

#include <stdbool.h>
#include <stddef.h>

#define FLUID_MAX_GETS 8      /* gets_per_validation the pipeline supports */
#define FLUID_SA_GROUPS 6     /* token popularity groups under a Zipf law */
#define FLUID_TTL_STAGES 4    /* Erlang stages of a cached token's lifetime (fluid.md 5.2) */
#define FLUID_MAX_LEVELS 24   /* kubelet cache levels; beyond, a level spans several scrapes */
#define FLUID_STEP_WIDTH 0.02 /* relative width of the smoothed timeout steps (numerical) */
/* The mean assigned sojourn of a population (section 5.3) relaxes to the current one at
 * inflow / (size + EPS) + RELAX per second: EPS keeps an empty population finite, RELAX keeps
 * the mean defined when nothing enters (numerical regularisations, not fitted). */
#define FLUID_MEAN_EPS 1e-9
#define FLUID_MEAN_RELAX 1e-3

/* Cumulative counters integrated beside the state (they feed nothing back): the health
 * window's inputs. */
enum fluid_counter {
    FC_HB_OK,
    FC_HB_FAIL,
    FC_SC_OK,
    FC_SC_FAIL,
    FC_SA_OK,
    FC_SA_FAIL,
    FC_MUT_AREA, /* integral of the mutating occupancy, slot-seconds */
    FC_COUNT
};

typedef struct fluid_model {
    const params *p;
    /* derived constants */
    double nodes, res_s, spread_s, deadline_s;
    double ttl_s, kttl_s;
    double qps, burst, get_s, svc_s;
    double tc_s, tf_s, ra_s;
    int max_tries, attempts, hb_tries;
    int gets;
    double f_loop; /* fraction of validations that go through the loopback (informer mode) */
    bool limited, coalesce, cache_on, tokens_used, scrapes, sa_on;
    double sa_rate, sa_tokens;
    int ngroups;
    double g_share[FLUID_SA_GROUPS], g_tokens[FLUID_SA_GROUPS];
    int nttl;
    int nlevels;
    double level_scrapes; /* scrapes one kubelet cache level stands for (>= 1) */
    /* state layout */
    int ix, ip, isa, sa_stride, inl, inlh, inf, inr, iloop, ih, iz, inu, ndyn, dim;
    double h_tau_s; /* relaxation time of the TokenReview hit ratio (section 6.4) */
    /* switches set by the trigger */
    bool down, burst_on;
    bool freeze_x; /* dx/dt := 0 (the equilibria of the rest at a given backlog) */
    /* evaluation counts */
    size_t nrhs, njac;
} fluid_model;

/* Everything the right-hand side derives from a state: the flows and the observables. */
typedef struct fluid_aux {
    double B, tau_pass, W;
    double a_mut, a_ro; /* admission probability of one request */
    double sa_hit, sa_pauth, sa_success, sa_auth_rate, sa_lambda[FLUID_SA_GROUPS];
    double sa_val; /* loopback validations started by SA tokens */
    double tr_rate, tr_adm, tr_hit, tr_hit_eq, ms_val, loop_starts, loop_dur, loop_succ, loop_p;
    double scrape_rate, kubelet_hit, scrape_ok, fill, fill_level;
    double hb_rate, hb_success, hb_h_nr;
    double val, gets, long_in, long_hold, fast_mut_in, fast_ro_in;
    double mutating, readonly;
    double counter_rate[FC_COUNT];
} fluid_aux;

/* Sets up m for p (m->p = p; p must outlive m). Returns 0 or -1 with e set. */
int fluid_model_init(fluid_model *m, const params *p, err *e);
/* The flows and observables at state y. */
void fluid_eval(const fluid_model *m, const double *y, fluid_aux *a);
/* dy/dt at y; a may be NULL. Counts the evaluation in m->nrhs. */
void fluid_rhs(fluid_model *m, const double *y, double *dy, fluid_aux *a);
/* The warm start of the DES (sim.warm_start) or its cold start, at t = 0. */
void fluid_initial_state(const fluid_model *m, double *y);
/* Trigger jumps at its start and end: caches emptied, apiserver state lost, switches set. */
void fluid_trigger_start(fluid_model *m, double *y);
void fluid_trigger_end(fluid_model *m, double *y);
/* The observables of a state as fluid.h reports them. */
void fluid_point_of(const fluid_model *m, const double *y, fluid_point *pt);
/* The equilibria of the system without trigger into r (fixed, nfixed, fixed_failures; rhs_evals
 * incremented), searched from the state guess (the warm steady state). fluid_fixed.c. */
int fluid_equilibria(const params *p, const double *guess, fluid_result *r, err *e);
/* Outstanding work: backlog, validations in flight, long slot holders and loops. */
double fluid_outstanding(const fluid_model *m, const double *y);

#endif
