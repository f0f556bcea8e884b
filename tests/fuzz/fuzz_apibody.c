/* Fuzz what the dashboard does with a request body before any handler
 * logic: jansson's parse as the router calls it (duplicate keys refused),
 * then the fields the handlers read through the same checks they use
 * (user names, host labels and names, zone names, max_hosts).  Beyond "no
 * crash": a name that passes dd2_hostname converts to a valid wire name,
 * and a user name that passes has the documented shape. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dyndns2.h"
#include "proto/name.h"
#include "src/common/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void name_field(json_t *o, const char *key)
{
	const char *t = json_string_value(json_object_get(o, key));
	uint8_t w[DNAME_MAX];
	if (t && dd2_hostname(t, strlen(t), w) && !dname_len(w, sizeof w))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		return 0;
	}
	const char *user = json_string_value(json_object_get(o, "user"));
	if (user && secret_user_name_ok(user)) {
		size_t n = strlen(user);
		if (n == 0 || n >= SECRET_NAME_MAX || strspn(user,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_@") != n)
			abort();
	}
	const char *pw = json_string_value(json_object_get(o, "password"));
	if (pw)
		(void)secret_password_ok(pw);
	name_field(o, "name");
	name_field(o, "zone");
	name_field(o, "ns");
	json_t *max = json_object_get(o, "max_hosts");
	if (json_is_integer(max))
		(void)json_integer_value(max);
	char *again = json_dumps(o, JSON_COMPACT);
	if (again) {
		json_t *o2 = json_loads(again, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_equal(o, o2))
			abort();      /* what we would print reads back the same */
		json_decref(o2);
		free(again);
	}
	json_decref(o);
	return 0;
}
