/* main_mpi: the avalanche-mpi entry point (L4): MPI set-up around `sweep`, the one command that
 * runs across ranks. Exit codes as in main.c. Built only by `make mpi`. */
#include "sweep_mpi.h"

#include <mpi.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: mpirun -n N avalanche-mpi sweep CONFIG [--set KEY=VALUE]... [-j T] [--out DIR]\n"
    "                                  [--resume] [--dry-run] [--quiet]\n"
    "\n"
    "Rank 0 plans the sweep of CONFIG and writes DIR exactly as `avalanche sweep -j 1` does; "
    "every\n"
    "rank (rank 0 too) runs (point, replication) jobs on T threads (default: the online CPUs of\n"
    "its machine shared among the ranks there) and streams the results back. Every other\n"
    "command is `avalanche`'s.\n";

int main(int argc, char **argv)
{
    int provided = 0, rank = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fputs("avalanche-mpi: MPI_Init_thread failed\n", stderr);
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int status = 0, abort_job = 0;
    const char *cmd = argc >= 2 ? argv[1] : NULL;
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            fputs("avalanche-mpi: this MPI library does not support threads "
                  "(MPI_THREAD_FUNNELED)\n",
                  stderr);
        status = 1;
    } else if (!cmd) {
        if (rank == 0)
            fputs("avalanche-mpi: missing command (see avalanche-mpi --help)\n", stderr);
        status = 2;
    } else if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (rank == 0)
            fputs(usage, stdout);
    } else if (strcmp(cmd, "sweep") == 0) {
        status = sweep_mpi_command(argc - 2, argv + 2, &abort_job);
    } else {
        if (rank == 0)
            fprintf(stderr,
                    "avalanche-mpi: unknown command '%s' (only sweep runs on MPI; the others "
                    "are avalanche's)\n",
                    cmd);
        status = 2;
    }
    if (rank == 0 && (fflush(stdout) != 0 || ferror(stdout)) && status == 0)
        status = 1;
    if (abort_job)
        MPI_Abort(MPI_COMM_WORLD, status ? status : 1);
    MPI_Finalize();
    return status;
}
