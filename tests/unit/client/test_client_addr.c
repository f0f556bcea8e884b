/* dynzone-update: choosing addresses, reading them from text, and the
 * state cache file. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/addr.h"
#include "client/cache.h"
#include "tests/unit/tap.h"

static struct addr_local L(const char *ifname, const char *text, unsigned flags)
{
	struct addr_local a = { .flags = flags };
	a.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	inet_pton(a.family, text, a.a);
	snprintf(a.ifname, sizeof a.ifname, "%s", ifname);
	return a;
}

static const char *pick(const struct addr_local *l, size_t n, int fam,
                        const char *ifname, bool temp, const char *sticky)
{
	static char out[ADDR_TEXT_MAX];
	if (addr_pick(l, n, fam, ifname, temp, sticky, out, sizeof out) < 0)
		return "none";
	return out;
}

static bool global(const char *text)
{
	uint8_t a[16];
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;
	inet_pton(fam, text, a);
	return addr_is_global(fam, a);
}

static void globals(void)
{
	ok(global("192.0.2.1"), "192.0.2.1 is publishable");
	ok(global("10.1.2.3"), "private IPv4 is kept (a LAN name may want it)");
	ok(!global("127.0.0.1"), "loopback is not");
	ok(!global("169.254.1.1"), "link-local IPv4 is not");
	ok(!global("224.0.0.1"), "multicast is not");
	ok(!global("0.1.2.3"), "0/8 is not");
	ok(global("2001:db8::5"), "2001:db8::5 is");
	ok(!global("fe80::1"), "link-local IPv6 is not");
	ok(!global("fd00::1"), "unique-local is not");
	ok(!global("::1"), "::1 is not");
	ok(!global("::"), ":: is not");
	ok(!global("::ffff:192.0.2.1"), "v4-mapped is not");
	ok(!global("ff02::1"), "multicast IPv6 is not");
}

static void picking(void)
{
	struct addr_local l[] = {
		L("eth0", "2001:db8::9f0:776:acc1:6865", ADDR_F_TEMPORARY),
		L("eth0", "2001:db8::5", 0),
		L("eth0", "2001:db8::3", ADDR_F_DEPRECATED),
		L("eth0", "2001:db8::1", ADDR_F_TENTATIVE),
		L("wlan0", "2001:db8:1::7", 0),
		L("eth0", "192.0.2.9", 0),
		L("eth0", "192.0.2.4", 0),
	};
	size_t n = sizeof l / sizeof l[0];
	is_str(pick(l, n, AF_INET6, "eth0", false, NULL), "2001:db8::5",
	       "stable before temporary and deprecated; never tentative");
	is_str(pick(l, n, AF_INET6, "eth0", true, NULL), "2001:db8::9f0:776:acc1:6865",
	       "temporary first when asked");
	is_str(pick(l, 3, AF_INET6, "eth0", false, NULL), "2001:db8::5", "first three: stable wins");
	is_str(pick(l + 2, 2, AF_INET6, "eth0", false, NULL), "2001:db8::3",
	       "deprecated is better than nothing");
	is_str(pick(l + 3, 1, AF_INET6, NULL, false, NULL), "none", "tentative only: none");
	is_str(pick(l, n, AF_INET6, "wlan0", false, NULL), "2001:db8:1::7", "by interface");
	is_str(pick(l, n, AF_INET6, "", false, NULL), "2001:db8::5",
	       "any interface: lowest of the best");
	is_str(pick(l, n, AF_INET6, "", false, "2001:db8:1::7"), "2001:db8:1::7",
	       "the address published last is kept while it is as good");
	is_str(pick(l, n, AF_INET6, "eth0", false, "2001:db8::3"), "2001:db8::5",
	       "but not when it became worse (deprecated)");
	is_str(pick(l, n, AF_INET, "eth0", false, NULL), "192.0.2.4", "IPv4: lowest");
	is_str(pick(l, n, AF_INET, "eth0", false, "192.0.2.9"), "192.0.2.9", "IPv4: sticky");
	is_str(pick(l, n, AF_INET, "eth1", false, NULL), "none", "no such interface");

	struct addr_local r[] = { l[6], l[0], l[5], l[1] };
	ok(addr_fingerprint(l, 2) != addr_fingerprint(l, 3), "fingerprint sees a new address");
	struct addr_local s[] = { l[0], l[1], l[5], l[6] };
	ok(addr_fingerprint(r, 4) == addr_fingerprint(s, 4), "fingerprint ignores order");
	s[0].flags = ADDR_F_DEPRECATED | ADDR_F_TEMPORARY;
	ok(addr_fingerprint(r, 4) != addr_fingerprint(s, 4), "fingerprint sees deprecation");
}

static void text(void)
{
	char out[ADDR_TEXT_MAX];
	is_int(addr_find_text("<html><body>Current IP Address: 192.0.2.77</body></html>",
	                      AF_INET, out, sizeof out), 0, "dyndns-style check-IP page");
	is_str(out, "192.0.2.77", "address found");
	is_int(addr_find_text("192.0.2.8\n", AF_INET, out, sizeof out), 0, "plain");
	is_str(out, "192.0.2.8", "plain address");
	is_int(addr_find_text("Your address is 2001:DB8:0:0::5.", AF_INET6, out, sizeof out), 0,
	       "IPv6 in a sentence");
	is_str(out, "2001:db8::5", "canonical form, sentence dot dropped");
	is_int(addr_find_text("inet6 ::1 then 2001:db8::7/64", AF_INET6, out, sizeof out), 0,
	       "first of several");
	is_str(out, "::1", "the first one parsed");
	is_int(addr_find_text("2001:db8::1 only v6", AF_INET, out, sizeof out), DZ_ENOENT,
	       "no IPv4 in IPv6 text");
	is_int(addr_find_text("999.1.2.3 and 1.2.3", AF_INET, out, sizeof out), DZ_ENOENT,
	       "no valid address");
}

static void command(void)
{
	char out[ADDR_TEXT_MAX], why[200];
	is_int(addr_command("echo 'wan: 198.51.100.3'", AF_INET, 5, out, sizeof out, why,
	                    sizeof why), 0, "command output read");
	is_str(out, "198.51.100.3", "command address");
	is_int(addr_command("echo 198.51.100.3; exit 3", AF_INET, 5, out, sizeof out, why,
	                    sizeof why), DZ_EIO, "failing command is an error");
	ok(strstr(why, "status 3") != NULL, "with its status (%s)", why);
	is_int(addr_command("echo nothing", AF_INET, 5, out, sizeof out, why, sizeof why),
	       DZ_ENOENT, "no address printed");
	is_int(addr_command("sleep 5", AF_INET, 1, out, sizeof out, why, sizeof why), DZ_EIO,
	       "a hanging command is killed");
	ok(strstr(why, "timed out") != NULL, "after its time-out (%s)", why);
}

static struct cache c1, c2;

static void cache(void)
{
	static char buf[CACHE_FILE_MAX], buf2[CACHE_FILE_MAX];
	size_t len, len2;
	struct cache_entry *e = cache_entry(&c1, "h1.example");

	ok(e != NULL, "new entry");
	e->ident = 0x0123456789abcdefULL;
	snprintf(e->addr[0], sizeof e->addr[0], "%s", "192.0.2.1");
	snprintf(e->addr[1], sizeof e->addr[1], "%s", "2001:db8::1");
	snprintf(e->seen[0], sizeof e->seen[0], "%s", "192.0.2.1");
	e->cnext[0] = 1700001800;
	e->cfails[1] = 2;
	e->fp = 42;
	e->pol.fails = 3;
	e->pol.next = 1700000100;
	e->pol.hold = 1;
	snprintf(e->pol.last, sizeof e->pol.last, "%s", "911");
	ok(cache_entry(&c1, "h1.example") == e, "same name, same entry");
	e = cache_entry(&c1, "h2.example");
	snprintf(e->pol.stop, sizeof e->pol.stop, "%s", "badauth");
	is_int(cache_format(&c1, buf, sizeof buf, &len), 0, "formatted");
	cache_parse(&c2, buf, len);
	is_int(c2.n, 2, "two entries back");
	is_int(cache_format(&c2, buf2, sizeof buf2, &len2), 0, "formatted again");
	ok(len == len2 && memcmp(buf, buf2, len) == 0, "round trip is exact");
	ok(c2.e[0].ident == 0x0123456789abcdefULL && c2.e[0].pol.next == 1700000100 &&
	   c2.e[0].pol.hold == 1 && c2.e[0].cfails[1] == 2, "numbers survive");
	is_str(c2.e[1].pol.stop, "badauth", "stop survives");

	const char *damaged =
		"# dynzone-update cache 1\n"
		"host a.example v4=192.0.2.300 fails=1\n"
		"host b.example v4=192.0.2.3 future=1 fails=2\n"
		"host c.example fails=x\n"
		"garbage\n"
		"host d.example next=99999999999999999999999\n"
		"host b.example fails=7\n"
		"host e.example fails=1\n"
		"host b.example fails=x\n";
	cache_parse(&c2, damaged, strlen(damaged));
	is_int(c2.n, 2, "damaged lines are dropped, unknown keys ignored");
	is_str(c2.e[1].name, "e.example", "a repeated host does not displace another");
	is_str(c2.e[0].name, "b.example", "the good line stays");
	is_int(c2.e[0].pol.fails, 2, "with its values");

	char dir[] = "/tmp/test_client_cache.XXXXXX", path[300], tmp[310];
	struct stat st1, st2;
	char *made = mkdtemp(dir);
	ok(made != NULL, "temp dir");
	snprintf(path, sizeof path, "%s/sub/dir/cache", dir);
	is_int(cache_save(&c1, path), 0, "saved (directories created)");
	ok(stat(path, &st1) == 0 && (st1.st_mode & 0777) == 0600, "file mode 0600");
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	ok(access(tmp, F_OK) != 0, "no temp file left");
	is_int(cache_load(&c2, path), 0, "loaded");
	is_int(c2.n, 2, "both entries loaded");
	is_int(cache_save(&c2, path), 0, "saving unchanged state");
	ok(stat(path, &st2) == 0 && st1.st_ino == st2.st_ino, "does not rewrite the file");
	c2.e[0].pol.fails = 9;
	is_int(cache_save(&c2, path), 0, "saving changed state");
	ok(stat(path, &st2) == 0 && st1.st_ino != st2.st_ino, "replaces the file (rename)");
	int fd = cache_lock(path);
	ok(fd >= 0, "lock taken");
	is_int(cache_lock(path), DZ_EEXIST, "a second lock is refused");
	close(fd);
	int fd2 = cache_lock(path);
	ok(fd2 >= 0, "free again after close");
	close(fd2);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	int rc = system(cmd);
	is_int(rc, 0, "cleaned up");

	struct cache full = { 0 };
	char name[32];
	for (int i = 0; i < CONF_HOSTS_MAX; i++) {
		snprintf(name, sizeof name, "h%d", i);
		cache_entry(&full, name);
	}
	ok(cache_entry(&full, "one-more") == NULL, "the cache holds at most %d hosts",
	   CONF_HOSTS_MAX);
}

int main(void)
{
	globals();
	picking();
	text();
	command();
	cache();
	return tap_done();
}
