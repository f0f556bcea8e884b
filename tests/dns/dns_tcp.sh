#!/usr/bin/env bash
# DNS over TCP (RFC 7766), IPv4 and IPv6: length framing (also when a
# message arrives in pieces), several queries per connection, pipelining,
# answers after the client's FIN, the idle timeout (tcp-idle-timeout) and
# the connection cap (tcp-clients).
. "$(dirname "$0")/../lib.sh"

IDLE=2
CAP=3
dns_serve tcp "tcp-idle-timeout = $IDLE" "tcp-clients = $CAP"

# between LO HI VALUE: LO <= VALUE <= HI (decimals allowed)
between() { awk -v lo="$1" -v hi="$2" -v v="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'; }

for tr in tcp4 tcp6; do
	use "$tr"
	is "$(pv answered -- seq --count 2 --name www.example.org)" "answered=2 " \
		"$tr: two queries, one after the other, on one connection"
	is "$(pv answered -- seq --count 3 --split --name www.example.org)" "answered=3 " \
		"$tr: messages arriving in pieces (length split from body) are reassembled"
	is "$(pv answered ids_ok -- pipe --count 20 --name www.example.org)" "answered=20 ids_ok=1 " \
		"$tr: 20 pipelined queries in one write: 20 answers, every id"
	is "$(pv answered ids_ok -- pipe --count 8 --name big.example.org --type TXT)" "answered=8 ids_ok=1 " \
		"$tr: 8 pipelined queries with 1.6k answers"
	is "$(pv answered ids_ok -- pipe --count 5 --shut --name www.example.org)" "answered=5 ids_ok=1 " \
		"$tr: pipelined queries followed by FIN are still answered"
	is "$(pv answered ids_ok -- pipe --count 2000 --name big.example.org --type TXT --timeout 10)" \
		"answered=2000 ids_ok=1 " \
		"$tr: 2000 pipelined queries (3 MB of answers, read late): held back, then every one answered"
	is "$(pv answered ids_ok -- pipe --count 1000 --name big.example.org --type TXT --shut --rcvbuf 2048 --delay 1 --timeout 10)" \
		"answered=1000 ids_ok=1 " \
		"$tr: 1000 pipelined queries, FIN, a small window and a slow reader: every one answered"

	# idle timeout: a quiet connection is closed after about IDLE seconds;
	# one that keeps asking more often than that stays open
	out=$(probe idle --wait 8)
	t=$(field closed_after <<<"$out")
	check "$tr: idle connection closed after tcp-idle-timeout=$IDLE s (took ${t}s)" \
		between $((IDLE - 1)) $((IDLE + 2)) "$t"
	out=$(probe idle --first --wait 8 --name www.example.org)
	is "$(field first_answered <<<"$out")" 1 "$tr: a query answered before going idle"
	t=$(field closed_after <<<"$out")
	check "$tr: closed $IDLE s after the last query (took ${t}s)" between $((IDLE - 1)) $((IDLE + 2)) "$t"
	is "$(pv answered -- seq --count 5 --pause 1 --name www.example.org)" "answered=5 " \
		"$tr: a connection asking every second outlives the idle timeout"

	# the cap: CAP connections are served, the ones above it are closed
	is "$(pv answered closed -- cap --count $((CAP + 2)) --name www.example.org)" \
		"answered=$CAP closed=2 " "$tr: tcp-clients=$CAP: $CAP served, 2 more closed"
	sleep 0.3   # let the server see the held connections close
	is "$(dans www.example.org A)" "www.example.org. 300 IN A 192.0.2.10" \
		"$tr: a new connection is served once the held ones are gone"
done

check "the server is still running" kill -0 "$DZ_PID"
t_done
