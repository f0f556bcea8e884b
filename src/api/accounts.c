/* Accounts: sign-up, log-in and sessions, and which zones a user may use. */
#include "src/api/call.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "proto/errors.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/secret.h"
#include "src/db/accounts.h"
#include "src/db/sessions.h"

const char *const api_signup_names[3] = { "closed", "invite", "open" };

/* Zones a user may use ------------------------------------------------------ */

/* The zone whose apex is exactly `apex`. */
int api_zone_exact(store_t *st, const uint8_t *apex, struct store_zone *z)
{
	int rc = store_zone_find(st, apex, z);
	if (!rc && !dname_equal_ci(z->apex, apex))
		rc = DZ_ENOENT;
	return rc;
}

bool api_signup_zone(const api_t *a, const struct store_zone *z)
{
	static const uint8_t root[1] = { 0 };
	for (unsigned i = 0; i < a->cfg->signup_zones.n; i++) {
		uint8_t apex[DNAME_MAX];
		const char *t = a->cfg->signup_zones.s[i];
		if (dname_from_text(apex, t, strlen(t), root) && dname_equal_ci(apex, z->apex))
			return true;
	}
	return false;
}

/* May the session's user create hosts in z?  *max gets the cap on their
 * hosts there (0: none). */
bool api_zone_allowed(struct call *c, const struct store_zone *z, unsigned *max)
{
	*max = 0;
	if (c->sess.admin)
		return true;
	int rc = accounts_access(c->st, c->sess.user_id, z->id, max);
	if (rc == DZ_EDB)
		return false;
	bool yes = rc == 0;
	if (!yes && api_signup_zone(c->a, z)) {
		*max = (unsigned)c->a->cfg->signup_max_hosts;
		yes = true;
	}
	return yes;
}

struct zones_ctx {
	struct call *c;
	json_t *arr;
};

static int zone_if_allowed(void *ctx, const struct store_zone *z)
{
	struct zones_ctx *zc = ctx;
	unsigned max;
	char name[1024];
	if (api_zone_allowed(zc->c, z, &max)) {
		api_name_text(z->name, name, sizeof name);
		json_array_append_new(zc->arr, json_string(name));
	}
	return 0;
}

/* Sessions and the "me" object -------------------------------------------------- */

static json_t *me_json(struct call *c)
{
	struct zones_ctx zc = { c, json_array() };
	store_zone_list(c->st, zone_if_allowed, &zc);
	return json_pack("{s:{s:s,s:b},s:s,s:o,s:s}",
	                 "user", "name", c->sess.user, "admin", c->sess.admin,
	                 "csrf", c->sess.csrf, "zones", zc.arr,
	                 "signup", api_signup_names[c->a->signup]);
}

/* Start a session for a user who proved who they are, and answer with it. */
static int start_session(struct call *c, int64_t user_id, unsigned status)
{
	char id[SESSION_ID_LEN + 1];
	int rc = session_create(c->st, user_id, c->now, c->a->cfg->session_lifetime, id, &c->sess);
	if (rc)
		return call_internal(c, rc);
	session_cookie_set(c->cookie, sizeof c->cookie, id, c->a->cfg->session_lifetime,
	                   http_req_tls(c->rq));
	explicit_bzero(id, sizeof id);
	call_ok(c, status, me_json(c));
	return 0;
}

static bool rate_ok(struct call *c)
{
	uint8_t key[9];
	size_t kl = limit_addr_key(http_req_client(c->rq), key);
	if (limiter_take(c->a->auth_limit, key, kl, clock_ms(), &c->retry_after) == 0)
		return true;
	call_fail(c, 429, "rate_limited", "Too many attempts from your address: wait a little.");
	return false;
}

#define HASH_WAIT_MS 20          /* a request waiting for a hashing slot looks again */
#define HASH_WAITS_MAX 250       /* 5 s of that, then 503 busy */

/* Take a hashing slot (API_HASHERS).  None free: the request is held on a
 * timer and asked again (no worker waits), or after HASH_WAITS_MAX tries
 * refused with 503; false either way, with c->hold or the reply set. */
static bool hash_begin(struct call *c)
{
	api_t *a = c->a;
	pthread_mutex_lock(&a->lock);
	bool got = a->hashing < API_HASHERS;
	if (got)
		a->hashing++;
	pthread_mutex_unlock(&a->lock);
	if (got)
		return true;
	if (c->job->waits >= HASH_WAITS_MAX) {
		c->retry_after = 1;
		call_fail(c, 503, "busy", "The server is busy: try again shortly.");
	} else {
		c->hold = true;
		c->hold_busy = true;
		c->hold_ms = HASH_WAIT_MS;
	}
	return false;
}

static void hash_end(struct call *c)
{
	pthread_mutex_lock(&c->a->lock);
	c->a->hashing--;
	pthread_mutex_unlock(&c->a->lock);
}

static bool rate_ok(struct call *c);

/* Before a password is hashed or checked: a hashing slot, then the
 * address's rate (a request held for a slot asks again without spending
 * its rate).  False with the request held or refused. */
static bool hash_ready(struct call *c)
{
	if (!hash_begin(c))
		return false;
	if (!rate_ok(c)) {
		hash_end(c);
		return false;
	}
	return true;
}

/* After recent failures for this account or address, hold the request
 * (once) on a timer before its password is looked at: true if held. */
static bool held_back(struct call *c, const char *user)
{
	if (c->job->held)
		return false;
	unsigned d = session_throttle_delay(c->a->throttle, user, http_req_client(c->rq),
	                                    clock_ms());
	if (d) {
		c->hold = true;
		c->hold_ms = d;
	}
	return d != 0;
}

/* A wrong password for `user` at log-in or a password change ("login",
 * "password"): it counts towards the slow-down and /metrics, and is the
 * auth=failed line fail2ban reads. */
static void auth_failed(struct call *c, const char *what, const char *user)
{
	char qu[2 * SECRET_NAME_MAX + 3];
	session_throttle_fail(c->a->throttle, user, http_req_client(c->rq), clock_ms());
	METRICS_ADD(c->a->auth_failed, 1);
	log_warn("api %s auth=failed client=%s user=%s result=bad_credentials", what,
	         http_req_client_text(c->rq), log_q(qu, sizeof qu, user));
}

int h_info(struct call *c)
{
	/* the update names (update-name), for the dashboard's client settings */
	const char *un = c->a->cfg->update_name;
	json_t *name = json_null();
	if (un && *un)
		name = json_stringn(un, strcspn(un, " \t"));
	call_ok(c, 200, json_pack("{s:s,s:o}", "signup", api_signup_names[c->a->signup],
	                          "update_name", name));
	return 0;
}

int h_signup(struct call *c)
{
	const char *user = api_jstr(c->body, "user"), *pw = api_jstr(c->body, "password");
	const char *invite = api_jstr(c->body, "invite");
	char enc[SECRET_PW_ENCODED];
	int64_t id;
	int rc;

	if (c->a->signup == SIGNUP_CLOSED)
		return call_fail(c, 403, "signup_closed", "Sign-up is closed on this server.");
	if (!user || !secret_user_name_ok(user))
		return call_fail(c, 422, "invalid_name", "A user name is 1 to 63 letters, digits, "
		            "'.', '-', '_' or '@'.");
	if (!pw || secret_password_ok(pw))
		return call_fail(c, 422, "invalid_password", "A password needs at least 10 characters.");
	if (c->a->signup == SIGNUP_INVITE && (!invite || !secret_token_wellformed(invite)))
		return call_fail(c, 403, "invite_invalid", "Sign-up needs a valid invite code.");
	if (!hash_ready(c))
		return c->hold ? 0 : -1;
	rc = secret_password_hash(pw, enc);
	hash_end(c);
	if (rc)
		return call_internal(c, rc);
	if (store_begin(c->st))
		return call_internal(c, DZ_EDB);
	rc = accounts_add(c->st, user, enc, false, &id);
	if (!rc && c->a->signup == SIGNUP_INVITE)
		rc = session_invite_use(c->st, invite, id, c->now);
	if (!rc)
		rc = store_commit(c->st);
	explicit_bzero(enc, sizeof enc);
	if (rc) {
		store_rollback(c->st);
		if (rc == DZ_EEXIST)
			return call_fail(c, 409, "user_exists", "That user name is taken.");
		if (rc == DZ_EAUTH)
			return call_fail(c, 403, "invite_invalid", "That invite code is unknown, used or expired.");
		return call_internal(c, rc);
	}
	char qu[2 * SECRET_NAME_MAX + 3];
	log_info("api signup client=%s user=%s", http_req_client_text(c->rq),
	         log_q(qu, sizeof qu, user));
	return start_session(c, id, 201);
}

int h_login(struct call *c)
{
	const char *user = api_jstr(c->body, "user"), *pw = api_jstr(c->body, "password");
	int64_t id;
	bool admin;

	if (!user || !pw || strlen(user) >= SECRET_NAME_MAX || strlen(pw) > SECRET_PW_MAX)
		return call_fail(c, 400, "bad_request", "Give a user name and a password.");
	if (held_back(c, user))
		return 0;
	if (!hash_ready(c))
		return c->hold ? 0 : -1;
	int rc = session_password_check(c->st, user, pw, &id, &admin);
	hash_end(c);
	if (rc == DZ_EAUTH) {
		auth_failed(c, "login", user);
		return call_fail(c, 401, "bad_credentials", "Wrong user name or password.");
	}
	if (rc)
		return call_internal(c, rc);
	char qu[2 * SECRET_NAME_MAX + 3];
	log_info("api login client=%s user=%s result=ok", http_req_client_text(c->rq),
	         log_q(qu, sizeof qu, user));
	return start_session(c, id, 200);
}

int h_logout(struct call *c)
{
	int rc = session_end(c->st, &c->sess);
	if (rc)
		return call_internal(c, rc);
	session_cookie_set(c->cookie, sizeof c->cookie, NULL, 0, http_req_tls(c->rq));
	call_ok(c, 204, NULL);
	return 0;
}

/* POST /me/password {current, password}: the current password again (a
 * session left open must not be enough), then the new one; the user's
 * other sessions end, this one stays. */
int h_password(struct call *c)
{
	const char *cur = api_jstr(c->body, "current"), *pw = api_jstr(c->body, "password");
	char enc[SECRET_PW_ENCODED];
	int64_t id;
	bool admin;
	int rc;

	if (!cur || strlen(cur) > SECRET_PW_MAX)
		return call_fail(c, 400, "bad_request", "Give your current password.");
	if (!pw || secret_password_ok(pw))
		return call_fail(c, 422, "invalid_password", "A password needs at least 10 characters.");
	if (held_back(c, c->sess.user))
		return 0;
	if (!hash_ready(c))
		return c->hold ? 0 : -1;
	rc = session_password_check(c->st, c->sess.user, cur, &id, &admin);
	if (!rc && id == c->sess.user_id)
		rc = secret_password_hash(pw, enc);
	else if (!rc)
		rc = DZ_EAUTH;
	hash_end(c);
	if (rc == DZ_EAUTH) {
		auth_failed(c, "password", c->sess.user);
		return call_fail(c, 403, "bad_credentials", "Your current password is not that.");
	}
	if (rc)
		return call_internal(c, rc);
	if (store_begin(c->st))
		rc = DZ_EDB;
	if (!rc)
		rc = accounts_set_password(c->st, id, enc);
	if (!rc)
		rc = sessions_del_user(c->st, id, c->sess.key);
	if (!rc)
		rc = store_commit(c->st);
	explicit_bzero(enc, sizeof enc);
	if (rc) {
		store_rollback(c->st);
		return call_internal(c, rc);
	}
	log_info("api password client=%s user=%s result=changed", http_req_client_text(c->rq),
	         c->sess.user);
	call_ok(c, 204, NULL);
	return 0;
}

int h_me(struct call *c)
{
	call_ok(c, 200, me_json(c));
	return 0;
}

