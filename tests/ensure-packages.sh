#!/bin/sh
# ensure-packages.sh - install the Debian packages the build needs.
# Run as root it installs what is missing with apt-get; otherwise it
# prints the exact command and fails, so nothing happens behind the
# user's back.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
	echo "ensure-packages: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || exit 1
	$cmd || exit 1
else
	echo "ensure-packages: missing Debian packages:$missing" >&2
	echo "ensure-packages: run as root: apt-get update && $cmd" >&2
	exit 1
fi
