"""An independent implementation of hp::random (include/hypatia/random.hpp),
written from the published algorithms, that prints the golden values
tests/runtime/test_host_random.cpp checks.

Run: python3 tests/runtime/data/host_random_reference.py (no numpy needed).

Philox4x32-10 is checked first against the known-answer vectors of the
Random123 library (examples/kat_vectors). normal uses math.log where the C++
uses its own series, so the normals agree to about 1e-15 relative, not to
the bit; uniform and integers agree exactly.
"""
import math
import struct

M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK32 = 0xFFFFFFFF


def philox4x32_10(ctr, key):
    """Random123's philox4x32 with 10 rounds: the key bumps before rounds 2..10."""
    x0, x1, x2, x3 = ctr
    k0, k1 = key
    for r in range(10):
        if r:
            k0 = (k0 + W0) & MASK32
            k1 = (k1 + W1) & MASK32
        p0 = M0 * x0
        p1 = M1 * x2
        x0, x1, x2, x3 = ((p1 >> 32) ^ x1 ^ k0, p1 & MASK32, (p0 >> 32) ^ x3 ^ k1, p0 & MASK32)
    return [x0, x1, x2, x3]


KAT = [
    ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
    ([MASK32] * 4, [MASK32] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
    ([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344], [0xA4093822, 0x299F31D0],
     [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]),
]


def words(seed):
    """The 64-bit word stream: x0 | x1 << 32, x2 | x3 << 32 per block."""
    key = [seed & MASK32, seed >> 32]
    k = 0
    while True:
        x = philox4x32_10([k & MASK32, k >> 32, 0, 0], key)
        yield x[0] | x[1] << 32
        yield x[2] | x[3] << 32
        k += 1


def unit(w):
    return (w >> 11) * 2.0 ** -53


def uniform(n, low, high, seed):
    s = words(seed)
    return [low + (high - low) * unit(next(s)) for _ in range(n)]


def normal(n, mean, stddev, seed):
    s = words(seed)
    out = []
    while len(out) < n:
        u = 2 * unit(next(s)) - 1
        v = 2 * unit(next(s)) - 1
        q = u * u + v * v
        if q >= 1 or q == 0:
            continue
        f = math.sqrt(-2 * math.log(q) / q)
        out += [mean + stddev * (u * f), mean + stddev * (v * f)]
    return out[:n]


def integers(n, low, high, seed):
    s = words(seed)
    r = high - low
    out = []
    for _ in range(n):
        m = next(s) * r
        lo = m & (2 ** 64 - 1)
        if lo < r:
            t = (2 ** 64 - r) % r
            while lo < t:
                m = next(s) * r
                lo = m & (2 ** 64 - 1)
        out.append(low + (m >> 64))
    return out


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def main():
    for ctr, key, want in KAT:
        assert philox4x32_10(ctr, key) == want, (ctr, key)
    print("// philox words, seed 0:", ", ".join("0x%016x" % w for w, _ in zip(words(0), range(4))))
    print("// uniform(4), seed 0:", ", ".join(repr(v) for v in uniform(4, 0.0, 1.0, 0)))
    print("// uniform(4, -2, 3), seed 0x0123456789abcdef:",
          ", ".join(repr(v) for v in uniform(4, -2.0, 3.0, 0x0123456789ABCDEF)))
    print("// uniform(4) float32, seed 5:", ", ".join(repr(f32(v)) + "f" for v in uniform(4, 0.0, 1.0, 5)))
    print("// normal(6), seed 0:", ", ".join(repr(v) for v in normal(6, 0.0, 1.0, 0)))
    print("// normal(5, 10, 2), seed 123:", ", ".join(repr(v) for v in normal(5, 10.0, 2.0, 123)))
    print("// integers(10, -5, 5), seed 7:", ", ".join(str(v) for v in integers(10, -5, 5, 7)))
    print("// integers(3, int64 min, int64 max), seed 1:",
          ", ".join(str(v) for v in integers(3, -2 ** 63, 2 ** 63 - 1, 1)))
    print("// integers(6, 0, 256) uint8, seed 9:", ", ".join(str(v) for v in integers(6, 0, 256, 9)))


if __name__ == "__main__":
    main()
