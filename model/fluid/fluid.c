/* model/fluid/ (layer L3): the mean-field model of what k8s/ simulates: its equations (fluid, this
 * file), equilibria (fluid_fixed) and integration (fluid_solve); the derivation is fluid.md.
 * They include params.h, fluid.h, fluid_impl.h and GSL; never the simulator. */
/* fluid: the equations of the fluid (mean-field) model and their right-hand side (L3).
 * The derivation, term by term, and every approximation are in model/fluid/fluid.md; the section
 * numbers (§) below refer to it. Integration, classification and equilibria: fluid_solve.c. */
#include "fluid_impl.h"

#include <math.h>
#include <string.h>

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static double pos(double v)
{
    return v > 0.0 ? v : 0.0;
}

/* (1 - a)^n, for a probability a. */
static double pow1m(double a, double n)
{
    if (a >= 1.0)
        return n > 0.0 ? 0.0 : 1.0;
    return exp(n * log1p(-a));
}

/* sum_{k<n} (1 - a)^k = (1 - (1 - a)^n) / a, accurate for small a. */
static double geo(double a, double n)
{
    if (a <= 1e-14)
        return n;
    if (a >= 1.0)
        return n > 0.0 ? 1.0 : 0.0;
    return -expm1(n * log1p(-a)) / a;
}

/* 1{w < tau}, smoothed over a relative width FLUID_STEP_WIDTH (§1.4): a numerical device that
 * keeps the right-hand side continuous for the root finders. */
static double below(double w, double tau)
{
    double z = (tau - w) / (FLUID_STEP_WIDTH * tau);
    if (z > 40.0)
        return 1.0;
    if (z < -40.0)
        return 0.0;
    return 1.0 / (1.0 + exp(-z));
}

/* §2.1 admission with `free` slots free on average: the chance that at least one is free if the
 * free count were Poisson about its mean, 1 - e^-free. Smooth, and its fluid limit (c -> inf) is
 * the step of the loss system. */
static double admit(double free)
{
    return free > 0.0 ? -expm1(-free) : 0.0;
}

/* ---- §2 a client-go call: tries until admitted, a 429 retried after Retry-After ---- */

typedef struct cgo {
    double p_adm;      /* admitted within max_tries */
    double tries;      /* requests sent */
    double sleeps_adm; /* 429s before the admitted try, given admission */
} cgo;

static cgo cgo_of(double a, int max_tries, bool retry)
{
    cgo c;
    if (!retry || max_tries <= 1) {
        c.p_adm = a;
        c.tries = 1.0;
        c.sleeps_adm = 0.0;
        return c;
    }
    double n = max_tries;
    c.p_adm = 1.0 - pow1m(a, n);
    c.tries = geo(a, n);
    if (a >= 1.0) {
        c.sleeps_adm = 0.0;
    } else if (a <= 1e-9) {
        c.sleeps_adm = (n - 1.0) / 2.0; /* the limit of the truncated geometric */
    } else {
        /* sum_{k<n} k r^k a / (1 - r^n), r = 1 - a */
        double r = 1.0 - a, rn = pow1m(a, n), rn1 = pow1m(a, n - 1.0);
        c.sleeps_adm = r * (1.0 - n * rn1 + (n - 1.0) * rn) / (a * c.p_adm);
    }
    return c;
}

/* An SA-token call: each try authenticates first (passes with pa, else 504 and the call ends),
 * then is admitted with a or answered 429 and retried. Tries and success probability. */
static void sa_call(double pa, double a, int max_tries, bool up, double *tries, double *succ)
{
    if (!up) {
        *tries = 1.0;
        *succ = 0.0;
        return;
    }
    double r = pa * (1.0 - a); /* the try is retried */
    *tries = geo(1.0 - r, max_tries);
    *succ = pa * a * *tries;
}

/* ---- §3 one token's renewal cycle: idle -> miss window -> cached ---- */

/* Requests at rate lam on one token, each miss validated through the loopback with probability
 * f (else locally, at once), a validation taking W, success TTL ttl: loopback validations and
 * misses per second. */
static void token_cycle(double lam, double ttl, double W, double f, bool coalesce, double *val,
                        double *miss)
{
    *val = *miss = 0.0;
    if (lam <= 0.0)
        return;
    if (ttl <= 0.0 && !coalesce) {
        *miss = lam; /* nothing is ever cached: every request validates */
        *val = lam * f;
        return;
    }
    /* miss window opened by a loopback validation: ends at its completion (W) or at the first
     * local lookup, whichever is first */
    double dm = W / (1.0 + W * lam * (1.0 - f));
    double lf = lam * f;
    double ec1 = 0.0; /* completions of the window's later validations keep the entry fresh */
    if (!coalesce && lf > 0.0)
        ec1 = pos(W + expm1(-lf * dm) / lf);
    double ttl_c = ttl > 0.0 ? ttl : 0.0;
    double cyc_lb = 1.0 / lam + dm + ec1 + ttl_c, cyc_loc = 1.0 / lam + ttl_c;
    double v_lb = coalesce ? 1.0 : 1.0 + lf * dm, m_lb = 1.0 + lam * dm;
    double cyc = f * cyc_lb + (1.0 - f) * cyc_loc;
    *val = f * v_lb / cyc;
    *miss = (f * m_lb + (1.0 - f)) / cyc;
}

double fluid_token_validation_rate(double lambda_per_s, double ttl_s, double wait_s)
{
    double v, mi;
    token_cycle(lambda_per_s, ttl_s, wait_s, 1.0, false, &v, &mi);
    return v;
}

/* §6 metrics-server's token: one token, its TokenReviews in waves. n_w admitted first tries
 * per wave (spread over spread_s), r_o other admitted TokenReviews per second. */
static void ms_token(const fluid_model *m, double n_w, double r_o, double W, double *val,
                     double *miss)
{
    double R = m->res_s, S = m->spread_s > 1e-3 ? m->spread_s : 1e-3, T = m->ttl_s;
    double f = m->f_loop;
    bool co = m->coalesce;
    double v_bg, m_bg;
    token_cycle(r_o, T, W, f, co, &v_bg, &m_bg);
    *val = v_bg;
    *miss = m_bg;
    if (n_w <= 0.0)
        return;
    double lw = n_w / S;
    double wm = W / (1.0 + W * lw * (1.0 - f)); /* the wave's miss window */
    double m_w = fmin(n_w, 1.0 + lw * fmin(wm, S));
    double v_w = co ? f * fmin(n_w, 1.0) : f * m_w;
    if (T < S && m->cache_on) {
        /* several miss windows within one wave: its renewal cycle over the wave */
        double vr, mr;
        token_cycle(lw, T, W, f, co, &vr, &mr);
        m_w = fmin(n_w, fmax(m_w, S * mr));
        v_w = fmin(n_w, fmax(v_w, S * vr));
    }
    if (!m->cache_on && !co) {
        m_w = n_w;
        v_w = f * n_w;
    }
    /* end of the cached interval the wave's validations leave, from its first arrival */
    double E = (co ? 0.0 : fmin(wm, S)) + W + (T > 0.0 ? T : 0.0);
    double h_bg = r_o > 0.0 ? clampd(1.0 - m_bg / r_o, 0.0, 1.0) : 0.0;
    /* the wave finds the token uncached unless background traffic refreshed it, or the last
     * wave's cached interval still covers it (E > R: every other wave, smoothed to R / E) */
    double p_u = fmin(1.0, n_w) * (1.0 - h_bg) * fmin(1.0, R / E);
    double cover = p_u * fmin(1.0, E / R);
    double in_win = p_u * r_o * fmin(wm, R) / R; /* background arrivals in the wave's window */
    *val = p_u * v_w / R + (1.0 - cover) * v_bg + (co ? 0.0 : f * in_win);
    *miss = p_u * m_w / R + (1.0 - cover) * m_bg + in_win;
}

/* ---- §7 the kubelet's webhook retry loop ---- */

typedef struct wloop {
    double p_s;    /* an attempt succeeds */
    double dur;    /* mean loop duration */
    double tries;  /* TokenReview requests per loop */
    double p_succ; /* the loop succeeds */
    double d_succ; /* mean time to success, given success */
    double p_by;   /* success before the scrape deadline */
} wloop;

static void webhook_loop(const fluid_model *m, const cgo *cm, bool up, double h, double W, wloop *o)
{
    const params *p = m->p;
    double f = m->f_loop, s = m->svc_s, tc = m->tc_s;
    cgo c = *cm; /* one attempt: a client-go call in the mutating pool */
    double ok_lb = below(W, tc);
    double okmiss = (1.0 - f) + f * ok_lb;
    double p_ok = h + (1.0 - h) * okmiss; /* given admitted */
    double p_s = c.p_adm * p_ok;
    double t429 = m->ra_s * c.sleeps_adm;
    double srv_ok =
        p_ok > 1e-300 ? (h * s + (1.0 - h) * ((1.0 - f) * s + f * ok_lb * (W + s))) / p_ok : s;
    double d_s = t429 + srv_ok;
    double pf_ex = 1.0 - c.p_adm, pf_to = c.p_adm * (1.0 - h) * f * (1.0 - ok_lb);
    double d_ex = up ? (m->max_tries - 1) * m->ra_s : 0.0;
    double d_f =
        pf_ex + pf_to > 1e-300 ? (pf_ex * d_ex + pf_to * (t429 + tc)) / (pf_ex + pf_to) : d_ex;
    double d_att = p_s * d_s + (1.0 - p_s) * d_f;
    double q = 1.0 - p_s;
    int A = m->attempts;
    double e_att = geo(p_s, A);
    /* attempts j = 0..A-1; the sleep after failed attempt j is initial factor^j (1 + jitter/2) */
    double sleep = p->kubelet.retry.initial_s * (1.0 + 0.5 * p->kubelet.retry.jitter);
    double qj = 1.0, slept = 0.0, backoff = 0.0, dsum = 0.0, pby = 0.0;
    for (int j = 0; j < A; j++) {
        double t_end = j * d_f + slept + d_s; /* success at attempt j ends here */
        dsum += qj * p_s * t_end;
        pby += qj * p_s * below(t_end, m->deadline_s);
        if (j + 1 < A) {
            backoff += qj * q * sleep;
            slept += sleep;
            sleep *= p->kubelet.retry.factor;
        }
        qj *= q;
        if (qj < 1e-14)
            break;
    }
    o->p_s = p_s;
    o->dur = e_att * d_att + backoff;
    if (o->dur < 1e-6)
        o->dur = 1e-6;
    o->tries = e_att * c.tries;
    o->p_succ = 1.0 - pow1m(p_s, A);
    o->d_succ = o->p_succ > 1e-300 ? dsum / o->p_succ : d_s;
    o->p_by = pby;
}

/* §8 expected scrape hits after a fill d seconds after the scrape that started the loop: scrape
 * k (k >= 1) hits iff d <= kR + D_k < d + T, D_k the difference of two uniform start offsets. */
static double tri_cdf(double z, double S)
{
    if (z <= -S)
        return 0.0;
    if (z >= S)
        return 1.0;
    if (z <= 0.0)
        return (z + S) * (z + S) / (2.0 * S * S);
    return 1.0 - (S - z) * (S - z) / (2.0 * S * S);
}

static double kubelet_hits(double d, double T, double R, double S)
{
    if (S < 1e-6)
        S = 1e-6;
    double h = 0.0;
    int kmax = (int)ceil((d + T + S) / R) + 1;
    for (int k = 1; k <= kmax; k++)
        h += tri_cdf(d + T - k * R, S) - tri_cdf(d - k * R, S);
    return h;
}

/* ---- set-up ---- */

static double zipf_sum(int a, int b, double s)
{
    /* sum_{k=a..b} k^-s: exact up to 2000 terms, then the midpoint-rule integral */
    double t = 0.0;
    int k = a;
    for (; k <= b && k < a + 2000; k++)
        t += pow(k, -s);
    if (k <= b) {
        double lo = k - 0.5, hi = b + 0.5;
        t += fabs(s - 1.0) < 1e-12 ? log(hi / lo)
                                   : (pow(hi, 1.0 - s) - pow(lo, 1.0 - s)) / (1.0 - s);
    }
    return t;
}

int fluid_model_init(fluid_model *m, const params *p, err *e)
{
    memset(m, 0, sizeof *m);
    m->p = p;
    if (p->apiserver.cpu.cores > 0)
        return err_set(e,
                       "fluid: apiserver.cpu.cores = %d: CPU contention (processor sharing) "
                       "is not in the fluid model",
                       p->apiserver.cpu.cores);
    if (p->apiserver.replicas > 1)
        return err_set(e,
                       "fluid: apiserver.replicas = %d: several apiservers are not in the fluid "
                       "model (simulate)",
                       p->apiserver.replicas);
    if (p->apiserver.admission == ADMISSION_POLICY_APF)
        return err_set(e, "fluid: apiserver.admission = \"apf\": API Priority and Fairness is "
                          "not in the fluid model (it has the max-inflight pools; simulate)");
    if (p->ninterventions > 0)
        return err_set(e,
                       "fluid: %d interventions: the fluid model integrates the trigger only "
                       "(drop the interventions group, or simulate)",
                       p->ninterventions);
    if (p->apiserver.sa_lookup.fail_after_s > 0)
        return err_set(e,
                       "fluid: apiserver.sa_lookup.fail_after = %g s: failed validations are not "
                       "in the fluid model",
                       p->apiserver.sa_lookup.fail_after_s);
    /* the LRU bound is not modelled: refuse where it would bind at the healthy point, where
     * K tokens at Lambda/K requests/s each are cached a fraction lT / (1 + lT) of the time (the
     * renewal cycle of section 3 with W = 0), plus metrics-server's token */
    double K = p->sa_clients.tokens + floor(p->sa_clients.tokens_per_node * p->cluster.nodes + 0.5);
    double L = params_sa_rate(p);
    double lT = K > 0 ? L / K * p->apiserver.token_cache.success_ttl_s : 0.0;
    double cached = (K > 0 ? K * lT / (1.0 + lT) : 0.0) + 1.0;
    if (p->apiserver.token_cache.max_entries > 0 && cached > p->apiserver.token_cache.max_entries)
        return err_set(e,
                       "fluid: about %.0f tokens cached at once exceed "
                       "apiserver.token_cache.max_entries = %d: LRU eviction is not in the fluid "
                       "model (set it to 0, unbounded, or simulate)",
                       cached, p->apiserver.token_cache.max_entries);
    if (p->apiserver.sa_lookup.gets_per_validation > FLUID_MAX_GETS)
        return err_set(e, "fluid: apiserver.sa_lookup.gets_per_validation = %d: at most %d",
                       p->apiserver.sa_lookup.gets_per_validation, FLUID_MAX_GETS);
    m->nodes = p->cluster.nodes;
    m->res_s = p->metrics_server.resolution_s;
    m->spread_s =
        fmin(p->metrics_server.delay_per_node_s * m->nodes, p->metrics_server.max_delay_s);
    /* a scrape waits from its start (mean offset spread/2 into the tick) to the tick deadline */
    m->deadline_s = p->metrics_server.timeout_fraction * m->res_s - m->spread_s / 2.0;
    m->ttl_s = p->apiserver.token_cache.success_ttl_s;
    m->kttl_s = p->kubelet.webhook_cache_ttl_s;
    m->qps = p->apiserver.loopback.qps;
    m->burst = p->apiserver.loopback.burst;
    m->get_s = p->apiserver.sa_lookup.get_time.mean;
    m->svc_s = p->apiserver.service_time.mean;
    m->tc_s = p->apiserver.create_timeout_s;
    m->tf_s = p->apiserver.request_timeout_s;
    m->ra_s = p->apiserver.retry_after_s;
    m->max_tries = p->client_go.max_tries;
    m->attempts = p->kubelet.retry.attempts;
    m->hb_tries = p->kubelet.heartbeat.tries;
    m->gets = p->apiserver.sa_lookup.gets_per_validation;
    m->f_loop = m->gets == 0 ? 0.0
                : p->apiserver.sa_lookup.mode == SA_LOOKUP_INFORMER
                    ? p->apiserver.sa_lookup.informer_miss
                    : 1.0;
    m->limited = p->apiserver.sa_lookup.mode != SA_LOOKUP_UNLIMITED && m->qps > 0.0;
    m->coalesce = p->apiserver.token_cache.coalesce;
    m->cache_on = m->ttl_s > 0.0;
    m->scrapes = m->nodes > 0 && p->metrics_server.enabled;
    m->tokens_used = m->scrapes && p->metrics_server.auth == MS_AUTH_TOKEN;
    m->sa_rate = p->sa_clients.rate + p->sa_clients.rate_per_node * m->nodes;
    m->sa_on = m->sa_rate > 0.0;
    double tokens = p->sa_clients.tokens + floor(p->sa_clients.tokens_per_node * m->nodes + 0.5);
    m->sa_tokens = tokens >= 1.0 ? tokens : 1.0;

    /* §5 token popularity: one group, or groups of ranks 1..K split geometrically (Zipf) */
    if (!m->sa_on || p->sa_clients.zipf <= 0.0 || m->sa_tokens < 2.0) {
        m->ngroups = m->sa_on ? 1 : 0;
        m->g_share[0] = 1.0;
        m->g_tokens[0] = m->sa_tokens;
    } else {
        double K = m->sa_tokens, s = p->sa_clients.zipf;
        int G = K < FLUID_SA_GROUPS ? (int)K : FLUID_SA_GROUPS, lo = 1, n = 0;
        double total = zipf_sum(1, (int)K, s);
        for (int i = 1; i <= G && lo <= (int)K; i++) {
            int hi = i == G ? (int)K : (int)floor(pow(K, (double)i / G) + 0.5);
            if (hi < lo)
                hi = lo;
            m->g_tokens[n] = hi - lo + 1;
            m->g_share[n] = zipf_sum(lo, hi, s) / total;
            n++;
            lo = hi + 1;
        }
        m->ngroups = n;
    }
    m->nttl = m->cache_on ? FLUID_TTL_STAGES : 0;
    m->h_tau_s = m->ttl_s > 1.0 ? m->ttl_s : 1.0;

    /* §8 kubelet cache levels: enough for the hits after the slowest successful loop */
    if (m->tokens_used) {
        double d_max = m->attempts * fmax(m->tc_s, (m->max_tries - 1) * m->ra_s) + 10.0;
        double sl = p->kubelet.retry.initial_s * (1.0 + p->kubelet.retry.jitter);
        for (int j = 0; j + 1 < m->attempts && j < 64; j++, sl *= p->kubelet.retry.factor)
            d_max += sl;
        double h_max = (m->kttl_s + d_max) / m->res_s + 2.0;
        m->level_scrapes = h_max > FLUID_MAX_LEVELS ? h_max / FLUID_MAX_LEVELS : 1.0;
        m->nlevels = (int)ceil(h_max / m->level_scrapes);
    }

    /* state layout: x, GET stages, SA phases, pools, loops, kubelet levels, NotReady, counters */
    int k = 0;
    m->ix = k++;
    m->ip = k;
    k += m->gets;
    m->isa = k;
    m->sa_stride = 2 + m->nttl;
    k += m->ngroups * m->sa_stride;
    m->inl = k++;
    m->inlh = k++;
    m->inf = k++;
    m->inr = k++;
    m->iloop = k++;
    m->ih = k++;
    m->iz = k;
    k += m->nlevels;
    m->inu = k++;
    m->ndyn = k;
    m->dim = k; /* the health counters are integrated beside the ODE (fluid_solve.c) */
    return 0;
}

/* ---- the flows ---- */

void fluid_eval(const fluid_model *m, const double *y, fluid_aux *a)
{
    const params *p = m->p;
    memset(a, 0, sizeof *a);
    bool up = !m->down;
    double f = m->f_loop, s = m->svc_s;
    int M = m->max_tries;

    /* §4 loopback: a reservation made now waits B / qps, then the GET takes get_s */
    a->B = pos(y[m->ix]);
    a->tau_pass = (m->limited ? a->B / m->qps : 0.0) + m->get_s;
    a->W = m->gets * a->tau_pass;
    double W = a->W;

    /* §2 pools: a request is admitted while a slot is free (the last slot in fluid measure) */
    /* states enter linearly, unclamped: a root finder may step slightly below zero */
    double nl = y[m->inl], nf = y[m->inf], nr = y[m->inr];
    a->mutating = nl + nf;
    a->readonly = nr;
    a->a_mut = up ? admit(p->apiserver.max_mutating_requests_inflight - nl - nf) : 0.0;
    a->a_ro = up ? admit(p->apiserver.max_requests_inflight - nr) : 0.0;
    /* a client-go call that retries 429s, in each pool (a refused connection is not retried) */
    cgo cm = cgo_of(a->a_mut, M, up), cr = cgo_of(a->a_ro, M, up);

    /* §5 SA-token clients */
    a->sa_hit = NAN;
    if (m->sa_on) {
        const double *ph = y + m->isa;
        double hit = 0.0;
        for (int g = 0; g < m->ngroups; g++, ph += m->sa_stride) {
            double c = 0.0;
            for (int j = 1; j <= m->nttl; j++)
                c += ph[1 + j];
            hit += m->g_share[g] * c;
        }
        hit = clampd(hit, 0.0, 1.0);
        double pa = up ? hit + (1.0 - hit) * ((1.0 - f) + f * below(W, m->tf_s)) : 0.0;
        double fm = p->sa_clients.mutating_fraction, t_ro, s_ro, t_mu, s_mu;
        sa_call(pa, a->a_ro, M, up, &t_ro, &s_ro);
        sa_call(pa, a->a_mut, M, up, &t_mu, &s_mu);
        a->sa_hit = hit;
        a->sa_pauth = pa;
        a->sa_success = (1.0 - fm) * s_ro + fm * s_mu;
        a->sa_auth_rate = up ? m->sa_rate * ((1.0 - fm) * t_ro + fm * t_mu) : 0.0;
        a->fast_ro_in += m->sa_rate * (1.0 - fm) * s_ro;
        a->fast_mut_in += m->sa_rate * fm * s_mu;
        ph = y + m->isa;
        for (int g = 0; g < m->ngroups; g++, ph += m->sa_stride) {
            double lam = a->sa_auth_rate * m->g_share[g] / m->g_tokens[g];
            a->sa_lambda[g] = lam;
            if (m->cache_on) {
                double mm = ph[0], u = 1.0 - mm;
                for (int j = 1; j <= m->nttl; j++)
                    u -= ph[1 + j];
                a->sa_val += m->g_tokens[g] * lam * f * (u + (m->coalesce ? 0.0 : mm));
            } else {
                double v, mi;
                token_cycle(lam, 0.0, W, f, m->coalesce, &v, &mi);
                a->sa_val += m->g_tokens[g] * v;
            }
        }
    }

    /* §6-§8 metrics-server, the kubelets' webhook loops and caches */
    a->tr_hit = a->kubelet_hit = a->scrape_ok = NAN;
    double nu = m->nodes > 0 ? y[m->inu] : 0.0;
    if (m->scrapes) {
        a->scrape_rate = m->nodes * (1.0 - nu) / m->res_s;
        a->scrape_ok = 1.0; /* certificate: the kubelet checks the client certificate */
    }
    if (m->tokens_used) {
        double z0 = 1.0, L = y[m->iloop];
        for (int j = 0; j < m->nlevels; j++)
            z0 -= y[m->iz + j];
        a->kubelet_hit = 1.0 - z0;
        a->loop_starts = a->scrape_rate * z0;
        double n_w = a->loop_starts * m->res_s * a->a_mut;
        /* §6.4 the hit ratio is a state relaxing to the closure's value: the closure needs the
         * request rate, which needs the hit ratio */
        double h = clampd(y[m->ih], 0.0, 1.0), v, mi;
        wloop w;
        webhook_loop(m, &cm, up, h, W, &w);
        a->tr_rate = L / w.dur * w.tries;
        a->tr_adm = a->a_mut * a->tr_rate;
        /* every loop's first request is in a wave; its retries (429s, later attempts) are not */
        double r_o = a->a_mut * L / w.dur * pos(w.tries - 1.0);
        ms_token(m, n_w, r_o, W, &v, &mi);
        double arr = n_w / m->res_s + r_o; /* the closure's arrivals: misses <= arrivals */
        a->tr_hit_eq = arr > 0.0 ? clampd(1.0 - mi / arr, 0.0, 1.0) : 0.0;
        a->tr_hit = h;
        a->ms_val = v;
        a->loop_dur = w.dur;
        a->loop_p = w.p_succ;
        a->loop_succ = L / w.dur * w.p_succ;
        a->scrape_ok = a->kubelet_hit + z0 * w.p_by;
        a->fast_mut_in += a->tr_adm * (h + (1.0 - h) * (1.0 - f));
        a->long_in += a->tr_adm * (1.0 - h) * f;
        /* §8.3 a success fills its node's cache if no earlier loop of that node did: with
         * q = P L / (N z0) successes per uncached node, Poisson, (1 - e^-q) / q of them fill */
        double q = z0 > 1e-12 ? w.p_succ * L / (m->nodes * z0) : 1e12;
        double first = q > 1e-8 ? -expm1(-q) / q : 1.0 - 0.5 * q;
        a->fill = a->loop_succ / m->nodes * first;
        a->fill_level = kubelet_hits(w.d_succ, m->kttl_s, m->res_s, m->spread_s) / m->level_scrapes;
    }

    /* §9 heartbeats: GET node (read-only) then PATCH status (mutating), tries per cycle */
    a->hb_success = NAN;
    if (m->nodes > 0) {
        cgo g = cr, pt = cm;
        double ph = g.p_adm * pt.p_adm;
        double e_c = geo(ph, m->hb_tries);
        double p_hb = 1.0 - pow1m(ph, m->hb_tries);
        double d_try =
            m->ra_s * ((g.tries - 1.0) + g.p_adm * (pt.tries - 1.0)) + s * (1.0 + g.p_adm);
        double rc = 1.0 / (p->kubelet.heartbeat.interval_s + e_c * d_try);
        a->hb_rate = m->nodes * rc;
        a->hb_success = p_hb;
        if (up) {
            a->fast_ro_in += m->nodes * rc * e_c * g.p_adm;
            a->fast_mut_in += m->nodes * rc * e_c * g.p_adm * pt.p_adm;
        }
        /* §9.2 NotReady: the two-state chain whose stationary share is Q_cycle^(grace/cycle) */
        double qc = pow1m(ph, m->hb_tries), mexp = p->kubelet.heartbeat.not_ready_after_s * rc;
        if (qc <= 0.0)
            a->hb_h_nr = 0.0;
        else if (qc >= 1.0 - 1e-12)
            a->hb_h_nr = 1.0 / p->kubelet.heartbeat.not_ready_after_s;
        else
            a->hb_h_nr = rc * (1.0 - qc) * exp(mexp * log(qc)) / -expm1(mexp * log(qc));
    }

    /* §10 background clients and the burst trigger */
    if (up) {
        bool rb = p->background.retry_429;
        cgo bm = rb ? cm : cgo_of(a->a_mut, M, false), br = rb ? cr : cgo_of(a->a_ro, M, false);
        a->fast_mut_in += p->background.mutating_rate * bm.p_adm;
        a->fast_ro_in += p->background.readonly_rate * br.p_adm;
    }
    double burst_val = 0.0;
    if (m->burst_on && up) {
        double rate = p->trigger.rate;
        if (p->trigger.target == BURST_SA_REQUESTS) {
            /* a fresh token: the first try validates; its 429 retries hit the cache */
            double pa1 = (1.0 - f) + f * below(W, m->tf_s);
            cgo c = cr;
            burst_val = rate * f;
            a->fast_ro_in += rate * pa1 * c.p_adm;
        } else if (p->trigger.target == BURST_TOKENREVIEW) {
            cgo c = cm;
            burst_val = rate * c.p_adm * f;
            a->long_in += rate * c.p_adm * f;
            a->fast_mut_in += rate * c.p_adm * (1.0 - f);
        } else {
            cgo c = p->background.retry_429 ? cm : cgo_of(a->a_mut, M, false);
            a->fast_mut_in += rate * c.p_adm;
        }
    }

    /* §4 the validations' GETs */
    a->val = a->sa_val + a->ms_val + burst_val;
    a->gets = a->val;
    for (int k = 0; k + 1 < m->gets; k++)
        a->gets += y[m->ip + k] / a->tau_pass;
    a->long_hold = fmin(W + s, m->tc_s);

    /* §11 the health counters */
    if (m->nodes > 0) {
        a->counter_rate[FC_HB_OK] = a->hb_rate * a->hb_success;
        a->counter_rate[FC_HB_FAIL] = a->hb_rate * (1.0 - a->hb_success);
    }
    if (m->scrapes) {
        a->counter_rate[FC_SC_OK] = a->scrape_rate * a->scrape_ok;
        a->counter_rate[FC_SC_FAIL] = a->scrape_rate * (1.0 - a->scrape_ok);
    }
    if (m->sa_on) {
        a->counter_rate[FC_SA_OK] = m->sa_rate * a->sa_success;
        a->counter_rate[FC_SA_FAIL] = m->sa_rate * (1.0 - a->sa_success);
    }
    a->counter_rate[FC_MUT_AREA] = a->mutating;
}

void fluid_rhs(fluid_model *m, const double *y, double *dy, fluid_aux *aux)
{
    fluid_aux local, *a = aux ? aux : &local;
    fluid_eval(m, y, a);
    m->nrhs++;
    double x = y[m->ix], tau = a->tau_pass;

    /* §4 token bucket: reservations against accrual, which stops when the bucket is full */
    dy[m->ix] =
        m->limited && !m->freeze_x ? a->gets - m->qps * clampd(x + m->burst, 0.0, 1.0) : 0.0;
    for (int k = 0; k < m->gets; k++) {
        double in = k == 0 ? a->val : y[m->ip + k - 1] / tau;
        dy[m->ip + k] = in - y[m->ip + k] / tau;
    }

    /* §5.2 token phases: u -> m (a loopback validation), m -> c1 (its completion, or a local
     * lookup), c1 -> ... -> cn -> u (the TTL, with the completions of the window's later
     * validations). A window's length is the sojourn of the validation that opened it, fixed
     * when it started (FIFO): wbar, the mean assigned length of the windows in progress, is a
     * state (§5.3); the windows close at m / wbar. */
    const double *ph = y + m->isa;
    double *dph = dy + m->isa;
    double f = m->f_loop, wmin = fmax(m->gets * m->get_s, 1e-9);
    for (int g = 0; g < m->ngroups; g++, ph += m->sa_stride, dph += m->sa_stride) {
        double lam = a->sa_lambda[g];
        if (!m->cache_on) {
            dph[0] = dph[1] = 0.0;
            continue;
        }
        double u = 1.0 - ph[0];
        for (int j = 1; j <= m->nttl; j++)
            u -= ph[1 + j];
        double mm = ph[0], wbar = fmax(ph[1], wmin), loc = lam * (1.0 - f), lf = lam * f;
        double dm = wbar / (1.0 + wbar * loc), close = mm / wbar;
        double ec1 = (!m->coalesce && lf > 0.0) ? pos(wbar + expm1(-lf * dm) / lf) : 0.0;
        double stage = m->nttl / (ec1 + m->ttl_s), in = lf * u;
        dph[0] = in - close - loc * mm;
        dph[1] = (in / (fmax(mm, 0.0) + FLUID_MEAN_EPS) + FLUID_MEAN_RELAX) * (a->W - ph[1]);
        for (int j = 1; j <= m->nttl; j++) {
            double from = j == 1 ? loc * u + close + loc * mm : stage * ph[j];
            dph[1 + j] = from - stage * ph[1 + j];
        }
    }

    /* §2 pools: long holders (TokenReviews waiting for a validation) and short requests */
    /* the same for a TokenReview's hold, min(W + service, create timeout) at its admission */
    double nl = y[m->inl], hbar = fmax(y[m->inlh], fmin(m->svc_s, m->tc_s));
    dy[m->inl] = a->long_in - nl / hbar;
    dy[m->inlh] = (a->long_in / (fmax(nl, 0.0) + FLUID_MEAN_EPS) + FLUID_MEAN_RELAX) *
                  (a->long_hold - y[m->inlh]);
    dy[m->inf] = a->fast_mut_in - y[m->inf] / m->svc_s;
    dy[m->inr] = a->fast_ro_in - y[m->inr] / m->svc_s;

    /* §7 loops: started by scrape misses, ending after their mean duration */
    dy[m->iloop] = m->tokens_used ? a->loop_starts - y[m->iloop] / a->loop_dur : 0.0;
    dy[m->ih] = m->tokens_used ? (a->tr_hit_eq - y[m->ih]) / m->h_tau_s : 0.0;

    /* §8 kubelet cache levels: one level per scrape period; a fill lands at its hit count */
    if (m->nlevels > 0) {
        double age = 1.0 / (m->level_scrapes * m->res_s);
        double hp = fmin(a->fill_level, (double)m->nlevels);
        int lo = (int)floor(hp);
        double frac = hp - lo;
        for (int j = 1; j <= m->nlevels; j++) {
            double zj = y[m->iz + j - 1];
            double above = j < m->nlevels ? y[m->iz + j] : 0.0;
            double in = (j == lo ? 1.0 - frac : 0.0) + (j == lo + 1 ? frac : 0.0);
            dy[m->iz + j - 1] = age * (above - zj) + a->fill * in;
        }
    }

    /* §9.2 NotReady nodes (as a fraction) */
    if (m->nodes > 0) {
        double nu = y[m->inu];
        dy[m->inu] = (1.0 - nu) * a->hb_h_nr - nu * (a->hb_rate / m->nodes) * a->hb_success;
    } else {
        dy[m->inu] = 0.0;
    }
}

/* ---- states ---- */

static void sa_stationary(const fluid_model *m, double *y, double W, bool cold)
{
    double *ph = y + m->isa, f = m->f_loop;
    for (int g = 0; g < m->ngroups; g++, ph += m->sa_stride) {
        for (int j = 0; j < m->sa_stride; j++)
            ph[j] = 0.0;
        if (cold || !m->cache_on)
            continue;
        double lam = m->sa_rate * m->g_share[g] / m->g_tokens[g];
        double dm = W / (1.0 + W * lam * (1.0 - f)), lf = lam * f;
        double ec1 = (!m->coalesce && lf > 0.0) ? pos(W + expm1(-lf * dm) / lf) : 0.0;
        double dc = ec1 + m->ttl_s, cyc = 1.0 / lam + f * dm + dc;
        ph[0] = f * dm / cyc;
        ph[1] = W;
        for (int j = 1; j <= m->nttl; j++)
            ph[1 + j] = dc / (m->nttl * cyc);
    }
}

void fluid_initial_state(const fluid_model *m, double *y)
{
    bool cold = !m->p->sim.warm_start;
    memset(y, 0, (size_t)m->dim * sizeof *y);
    y[m->ix] = -m->burst;
    y[m->inlh] = m->gets * m->get_s + m->svc_s;
    sa_stationary(m, y, m->gets * m->get_s, cold);
    if (m->nlevels > 0 && !cold) {
        /* the stationary levels of a healthy cluster (§8.4): z_j = z_0 u sum_{i>=j} w_i */
        double H = kubelet_hits(m->svc_s, m->kttl_s, m->res_s, m->spread_s);
        double hp = fmin(H / m->level_scrapes, (double)m->nlevels);
        int lo = (int)floor(hp);
        double frac = hp - lo, z0 = 1.0 / (1.0 + m->level_scrapes * hp);
        for (int j = 1; j <= m->nlevels; j++) {
            double tail =
                (j <= lo ? 1.0 : 0.0) + (j <= lo + 1 ? frac : 0.0) - (j <= lo ? frac : 0.0);
            y[m->iz + j - 1] = z0 * m->level_scrapes * tail;
        }
    }
    if (m->tokens_used) {
        /* the TokenReview hit ratio and the loops at the start: its closure iterated to a fixed
         * point */
        fluid_aux a;
        for (int it = 0; it < 30; it++) {
            fluid_eval(m, y, &a);
            y[m->ih] = a.tr_hit_eq;
            y[m->iloop] = a.loop_starts * a.loop_dur;
        }
    }
}

static void flush_apiserver(const fluid_model *m, double *y)
{
    for (int k = m->isa; k < m->isa + m->ngroups * m->sa_stride; k++)
        y[k] = 0.0;
    for (int g = 0; g < m->ngroups; g++)
        y[m->isa + g * m->sa_stride + 1] = m->gets * m->get_s; /* no window open: any mean */
}

void fluid_trigger_start(fluid_model *m, double *y)
{
    const params *p = m->p;
    switch (p->trigger.kind) {
    case TRIGGER_CACHE_FLUSH:
        if (p->trigger.flush != FLUSH_KUBELET)
            flush_apiserver(m, y);
        if (p->trigger.flush != FLUSH_APISERVER)
            for (int j = 0; j < m->nlevels; j++)
                y[m->iz + j] = 0.0;
        break;
    case TRIGGER_BURST:
        m->burst_on = true;
        break;
    case TRIGGER_APISERVER_RESTART:
        /* all in-process state lost: validations, token cache, limiter, inflight requests */
        m->down = true;
        y[m->ix] = -m->burst;
        for (int k = 0; k < m->gets; k++)
            y[m->ip + k] = 0.0;
        flush_apiserver(m, y);
        y[m->inl] = y[m->inf] = y[m->inr] = 0.0;
        y[m->inlh] = m->gets * m->get_s + m->svc_s;
        break;
    default:
        break;
    }
    if (p->trigger.duration_s <= 0.0)
        fluid_trigger_end(m, y);
}

void fluid_trigger_end(fluid_model *m, double *y)
{
    m->burst_on = false;
    if (m->down) {
        m->down = false;
        y[m->ix] = -m->burst; /* a new process: a full bucket */
    }
}

double fluid_outstanding(const fluid_model *m, const double *y)
{
    double o = pos(y[m->ix]) + pos(y[m->inl]) + pos(y[m->iloop]);
    for (int k = 0; k < m->gets; k++)
        o += pos(y[m->ip + k]);
    return o;
}

void fluid_point_of(const fluid_model *m, const double *y, fluid_point *pt)
{
    const params *p = m->p;
    fluid_aux a;
    fluid_eval(m, y, &a);
    pt->backlog = a.B;
    pt->tokens = pos(-y[m->ix]);
    pt->wait_s = a.W;
    pt->validations = a.val;
    pt->gets = a.gets;
    pt->mutating = a.mutating;
    pt->readonly = a.readonly;
    pt->mut_reject = 1.0 - a.a_mut;
    pt->sa_hit = a.sa_hit;
    pt->tr_hit = m->tokens_used ? a.tr_hit : NAN;
    pt->kubelet_hit = m->tokens_used ? a.kubelet_hit : NAN;
    pt->loops = pos(y[m->iloop]);
    pt->not_ready = m->nodes * clampd(y[m->inu], 0.0, 1.0);
    pt->hb_success = m->nodes > 0 ? a.hb_success : NAN;
    pt->scrape_success = m->scrapes ? a.scrape_ok : NAN;
    pt->sa_success = m->sa_on ? a.sa_success : NAN;
    bool ok =
        a.mutating < p->health.max_mutating_fraction * p->apiserver.max_mutating_requests_inflight;
    if (m->nodes > 0)
        ok = ok && a.hb_success >= p->health.min_heartbeat_success;
    if (m->scrapes)
        ok = ok && a.scrape_ok >= p->health.min_scrape_success;
    if (m->sa_on)
        ok = ok && a.sa_success >= p->health.min_sa_success;
    pt->healthy = ok;
}
