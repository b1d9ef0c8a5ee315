#!/usr/bin/env python3
"""Writes the decompression-bomb seeds of fuzz/corpus/npz (the other seeds there are NumPy's
archives, from tests/fixtures/npz): a few KB each, members that inflate to MiBs of zeros under
.npy headers and listed sizes that claim GiBs, so that the fuzzer starts from inputs near every
bound of nn/checkpoint.cpp's reader. Members are dated 1980-01-01, so the bytes are the same
each time. Standard library only."""
import pathlib, struct, warnings, zipfile

OUT = pathlib.Path(__file__).parent / "npz"
MIB = 1 << 20


def npy_header(descr, shape):
    """A version 1.0 .npy header, as np.save writes it (the data not included)."""
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    d += " " * ((64 - (10 + len(d) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode()


def archive(members, listed=None):
    """A zip of (name, bytes) members, deflated; `listed` replaces every member's uncompressed
    size in the local headers and the central directory (a lie about the content)."""
    import io
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": wanted here
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    out = bytearray(buf.getvalue())
    if listed is not None:  # PKWARE APPNOTE 4.3.7 and 4.3.12: the size is at offsets 22 and 24
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = out.find(signature)
            while at >= 0:
                out[at + offset:at + offset + 4] = struct.pack("<I", listed)
                at = out.find(signature, at + 4)
    return bytes(out)


w = npy_header("<f4", "(3,)") + struct.pack("<3f", 1, 2, 3)
seeds = {
    # A member whose header claims 1 GiB of floats but whose data is 4 MiB of zeros.
    "bomb_header_claims_1gib.npz": archive([("w.npy", npy_header("<f4", "(268435456,)") + bytes(4 * MIB))]),
    # The same header, the listed size agreeing with it (2 GiB + 128): over load_npz's budget.
    "bomb_listed_2gib.npz": archive([("big.npy", npy_header("<f4", "(536870912,)") + bytes(4 * MIB))],
                                    listed=(2 << 30) + 128),
    # A config.json of 4 MiB, over the 1 MiB a raw member may hold.
    "bomb_raw_member.npz": archive([("w.npy", w), ("config.json", b"{" + bytes(4 * MIB))]),
    # Two members named config.json, which libzip and numpy.load would read differently.
    "duplicate_config.npz": archive([("w.npy", w), ("config.json", b'{"model": "basic"}'),
                                     ("config.json", b'{"model": "vae"}')]),
}
for name, data in seeds.items():
    (OUT / name).write_bytes(data)
