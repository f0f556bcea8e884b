/* The dashboard's files (web/), embedded into the binary at build time by
 * web/embed.py: the daemon serves them from memory, with no file system
 * access and nothing fetched from elsewhere. */
#ifndef DZ_WEB_ASSETS_H
#define DZ_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;            /* "/app.js"; index.html is also "/" */
	const char *type;            /* Content-Type */
	const unsigned char *data;
	size_t len;
	const char *etag;            /* strong ETag, quotes included */
};

/* The asset served at `path` (exact match, no query string), or NULL.
 * The result is static: never freed. */
const struct web_asset *web_asset_find(const char *path);
/* Every asset (*n of them, sorted by path), to register their routes. */
const struct web_asset *web_asset_list(size_t *n);

#endif
