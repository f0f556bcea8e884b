/* Address sources and choice; see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netlink.h"
#include "util.h"

extern char **environ;

bool addr_is_global(int family, const uint8_t *a)
{
	static const uint8_t zero[16];
	if (family == AF_INET) {
		if (a[0] == 0 || a[0] == 127 || a[0] >= 224)
			return false;
		return !(a[0] == 169 && a[1] == 254);
	}
	if (family != AF_INET6)
		return false;
	if (a[0] == 0xff || (a[0] & 0xfe) == 0xfc)       /* multicast, ULA */
		return false;
	if (a[0] == 0xfe && (a[1] & 0xc0) != 0)          /* link/site-local */
		return false;
	if (memcmp(a, zero, 10) == 0 &&                  /* ::, ::1, v4-mapped */
	    ((a[10] == 0xff && a[11] == 0xff) || memcmp(a + 10, zero, 5) == 0))
		return false;
	return true;
}

int addr_list_local(struct addr_local *out, size_t cap, size_t *n)
{
	struct ifaddrs *ifs, *i;

	*n = 0;
	if (getifaddrs(&ifs) < 0)
		return DZ_EIO;
	for (i = ifs; i && *n < cap; i = i->ifa_next) {
		struct addr_local *e = &out[*n];
		if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		memset(e, 0, sizeof *e);
		e->family = i->ifa_addr->sa_family;
		if (e->family == AF_INET)
			memcpy(e->a, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
		else if (e->family == AF_INET6)
			memcpy(e->a, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
		else
			continue;
		if (!addr_is_global(e->family, e->a) ||
		    util_copy_str(e->ifname, sizeof e->ifname, i->ifa_name) < 0)
			continue;
		/* the prefix length from the netmask; rtnetlink's, below, wins */
		if (e->family == AF_INET6 && i->ifa_netmask) {
			const uint8_t *m =
				((struct sockaddr_in6 *)(void *)i->ifa_netmask)->sin6_addr.s6_addr;
			for (int b = 0; b < 128 && (m[b / 8] & (0x80 >> (b % 8))); b++)
				e->plen++;
		}
		(*n)++;
	}
	freeifaddrs(ifs);
	/* Without flags every IPv6 address counts as stable: still usable. */
	(void)nl_addr_flags(out, *n);
	return 0;
}

uint64_t addr_fingerprint(const struct addr_local *l, size_t n)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		/* Summed, so the kernel's listing order does not matter. */
		uint64_t h = util_hash(UTIL_HASH_INIT, &l[i].family, sizeof l[i].family);
		h = util_hash(h, l[i].a, sizeof l[i].a);
		h = util_hash(h, l[i].ifname, strlen(l[i].ifname));
		h = util_hash(h, &l[i].flags, sizeof l[i].flags);
		sum += h;
	}
	return sum;
}

static int rank(const struct addr_local *e, bool prefer_temp)
{
	int r = 0;
	if (e->flags & ADDR_F_DEPRECATED)
		r += 2;
	if (!(e->flags & ADDR_F_TEMPORARY) == prefer_temp)
		r += 1;
	return r;
}

int addr_pick(const struct addr_local *l, size_t n, int family,
              const char *ifname, bool prefer_temp, const char *sticky,
              char *out, size_t cap)
{
	const struct addr_local *best = NULL;
	uint8_t st[16];
	bool have_sticky = sticky && *sticky && inet_pton(family, sticky, st) == 1;
	size_t alen = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++) {
		const struct addr_local *e = &l[i];
		if (e->family != family || (e->flags & ADDR_F_TENTATIVE))
			continue;
		if (ifname && *ifname && strcmp(ifname, e->ifname) != 0)
			continue;
		if (!best) {
			best = e;
			continue;
		}
		int re = rank(e, prefer_temp), rb = rank(best, prefer_temp);
		if (re != rb) {
			if (re < rb)
				best = e;
			continue;
		}
		/* Keep what we published while it is as good as any: no flapping
		 * between equal addresses, no needless update. */
		bool es = have_sticky && memcmp(e->a, st, alen) == 0;
		bool bs = have_sticky && memcmp(best->a, st, alen) == 0;
		if (es != bs) {
			if (es)
				best = e;
			continue;
		}
		if (memcmp(e->a, best->a, alen) < 0)
			best = e;
	}
	if (!best)
		return DZ_ENOENT;
	if (!inet_ntop(family, best->a, out, (socklen_t)cap))
		return DZ_ESPACE;
	return 0;
}

int addr_find_text(const char *text, int family, char *out, size_t cap)
{
	const char *chars = family == AF_INET ? "0123456789." : "0123456789abcdefABCDEF:.";
	const char *p = text;
	uint8_t a[16];

	while (*p) {
		size_t n = strspn(p, chars);
		if (n == 0) {
			p++;
			continue;
		}
		char tok[ADDR_TEXT_MAX + 1];
		size_t tn = n;
		/* A sentence may end right after the address. */
		while (tn > 0 && (p[tn - 1] == '.' || p[tn - 1] == ':') &&
		       !(tn >= 2 && p[tn - 1] == ':' && p[tn - 2] == ':'))
			tn--;
		if (tn > 0 && util_copy(tok, sizeof tok, p, tn) == 0 &&
		    inet_pton(family, tok, a) == 1) {
			if (!inet_ntop(family, a, out, (socklen_t)cap))
				return DZ_ESPACE;
			return 0;
		}
		p += n;
	}
	return DZ_ENOENT;
}

int addr_checkip(const char *url, int family, unsigned timeout,
                 const char *ca_file, char *out, size_t cap,
                 char *why, size_t whycap)
{
	struct url u;
	struct http_resp r;
	struct http_opts o = { .family = family, .timeout = timeout, .ca_file = ca_file };
	int err = http_parse_url(url, &u);

	if (err < 0) {
		util_fmt(why, whycap, "bad check-IP URL");
		return err;
	}
	err = http_get(&u, &o, &r);
	if (err < 0) {
		util_fmt(why, whycap, "%s", r.why);
		return err;
	}
	if (r.status != 200) {
		util_fmt(why, whycap, "check-IP %s answered HTTP %d", u.host, r.status);
		return DZ_EIO;
	}
	err = addr_find_text(r.body, family, out, cap);
	if (err < 0)
		util_fmt(why, whycap, "no IPv%c address in the reply of %s",
		         family == AF_INET ? '4' : '6', u.host);
	return err;
}

int addr_command(const char *cmd, int family, unsigned timeout,
                 char *out, size_t cap, char *why, size_t whycap)
{
	char buf[ADDR_CMD_OUT_MAX + 1];
	size_t got = 0;
	int pfd[2] = { -1, -1 }, status = 0, err = DZ_EIO;
	int64_t deadline = util_mono_ms() + (int64_t)timeout * 1000;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid = -1;
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		util_fmt(why, whycap, "pipe: %s", strerror(errno));
		return DZ_EIO;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	/* The daemon blocks its signals; the command must not inherit that. */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	int se = posix_spawn(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (se != 0) {
		pid = -1;
		util_fmt(why, whycap, "cannot run command: %s", strerror(se));
		goto fail;
	}
	for (;;) {
		if (util_wait_fd(pfd[0], POLLIN, deadline) < 0) {
			util_fmt(why, whycap, "command timed out after %us", timeout);
			kill(pid, SIGKILL);
			goto fail;
		}
		ssize_t n = read(pfd[0], buf + got, ADDR_CMD_OUT_MAX - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == ADDR_CMD_OUT_MAX)
			break;   /* enough: the address is near the start */
	}
	buf[got] = '\0';
	close(pfd[0]);
	pfd[0] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		util_fmt(why, whycap, "command failed (status %d)",
		         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		goto fail;
	}
	err = addr_find_text(buf, family, out, cap);
	if (err < 0)
		util_fmt(why, whycap, "command printed no IPv%c address",
		         family == AF_INET ? '4' : '6');
	return err;

fail:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return err;
}

int addr_lan_prefix(const struct addr_local *l, size_t n, const char *ifname,
                    char *out, size_t cap)
{
	char text[ADDR_TEXT_MAX];
	uint8_t a[16];
	if (!ifname || !*ifname ||
	    addr_pick(l, n, AF_INET6, ifname, false, NULL, text, sizeof text) < 0 ||
	    inet_pton(AF_INET6, text, a) != 1)
		return DZ_ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (l[i].family != AF_INET6 || memcmp(l[i].a, a, 16) ||
		    strcmp(l[i].ifname, ifname))
			continue;
		unsigned plen = l[i].plen;
		if (plen == 0 || plen > 64)
			return DZ_ENOENT;
		for (unsigned b = plen; b < 128; b++)
			a[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		if (!inet_ntop(AF_INET6, a, text, sizeof text))
			return DZ_ENOENT;
		int w = snprintf(out, cap, "%s/%u", text, plen);
		return w > 0 && (size_t)w < cap ? 0 : DZ_ENOENT;
	}
	return DZ_ENOENT;
}
