/* One set of error codes for the whole project.  Functions return int:
 * 0 on success, one of these (negative) on failure. */
#ifndef DZ_ERRORS_H
#define DZ_ERRORS_H

enum dz_err {
	DZ_OK = 0,
	DZ_EFORMAT = -1,   /* malformed input (packet, name, text) */
	DZ_ESPACE = -2,    /* output buffer too small */
	DZ_ENOMEM = -3,    /* allocation failed */
	DZ_EINVAL = -4,    /* bad argument or value */
	DZ_ENOENT = -5,    /* no such thing */
	DZ_EEXIST = -6,    /* already exists */
	DZ_EDB = -7,       /* the store failed */
	DZ_EIO = -8,       /* system call failed; errno says more */
	DZ_EAUTH = -9,     /* not authorised */
	DZ_ELIMIT = -10,   /* a cap or rate limit was hit */
	DZ_ENOTSUP = -11,  /* not supported */
};

/* A short English text for an error code; never NULL. */
static inline const char *dz_strerror(int err)
{
	switch (err) {
	case DZ_OK: return "success";
	case DZ_EFORMAT: return "malformed input";
	case DZ_ESPACE: return "no space left in buffer";
	case DZ_ENOMEM: return "out of memory";
	case DZ_EINVAL: return "invalid value";
	case DZ_ENOENT: return "not found";
	case DZ_EEXIST: return "already exists";
	case DZ_EDB: return "database error";
	case DZ_EIO: return "I/O error";
	case DZ_EAUTH: return "not authorised";
	case DZ_ELIMIT: return "limit reached";
	case DZ_ENOTSUP: return "not supported";
	}
	return "unknown error";
}

#endif
