"""Checks that NumPy and PyTorch read a checkpoint written by xtgrad's save_checkpoint.

The tests read NumPy's archives (tests/fixtures/npz); this script closes the loop the other way.
It is run by hand, with Debian's Python, which has NumPy and PyTorch:

    /usr/bin/python3 tests/nn/conformance/check_npz_with_numpy.py MODEL.npz 4 8 3 [--io IO.npz]

MODEL.npz is a checkpoint of nn::Sequential{Linear(4, 8), Linear(8, 3)} (the sizes after the
path), with or without optimizer state. The script checks that
  1. the archive is a sound zip whose members are all .npy files (CRCs included);
  2. numpy.load reads every member, and the model's have the dtype and shape that
     torch.nn.Linear has for those sizes: weight (out, in) and bias (out,), float32;
  3. the snippet in nn/checkpoint.hpp, copied here unchanged, loads it into the equivalent
     torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Linear(8, 3)) (strict: no key
     missing or left over), and the parameters are then exactly the file's values;
  4. with --io IO.npz, an .npz holding an input "x" and xtgrad's output "y" for it (also written
     with save_npz), PyTorch's output for x matches y.
It prints what it checked and exits with status 1 at the first failure.
"""
import argparse
import sys
import zipfile

import numpy as np
import torch

XTGRAD_DTYPES = {"<f4", "<f8", "<i8", "|b1"}


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check_archive(path):
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()  # reads every member and checks its CRC-32
        if bad is not None:
            fail(f"{path}: member {bad} fails its CRC check")
        for info in z.infolist():
            if not info.filename.endswith(".npy"):
                fail(f"{path}: member {info.filename} is not an .npy file")
            with z.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version != (1, 0):  # what np.save writes, and so save_npz
                    fail(f"{info.filename}: .npy version {version}, expected (1, 0)")
                shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
            method = "stored" if info.compress_type == zipfile.ZIP_STORED else "compressed"
            print(f"  {info.filename:28} .npy 1.0, {method}, "
                  f"{info.file_size} bytes, header: {dtype.str} {shape}"
                  + (" fortran_order" if fortran_order else ""))


def check_members(path, sizes):
    arrays = dict(np.load(path, allow_pickle=False).items())
    for key, array in arrays.items():
        if array.dtype.str not in XTGRAD_DTYPES:
            fail(f"{key}: dtype {array.dtype.str} is not one that xtgrad writes")
        print(f"  {key:28} {array.dtype.str} {array.shape}")
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        for name, shape in ((f"{i}.weight", (n_out, n_in)), (f"{i}.bias", (n_out,))):
            if name not in arrays:
                fail(f"{name} is missing")
            if arrays[name].dtype != np.float32 or arrays[name].shape != shape:
                fail(f"{name}: expected float32 {shape}, got {arrays[name].dtype} "
                     f"{arrays[name].shape}")
    print(f"  model members have torch.nn.Linear's dtypes and shapes for sizes {sizes}")
    return arrays


def load_into_torch(path, sizes):
    torch_model = torch.nn.Sequential(
        *[torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:])])
    # --- the snippet from nn/checkpoint.hpp, unchanged ---
    state = {k: torch.from_numpy(v) for k, v in np.load(path).items()
             if not k.startswith("optimizer/")}
    torch_model.load_state_dict(state)
    # ---
    print(f"  {torch_model}".replace("\n", "\n  "))
    print("  torch_model.load_state_dict(state): strict load, no missing or unexpected keys")
    return torch_model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("npz", help="a checkpoint written by xtgrad's save_checkpoint")
    parser.add_argument("sizes", type=int, nargs="+", help="layer sizes, e.g. 4 8 3")
    parser.add_argument("--io", help='an .npz with an input "x" and xtgrad\'s output "y"')
    args = parser.parse_args()
    print(f"numpy {np.__version__}, torch {torch.__version__}")

    print(f"1. {args.npz} as a zip archive:")
    check_archive(args.npz)
    print("2. numpy.load:")
    arrays = check_members(args.npz, args.sizes)
    print("3. into PyTorch with the snippet from nn/checkpoint.hpp:")
    torch_model = load_into_torch(args.npz, args.sizes)
    for key, value in torch_model.state_dict().items():
        if not np.array_equal(value.numpy(), arrays[key]):
            fail(f"{key}: PyTorch's parameter differs from the file's")
    print("  every parameter equals the file's values exactly")

    if args.io:
        print(f"4. forward pass on {args.io}:")
        io = np.load(args.io)
        with torch.no_grad():
            y = torch_model(torch.from_numpy(io["x"])).numpy()
        diff = np.abs(y - io["y"]).max()
        print(f"  x {io['x'].shape} -> y {y.shape}; max |torch - xtgrad| = {diff:.3g}")
        if not np.allclose(y, io["y"], rtol=1e-5, atol=1e-6):
            fail("PyTorch's output differs from xtgrad's")
    print("OK")


if __name__ == "__main__":
    main()
