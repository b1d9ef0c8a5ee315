#!/usr/bin/env python3
"""Writes the IDX seeds of fuzz/corpus/idx: a 3-image 2x2 file and its 3 labels, plain and
gzipped, the images again as two gzip members, and decompression bombs of a few KB: headers
that claim far more than the file holds, or 4 MiB of zeros after the data (gzip mtime 0, so the
bytes are the same each time). Standard library only."""
import gzip, pathlib, struct

def idx(magic, dims, data):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)

def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)

out = pathlib.Path(__file__).parent / "idx"
images = idx(0x803, [3, 2, 2], range(0, 240, 20))
labels = idx(0x801, [3], [9, 0, 3])
for name, data in [("images_3x2x2", images), ("labels_3", labels)]:
    (out / name).write_bytes(data)
    (out / (name + ".gz")).write_bytes(gz(data))
zeros = bytes(4 << 20)
seeds = {
    # Two gzip members: the trailer's length is the second one's only.
    "images_3x2x2_two_members.gz": gz(images[:20]) + gz(images[20:]),
    # The reviewer's bomb, small: 1.4e9 images claimed (over the cap), 4 MiB of zeros held.
    "bomb_1.4e9_images.gz": gz(idx(0x803, [1400000000, 28, 28], []) + zeros),
    # A million images claimed (at the cap), 4 MiB held.
    "bomb_million_images.gz": gz(idx(0x803, [1000000, 28, 28], []) + zeros),
    # 3 labels, then 4 MiB of zeros.
    "bomb_trailing_zeros.gz": gz(labels + zeros),
}
for name, data in seeds.items():
    (out / name).write_bytes(data)
