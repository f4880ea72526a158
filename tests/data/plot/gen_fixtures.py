#!/usr/bin/env python3
"""Writes the plot test fixtures here, synthetic but shaped like the 1.12 incident and
deterministic (fixed seed); not needed to build:
  timeseries.csv, interventions.csv        a run (with the second wave's columns)
  regions2_old.csv                         a refined two-axis sweep in the first wave's format
                                           (cell edges as x_lo..y_hi columns, no cells.csv)
  regions2.csv + cells2.csv                the same sweep in the second wave's format: four
                                           classes, recovery times, the partition in cells.csv
  regions1.csv + cells1.csv                a one-axis sweep
  regions3.csv + cells3.csv                a three-axis sweep (z = apiserver.replicas 1, 2, 3)
  regions_cat.csv + cells_cat.csv          a categorical x (metrics_server.auth) by a numeric y"""
import math
import random

rng = random.Random(12)


def g(v, fmt="%.6g"):
    return "" if v is None else fmt % v


def timeseries():
    cols = ["t", "apiserver_current_inflight_requests_mutating",
            "apiserver_current_inflight_requests_readonly",
            "apiserver_dropped_requests_mutating_per_s", "apiserver_dropped_requests_readonly_per_s",
            "tokenreviews_per_s", "tokenreview_timeouts_per_s", "request_timeouts_per_s",
            "tokenreview_latency_s", "token_cache_hit_ratio", "kubelet_cache_hit_ratio",
            "loopback_queue_length", "loopback_wait_s", "loopback_gets_per_s",
            "orphaned_validations", "scrape_success_ratio", "heartbeat_success_ratio",
            "not_ready_nodes", "goodput_tokenreview_per_s", "goodput_heartbeat_per_s",
            "goodput_sa_per_s", "goodput_background_per_s", "cpu_utilization", "healthy",
            "sa_success_ratio", "outstanding_calls", "outstanding_validations",
            "outstanding_requests", "outstanding_work"]
    rows = [",".join(cols)]
    q = 0.0
    notready = 0.0
    for t in range(1, 1801):
        after = t > 600
        s = t - 600
        if not after:
            mut = max(0.0, rng.gauss(12, 3))
            ro = max(0.0, rng.gauss(35, 5))
            d_mut = 0.0
            d_ro = 0.0
            tr = max(0.0, rng.gauss(85, 9))
            tr_to = 0.0
            req_to = 0.0
            lat = rng.uniform(0.004, 0.008)
            tok = min(1.0, rng.gauss(0.985, 0.004))
            kub = min(1.0, rng.gauss(0.96, 0.01))
            q = 0.0
            wait = None if rng.random() < 0.3 else rng.uniform(0, 0.02)  # no gets: no data
            gets = max(0.0, rng.gauss(8, 2))
            hb = 1.0
            notready = 0.0
            healthy = 1
        else:
            mut = min(200.0, 200.0 * (1 - math.exp(-s / 3.0)) + rng.uniform(-2, 0))
            ro = 60 + 90 * (1 - math.exp(-s / 40)) + rng.gauss(0, 8)
            d_mut = max(0.0, 600 * (1 - math.exp(-s / 20)) + rng.gauss(0, 60))
            d_ro = max(0.0, rng.gauss(4, 2))
            tr = max(0.0, 3500 * math.exp(-s / 30) + 900 + rng.gauss(0, 80))
            tr_to = max(0.0, 40 * (1 - math.exp(-s / 60)) + rng.gauss(0, 6)) if s > 60 else 0.0
            req_to = max(0.0, rng.gauss(3, 1.5)) if s > 60 else 0.0
            lat = min(60.0, 0.5 + s / 8.0)
            tok = max(0.0, 0.15 + rng.gauss(0, 0.03))
            kub = max(0.0, 0.08 + rng.gauss(0, 0.02))
            q = min(3000.0, q + 50 - 45 + rng.gauss(0, 3)) if s > 5 else q + 400
            q = max(q, 0.0)
            wait = min(60.0, q / 50.0)
            gets = 50.0 + rng.gauss(0, 0.5)
            hb = max(0.0, min(1.0, 0.25 + 0.75 * math.exp(-s / 25) + rng.gauss(0, 0.03)))
            if s > 40:
                notready = min(3800.0, notready + 25 + rng.gauss(0, 3))
            healthy = 0
        # a 10 s gap of the whole pipeline (e.g. a skipped sample) breaks every line
        gap = 1200 <= t < 1210
        sa = 1.0 if not after else max(0.0, min(1.0, 0.6 + rng.gauss(0, 0.08)))
        calls = 40 + rng.uniform(0, 5) if not after else 40 + 3 * s + rng.gauss(0, 10)
        vals_out = [max(0.0, calls), q + max(0, q * 0.8), mut + ro]
        vals = [t, mut, ro, d_mut, d_ro, tr, tr_to, req_to, lat, tok, kub, q, wait, gets,
                max(0, q * 0.8), 1.0 if not after else max(0, 0.3 + rng.gauss(0, 0.1)), hb,
                notready, min(tr, 900), hb * 500, 40 if not after else 5, 20, 0.3, healthy,
                sa] + vals_out + [sum(vals_out)]
        out = []
        for i, v in enumerate(vals):
            if i == 0:
                out.append("%d" % v)
            elif gap:
                out.append("")
            else:
                out.append(g(v))
        rows.append(",".join(out))
    with open("timeseries.csv", "w") as f:
        f.write("\n".join(rows) + "\n")


def binom_cdf(k, n, p):
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))


def cp(k, n):
    """95 % Clopper-Pearson interval by bisection."""
    def solve(f):
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if f(mid):
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2
    lo = 0.0 if k == 0 else solve(lambda p: 1 - binom_cdf(k - 1, n, p) < 0.025)
    hi = 1.0 if k == n else solve(lambda p: binom_cdf(k, n, p) > 0.025)
    return lo, hi


def sig(u):
    return 1 / (1 + math.exp(-u))


def probs(nodes, ttl):
    r = nodes / (500 * math.sqrt(ttl))
    unstable = sig(math.log(r) / 0.25)
    over = sig((math.log(r) - math.log(3)) / 0.25)
    return [1 - unstable, unstable - over, over]


HEAD = ("point,level,x,y,x_lo,x_hi,y_lo,y_hi,replications,n_stable,n_metastable,n_overloaded,"
        "p_stable,p_stable_lo,p_stable_hi,p_metastable,p_metastable_lo,p_metastable_hi,"
        "p_overloaded,p_overloaded_lo,p_overloaded_hi,majority,recovery_median,recovery_lo,"
        "recovery_hi,mean_heartbeat_success_ratio")
NAMES = ["stable", "metastable", "overloaded"]


def row(point, level, x, y, xl, xh, yl, yh, reps, pr):
    n = [0, 0, 0]
    for _ in range(reps):
        u = rng.random()
        n[0 if u < pr[0] else 1 if u < pr[0] + pr[1] else 2] += 1
    f = [point, level, g(x), g(y), g(xl), g(xh), g(yl), g(yh), reps, n[0], n[1], n[2]]
    for k in range(3):
        lo, hi = cp(n[k], reps)
        f += [g(n[k] / reps), g(lo), g(hi)]
    major = max(range(3), key=lambda k: (n[k], k))
    f.append(NAMES[major])
    if n[0] > 0:
        med = 200 + 40 * (1 - n[0] / reps)
        f += [g(med), g(med * 0.8), g(med * 1.3)]
    else:
        f += ["", "", ""]
    f.append(g(n[0] / reps))
    return ",".join(str(v) for v in f)


NEW_HEAD = ("point,level,x,y,z,cluster.nodes,kubelet.webhook_cache_ttl,replications,n_stable,"
            "n_metastable,n_overloaded,n_unresolved,p_stable,p_stable_lo,p_stable_hi,"
            "p_metastable,p_metastable_lo,p_metastable_hi,p_overloaded,p_overloaded_lo,"
            "p_overloaded_hi,p_unresolved,p_unresolved_lo,p_unresolved_hi,majority,n_recovered,"
            "recovery_median,recovery_lo,recovery_hi,p_within_window,p_within_window_lo,"
            "p_within_window_hi,mean_heartbeat_success_ratio,n_stopped_early")
NAMES4 = ["stable", "metastable", "overloaded", "unresolved"]
WINDOW = 600.0


def probs4(r):
    """Class probabilities from the load ratio r (1 = the metastable boundary)."""
    unstable = sig(math.log(r) / 0.25)
    over = sig((math.log(r) - math.log(3)) / 0.25)
    unres = 0.35 * math.exp(-(math.log(r) / 0.2) ** 2)  # near the boundary: still draining
    st = max(0.0, 1 - unstable - unres / 2)
    return [st, max(0.0, unstable - over - unres / 2), over, unres]


def new_row(point, level, x, y, z, reps, pr, r):
    n = [0, 0, 0, 0]
    cum = [sum(pr[:k + 1]) / sum(pr) for k in range(4)]
    for _ in range(reps):
        u = rng.random()
        n[next(k for k in range(4) if u <= cum[k] or k == 3)] += 1
    f = [point, level, g(x), g(y), g(z), g(x), g(y), reps] + n
    for k in range(4):
        lo, hi = cp(n[k], reps)
        f += [g(n[k] / reps), g(lo), g(hi)]
    worse = [0, 2, 3, 1]  # tie order: overloaded > metastable > unresolved > stable
    major = max(range(4), key=lambda k: (n[k], worse[k]))
    f += [NAMES4[major], n[0]]
    if n[0] > 0:
        # recovery grows toward the boundary (r -> 1); far from it no outage at all
        med = 0.0 if r < 0.3 else 40 * math.exp(4 * min(r, 1.1))
        lo, hi = (g(med * 0.7), g(med * 1.5)) if n[0] >= 6 else ("", "")
        f += [g(med), lo, hi]
        within = sum(1 for _ in range(n[0]) if med * rng.uniform(0.6, 1.6) <= WINDOW)
    else:
        f += ["", "", ""]
        within = 0
    lo, hi = cp(within, reps)
    f += [g(within / reps), g(lo), g(hi), g(n[0] / reps), 0]
    return ",".join(str(v) for v in f)


def sweep2(path_regions, path_cells, z=None, cats=None, seed_shift=0):
    """A 10 x 6 grid (or len(cats) x 6) with four cells refined into quadrants: two quadrants
    become level-1 points, the other two stay with the coarse point (which then owns several
    rectangles)."""
    if cats:
        xs = [float(i) for i in range(len(cats))]
        xe = [i - 0.5 for i in range(len(cats) + 1)]
    else:
        xs = [1000.0 * (i + 1) for i in range(10)]
        dx = xs[1] - xs[0]
        xe = [xs[0] - dx / 2] + [(a + b) / 2 for a, b in zip(xs, xs[1:])] + [xs[-1] + dx / 2]
    ys = [5.0, 15.0, 30.0, 60.0, 120.0, 300.0]
    ye = ([ys[0] / math.sqrt(ys[1] / ys[0])] + [math.sqrt(a * b) for a, b in zip(ys, ys[1:])] +
          [ys[-1] * math.sqrt(ys[-1] / ys[-2])])
    zs = z if z else [None]
    rows, cells = [NEW_HEAD], ["point,x_lo,x_hi,y_lo,y_hi"]
    point = 0
    refine = set() if cats else {(2, 1), (3, 2), (4, 2), (6, 3)}
    for zk, zv in enumerate(zs):
        for j in range(6):
            for i in range(len(xs)):
                def load(x, y):
                    if cats:
                        return [0.4, 1.4][i % 2] * math.sqrt(y / 30)
                    return x / (500 * math.sqrt(y)) / (1 + 0.35 * zk)
                r = load(xs[i], ys[j])
                coarse = point
                rows.append(new_row(point, 0, xs[i], ys[j], zv, 10, probs4(r), r))
                point += 1
                if (i, j) not in refine:
                    cells.append("%d,%s,%s,%s,%s" % (coarse, g(xe[i]), g(xe[i + 1]), g(ye[j]),
                                                    g(ye[j + 1])))
                    continue
                xm = (xe[i] + xe[i + 1]) / 2
                ym = math.sqrt(ye[j] * ye[j + 1])
                quads = [(xe[i], xm, ye[j], ym), (xm, xe[i + 1], ye[j], ym),
                         (xe[i], xm, ym, ye[j + 1]), (xm, xe[i + 1], ym, ye[j + 1])]
                for q, (xl, xh, yl, yh) in enumerate(quads):
                    if q in (0, 3):  # new level-1 points at the quadrant centres
                        x, y = (xl + xh) / 2, math.sqrt(yl * yh)
                        rr = load(x, y)
                        rows.append(new_row(point, 1, x, y, zv, 10, probs4(rr), rr))
                        cells.append("%d,%s,%s,%s,%s" % (point, g(xl), g(xh), g(yl), g(yh)))
                        point += 1
                    else:
                        cells.append("%d,%s,%s,%s,%s" % (coarse, g(xl), g(xh), g(yl), g(yh)))
    with open(path_regions, "w") as f:
        f.write("\n".join(rows) + "\n")
    with open(path_cells, "w") as f:
        f.write("\n".join(cells) + "\n")


def sweep1():
    rows, cells = [NEW_HEAD], ["point,x_lo,x_hi,y_lo,y_hi"]
    xs = [500 + i * 500 for i in range(20)]
    for i, x in enumerate(xs):
        r = x / (500 * math.sqrt(60.0))
        rows.append(new_row(i, 0, x, None, None, 20, probs4(r), r))
        cells.append("%d,%s,%s,," % (i, g(x - 250), g(x + 250)))
    with open("regions1.csv", "w") as f:
        f.write("\n".join(rows) + "\n")
    with open("cells1.csv", "w") as f:
        f.write("\n".join(cells) + "\n")


def interventions():
    rows = ["index,at,what,recovered,recovery_time",
            '0,1200,apiserver.max_mutating_requests_inflight = 2000,0,',
            '1,1500,apiserver_restart 30 s,1,85.5',
            '2,1650,"metrics_server.auth = ""certificate"", restarted",1,12']
    with open("interventions.csv", "w") as f:
        f.write("\n".join(rows) + "\n")


def regions2():
    xs = [1000.0 * (i + 1) for i in range(10)]
    ys = [5.0, 15.0, 30.0, 60.0, 120.0, 300.0]
    dx = xs[1] - xs[0]
    xe = [xs[0] - dx / 2] + [(a + b) / 2 for a, b in zip(xs, xs[1:])] + [xs[-1] + dx / 2]
    ye = ([ys[0] / math.sqrt(ys[1] / ys[0])] + [math.sqrt(a * b) for a, b in zip(ys, ys[1:])] +
          [ys[-1] * math.sqrt(ys[-1] / ys[-2])])
    rows = [HEAD]
    point = 0
    refine = {(2, 1), (3, 2), (4, 2), (6, 3)}  # cells near a boundary, split in 2 x 2
    for j in range(6):
        for i in range(10):
            if (i, j) in refine:
                for b in range(2):
                    for a in range(2):
                        xl = xe[i] + a * (xe[i + 1] - xe[i]) / 2
                        xh = xl + (xe[i + 1] - xe[i]) / 2
                        yl = ye[j] * math.sqrt(ye[j + 1] / ye[j]) ** b
                        yh = yl * math.sqrt(ye[j + 1] / ye[j])
                        x = (xl + xh) / 2
                        y = math.sqrt(yl * yh)
                        rows.append(row(point, 1, x, y, xl, xh, yl, yh, 10, probs(x, y)))
                        point += 1
            else:
                rows.append(row(point, 0, xs[i], ys[j], xe[i], xe[i + 1], ye[j], ye[j + 1], 10,
                                probs(xs[i], ys[j])))
                point += 1
    with open("regions2_old.csv", "w") as f:
        f.write("\n".join(rows) + "\n")


timeseries()
regions2()
sweep2("regions2.csv", "cells2.csv")
sweep2("regions3.csv", "cells3.csv", z=[1, 2, 3])
sweep2("regions_cat.csv", "cells_cat.csv", cats=["token", "certificate"])
sweep1()
interventions()
