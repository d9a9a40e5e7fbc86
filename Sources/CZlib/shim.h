// zlib for GatewayMiddleware (gzip coding). zlib.h's init functions are
// macros, which Swift cannot call: the inline wrappers below stand in.
#ifndef EVENTGATEWAY_CZLIB_SHIM_H
#define EVENTGATEWAY_CZLIB_SHIM_H

#include <zlib.h>

static inline int eg_deflate_init2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int eg_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
