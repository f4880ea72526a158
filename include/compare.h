/* compare: `avalanche compare DIR... [--out DIR] [--label NAME]... [--quiet]`: several run
 * directories on one dashboard, a mitigation against its base (L4). Each DIR must hold a run
 * (timeseries.csv and config.resolved.cfg); the mutating cap of each run comes from its resolved
 * config, the trigger window and the interventions (interventions.csv) from the first run, and
 * the chart formats from the first run's plot.formats. Labels default to the directory names.
 * Writes OUT/compare.{png,svg,pdf} and OUT/provenance.csv (OUT: results/compare). */
#ifndef AVALANCHE_COMPARE_H
#define AVALANCHE_COMPARE_H

/* argv holds the arguments after "compare". Returns the exit status: 0 ok, 1 runtime failure
 * (I/O), 2 usage error or a DIR that is not a run directory. */
int compare_command(int argc, char **argv);

#endif
