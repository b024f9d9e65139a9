#!/bin/bash
# The report endpoints of the admin port (the seed's API): list newest
# first, download with the right content type, 400 for bad names, 404 for
# absent ones, delete, the token, 405 with Allow.
#
# The profiler does not write reports yet, so this test puts the files in
# the directory by hand, as the report writer will name them.
. "$(dirname "$0")/lib.sh"

R=$T/r
start_hotlined reports -w 1 -o "profiling_output_dir=$R" || exit 1
base=http://$HL_ADMIN/api/profiling/reports

check "an absent directory lists as empty" \
    test "$(admin_get /api/profiling/reports | jq "(j['total_count'], j['reports'])")" = "(0, [])"

# put NAME MTIME CONTENT: a report file with a known mtime.
put() {
	printf '%s' "$3" >"$R/$1"
	touch -d "@$2" "$R/$1"
}
mkdir -p "$R"
put profile_20261124T101500Z_0001.json 1795515300 '{"schema_version":"1.0","window":1}'
put profile_20261124T101500Z_0001.html 1795515300 '<!doctype html><p>one</p>'
put profile_20261124T101530Z_0002.json 1795515330 '{"schema_version":"1.0","window":2}'
put profile_20261124T101530Z_0002.folded 1795515330 'main;loop 42'
# Strangers: a temp file of a write in progress, an unrelated file.
put .profile_20261124T101600Z_0003.json.tmp 1795515360 '{"partial'
put README 1795515360 'not a report'

l=$(admin_get /api/profiling/reports)
check "list: total_count counts report files only" \
    test "$(echo "$l" | jq "j['total_count']")" = 4
check "list: newest first" \
    test "$(echo "$l" | jq "' '.join(r['filename'] for r in j['reports'])")" = \
    "profile_20261124T101530Z_0002.json profile_20261124T101530Z_0002.folded profile_20261124T101500Z_0001.json profile_20261124T101500Z_0001.html"
check "list: size_bytes are the file sizes" \
    test "$(echo "$l" | jq "[r['size_bytes'] for r in j['reports']]")" = "[35, 12, 35, 25]"
check "list: created_at is the mtime in integer epoch seconds" \
    test "$(echo "$l" | jq "[r['created_at'] for r in j['reports']]")" = \
    "[1795515330, 1795515330, 1795515300, 1795515300]"
check "list: exactly the seed's fields" \
    test "$(echo "$l" | jq "sorted(j['reports'][0])")" = "['created_at', 'filename', 'size_bytes']"

# get NAME: download into $T/got, headers into $T/hdr; prints the status.
get() {
	curl -s -m 5 -D "$T/hdr" -o "$T/got" -w '%{http_code}' "$base/$1"
}
ctype() { sed -n 's/^Content-Type: \(.*\)\r$/\1/Ip' "$T/hdr"; }
for f in profile_20261124T101500Z_0001.json:application/json \
    "profile_20261124T101500Z_0001.html:text/html; charset=utf-8" \
    profile_20261124T101530Z_0002.folded:text/plain; do
	name=${f%%:*} type=${f#*:}
	code=$(get "$name")
	check "get $name: 200 with the exact bytes" \
	    sh -c "test $code = 200 && cmp -s '$T/got' '$R/$name'"
	check "get $name: Content-Type $type" test "$(ctype)" = "$type"
done

# A large report is streamed whole.
head -c 5000000 /dev/urandom >"$R/profile_20261124T101630Z_0004.html"
code=$(get profile_20261124T101630Z_0004.html)
check "a 5 MB report arrives whole" \
    sh -c "test $code = 200 && cmp -s '$T/got' '$R/profile_20261124T101630Z_0004.html'"
rm -f "$R/profile_20261124T101630Z_0004.html"

code=$(curl -s -m 5 -I -o "$T/hdr" -w '%{http_code}' \
    "$base/profile_20261124T101500Z_0001.json")
check "HEAD: 200 with the length and no body" \
    sh -c "test $code = 200 && grep -qi '^Content-Length: 35' '$T/hdr'"

code=$(get profile_20261124T101500Z_0099.json)
check "get an absent valid name: 404 ($code)" test "$code" = 404
check "... with a JSON error" test "$(jq "j['error']" <"$T/got")" = "no such report"
for bad in '..%2f..%2fetc%2fpasswd' 'a%5cb' 'not_a_report.txt' '%2e%2e' \
    'profile_20261124T101500Z_0001.json%00.json' \
    'profile_20261124T101500Z_0001.exe'; do
	code=$(get "$bad")
	check "get $bad: 400 ($code)" \
	    sh -c "test $code = 400 && grep -q '\"error\"' '$T/got'"
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE "$base/$bad")
	check "delete $bad: 400 ($code)" test "$code" = 400
done

code=$(curl -s -m 5 -o "$T/del" -w '%{http_code}' -X DELETE \
    "$base/profile_20261124T101500Z_0001.html")
check "delete: 200" test "$code" = 200
check "delete: the seed's reply" \
    test "$(jq "(j['message'], j['filename'])" <"$T/del")" = \
    "('Report deleted successfully', 'profile_20261124T101500Z_0001.html')"
check "delete: the file is gone" test ! -e "$R/profile_20261124T101500Z_0001.html"
check "delete: the list no longer has it" \
    test "$(admin_get /api/profiling/reports | jq "j['total_count']")" = 3
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE \
    "$base/profile_20261124T101500Z_0001.html")
check "delete it again: 404" test "$code" = 404
check "strangers are left alone" test -e "$R/README"

curl -s -m 5 -D "$T/405h" -o "$T/405" -X PUT "$base/profile_20261124T101500Z_0001.json" >/dev/null
check "PUT on a report: 405 with Allow: GET, HEAD, DELETE" \
    grep -qi '^Allow: GET, HEAD, DELETE' "$T/405h"
check "the 405 body is JSON" grep -q '"error":"method not allowed' "$T/405"
curl -s -m 5 -D "$T/405h" -o /dev/null -X DELETE "$base" >/dev/null
check "DELETE on the list: 405 with Allow: GET, HEAD" \
    grep -qi '^Allow: GET, HEAD' "$T/405h"
stop_hotlined "$HL_PID" TERM

# The token guards these routes like every other.
HL_TOKEN=s3cret
HOTLINE_ADMIN_TOKEN=s3cret start_hotlined token -w 1 -o "profiling_output_dir=$R" || exit 1
HL_TOKEN=
base=http://$HL_ADMIN/api/profiling/reports
name=profile_20261124T101530Z_0002.json
for req in "GET $base" "GET $base/$name" "DELETE $base/$name"; do
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X "${req%% *}" "${req#* }")
	check "no token: ${req%% *} ${req#*reports} is 401 ($code)" test "$code" = 401
done
check "the unauthorized delete left the file" test -e "$R/$name"
code=$(curl -s -m 5 -o "$T/got" -w '%{http_code}' -H 'Authorization: Bearer s3cret' "$base/$name")
check "with the token: get is 200" sh -c "test $code = 200 && cmp -s '$T/got' '$R/$name'"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE \
    -H 'Authorization: Bearer s3cret' "$base/$name")
check "with the token: delete is 200" test "$code" = 200
check "... and the file is gone" test ! -e "$R/$name"
