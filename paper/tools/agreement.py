#!/usr/bin/env python3
"""Agreement of two stability maps of one sweep: a simulated one (DES) and a fluid one.

    agreement.py DES_DIR FLUID_DIR [--name NAME] [--csv OUT.csv]

Both directories are `avalanche sweep` outputs of the same sweep group (regions.csv, cells.csv,
config.resolved.cfg); the second normally from `--method fluid`. Their grids may differ where
refinement split different cells. Reported:

  points      the points both maps hold (the coarse grid, and refined points that coincide):
              how many, and in how many the fluid class equals the DES majority class;
  area        the share of the swept range (in axis coordinates: log10 on a log axis) where the
              two partitions (cells.csv) give the same class;
  stable area the share where both say stable or both do not (what a capacity planner reads
              off), and where exactly one says stable: fluid-pessimistic (DES stable,
              fluid not) and fluid-optimistic;
  boundary    per row of the coarse grid (each y value): the smallest x at which each map is
              not stable (its first unsafe x, `inf` when the row is stable to the end), and the
              distance between them in grid steps of the coarse x axis.

Standard library only. Prints a table; with --csv appends one row per map.
"""
import argparse
import csv
import math
import os
import re
import sys


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def axis_scales(cfg_path):
    """(x_log, y_log) from the sweep group of a resolved config."""
    text = open(cfg_path).read()
    scales = {}
    for axis in ("x", "y"):
        m = re.search(r"^\s*%s = \{[^}]*scale = \"(\w+)\"" % axis, text, re.M)
        scales[axis] = bool(m and m.group(1) == "log")
    return scales["x"], scales["y"]


class Map:
    def __init__(self, d):
        self.dir = d
        self.regions = read_csv(os.path.join(d, "regions.csv"))
        self.cells = read_csv(os.path.join(d, "cells.csv"))
        self.x_log, self.y_log = axis_scales(os.path.join(d, "config.resolved.cfg"))
        self.cls = {int(r["point"]): r["majority"] for r in self.regions}
        self.two_axes = self.regions and self.regions[0]["y"] != ""
        self.fluid = os.path.exists(os.path.join(d, "fluid.csv"))

    def tx(self, v):
        return math.log10(v) if self.x_log else v

    def ty(self, v):
        return math.log10(v) if self.y_log else v

    def class_at(self, x, y):
        """The class of the partition cell holding (x, y), in transformed coordinates."""
        for c in self.cells:
            x0, x1 = self.tx(float(c["x_lo"])), self.tx(float(c["x_hi"]))
            if not (x0 <= x <= x1):
                continue
            if self.two_axes:
                y0, y1 = self.ty(float(c["y_lo"])), self.ty(float(c["y_hi"]))
                if not (y0 <= y <= y1):
                    continue
            return self.cls[int(c["point"])]
        return None


def edges(m, lo_key, hi_key, t):
    out = set()
    for c in m.cells:
        if c[lo_key] != "":
            out.add(t(float(c[lo_key])))
            out.add(t(float(c[hi_key])))
    return sorted(out)


def area_agreement(a, b):
    xs = sorted(set(edges(a, "x_lo", "x_hi", a.tx)) | set(edges(b, "x_lo", "x_hi", b.tx)))
    ys = [0.0, 1.0]
    if a.two_axes:
        ys = sorted(set(edges(a, "y_lo", "y_hi", a.ty)) | set(edges(b, "y_lo", "y_hi", b.ty)))
    total = same = pess = opt = 0.0
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            w = (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j])
            if w <= 0:
                continue
            cx, cy = (xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2
            ca, cb = a.class_at(cx, cy), b.class_at(cx, cy)
            if ca is None or cb is None:
                continue
            total += w
            same += w * (ca == cb)
            if ca == "stable" and cb != "stable":
                pess += w
            if ca != "stable" and cb == "stable":
                opt += w
    return same / total, pess / total, opt / total


def point_agreement(a, b):
    key = lambda r: (float(r["x"]), r["y"] and float(r["y"]))
    bi = {key(r): r["majority"] for r in b.regions}
    n = agree = 0
    for r in a.regions:
        k = key(r)
        if k in bi:
            n += 1
            agree += r["majority"] == bi[k]
    return n, agree


def boundaries(a, b):
    """Per coarse y: the first non-stable x of each map, and their distance in coarse steps."""
    coarse = [r for r in a.regions if r["level"] == "0"]
    xs = sorted({float(r["x"]) for r in coarse})
    ys = sorted({float(r["y"]) for r in coarse}) if a.two_axes else [None]
    step = [a.tx(xs[i + 1]) - a.tx(xs[i]) for i in range(len(xs) - 1)]
    mean_step = sum(step) / len(step) if step else 1.0

    def first_unsafe(m, y):
        rows = [r for r in m.regions if y is None or float(r["y"]) == y]
        bad = [float(r["x"]) for r in rows if r["majority"] != "stable"]
        return min(bad) if bad else math.inf

    out = []
    for y in ys:
        da, db = first_unsafe(a, y), first_unsafe(b, y)
        if math.isinf(da) and math.isinf(db):
            dist = 0.0
        elif math.isinf(da) or math.isinf(db):
            dist = math.inf
        else:
            dist = (a.tx(db) - a.tx(da)) / mean_step
        out.append((y, da, db, dist))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("des")
    ap.add_argument("fluid")
    ap.add_argument("--name", default=None)
    ap.add_argument("--csv", default=None)
    args = ap.parse_args()
    a, b = Map(args.des), Map(args.fluid)
    name = args.name or os.path.basename(os.path.normpath(args.des))
    n, agree = point_agreement(a, b)
    same, pess, opt = area_agreement(a, b)
    bd = boundaries(a, b)
    print("%s: points %d/%d agree (%.0f %%); area %.1f %% agree (stable or not: %.1f %%); "
          "fluid pessimistic %.1f %%, optimistic %.1f %% of the area"
          % (name, agree, n, 100.0 * agree / n if n else float("nan"), 100 * same,
             100 * (1 - pess - opt), 100 * pess, 100 * opt))
    for y, da, db, dist in bd:
        print("  y = %s: first non-stable x: DES %g, fluid %g, distance %+.2f coarse steps"
              % ("-" if y is None else "%g" % y, da, db, dist))
    finite = [abs(d) for _, _, _, d in bd if not math.isinf(d)]
    mean_dist = sum(finite) / len(finite) if finite else float("nan")
    if args.csv:
        new = not os.path.exists(args.csv)
        with open(args.csv, "a", newline="") as f:
            w = csv.writer(f)
            if new:
                w.writerow(["map", "points", "points_agree", "area_agree", "area_agree_stable",
                            "fluid_pessimistic",
                            "fluid_optimistic", "rows", "rows_boundary_infinite",
                            "mean_boundary_distance_steps"])
            w.writerow([name, n, agree, "%.4f" % same, "%.4f" % (1 - pess - opt), "%.4f" % pess,
                        "%.4f" % opt, len(bd),
                        len(bd) - len(finite), "%.3f" % mean_dist])
    return 0


if __name__ == "__main__":
    sys.exit(main())
