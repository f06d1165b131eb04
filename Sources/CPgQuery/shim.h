// libpg_query: the PostgreSQL 15 parser as a C library (Debian: libpg-query-dev). The static
// archive is linked explicitly by AirlockSQL so the binaries carry the parser with them.
#include <pg_query.h>
