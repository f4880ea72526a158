/* fluid_fixed: the equilibria of the fluid model and their stability (L3): the slow manifold
 * (everything but the loopback backlog in equilibrium) followed by pseudo-arclength
 * continuation, the roots of dB/dt along it refined with gsl_root and polished by Newton on the
 * full system (gsl_linalg), the Jacobian's eigenvalues by gsl_eigen_nonsymmv. fluid.md, section
 * 12. */
#include "fluid_impl.h"

#include "xmem.h"

#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- equilibria (fluid.md section 12) ---- */

#define FP_WAIT_MAX 1e4 /* the scan's end: a validation sojourn of this many seconds */
#define FP_TOL 1e-9     /* residual, relative rate of change per second */
#define FP_MAXN 256

static int fp_ode(double t, const double y[], double dy[], void *ctx)
{
    (void)t;
    fluid_rhs(ctx, y, dy, NULL);
    return GSL_SUCCESS;
}

/* States that move: the others are constant (an absent class), left out of the solve and of
 * the Jacobian so that it has no structural zero eigenvalue. */
static bool state_active(const fluid_model *m, int j)
{
    if (j == m->ix)
        return m->limited;
    if (j >= m->isa && j < m->inl)
        return m->sa_on && m->cache_on;
    if (j == m->iloop || j == m->ih)
        return m->tokens_used;
    if (j == m->inl || j == m->inlh)
        return m->tokens_used && m->f_loop > 0.0; /* TokenReviews waiting for a validation */
    if (j == m->inu)
        return m->nodes > 0;
    return j < m->ndyn;
}

/* GSL reports a singular or non-finite system through its error handler, which aborts by
 * default; the library does not touch that process-wide handler, so these checks come first. */
static bool finite_matrix(const gsl_matrix *A)
{
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++)
            if (!isfinite(gsl_matrix_get(A, i, j)))
                return false;
    return true;
}

/* LU factorisation then solve in place; -1 if A is not finite or singular. */
static int lu_factor(gsl_matrix *A, gsl_permutation *p)
{
    int sg;
    if (!finite_matrix(A) || gsl_linalg_LU_decomp(A, p, &sg))
        return -1;
    for (size_t i = 0; i < A->size1; i++)
        if (!(fabs(gsl_matrix_get(A, i, i)) > 0.0))
            return -1;
    return 0;
}

static double typ_of(const fluid_model *m, int j)
{
    if (j == m->ix)
        return 1.0;
    return (j >= m->isa && j < m->inl) || (j >= m->iz && j <= m->inu) ? 1e-3 : 1e-2;
}

typedef struct fpctx {
    fluid_model *m;
    double x;    /* the loopback deficit, held fixed unless x_free */
    bool x_free; /* x is an unknown too: the full system */
    int nact, act[FP_MAXN];
    double scale[FP_MAXN];
    double *y, *dy, *work;
    gsl_matrix *J, *Jf; /* x fixed, x free */
    gsl_permutation *perm, *permf;
} fpctx;

/* The unknowns: the active states, x first when it is free. */
static void fp_unknowns(fpctx *c, bool x_free)
{
    fluid_model *m = c->m;
    c->x_free = x_free;
    c->nact = 0;
    if (x_free)
        c->act[c->nact++] = m->ix;
    for (int j = 0; j < m->ndyn && c->nact < FP_MAXN; j++)
        if (j != m->ix && state_active(m, j))
            c->act[c->nact++] = j;
}

/* The scaled residual at z into f; returns its max norm. */
static double fp_resid(fpctx *c, const double *z, double *f)
{
    for (int k = 0; k < c->nact; k++)
        c->y[c->act[k]] = z[k];
    if (!c->x_free)
        c->y[c->m->ix] = c->x;
    fluid_rhs(c->m, c->y, c->dy, NULL);
    double mx = 0.0;
    for (int k = 0; k < c->nact; k++) {
        f[k] = c->dy[c->act[k]] / c->scale[k];
        if (!(fabs(f[k]) <= mx))
            mx = isnan(f[k]) ? INFINITY : fabs(f[k]);
    }
    return mx;
}

/* The residual's scale, fixed for one solve: equation k is divided by (|z_k| + typ) |J_kk|,
 * so that it reads as the relative correction Newton would make to z_k. A state with a turnover
 * of 1e4 per second and one of 1e-2 are then converged alike. J (the unscaled Jacobian) is
 * scaled by rows in place. */
static void fp_set_scale(fpctx *c, const double *z, gsl_matrix *J, int rows)
{
    for (int k = 0; k < rows; k++) {
        double d = fabs(gsl_matrix_get(J, (size_t)k, (size_t)k));
        c->scale[k] = (fabs(z[k]) + typ_of(c->m, c->act[k])) * fmax(d, 1e-4);
        gsl_vector_view row = gsl_matrix_row(J, (size_t)k);
        gsl_vector_scale(&row.vector, 1.0 / c->scale[k]);
    }
}

/* Newton's method from z (updated) with a forward-difference Jacobian, kept while it serves
 * (chord steps) and rebuilt when a step fails to halve the residual, and a backtracking line
 * search on the scaled max norm. Leaves the full state in c->y. Returns 0 when converged. */
static int fp_newton(fpctx *c, double *z)
{
    int n = c->nact;
    for (int k = 0; k < n; k++)
        c->scale[k] = 1.0;
    double *f = c->work, *f1 = f + n, *zt = f1 + n, *dz = zt + n;
    gsl_vector_view b = gsl_vector_view_array(dz, (size_t)n);
    gsl_matrix *J = c->x_free ? c->Jf : c->J;
    gsl_permutation *perm = c->x_free ? c->permf : c->perm;
    double r = fp_resid(c, z, f);
    int ok = 0, fresh = 0;
    for (int it = 0; it < 40 && !ok; it++) {
        if (!fresh) {
            for (int j = 0; j < n; j++) {
                double h = 1e-7 * (fabs(z[j]) + typ_of(c->m, c->act[j])), zj = z[j];
                z[j] = zj + h;
                fp_resid(c, z, f1);
                z[j] = zj;
                for (int i = 0; i < n; i++)
                    gsl_matrix_set(J, (size_t)i, (size_t)j, (f1[i] - f[i]) / h);
            }
            if (it == 0) {
                fp_set_scale(c, z, J, n);
                r = fp_resid(c, z, f);
                if (r <= FP_TOL) {
                    ok = 1;
                    break;
                }
            }
            if (lu_factor(J, perm))
                break;
            fresh = 1;
        }
        for (int i = 0; i < n; i++)
            dz[i] = -f[i];
        if (gsl_linalg_LU_svx(J, perm, &b.vector))
            break;
        double lam = 1.0, rt = INFINITY;
        for (int ls = 0; ls < 20; ls++, lam *= 0.5) {
            for (int i = 0; i < n; i++)
                zt[i] = z[i] + lam * dz[i];
            rt = fp_resid(c, zt, f1);
            if (rt < (1.0 - 1e-4 * lam) * r)
                break;
        }
        if (!(rt < r)) {
            if (fresh == 1)
                break; /* no descent even with a new Jacobian */
            fresh = 0;
            continue;
        }
        fresh = rt < 0.5 * r ? 2 : 0; /* keep the factorisation only while it converges fast */
        memcpy(z, zt, (size_t)n * sizeof *z);
        memcpy(f, f1, (size_t)n * sizeof *f);
        r = rt;
        ok = r <= FP_TOL;
    }
    fp_resid(c, z, f);
    return ok ? 0 : -1;
}

/* The other states' equilibrium with x held at the given value, from z (updated). */
static int fp_solve_at(fpctx *c, double x, double *z)
{
    c->x = x;
    return fp_newton(c, z);
}

/* Newton on the full system (x free) from the state y0: for an equilibrium on a branch the
 * scan cannot follow. Returns 0 and leaves it in c->y. */
static int fp_full(fpctx *c, const double *y0)
{
    fp_unknowns(c, true);
    double *z = xmalloc((size_t)c->nact * sizeof *z);
    for (int k = 0; k < c->nact; k++)
        z[k] = y0[c->act[k]];
    int rc = fp_newton(c, z);
    free(z);
    fp_unknowns(c, false);
    return rc;
}

/* Jacobian over the active states at c->y (central differences, one-sided at a state's zero)
 * and its eigenvalues (gsl_eigen_nonsymmv). */
static void fp_stability(fpctx *c, fluid_fixed *fx)
{
    fluid_model *m = c->m;
    int idx[FP_MAXN + 1], n = 0;
    for (int j = 0; j < m->ndyn && n < FP_MAXN; j++)
        if (state_active(m, j))
            idx[n++] = j;
    double *y = xmalloc((size_t)m->dim * 3 * sizeof *y), *fp = y + m->dim, *fm = fp + m->dim;
    memcpy(y, c->y, (size_t)m->dim * sizeof *y);
    gsl_matrix *J = gsl_matrix_alloc((size_t)n, (size_t)n);
    for (int b = 0; b < n; b++) {
        int j = idx[b];
        double h = 1e-6 * fmax(fabs(y[j]), typ_of(m, j)), y0 = y[j];
        bool one = y0 >= 0.0 && y0 - h < 0.0 && j != m->ix;
        y[j] = y0 + h;
        fluid_rhs(m, y, fp, NULL);
        y[j] = one ? y0 : y0 - h;
        fluid_rhs(m, y, fm, NULL);
        y[j] = y0;
        for (int a = 0; a < n; a++)
            gsl_matrix_set(J, (size_t)a, (size_t)b, (fp[idx[a]] - fm[idx[a]]) / (one ? h : 2 * h));
    }
    gsl_vector_complex *ev = gsl_vector_complex_alloc((size_t)n);
    gsl_matrix_complex *evec = gsl_matrix_complex_alloc((size_t)n, (size_t)n);
    gsl_eigen_nonsymmv_workspace *w = gsl_eigen_nonsymmv_alloc((size_t)n);
    double maxre = -INFINITY, radius = 0.0;
    int pos_dims = 0;
    if (finite_matrix(J) && gsl_eigen_nonsymmv(J, ev, evec, w) == GSL_SUCCESS) {
        for (int k = 0; k < n; k++)
            radius = fmax(radius, gsl_complex_abs(gsl_vector_complex_get(ev, (size_t)k)));
        for (int k = 0; k < n; k++) {
            double re = GSL_REAL(gsl_vector_complex_get(ev, (size_t)k));
            maxre = fmax(maxre, re);
            pos_dims += re > 1e-9 * radius + 1e-12;
        }
    }
    /* an eigenvalue within 1e-9 of the spectral radius of zero is zero to the Jacobian's
     * precision: it neither destabilises nor is counted */
    fx->max_re = maxre;
    fx->unstable_dims = pos_dims;
    fx->stable = pos_dims == 0 && isfinite(maxre);
    gsl_eigen_nonsymmv_free(w);
    gsl_matrix_complex_free(evec);
    gsl_vector_complex_free(ev);
    gsl_matrix_free(J);
    free(y);
}

/* Records the equilibrium in c->y unless it is one already recorded. */
static void fp_record(fpctx *c, fluid_result *r, int unbounded, double growth)
{
    fluid_model *m = c->m;
    double x = c->y[m->ix];
    for (int k = 0; k < r->nfixed && !unbounded; k++) {
        const fluid_fixed *o = &r->fixed[k];
        double xo = o->at.backlog > 0.0 ? o->at.backlog : -o->at.tokens;
        if (!o->unbounded && fabs(xo - x) <= 1e-6 * fmax(fabs(x), 1.0))
            return;
    }
    if (r->nfixed >= FLUID_MAX_FIXED)
        return;
    fluid_fixed *fx = &r->fixed[r->nfixed++];
    memset(fx, 0, sizeof *fx);
    fluid_point_of(m, c->y, &fx->at);
    fx->unbounded = unbounded;
    fx->growth_per_s = growth;
    if (unbounded) {
        fx->max_re = NAN;
        return;
    }
    fp_stability(c, fx);
}

static int fp_cmp(const void *a, const void *b)
{
    const fluid_fixed *x = a, *y = b;
    if (x->unbounded != y->unbounded)
        return x->unbounded - y->unbounded;
    double u = x->at.backlog - x->at.tokens, v = y->at.backlog - y->at.tokens;
    return (u > v) - (u < v);
}

/* ---- the slow manifold by pseudo-arclength continuation (fluid.md section 12) ----
 * The curve of states where everything but x is in equilibrium, parametrised by arclength in
 * v = (xi, z) with x = expm1(xi) GET reservations and z scaled by 1 / (1 + |z|); the roots of
 * F = dx/dt along it are the equilibria of the full system, on every branch (folds included). */

typedef struct curve {
    fpctx *c;
    int n;                               /* unknowns: xi and the na others */
    double *w;                           /* metric weights */
    double *v, *t;                       /* current point and unit tangent (scaled) */
    double *vp, *g, *g1, *dv, *vt, *vtr; /* work */
    gsl_matrix *J;
    gsl_permutation *perm;
} curve;

static double xi_to_x(double xi)
{
    return xi >= 0.0 ? expm1(xi) : xi;
}

/* Residuals at scaled v: the na equations, then the hyperplane (v - vp) . t = 0. */
static double cv_resid(curve *k, const double *v, double *g)
{
    fpctx *c = k->c;
    c->x = xi_to_x(v[0] / k->w[0]);
    double mx = 0.0, plane = 0.0;
    for (int i = 1; i < k->n; i++)
        c->y[c->act[i - 1]] = v[i] / k->w[i];
    c->y[c->m->ix] = c->x;
    fluid_rhs(c->m, c->y, c->dy, NULL);
    for (int i = 1; i < k->n; i++) {
        g[i - 1] = c->dy[c->act[i - 1]] / c->scale[i - 1];
        if (!(fabs(g[i - 1]) <= mx))
            mx = isnan(g[i - 1]) ? INFINITY : fabs(g[i - 1]);
    }
    for (int i = 0; i < k->n; i++)
        plane += (v[i] - k->vp[i]) * k->t[i];
    g[k->n - 1] = plane;
    return fabs(plane) <= mx ? mx : isnan(plane) ? INFINITY : fabs(plane);
}

/* Corrector: Newton from vp onto the curve, in the hyperplane through vp normal to t; the
 * Jacobian is kept while the residual at least halves. The result in k->vt (the state in
 * c->y). Returns 0 when converged, -1 (the caller shortens the step) otherwise. */
static int cv_correct(curve *k)
{
    int n = k->n, fresh = 0;
    memcpy(k->vt, k->vp, (size_t)n * sizeof *k->vt);
    gsl_vector_view b = gsl_vector_view_array(k->dv, (size_t)n);
    for (int i = 0; i + 1 < n; i++)
        k->c->scale[i] = 1.0;
    double r = cv_resid(k, k->vt, k->g);
    for (int it = 0; it < 12 && (it == 0 || r > FP_TOL); it++) {
        if (!fresh) {
            for (int j = 0; j < n; j++) {
                double h = 1e-7 * (fabs(k->vt[j]) + 1e-3), vj = k->vt[j];
                k->vt[j] = vj + h;
                cv_resid(k, k->vt, k->g1);
                k->vt[j] = vj;
                for (int i = 0; i < n; i++)
                    gsl_matrix_set(k->J, (size_t)i, (size_t)j, (k->g1[i] - k->g[i]) / h);
            }
            if (it == 0) {
                /* the equations' scales as in fp_set_scale; z_i is v_{i+1} / w_{i+1}, and the
                 * Jacobian is in the scaled v: d/dz = w d/dv */
                for (int i = 0; i + 1 < n; i++) {
                    double d = fabs(gsl_matrix_get(k->J, (size_t)i, (size_t)i + 1)) * k->w[i + 1];
                    double zi = k->vt[i + 1] / k->w[i + 1];
                    k->c->scale[i] = (fabs(zi) + typ_of(k->c->m, k->c->act[i])) * fmax(d, 1e-4);
                    gsl_vector_view row = gsl_matrix_row(k->J, (size_t)i);
                    gsl_vector_scale(&row.vector, 1.0 / k->c->scale[i]);
                }
                r = cv_resid(k, k->vt, k->g);
                if (r <= FP_TOL)
                    break;
            }
            if (lu_factor(k->J, k->perm))
                return -1;
            fresh = 1;
        }
        for (int i = 0; i < n; i++)
            k->dv[i] = -k->g[i];
        if (gsl_linalg_LU_svx(k->J, k->perm, &b.vector))
            return -1;
        for (int i = 0; i < n; i++)
            k->vtr[i] = k->vt[i] + k->dv[i];
        double rn = cv_resid(k, k->vtr, k->g1);
        if (!(rn < r)) {
            if (fresh == 1)
                return -1; /* no progress with a fresh Jacobian: the step was too long */
            fresh = 0;
            continue;
        }
        fresh = rn < 0.5 * r ? 2 : 0;
        memcpy(k->vt, k->vtr, (size_t)n * sizeof *k->vt);
        memcpy(k->g, k->g1, (size_t)n * sizeof *k->g);
        r = rn;
    }
    cv_resid(k, k->vt, k->g);
    return r <= FP_TOL ? 0 : -1;
}

/* F = dx/dt at the corrected point of the segment a + s (b - a). */
typedef struct cvseg {
    curve *k;
    const double *a, *b;
    double Fa, Fb; /* F at the ends, for a corrector that fails inside */
    int fail;
} cvseg;

static double cv_seg_F(double s, void *ctx)
{
    cvseg *q = ctx;
    curve *k = q->k;
    double len = 0.0;
    for (int i = 0; i < k->n; i++) {
        k->vp[i] = q->a[i] + s * (q->b[i] - q->a[i]);
        k->t[i] = q->b[i] - q->a[i];
        len += k->t[i] * k->t[i];
    }
    len = sqrt(len);
    for (int i = 0; i < k->n; i++)
        k->t[i] /= len;
    if (cv_correct(k))
        q->fail = 1;
    double F = k->c->dy[k->c->m->ix];
    return isfinite(F) ? F : s < 0.5 ? q->Fa : q->Fb;
}

/* Refines the sign change of F on the segment [a, b], polishes it on the full system and
 * records it. */
static void cv_root(curve *k, const double *a, const double *b, fluid_result *r)
{
    fpctx *c = k->c;
    fluid_model *m = c->m;
    cvseg q = {k, a, b, 0.0, 0.0, 0};
    gsl_function fn = {cv_seg_F, &q};
    q.Fa = cv_seg_F(0.0, &q);
    q.Fb = cv_seg_F(1.0, &q);
    gsl_root_fsolver *rs = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    double lo = 0.0, hi = 1.0, root = 0.5;
    bool straddle = isfinite(q.Fa) && isfinite(q.Fb) && (q.Fa < 0.0) != (q.Fb < 0.0);
    if (straddle && gsl_root_fsolver_set(rs, &fn, lo, hi) == GSL_SUCCESS) {
        for (int it = 0; it < 60; it++) {
            if (gsl_root_fsolver_iterate(rs))
                break;
            root = gsl_root_fsolver_root(rs);
            lo = gsl_root_fsolver_x_lower(rs);
            hi = gsl_root_fsolver_x_upper(rs);
            if (gsl_root_test_interval(lo, hi, 1e-10, 1e-8) == GSL_SUCCESS)
                break;
        }
    }
    gsl_root_fsolver_free(rs);
    q.fail = 0;
    cv_seg_F(root, &q);
    double *yy = xmalloc((size_t)m->dim * sizeof *yy);
    memcpy(yy, c->y, (size_t)m->dim * sizeof *yy);
    if (!q.fail && fp_full(c, yy) == 0)
        fp_record(c, r, 0, 0.0);
    else
        r->fixed_failures++;
    free(yy);
}

/* The start at x = 0 when Newton fails from the guess (a congested state, e.g. an overloaded
 * baseline): from the warm start, then after relaxing the system with x held at 0. */
static int fp_start_again(fpctx *c, double *z)
{
    fluid_model *m = c->m;
    fluid_initial_state(m, c->y);
    for (int k = 0; k < c->nact; k++)
        z[k] = c->y[c->act[k]];
    if (fp_solve_at(c, 0.0, z) == 0)
        return 0;
    fluid_initial_state(m, c->y);
    c->y[m->ix] = 0.0;
    m->freeze_x = true;
    gsl_odeiv2_system sys = {fp_ode, NULL, (size_t)m->dim, m};
    gsl_odeiv2_driver *d =
        gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rkf45, 1e-3, 1e-6, 1e-6);
    double t = 0.0;
    gsl_odeiv2_driver_set_nmax(d, 20000);
    int st = gsl_odeiv2_driver_apply(d, &t, 600.0, c->y);
    gsl_odeiv2_driver_free(d);
    m->freeze_x = false;
    if (st != GSL_SUCCESS)
        return -1;
    for (int k = 0; k < c->nact; k++)
        z[k] = c->y[c->act[k]];
    return fp_solve_at(c, 0.0, z);
}

#define CV_STEPS 200 /* accepted continuation steps at most */

int fluid_equilibria(const params *p, const double *guess, fluid_result *r, err *e)
{
    fluid_model mm, *m = &mm;
    if (fluid_model_init(m, p, e))
        return -1;
    r->nfixed = 0;
    r->fixed_failures = 0;
    fpctx c;
    memset(&c, 0, sizeof c);
    c.m = m;
    fp_unknowns(&c, false);
    c.y = xmalloc((size_t)m->dim * 2 * sizeof *c.y);
    c.dy = c.y + m->dim;
    memcpy(c.y, guess, (size_t)m->dim * sizeof *c.y);
    size_t na = (size_t)c.nact, nf = na + 1;
    c.work = xmalloc((5 * nf + 1) * sizeof *c.work);
    c.J = gsl_matrix_alloc(na ? na : 1, na ? na : 1);
    c.perm = gsl_permutation_alloc(na ? na : 1);
    c.Jf = gsl_matrix_alloc(nf, nf);
    c.permf = gsl_permutation_alloc(nf);
    gsl_matrix *Jc = gsl_matrix_alloc(nf, nf);
    gsl_permutation *pc = gsl_permutation_alloc(nf);
    double *z = xmalloc(nf * 15 * sizeof *z);
    for (size_t i = 0; i < na; i++)
        z[i] = guess[c.act[i]];
    curve k = {.c = &c,
               .n = (int)nf,
               .w = z + nf,
               .v = z + 2 * nf,
               .t = z + 3 * nf,
               .vp = z + 4 * nf,
               .g = z + 5 * nf,
               .g1 = z + 6 * nf,
               .dv = z + 7 * nf,
               .vt = z + 8 * nf,
               .vtr = z + 13 * nf,
               .J = Jc,
               .perm = pc};
    double *va = z + 9 * nf, *ta = z + 10 * nf, *zw = z + 11 * nf;

    if (!m->limited || na == 0) {
        /* no loopback limit: x is inert; one equilibrium, from the warm state */
        c.x = guess[m->ix];
        if (na > 0 && fp_newton(&c, z))
            r->fixed_failures++;
        else
            fp_record(&c, r, 0, 0.0);
        goto done;
    }
    /* the start: x = 0 (B = 0), and the healthy equilibrium if the demand is below the limit:
     * the bucket settles where accrual meets it, x* = -burst + gets / qps */
    if (fp_solve_at(&c, 0.0, z) && fp_start_again(&c, z)) {
        r->fixed_failures++;
        goto done;
    }
    double Fa = c.dy[m->ix];
    if (Fa < 0.0) {
        memcpy(zw, z, na * sizeof *z);
        if (fp_solve_at(&c, -m->burst + fmax(Fa + m->qps, 0.0) / m->qps, zw) == 0)
            fp_record(&c, r, 0, 0.0);
        else
            r->fixed_failures++;
    }
    k.w[0] = 1.0;
    k.v[0] = 0.0;
    k.t[0] = 1.0;
    for (size_t i = 0; i < na; i++) {
        k.w[i + 1] = 1.0 / (1.0 + fabs(z[i]));
        k.v[i + 1] = z[i] * k.w[i + 1];
        k.t[i + 1] = 0.0;
    }
    double xi_max = log1p(FP_WAIT_MAX * m->qps / (m->gets > 0 ? m->gets : 1));
    double h = 0.05, xi_top = 0.0;
    int steps = 0, ended = 0;
    while (steps < CV_STEPS) {
        memcpy(va, k.v, nf * sizeof *va);
        memcpy(ta, k.t, nf * sizeof *ta);
        for (size_t i = 0; i < nf; i++)
            k.vp[i] = k.v[i] + h * k.t[i];
        if (cv_correct(&k)) {
            memcpy(k.t, ta, nf * sizeof *ta);
            h *= 0.5;
            if (h < 1e-7) {
                r->fixed_failures++;
                break;
            }
            continue;
        }
        steps++;
        double Fb = c.dy[m->ix], xib = k.vt[0];
        memcpy(k.v, k.vt, nf * sizeof *k.v);
        /* the secant tangent, oriented as before */
        double len = 0.0, dot = 0.0;
        for (size_t i = 0; i < nf; i++) {
            k.t[i] = k.v[i] - va[i];
            len += k.t[i] * k.t[i];
        }
        len = sqrt(len);
        for (size_t i = 0; i < nf; i++) {
            k.t[i] /= len;
            dot += k.t[i] * ta[i];
        }
        if (dot < 0.0)
            for (size_t i = 0; i < nf; i++)
                k.t[i] = -k.t[i];
        if ((Fa < 0.0) != (Fb < 0.0)) {
            double *vs = zw, *tsv = zw + nf;
            memcpy(vs, k.v, nf * sizeof *vs);
            memcpy(tsv, k.t, nf * sizeof *tsv);
            cv_root(&k, va, vs, r);
            memcpy(k.v, vs, nf * sizeof *vs);
            memcpy(k.t, tsv, nf * sizeof *tsv);
        }
        /* new metric weights at the accepted point */
        len = 0.0;
        for (size_t i = 1; i < nf; i++) {
            double zi = k.v[i] / k.w[i], wn = 1.0 / (1.0 + fabs(zi));
            k.t[i] *= wn / k.w[i];
            k.v[i] = zi * wn;
            k.w[i] = wn;
        }
        for (size_t i = 0; i < nf; i++)
            len += k.t[i] * k.t[i];
        len = sqrt(len);
        for (size_t i = 0; i < nf; i++)
            k.t[i] /= len;
        Fa = Fb;
        h = fmin(h * 1.6, 0.5);
        if (xib >= xi_max) {
            ended = 1;
            break;
        }
        if (xib < 0.0 && xi_top > 1.0)
            break; /* the curve came back below B = 0 */
        xi_top = fmax(xi_top, xib);
    }
    if (ended && Fa > 0.0) {
        /* the backlog still grows at the scan's end: that state stands for B -> infinity */
        for (size_t i = 0; i < na; i++)
            c.y[c.act[i]] = k.v[i + 1] / k.w[i + 1];
        c.y[m->ix] = xi_to_x(k.v[0]);
        fp_record(&c, r, 1, Fa);
    } else if (!ended && steps >= CV_STEPS) {
        r->fixed_failures++;
    }
done:
    qsort(r->fixed, (size_t)r->nfixed, sizeof r->fixed[0], fp_cmp);
    gsl_permutation_free(pc);
    gsl_matrix_free(Jc);
    gsl_permutation_free(c.perm);
    gsl_permutation_free(c.permf);
    gsl_matrix_free(c.J);
    gsl_matrix_free(c.Jf);
    free(c.work);
    free(z);
    r->rhs_evals += m->nrhs;
    free(c.y);
    return 0;
}
