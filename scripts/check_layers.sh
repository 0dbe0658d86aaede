#!/usr/bin/env bash
# Checks that every layer includes only its own headers and those of layers
# below it (docs/ARCHITECTURE.md). Order, lowest first:
layers=(core io graph runtime kernels saver saved_model freeze c_api serving cli)
root=$(cd "$(dirname "$0")/.." && pwd)
fail=0
for i in "${!layers[@]}"; do
  layer=${layers[$i]}
  upper=("${layers[@]:$((i + 1))}")
  for dir in "$root/src/$layer" "$root/include/tfport/$layer"; do
    [ -d "$dir" ] || continue
    for up in "${upper[@]}"; do
      hits=$(grep -rnE "#include \"(tfport/)?$up/" "$dir" 2>/dev/null)
      if [ -n "$hits" ]; then
        echo "layering violation: $layer includes $up:"
        echo "$hits"
        fail=1
      fi
    done
  done
done
[ $fail -eq 0 ] && echo "layering: ok (${layers[*]})"
exit $fail
