/* exit_maps: bpftrace's print_maps_on_exit = false. */
#ifndef SONDE_OUTPUT_EXIT_MAPS_H
#define SONDE_OUTPUT_EXIT_MAPS_H

#include "output/output.h"

/* An output that passes everything on to `inner`, which it takes over
 * (closing it closes `inner`), except the maps shown once tracing has ended:
 * print(@map) still shows them while tracing and in END. NULL without memory
 * (`inner` is then left as it was). */
struct output *output_without_exit_maps(struct output *inner);

#endif
