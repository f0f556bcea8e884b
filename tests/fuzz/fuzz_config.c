/* Fuzz the config parser: arbitrary bytes as a config file and as one
 * --key=value argument.  Beyond "no crash": every failure says why (and a
 * file's failure names its line), and a config that loads frees cleanly.
 * Inputs naming tsig-key-file are skipped: the parser would open the path
 * they give (/dev/stdin would wait for ever). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proto/errors.h"
#include "src/common/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	char err[512];
	struct config c;

	if (memmem(data, size, "key-file", 8))
		return 0;
	if (fd < 0) {
		fd = memfd_create("fuzz-config", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	config_init(&c);
	err[0] = 0;
	int rc = config_load(&c, path, true, err, sizeof err);
	if (rc != 0 && rc != DZ_EINVAL)
		abort();
	if (rc && (!err[0] || !strstr(err, path)))
		abort();      /* a failure names the file (and line) */
	config_free(&c);

	char *arg = malloc(size + 1);
	if (!arg)
		abort();
	memcpy(arg, data, size);
	arg[size] = 0;
	config_init(&c);
	err[0] = 0;
	rc = config_set_arg(&c, arg, err, sizeof err);
	if (rc != 0 && rc != DZ_EINVAL && rc != DZ_ENOENT)
		abort();
	if (rc == DZ_EINVAL && !err[0])
		abort();
	config_free(&c);
	free(arg);
	return 0;
}
