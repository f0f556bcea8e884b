#!/usr/bin/env bash
# EDNS (RFC 6891), the RFC 8906 checklist (never silently drop a well-formed
# query), malformed queries (FORMERR), unknown opcodes (NOTIMP; UPDATE
# unsigned: REFUSED), meta types
# and dropped responses (QR=1), over UDP and TCP, IPv4 and IPv6.  dig where
# it can say it; tests/dns/dnsq.py for the packets dig will not send.
. "$(dirname "$0")/../lib.sh"

dns_serve edns

for tr in $TRANSPORTS; do
	use "$tr"

	# --- EDNS basics --------------------------------------------------------
	out=$(dq www.example.org A)
	like "$out" 'EDNS: version: 0, flags:; udp: 1232' "$tr: OPT echoed: version 0, our size 1232"
	out=$(dq +noedns www.example.org A)
	unlike "$out" 'OPT PSEUDOSECTION' "$tr: no OPT in the answer to a query without one"
	is "$(pv rcode an opt -- query --name www.example.org --edns)" "rcode=NOERROR an=1 opt=1 " \
		"$tr: probe: EDNS query answered with one OPT"
	like "$(dq +dnssec www.example.org A)" 'EDNS: version: 0, flags: do;' "$tr: DO bit echoed"
	out=$(dq +ednsflags=0x40 www.example.org A)
	like "$out" 'status: NOERROR' "$tr: unknown EDNS flag: answered"
	unlike "$out" 'MBZ' "$tr: unknown EDNS flag not echoed"
	is "$(pv rcode opt_flags -- query --name www.example.org --edns-flags 0x4000 --do)" \
		"rcode=NOERROR opt_flags=0x8000 " "$tr: probe: only DO of the EDNS flags comes back"
	out=$(dq +nocookie +ednsopt=65001:abcd www.example.org A | grep -v '^; <<>>')
	like "$out" 'status: NOERROR' "$tr: unknown EDNS option ignored"
	unlike "$out" '65001' "$tr: unknown EDNS option not echoed"
	is "$(pv rcode an opt_options -- query --name www.example.org --option 65001:abcd --option 10:0102030405060708)" \
		"rcode=NOERROR an=1 opt_options= " "$tr: probe: unknown option and a client cookie ignored"

	# --- EDNS version ---------------------------------------------------
	out=$(dq +edns=1 +noednsneg www.example.org A)
	like "$out" 'status: BADVERS' "$tr: EDNS version 1: BADVERS"
	like "$out" 'EDNS: version: 0,' "$tr: BADVERS carries an OPT with version 0"
	like "$out" 'ANSWER: 0,' "$tr: BADVERS has no answer"
	is "$(pv rcode opt opt_version an -- query --name www.example.org --edns-version 1 --option 65001:ab --edns-flags 0x4000)" \
		"rcode=BADVERS opt=1 opt_version=0 an=0 " \
		"$tr: version 1 with unknown option and flag: BADVERS"
	out=$(kdig @"$DQ_SRV" -p "$DZ_PORT" +norec +time=2 +retry=0 ${DQ_TCP:+"+tcp"} +edns=3 www.example.org A)
	like "$out" 'status: BADVERS' "$tr: kdig EDNS version 3: BADVERS"

	# --- payload size -----------------------------------------------------
	if [ -z "$DQ_TCP" ]; then
		like "$(dflags +bufsize=512 mid.example.org TXT)" '(^| )tc( |$)' \
			"$tr: payload 512 honoured: 800-byte answer truncated"
		like "$(dflags +bufsize=800 mid.example.org TXT)" '(^| )tc( |$)' \
			"$tr: payload 800 honoured: 836-byte answer truncated"
		is "$(pv flags an -- query --name mid.example.org --type TXT --payload 100)" "flags=qr aa tc an=0 " \
			"$tr: payload under 512 counts as 512"
		like "$(pv flags -- query --name mid.example.org --type TXT --payload 1232)" 'flags=qr aa ' \
			"$tr: payload 1232: no TC"
		is "$(pv len -- query --name mid.example.org --type TXT --payload 900)" "len=836 " \
			"$tr: payload 900: the 836-byte answer fits"
		is "$(pv flags an -- query --name www.example.org --type A --payload 100)" "flags=qr aa an=1 " \
			"$tr: payload under 512: a small answer still whole"
	else
		is "$(pv an flags -- query --name big.example.org --type TXT --payload 512)" "an=6 flags=qr aa " \
			"$tr: the UDP payload size does not limit TCP"
	fi

	# --- RFC 8906 checklist -------------------------------------------------
	is "$(pv rcode an flags -- query --name example.org --type SOA)" "rcode=NOERROR an=1 flags=qr aa " \
		"$tr: 8.1.1 plain SOA query"
	is "$(pv rcode an ns -- query --name www.example.org --type TYPE1000)" "rcode=NOERROR an=0 ns=1 " \
		"$tr: 8.1.2 unknown type: NODATA with SOA"
	is "$(pv rcode flags -- query --name www.example.org --flags 0x0040)" "rcode=NOERROR flags=qr aa " \
		"$tr: 8.1.3 header Z bit set: answered, Z not echoed"
	is "$(pv rcode flags -- query --name www.example.org --flags 0x0030)" "rcode=NOERROR flags=qr aa cd " \
		"$tr: AD and CD in a query: CD copied, AD not claimed"
	for op in 1 2 3 4 6 15; do
		is "$(pv rcode opcode -- query --name www.example.org --opcode $op)" "rcode=NOTIMP opcode=$op " \
			"$tr: opcode $op: NOTIMP with the opcode echoed"
	done
	# UPDATE (tests/ddns/) is implemented: unsigned, it is refused
	is "$(pv rcode opcode -- query --name www.example.org --opcode 5)" "rcode=REFUSED opcode=5 " \
		"$tr: opcode 5 (UPDATE) unsigned: REFUSED with the opcode echoed"
	like "$(dq +opcode=15 www.example.org A)" 'status: NOTIMP' "$tr: dig +opcode=15: NOTIMP"
	is "$(pv rcode opt -- query --name www.example.org --opcode 15 --edns)" "rcode=NOTIMP opt=1 " \
		"$tr: NOTIMP to an EDNS query carries an OPT"
	is "$(pv rcode opt -- query --name www.example.com --edns)" "rcode=REFUSED opt=1 " \
		"$tr: REFUSED to an EDNS query carries an OPT"
	is "$(pv rcode opt ns -- query --name nosuch.example.org --edns)" "rcode=NXDOMAIN opt=1 ns=1 " \
		"$tr: NXDOMAIN to an EDNS query carries an OPT and the SOA"
	is "$(pv rcode opt -- bad --kind trailing --name www.example.org)" "rcode=FORMERR opt=0 " \
		"$tr: FORMERR to a query without EDNS has no OPT"
	like "$(dq +header-only)" 'status: FORMERR' "$tr: header-only query: FORMERR"
	like "$(dq +header-only)" 'EDNS: version: 0' "$tr: header-only EDNS query: FORMERR with OPT"

	# --- meta types and classes -------------------------------------------
	is "$(pv rcode -- query --name www.example.org --type OPT)" "rcode=FORMERR " "$tr: qtype OPT: FORMERR"
	is "$(pv rcode -- query --name www.example.org --type TSIG)" "rcode=FORMERR " "$tr: qtype TSIG alone: FORMERR"
	is "$(pv rcode -- query --name www.example.org --type TYPE0)" "rcode=FORMERR " "$tr: qtype 0: FORMERR"
	is "$(pv rcode -- query --name www.example.org --type MAILB)" "rcode=NOTIMP " "$tr: qtype MAILB: NOTIMP"
	is "$(pv rcode -- query --name example.org --type AXFR)" "rcode=REFUSED " "$tr: AXFR: REFUSED"
	is "$(pv rcode -- query --name example.org --type IXFR)" "rcode=REFUSED " "$tr: IXFR: REFUSED"
	is "$(pv rcode -- query --name www.example.org --qclass 3)" "rcode=REFUSED " "$tr: class CH: REFUSED"
	is "$(pv rcode -- query --name www.example.org --qclass 254)" "rcode=REFUSED " "$tr: class NONE: REFUSED"
	is "$(pv rcode an -- query --name www.example.org --qclass 255)" "rcode=NOERROR an=1 " \
		"$tr: class ANY: answered from IN"

	# --- malformed queries: FORMERR, never silence ---------------------------
	for k in header-only qdcount0 qdcount2 trailing label-overrun label-64 ptr-loop \
	         ptr-forward qtype-cut two-opt opt-in-answer opt-nonroot opt-badlen rr-cut answer-rr; do
		is "$(pv reply id_match rcode flags -- bad --kind $k --name www.example.org)" \
			"reply=1 id_match=1 rcode=FORMERR flags=qr " "$tr: malformed ($k): FORMERR"
	done
	is "$(pv qd -- bad --kind trailing --name www.example.org)" "qd=1 " \
		"$tr: FORMERR echoes a question that parsed"
	is "$(pv opt -- bad --kind two-opt --name www.example.org)" "opt=1 " \
		"$tr: two OPT records: FORMERR with one OPT"

	# --- dropped: responses and runts -----------------------------------------
	for k in qr qr-opt short; do
		is "$(pv reply -- bad --kind $k --name www.example.org --timeout 0.7)" "reply=0 " \
			"$tr: $k packet dropped"
	done
	is "$(dans www.example.org A)" "www.example.org. 300 IN A 192.0.2.10" \
		"$tr: still answering after the malformed packets"
done

check "the server is still running" kill -0 "$DZ_PID"
t_done
