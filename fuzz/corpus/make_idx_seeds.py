#!/usr/bin/env python3
"""Writes the IDX seeds of fuzz/corpus/idx: a 3-image 2x2 file and its 3 labels, plain and
gzipped (mtime 0, so the bytes are the same each time). Standard library only."""
import gzip, pathlib, struct

def idx(magic, dims, data):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)

out = pathlib.Path(__file__).parent / "idx"
images = idx(0x803, [3, 2, 2], range(0, 240, 20))
labels = idx(0x801, [3], [9, 0, 3])
for name, data in [("images_3x2x2", images), ("labels_3", labels)]:
    (out / name).write_bytes(data)
    (out / (name + ".gz")).write_bytes(gzip.compress(data, mtime=0))
