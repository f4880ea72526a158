/* sweep_mpi: `mpirun -n N avalanche-mpi sweep CONFIG [--out DIR] [--resume] [-j T]`: the sweep
 * driver on rank 0 with an MPI back-end (L4). Rank 0 plans every level, hands (point,
 * replication) jobs out in batches to every rank (itself included, on its own threads) as they
 * ask, and writes the files exactly as `avalanche sweep -j 1` does; the other ranks run jobs on
 * T threads each and stream results back. Built only by `make mpi` (OpenMPI). */
#ifndef AVALANCHE_SWEEP_MPI_H
#define AVALANCHE_SWEEP_MPI_H

/* The command, argv holding the arguments after "sweep", on every rank; MPI_Init_thread (at
 * least MPI_THREAD_FUNNELED) has been called. Every rank returns the same exit status: 0 ok,
 * 1 runtime failure, 2 usage or config error (also a rank whose CONFIG resolves differently),
 * 128 + signal when interrupted (every finished row kept; resumable with --resume). *abort_job
 * is set when the other ranks did not answer the shutdown in time: the caller should
 * MPI_Abort rather than MPI_Finalize. */
int sweep_mpi_command(int argc, char **argv, int *abort_job);

#endif
