#include <zlib.h>

// deflateInit2 and inflateInit2 are macros (they pass the library version and the size of
// z_stream), which Swift does not import. windowBits 15 + 16 asks zlib for a gzip header and
// trailer, so the journal's files are ordinary .gz files `zcat` reads.
static inline int airlock_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

// 15 + 16: gzip only (a raw zlib stream in a journal file is damage, not an alternative format).
static inline int airlock_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 16);
}
