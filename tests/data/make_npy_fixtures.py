"""Writes the .npy fixtures that tests/tensor/test_io.cpp reads and compares bytes with.

Rerun from the repository root with Debian's Python, which has NumPy:

    /usr/bin/python3 tests/data/make_npy_fixtures.py

The output is deterministic: rerunning it with the same NumPy gives the same bytes, and
`git status` should then show no change. The files were made with NumPy 1.24; NumPy >= 1.23
pads the header with 21 - len(str(shape[0])) extra spaces, older versions do not, so the
byte-for-byte tests assume NumPy >= 1.23's layout.
"""
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "npy"

# Arrays that xtgrad must read and write byte for byte like np.save. numpy_arrays() in
# tests/tensor/test_io.cpp builds the same arrays in C++: change both together.
SUPPORTED = {
    # float32, (2, 3): 0, 0.25, ..., 1.25 (exact in binary)
    "f4_2x3": np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(4),
    # float64, (4,): decimals that binary cannot hold exactly, and extremes
    "f8_4": np.array([0.1, -2.5e-300, 1.7976931348623157e308, 1 / 3], dtype=np.float64),
    # int64, (5,): 2**53 + 1 is not representable as a double, so exactness is tested
    "i8_5": np.array([-(2**63), -1, 0, 2**53 + 1, 2**63 - 1], dtype=np.int64),
    # bool, (2, 2)
    "b1_2x2": np.array([[True, False], [False, True]]),
    # float64, 0-d
    "f8_scalar": np.array(3.25, dtype=np.float64),
    # float32, (0, 3): no data bytes at all
    "f4_empty_0x3": np.zeros((0, 3), dtype=np.float32),
    # int64, (2, 3, 4): 0 .. 23
    "i8_2x3x4": np.arange(24, dtype=np.int64).reshape(2, 3, 4),
    # float32, (1000,) with a 4-digit first size: the header padding changes with the digits
    "f4_1000": (np.arange(1000, dtype=np.float32) - 500) / np.float32(8),
    # float32, 14-d (2, 1, ..., 1, 100): a header long enough for NumPy's two padding traps.
    # The dict is 97 characters; the 20 spaces of room for the first size to grow bring
    # magic + version + length + dict + '\n' to exactly 128 bytes, and NumPy then pads a full
    # 64 more (never 0), so the data starts at 192, not at 128.
    "f4_14d": np.arange(200, dtype=np.float32).reshape((2,) + (1,) * 12 + (100,)) / np.float32(8),
}


def main():
    OUT.mkdir(exist_ok=True)
    for name, array in SUPPORTED.items():
        np.save(OUT / f"{name}.npy", array, allow_pickle=False)

    # Files that xtgrad must reject with a FileError, each for a stated reason.
    f4 = np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(4)
    np.save(OUT / "f4_fortran_2x3.npy", np.asfortranarray(f4))  # fortran_order: True
    np.save(OUT / "f4_bigendian_3.npy", np.arange(3, dtype=">f4"))  # descr '>f4'
    np.save(OUT / "i4_3.npy", np.arange(3, dtype=np.int32))  # descr '<i4'

    # Format version 2.0 (4-byte header length), which xtgrad must read: the same values as
    # f4_2x3.npy.
    with open(OUT / "f4_2x3_v2.npy", "wb") as f:
        np.lib.format.write_array(f, f4, version=(2, 0))


if __name__ == "__main__":
    main()
