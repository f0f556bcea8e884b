/* Transparent huge pages for the zone table.
 *
 * The zone table's nodes live in the main heap, filled by the start-up
 * load.  A query touches a node chosen at random among them, so with 4 KiB
 * pages almost every query also misses the TLB once the table outgrows the
 * TLB's reach (a few MB).  Backing the heap with 2 MiB pages removes most
 * of those misses: at 1M hosts, alternating runs of tools/bench/dns gave
 * 8.33 and 7.61 us of CPU per query against 9.09 and 8.60 without.
 *
 * Faulting the load itself into huge pages made start-up slower (each fault
 * zeroes, and may compact, 2 MiB), so the load runs on small pages and a
 * background thread then marks the heap MADV_HUGEPAGE and collapses it
 * (MADV_COLLAPSE, Linux 6.1) while DNS already answers.  Where the kernel
 * cannot (no THP, an older kernel, THP set to "never"), nothing changes. */
#ifndef DZ_THP_H
#define DZ_THP_H

/* Start the collapse of the heap as it is now on a detached, low-priority
 * thread.  Best effort: failures are logged at debug level only. */
void thp_collapse_heap(void);

#endif
