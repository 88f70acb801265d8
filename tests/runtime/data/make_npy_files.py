"""Writes the reference .npy/.npz files that tests/runtime/test_npy.cpp reads.

Run from the repository root with the peer venv's numpy:
    bench/peer/.venv/bin/python tests/runtime/data/make_npy_files.py
Every file is written by numpy itself (np.save, np.savez, np.savez_compressed,
or numpy.lib.format for the older/newer header versions), so the test checks
Hypatia against numpy's bytes, not against its own idea of them. The values
are small and written out by hand in the test.
"""
import os

import numpy as np
from numpy.lib import format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array):
    np.save(os.path.join(HERE, name), array)


def main():
    # One file per dtype Hypatia has; shapes 1-d unless named otherwise.
    save("bool.npy", np.array([True, False, True]))
    save("int8.npy", np.array([-128, 0, 127], dtype=np.int8))
    save("int16.npy", np.array([-32768, 1, 32767], dtype=np.int16))
    save("int32.npy", np.array([-2147483648, 2, 2147483647], dtype=np.int32))
    save("int64.npy", np.array([-9223372036854775808, 3, 9223372036854775807], dtype=np.int64))
    save("uint8.npy", np.array([0, 128, 255], dtype=np.uint8))
    save("float32.npy", np.array([1.5, -0.25, np.inf], dtype=np.float32))
    save("float64.npy", np.array([0.1, -2.5e300, np.nan], dtype=np.float64))

    # Ranks 0 to 3 and an empty array.
    save("scalar.npy", np.array(3.25))
    save("matrix.npy", np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32))
    save("tensor3.npy", np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    save("empty.npy", np.zeros((0, 3), dtype=np.float64))
    save("long_axis.npy", np.zeros((1234567, 0), dtype=np.int16))

    # Layouts np.save keeps: Fortran order, big endian.
    save("fortran.npy", np.asfortranarray(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int64)))
    save("big_endian.npy", np.array([[1.0, -2.0], [3.5, 1e10]], dtype=">f8"))
    save("big_endian_int32.npy", np.array([1, -2, 65536], dtype=">i4"))

    # Header versions 2.0 and 3.0 (np.save picks them only for huge headers).
    for version in [(2, 0), (3, 0)]:
        path = os.path.join(HERE, "version%d.npy" % version[0])
        with open(path, "wb") as f:
            npformat.write_array(f, np.array([[7, 8], [9, 10]], dtype=np.int16), version=version)

    # Dtypes Hypatia does not have.
    save("complex128.npy", np.array([1 + 2j]))
    save("unicode.npy", np.array(["ab", "c"]))
    save("uint16.npy", np.array([1, 2], dtype=np.uint16))

    # Archives: np.savez (stored) and np.savez_compressed (deflated). Names
    # in sorted order, the order save_npz writes them.
    members = {
        "bias": np.array([0.5, -0.5], dtype=np.float32),
        "count": np.array(42, dtype=np.int64),
        "mask": np.array([[True, False], [False, True]]),
        "weights": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    }
    np.savez(os.path.join(HERE, "several.npz"), **members)
    np.savez_compressed(os.path.join(HERE, "compressed.npz"), **members)


if __name__ == "__main__":
    main()
