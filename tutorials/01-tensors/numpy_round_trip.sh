#!/bin/sh
# The CTest test tutorials/ch01_numpy_round_trip: ch01_npy writes x.npy, NumPy reads it,
# checks it and writes y.npy = x * 2 + 1 in float64, and ch01_npy checks that file.
# Uses Debian's /usr/bin/python3 (python3-numpy); exits 77, which CTest reports as skipped,
# when NumPy is missing.
#   numpy_round_trip.sh <ch01_npy executable> <scratch folder>
set -e
program=$1
dir=$2
if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  echo "NumPy is not installed for /usr/bin/python3 (apt-get install python3-numpy): skipped"
  exit 77
fi
rm -rf "$dir"
"$program" --out "$dir"
/usr/bin/python3 -c "
import sys, numpy as np
x = np.load(sys.argv[1])
expected = np.arange(12, dtype=np.float32).reshape(3, 4) / 8
assert x.dtype == np.float32 and x.shape == (3, 4), (x.dtype, x.shape)
assert (x == expected).all(), x
np.save(sys.argv[2], x.astype(np.float64) * 2 + 1)
print('NumPy read', x.dtype, x.shape, 'and wrote y.npy')
" "$dir/x.npy" "$dir/y.npy"
"$program" --check-numpy "$dir/y.npy"
