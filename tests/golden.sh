#!/bin/sh
# golden.sh - the name `make update-golden` calls; the runner is t_golden.sh
# (tests/run.sh runs every tests/t_*.sh, so the runner carries that name).
exec sh "$(dirname "$0")/t_golden.sh" "$@"
