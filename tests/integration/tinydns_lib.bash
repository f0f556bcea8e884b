# Helpers for the tinydns integration tests (sourced after tests/lib.sh).
#   td_data_all        print a tinydns `data` file that uses every line type
#                      tinydns-data takes, and its quirks
#   td_netns "$@"      re-run the calling script in a private network
#                      namespace (unshare -n) with loopback up; call it
#                      before sourcing tests/lib.sh
#   td_start ROOT      start stock tinydns on 127.0.0.1:53 (inside the
#                      namespace) serving ROOT/data.cdb; sets TD_PID, log
#                      in $TD_LOG
#   td_dump CDB        its records, one per line as hex "key data", sorted
#                      (cdb -d output, split by record, not by newline)
#   td_nrec CDB        the number of records (cdb -s)
#   td_ans SERVER PORT NAME TYPE [ADDR]
#                      "STATUS | answer records" (sorted, "owner ttl type
#                      rdata"), asked over UDP from ADDR (default 127.0.0.1)

td_now=$(date +%s)
ttd() { printf '%016x' $(((1 << 62) + 10 + td_now + $1)); }
x300=$(head -c 300 /dev/zero | tr '\0' x)
fields16=$(seq -s: 1 16)

td_data_all() {
	# Appendix A of the reference, in its order
	cat <<'EOF'
.dyn.example.test:192.0.2.53:a:3600
&dyn.example.test::ns2.example.net:3600
+host.dyn.example.test:192.0.2.10:300
+host.dyn.example.test:192.0.2.11:300
:host.dyn.example.test:28:\040\001\015\270\000\000\000\000\000\000\000\000\000\000\000\001:300
'host.dyn.example.test:hello world\072x:300
+*.wild.dyn.example.test:192.0.2.20:60
:*.wild.dyn.example.test:28:\040\001\015\270\000\000\000\000\000\000\000\000\000\000\000\040:60
+MiXeD.Dyn.Example.Test:192.0.2.50:300
Calias.dyn.example.test:host.dyn.example.test:300
@dyn.example.test:192.0.2.25:mx:10:300
&child.dyn.example.test:192.0.2.99:ns1.child.dyn.example.test:3600
%in:127.0.0
%ex
+loc.dyn.example.test:192.0.2.30:300::in
+loc.dyn.example.test:192.0.2.31:300::ex
EOF
	echo "+ttd.dyn.example.test:192.0.2.40:0:$(ttd 604800)"
	echo "+soon.dyn.example.test:192.0.2.42:0:$(ttd 120)"
	echo "+later.dyn.example.test:192.0.2.41:300:$(ttd 604800)"
	echo "+gone.dyn.example.test:192.0.2.43:0:$(ttd -3600)"
	echo "'long.dyn.example.test:$x300:300"
	cat <<'EOF'
+a.sub.dyn.example.test:192.0.2.60:300
Zstatic.test:ns.static.test.:admin.static.test.:2024010101:7200:1800:604800:300:600
&static.test::ns.static.test.:3600
+ns.static.test:192.0.2.54:3600
# every other line type and rule
=Rev.dyn.example.test:192.0.2.77:300
^78.2.0.192.in-addr.arpa:Other.dyn.example.test:300
S_sip._udp.dyn.example.test:192.0.2.1:sip:5060:10:20:300
S_xmpp._tcp.dyn.example.test::xmpp.example.net.:5222
Zdefaults.test:ns.defaults.test.:hm.defaults.test.
.zero.test::ns.zero.test.:0
.dflt.test:192.0.2.55
&dflt.test::a\
%x:10.1
%lo:300..2.3.4.5
+*.lw.dyn.example.test:192.0.2.5:60::in
:lw.dyn.example.test:16:\005in-lw:60::ex
'esc.dyn.example.test:a\\b\101\0101\777 \q tail\
'empty.dyn.example.test::300
:spf.dyn.example.test:99:\013v=spf1 -all:300
:caa.dyn.example.test:257:\000\005issueca.example.net:300
:wrap.dyn.example.test:65537:\300\000\002\001
:odd.dyn.example.test:28:\040\001:300
+a\056b.dyn.example.test:192.0.2.80
+\052.esc-star.dyn.example.test:192.0.2.81
+.:192.0.2.82:60
+x.dyn.example.test:192.0.2.83:4294967297
+x.dyn.example.test:299.0.2.84junk: 77junk
+noaddr.dyn.example.test:192.0.2
.dyn6.example.test:2001:db8::1:a
-+removed.dyn.example.test:192.0.2.99
#+comment.dyn.example.test:192.0.2.99
EOF
	echo "+ttdcase.dyn.example.test:192.0.2.85:0:400000006B1058C0"
	echo "+fields.dyn.example.test:192.0.2.86:$fields16"
	printf '   \n\n+trail.dyn.example.test:192.0.2.87:300 \t \n'
	printf '+crlf.dyn.example.test:192.0.2.88:300\r\n'
	printf '+last.dyn.example.test:192.0.2.89:300'   # no final newline
}

td_dump() {
	cdb -d "$1" | python3 -c '
import signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # cmp may stop reading at a difference
d = sys.stdin.buffer.read()
i, recs = 0, []
while i < len(d) and d[i:i + 1] == b"+":
    comma = d.index(b",", i); colon = d.index(b":", comma)
    kl, dl = int(d[i + 1:comma]), int(d[comma + 1:colon])
    k = d[colon + 1:colon + 1 + kl]; v = d[colon + 3 + kl:colon + 3 + kl + dl]
    recs.append(k.hex() + " " + v.hex())
    i = colon + 3 + kl + dl + 1
if d[i:] != b"\n":
    sys.exit("td_dump: cannot parse cdb -d output at byte %d" % i)
print("\n".join(sorted(recs)))'
}

td_nrec() { cdb -s "$1" | sed -n 's/^number of records: *//p'; }

td_netns() {
	if [ -z "${TD_IN_NETNS:-}" ]; then
		exec unshare -n env TD_IN_NETNS=1 bash "$0" "$@"
	fi
	ip link set lo up
}

td_start() {
	local root=$1 i
	TD_LOG=$TMP/tinydns.log
	: >"$TD_LOG"
	chmod 755 "$root"
	env IP=127.0.0.1 ROOT="$root" UID=65534 GID=65534 tinydns 2>"$TD_LOG" &
	TD_PID=$!
	PIDS+=("$TD_PID")
	for i in $(seq 1 100); do
		grep -q '^starting tinydns' "$TD_LOG" && return 0
		kill -0 "$TD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "# tinydns did not start:" >&2
	sed 's/^/#   /' "$TD_LOG" >&2
	return 1
}

td_ans() {
	local out status
	out=$(dig @"$1" -p "$2" -b "${5:-127.0.0.1}" +norec +notcp +ignore +time=1 +tries=2 "$3" "$4" 2>&1)
	status=$(printf '%s\n' "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)
	printf '%s | ' "${status:-NOREPLY}"
	printf '%s\n' "$out" | awk '/^;; ANSWER SECTION:/ {a = 1; next} a && /^$/ {a = 0} a' |
		awk '{ printf "%s %s %s", $1, $2, $4; for (i = 5; i <= NF; i++) printf " %s", $i; print "" }' |
		sort | sed ':a;N;$!ba;s/\n/ | /g'
}
