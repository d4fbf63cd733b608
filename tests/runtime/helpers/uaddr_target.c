/* uaddr_target [N]: after the go, calls sonde_uaddr_probe() N times (1 by
 * default). Its globals hold known values, for uaddr() tests: the probe
 * reads them through the address uaddr() gives. Built as a PIE (gcc's
 * default here) and, as uaddr_target_fixed, linked at fixed addresses. */
#include "go.h"

#include <stdint.h>

/* used: kept even where nothing reads them; volatile: read from memory. */
__attribute__((used)) volatile int32_t sonde_known_int = 8675309;
__attribute__((used)) volatile int64_t sonde_known_long = -1234567890123LL;
__attribute__((used)) volatile uint8_t sonde_known_byte = 201;
__attribute__((used)) char sonde_known_text[] = "uaddr found me";
__attribute__((used)) volatile int32_t sonde_known_zero; /* .bss */

__attribute__((noinline, noipa, used)) int sonde_uaddr_probe(int index)
{
    __asm__ volatile("" ::: "memory");
    sonde_known_zero = 0;
    return index + 1;
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? helper_number(argv[1], "N") : 1;
    go_wait();
    int total = 0;
    for (long i = 0; i < calls; i++)
        total += sonde_uaddr_probe((int)i);
    return total > 0 ? 0 : 1;
}
