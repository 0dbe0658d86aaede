#!/usr/bin/env bash
# The end-to-end demo. Until the three workflows land it builds a small
# checkpoint with tfport itself and inspects it with `tfport inspect`.
set -euo pipefail
BUILD=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "== write a V2 checkpoint with tfport (./model/model_save-1 + checkpoint file)"
"$OLDPWD/$BUILD/write_checkpoint" ./model/model_save
echo
echo "== tfport inspect ./model"
"$OLDPWD/$BUILD/tfport" inspect ./model
echo
echo "== tfport inspect ./model --tensor b --json"
"$OLDPWD/$BUILD/tfport" inspect ./model --tensor b --json
