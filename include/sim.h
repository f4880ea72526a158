/* sim: the simulation clock and pending-event set (L1). Knows nothing of requests.
 * Events are ordered by (time, insertion counter), so ties run in FIFO order. Many engines can
 * live in one process; an engine is used by one thread at a time. */
#ifndef AVALANCHE_SIM_H
#define AVALANCHE_SIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim sim;
/* An event callback: obj and arg are what was given to sim_at. */
typedef void (*sim_fn)(sim *s, void *obj, uint64_t arg);
/* Identifies one scheduled event for sim_cancel; 0 is never a valid handle. */
typedef uint64_t sim_handle;

sim *sim_new(void);
void sim_free(sim *s);

/* A pointer the owner attaches to the engine, for callbacks whose obj is not the owner. */
void sim_set_context(sim *s, void *ctx);
void *sim_context(const sim *s);

/* Current simulated time in seconds (0 at creation). */
double sim_now(const sim *s);
/* Schedules fn(s, obj, arg) at absolute time t >= sim_now (checked: aborts otherwise). */
sim_handle sim_at(sim *s, double t, sim_fn fn, void *obj, uint64_t arg);
/* Same at sim_now + dt, dt >= 0. */
sim_handle sim_after(sim *s, double dt, sim_fn fn, void *obj, uint64_t arg);
/* Cancels a pending event in O(1). Returns 1 if it was pending, 0 if it already ran or was
 * cancelled (stale handles are safe). */
int sim_cancel(sim *s, sim_handle h);
/* Runs events with time <= horizon in order, then sets the clock to horizon. Returns early,
 * with the clock at the last event, if sim_stop was called. Returns the number of events run. */
uint64_t sim_run(sim *s, double horizon);
/* Makes sim_run return after the current event. */
void sim_stop(sim *s);

/* Events executed since creation. */
uint64_t sim_events(const sim *s);
/* Events pending (cancelled ones excluded). */
size_t sim_pending(const sim *s);

#endif
