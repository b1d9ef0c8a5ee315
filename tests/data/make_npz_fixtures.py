"""Writes the .npz fixtures that tests/nn/test_checkpoint.cpp reads.

Rerun from the repository root with Debian's Python, which has NumPy:

    /usr/bin/python3 tests/data/make_npz_fixtures.py

numpy.savez stamps each member with the time it was written, so a rerun may change the bytes of
from_numpy*.npz but not what they hold; the other archives are written with a fixed time and
come out byte-identical. The files were made with NumPy 1.24.
"""
import io
import pathlib
import warnings
import zipfile

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "npz"

# What the test expects from from_numpy.npz, in this order. Keys may contain '/' (numpy.load
# keeps them as they are); xtgrad's checkpoints put the optimizer's state under "optimizer/".
ARRAYS = {
    # float32, (2, 3): 0, 0.25, ..., 1.25 (exact in binary)
    "0.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(4),
    # float32, (2,)
    "0.bias": np.array([-1.5, 2.0], dtype=np.float32),
    # float64, (3,): decimals that binary cannot hold exactly
    "encoder/scale": np.array([0.1, 1 / 3, -2.5e-300], dtype=np.float64),
    # int64, (2, 2): 2**53 + 1 would not survive a trip through a double
    "counts": np.array([[-(2**63), 2**53 + 1], [0, 2**63 - 1]], dtype=np.int64),
    # bool, (3,)
    "mask": np.array([True, False, True]),
    # float64, 0-d, as an optimizer's step count might be stored
    "optimizer/step": np.array(7.0, dtype=np.float64),
    # float32, (0, 4): a member with no data bytes
    "empty": np.zeros((0, 4), dtype=np.float32),
}

FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def write_zip(path, members):
    """A zip of (name, bytes) members, stored uncompressed like numpy.savez's."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME), data)


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def main():
    OUT.mkdir(exist_ok=True)
    # What numpy.savez and numpy.savez_compressed (deflated members) write.
    np.savez(OUT / "from_numpy.npz", **ARRAYS)
    np.savez_compressed(OUT / "from_numpy_compressed.npz", **ARRAYS)

    # An archive that numpy.load reads but whose non-.npy member xtgrad skips.
    write_zip(OUT / "with_text_member.npz",
              [("w.npy", npy_bytes(np.arange(3, dtype=np.float32))), ("README.txt", b"notes\n")])

    # Archives that xtgrad must reject with a FileError, each for a stated reason.
    # Two members named "w.npy" (zipfile warns, but writes them): which one is meant?
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name: 'w.npy'"
        write_zip(OUT / "duplicate_member.npz",
                  [("w.npy", npy_bytes(np.zeros(2, dtype=np.float32))),
                   ("w.npy", npy_bytes(np.ones(2, dtype=np.float32)))])
    # A member named .npy that holds text (numpy.load hands back its raw bytes).
    write_zip(OUT / "bad_member.npz",
              [("good.npy", npy_bytes(np.zeros(2, dtype=np.float32))), ("bad.npy", b"hello\n")])


if __name__ == "__main__":
    main()
