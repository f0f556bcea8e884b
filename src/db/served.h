/* What dynzone serves from the records table: THE rule, as SQL, for every
 * reader whose output must be what the DNS answers with -- the zone table
 * loader and journal follower (src/db/load.c), outgoing AXFR and IXFR
 * (src/db/transfer.c), the signer's RRsets (src/db/signer.c), and the
 * record writers, which journal only changes of what is served
 * (src/db/zones.c: the journal is what IXFR sends).  Inside
 * src/db only (it is SQL text, like sql.h); the CDB export reads every row,
 * locations and TTDs included, and does not use it.
 *
 * A row of records is served when it has no TTD, and it has no tinydns
 * location, or it has the default location (the code of the first `%` line
 * with an empty prefix, tinydns_loc) and no row with the same zone, owner,
 * type and RDATA has no location.  So each RR is served once however many
 * locations it was imported for (the PRIMARY KEY ends in loc: `+a:1.2.3.4`
 * and `+a:1.2.3.4:::ex` are two rows), with the TTL of the row without a
 * location if there is one.
 *
 * The tinydns import files other locations and TTDs in tinydns_extra
 * (src/db/tdstore.h), so today the rule's work is that duplicate; the rest
 * keeps a row that reaches records any other way from being served by
 * some readers and not others.  Cost per row of a usual zone: two column
 * compares; the twin lookup (one primary-key seek) runs only for rows with
 * a location.  No per-row statement of its own.  A row with neither a
 * location nor a TTD is always served, so the big walks (the loader, AXFR)
 * and the record writers ask store_served_all first and, while no row has
 * either (index records_tagged: a look at an empty index, remembered in a
 * transaction until the database changes), read without the condition at
 * all: the rule costs them nothing until a site imports tinydns locations
 * or TTDs. */
#ifndef DZ_DB_SERVED_H
#define DZ_DB_SERVED_H

/* The default location's code (2 bytes), or no row. */
#define SERVED_LOC_DEFAULT_CODE \
	"SELECT code FROM tinydns_loc WHERE length(prefix) = 0 ORDER BY id LIMIT 1"

/* The same as records.loc holds it (export_loc_text: a second byte 0 is
 * not part of the text).  NULL if there is no default location. */
#define SERVED_LOC_DEFAULT_TEXT                                                   \
	"(SELECT CAST(CASE WHEN substr(code, 2, 1) = x'00' THEN substr(code, 1, 1) " \
	"ELSE code END AS TEXT) FROM (" SERVED_LOC_DEFAULT_CODE "))"

/* The condition on a row of records, named t in the query ("records" or an
 * alias): true when dynzone serves it. */
#define SERVED(t)                                                                 \
	"(" t ".ttd = 0 AND (" t ".loc = '' OR (" t ".loc = " SERVED_LOC_DEFAULT_TEXT \
	" AND NOT EXISTS (SELECT 1 FROM records twin WHERE twin.zone_id = " t        \
	".zone_id AND twin.owner = " t ".owner AND twin.type = " t ".type AND "      \
	"twin.rdata = " t ".rdata AND twin.loc = ''))))"

/* A row of records that has a location or a TTD: only such a row can be
 * left out.  Spelt as migration 13's records_tagged index says it, so
 * that the index answers store_served_all (src/db/sql.h). */
#define SERVED_TAGGED "(loc <> '' OR ttd <> 0)"

#endif
