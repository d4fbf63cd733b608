/* vec: a growable array of pointers backed by malloc (not the arena, because
 * lists grow while they are built). */
#ifndef SONDE_BASE_VEC_H
#define SONDE_BASE_VEC_H

#include <stddef.h>

struct vec {
    void **items;
    size_t count;
    size_t capacity;
};

void vec_push(struct vec *vec, void *item);
void vec_free(struct vec *vec);
static inline void *vec_get(const struct vec *vec, size_t index)
{
    return vec->items[index];
}

#endif
