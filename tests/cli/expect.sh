#!/usr/bin/env bash
# usage: expect.sh CODE REGEX COMMAND [ARGS...]
# Runs the command; passes when it exits with CODE and its output (stdout and
# stderr together) matches the extended regular expression REGEX.
set -u
want=$1; pattern=$2; shift 2
out=$("$@" 2>&1)
rc=$?
if [ "$rc" -ne "$want" ]; then
  echo "exit code $rc, expected $want: $*"
  echo "$out" | tail -20
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
  echo "output does not match /$pattern/: $*"
  echo "$out" | tail -20
  exit 1
fi
echo "ok: $* -> $rc"
