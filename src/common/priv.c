#include "src/common/priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proto/errors.h"

int priv_drop(const char *user, char *err, size_t errlen)
{
	if (geteuid() != 0 || !user || !*user)
		return 0;
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "user %s: %s", user, errno ? strerror(errno) : "no such user");
		return DZ_EINVAL;
	}
	/* group before user, and fail hard on any step */
	if (setgroups(1, &pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		snprintf(err, errlen, "dropping privileges to %s: %s", user, strerror(errno));
		return DZ_EIO;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "dropping privileges to %s: root could be regained", user);
		return DZ_EIO;
	}
	return 0;
}
