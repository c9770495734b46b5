#!/bin/sh
# t_addrdir_import.sh - addrdir import is all or nothing and addrdir
# convert writes nothing on error (spec-directory.md §4, issue 5).
# Prints PASS:/FAIL: lines.
SUITE=addrdir-import
. "$(dirname "$0")/lib.sh"
src=testdata/sample/directory.ldif

# a change file whose LAST record fails: nothing is written
cp "$src" "$tmp/d.ldif"
touch -d '2020-01-01 00:00:00' "$tmp/d.ldif"
cat >"$tmp/c.ldif" <<EOC
version: 1
dn: CN=New One,OU=Recipients,DC=example,DC=com
changetype: add
objectClass: user
proxyAddresses: SMTP:new.one@example.com

# the last record names an object that does not exist
dn: CN=Nobody,OU=Recipients,DC=example,DC=com
changetype: delete
EOC
before=$(stat -c '%Y %s' "$tmp/d.ldif")
"$bin" import "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>"$tmp/err"
check "refused-status-1" [ $? = 1 ]
check "refused-bytes-unchanged" cmp -s "$src" "$tmp/d.ldif"
check "refused-mtime-unchanged" [ "$(stat -c '%Y %s' "$tmp/d.ldif")" = "$before" ]
check "refused-diagnostic" grep -q "c.ldif:8: error: change.no-object: " "$tmp/out"
printf 'version: 1\n\ndn: CN=Nobody,OU=Recipients,DC=example,DC=com\nchangetype: delete\n' >"$tmp/want.err"
check "rejects-exactly-bad-record" cmp -s "$tmp/c.ldif.err" "$tmp/want.err"
check "no-temp-left" [ "$(ls "$tmp" | grep -c '^d\.ldif\.[^l]')" = 0 ]

# --rejects PATH and --json
"$bin" import --json --rejects "$tmp/r.ldif" "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>/dev/null
check "json-diagnostic" grep -q '"rule":"change.no-object"' "$tmp/out"
check "rejects-path" cmp -s "$tmp/r.ldif" "$tmp/want.err"

# the same file without the bad record applies; a dry run writes nothing
sed -i '/^# the last/,$d' "$tmp/c.ldif"
"$bin" import --dry-run "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>"$tmp/err"
check "dry-run-status-0" [ $? = 0 ]
check "dry-run-unchanged" cmp -s "$src" "$tmp/d.ldif"
"$bin" import "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>"$tmp/err"
check "applied-status-0" [ $? = 0 ]
check "applied" grep -q '^proxyAddresses: SMTP:new.one@example.com$' "$tmp/d.ldif"
"$bin" check "$tmp/d.ldif" >"$tmp/chk" 2>&1
check "applied-checks-clean" [ $? = 0 ]
# applying it again: the object exists now
"$bin" import "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>&1
check "second-run-exists" grep -q "change.exists" "$tmp/out"

# a second writer is refused while the lock is held
if command -v flock >/dev/null 2>&1; then
	flock "$tmp/d.ldif.lock" sh -c "\"$bin\" import \"$tmp/d.ldif\" \"$tmp/c.ldif\" >\"$tmp/out\" 2>&1; echo \$? >\"$tmp/rc\""
	check "locked-status-2" [ "$(cat "$tmp/rc")" = 2 ]
	check "locked-rule" grep -q "dir.locked" "$tmp/out"
fi

# a missing directory file is an empty directory
"$bin" import "$tmp/new.ldif" "$tmp/c.ldif" >"$tmp/out" 2>&1
check "new-directory" grep -q '^dn: CN=New One,OU=Recipients,DC=example,DC=com$' "$tmp/new.ldif"

# convert: LDIF to LDIF reproduces a file in writer form; errors write nothing
"$bin" convert "$src" "$tmp/copy.ldif" >"$tmp/out" 2>&1
check "convert-ldif-identical" cmp -s "$src" "$tmp/copy.ldif"
"$bin" convert --to ldif "$src" - >"$tmp/stdout.ldif" 2>/dev/null
check "convert-stdout" cmp -s "$src" "$tmp/stdout.ldif"
"$bin" convert testdata/addrdir/check-conflicts/directory.ldif "$tmp/bad.ldif" >"$tmp/out" 2>&1
check "convert-refused-status" [ $? = 1 ]
check "convert-refused-nothing-written" [ ! -e "$tmp/bad.ldif" ]

# DSML: T31 (spec-directory.md §11.4) applied through the CLI to a DSML
# directory that holds Engineering, QA and Old Person; then without Old
# Person, refused whole with the bad request in the rejects file
cat >"$tmp/base.ldif" <<'EOB'
version: 1
dn: CN=Engineering,OU=Distribution Lists,DC=example,DC=com
objectClass: group
proxyAddresses: SMTP:engineering@example.com

dn: CN=QA,OU=Distribution Lists,DC=example,DC=com
objectClass: group
proxyAddresses: SMTP:qa@example.com

dn: CN=Old Person,OU=Staff,DC=example,DC=com
objectClass: user
proxyAddresses: SMTP:old.person@example.com
EOB
"$bin" convert "$tmp/base.ldif" "$tmp/d.xml" >"$tmp/out" 2>&1
check "dsml-convert-from-ldif" grep -q '<searchResultEntry dn="CN=QA,OU=Distribution Lists,DC=example,DC=com">' "$tmp/d.xml"
"$bin" import "$tmp/d.xml" testdata/dsml/t31-batchrequest.xml >"$tmp/out" 2>&1
check "dsml-import-t31" grep -q 'CN=Partner\\, Pat,OU=Contacts' "$tmp/d.xml"
check "dsml-import-t31-old-person-gone" sh -c "! grep -q 'Old Person' '$tmp/d.xml'"
"$bin" convert "$tmp/d.xml" "$tmp/d2.ldif" >/dev/null 2>&1
check "dsml-import-t31-member" grep -q '^member: CN=QA,OU=Distribution Lists,DC=example,DC=com$' "$tmp/d2.ldif"
cp "$tmp/d.xml" "$tmp/d.before"
cp testdata/dsml/t31-batchrequest.xml "$tmp/t31.xml"
"$bin" import "$tmp/d.xml" "$tmp/t31.xml" >"$tmp/out" 2>&1
check "dsml-refused-status" [ $? = 1 ]
check "dsml-refused-unchanged" cmp -s "$tmp/d.xml" "$tmp/d.before"
check "dsml-refused-rule" grep -q 't31.xml:[0-9]*: error: change.exists' "$tmp/out"
check "dsml-rejects-file" grep -q '<dsml:addRequest dn="CN=Partner' "$tmp/t31.xml.err"
# round trip of the sample through DSML is byte-identical
"$bin" convert "$src" "$tmp/s.dsml" >/dev/null 2>&1 &&
    "$bin" convert "$tmp/s.dsml" "$tmp/s.ldif" >/dev/null 2>&1
check "dsml-round-trip-sample" cmp -s "$src" "$tmp/s.ldif"

# CSV: an Exchange 5.5 export imported into a new LDIF directory, which
# reads back clean and survives LDIF -> CSV -> LDIF; T09 refused with
# the rejects file holding the header and line 3; CSV without --base
csv55="--base OU=Recipients,DC=example,DC=com --org Example --site HQ"
# shellcheck disable=SC2086
"$bin" import $csv55 "$tmp/x.ldif" testdata/csv/exchange55-export.csv >"$tmp/out" 2>&1
check "csv-import-export" [ "$(grep -c '^dn: ' "$tmp/x.ldif")" = 10 ]
"$bin" check "$tmp/x.ldif" >"$tmp/chk" 2>&1
check "csv-import-reads-back" [ $? = 0 ]
check "csv-nt-account-as-schema-name" grep -q '^Assoc-NT-Account: EXAMPLE\\jdoe$' "$tmp/x.ldif"
# shellcheck disable=SC2086
"$bin" convert $csv55 "$tmp/x.ldif" "$tmp/x.csv" >/dev/null 2>&1 &&
    "$bin" convert $csv55 "$tmp/x.csv" "$tmp/x2.ldif" >/dev/null 2>&1
check "csv-round-trip" cmp -s "$tmp/x.ldif" "$tmp/x2.ldif"
check "csv-writer-friendly-header" grep -q '^Obj-Class,First Name,Last name,Display Name,Alias Name,Directory Name,Primary Windows NT Account,' "$tmp/x.csv"
printf 'Obj-Class,Directory Name,E-mail Addresses\r\nMailbox,jdoe,SMTP:jdoe@example.com\r\nMailbox,jdoe2,smtp:JDOE@example.com\r\n' >"$tmp/t09.csv"
# shellcheck disable=SC2086
"$bin" import $csv55 "$tmp/t09.ldif" "$tmp/t09.csv" >"$tmp/out" 2>&1
check "csv-t09-refused" [ $? = 1 ]
check "csv-t09-no-directory" [ ! -e "$tmp/t09.ldif" ]
check "csv-t09-rule" grep -q 't09.csv:3: error: proxy.duplicate: .*CN=jdoe,OU=Recipients.*CN=jdoe2,OU=Recipients' "$tmp/out"
printf 'Obj-Class,Directory Name,E-mail Addresses\r\nMailbox,jdoe2,smtp:JDOE@example.com\r\n' >"$tmp/t09.want"
check "csv-t09-rejects" cmp -s "$tmp/t09.csv.err" "$tmp/t09.want"
"$bin" import "$tmp/t09.ldif" "$tmp/t09.csv" >"$tmp/out" 2>&1
check "csv-needs-base" grep -q 'CSV needs --base' "$tmp/out"
# a missing DSML directory file is an empty directory too (regression:
# the empty file was parsed as XML and refused)
"$bin" import "$tmp/fresh.xml" "$tmp/c.ldif" >"$tmp/out" 2>&1
check "new-dsml-directory" grep -q 'searchResultEntry dn="CN=New One,OU=Recipients,DC=example,DC=com"' "$tmp/fresh.xml"
# a DSML change file's result is written while it is applied
# (addr_dir_stream_begin): the file must be the one written afterwards,
# whether the stream held (adds only) or stopped (a change to an entry
# written already), with or without worker threads; a refused import
# leaves no temporary file behind. bulk.ldif and bulk.xml hold the same
# changes.
"$bin" convert "$src" "$tmp/all.xml" >/dev/null 2>&1
# bulk N EDIT - N adds, then EDIT: "" (none), "modify" (an entry of the
# sample), "exists" (an add of an entry the sample has: refused)
bulk() {
	{
		printf 'version: 1\n'
		i=0
		while [ $i -lt "$1" ]; do
			printf '\ndn: CN=Bulk %d,OU=Recipients,DC=example,DC=com\nchangetype: add\nobjectClass: user\ncn: Bulk %d\nproxyAddresses: SMTP:bulk%d@example.com\n' $i $i $i
			i=$((i + 1))
		done
		case $2 in
		modify) printf '\ndn: CN=QA,OU=Distribution Lists,DC=example,DC=com\nchangetype: modify\nadd: member\nmember: CN=Bulk 3,OU=Recipients,DC=example,DC=com\n-\n' ;;
		exists) printf '\ndn: CN=QA,OU=Distribution Lists,DC=example,DC=com\nchangetype: add\nobjectClass: group\n' ;;
		esac
	} >"$tmp/bulk.ldif"
	{
		printf '<batchRequest xmlns="urn:oasis:names:tc:DSML:2:0:core">\n'
		i=0
		while [ $i -lt "$1" ]; do
			printf '<addRequest dn="CN=Bulk %d,OU=Recipients,DC=example,DC=com"><attr name="objectClass"><value>user</value></attr><attr name="cn"><value>Bulk %d</value></attr><attr name="proxyAddresses"><value>SMTP:bulk%d@example.com</value></attr></addRequest>\n' $i $i $i
			i=$((i + 1))
		done
		case $2 in
		modify) printf '<modifyRequest dn="CN=QA,OU=Distribution Lists,DC=example,DC=com"><modification name="member" operation="add"><value>CN=Bulk 3,OU=Recipients,DC=example,DC=com</value></modification></modifyRequest>\n' ;;
		exists) printf '<addRequest dn="CN=QA,OU=Distribution Lists,DC=example,DC=com"><attr name="objectClass"><value>group</value></attr></addRequest>\n' ;;
		esac
		printf '</batchRequest>\n'
	} >"$tmp/bulk.xml"
}
for edit in none modify; do
	bulk 700 "$edit"
	for th in 0 1 3; do
		for dir in e.ldif e.xml; do
			if [ $dir = e.xml ]; then from=$tmp/all.xml; else from=$src; fi
			cp "$from" "$tmp/s-$dir"
			cp "$from" "$tmp/w-$dir"
			ADDRDIR_THREADS=$th "$bin" import "$tmp/s-$dir" "$tmp/bulk.xml" >"$tmp/out" 2>&1
			check "stream-$edit-$dir-t$th-status" [ $? = 0 ]
			ADDRDIR_THREADS=$th "$bin" import "$tmp/w-$dir" "$tmp/bulk.ldif" >"$tmp/out" 2>&1
			check "stream-$edit-$dir-t$th-same" cmp -s "$tmp/s-$dir" "$tmp/w-$dir"
		done
	done
done
check "stream-modify-applied" grep -q 'value>CN=Bulk 3,OU=Recipients' "$tmp/s-e.xml"
bulk 700 exists
cp "$tmp/all.xml" "$tmp/r.xml"
"$bin" import "$tmp/r.xml" "$tmp/bulk.xml" >"$tmp/out" 2>&1
check "stream-refused-status" [ $? = 1 ]
check "stream-refused-unchanged" cmp -s "$tmp/all.xml" "$tmp/r.xml"
# (r.xml.lock is the import's lock file, kept as flock(1)'s are)
check "stream-refused-no-temporary" [ -z "$(ls "$tmp" | grep '^r\.xml\.' | grep -v '^r\.xml\.lock$')" ]
