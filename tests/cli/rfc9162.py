#!/usr/bin/env python3
"""rfc9162.py: an RFC 9162 proof verifier for the tests, independent of
QGTM's C code: written from RFC 9162 (Certificate Transparency 2.0)
section 2.1.1 (the Merkle Tree Hash), 2.1.3.2 (verifying an inclusion
proof) and 2.1.4.2 (verifying a consistency proof). The leaves are the
lines of a chain file (without "\\n"); the roots are computed here from
those lines, never taken from qgtm-audit.

    rfc9162.py inclusion CHAIN INDEX SIZE PROOF
    rfc9162.py consistency CHAIN FIRST SECOND PROOF

PROOF holds the proof's hashes, one hex hash a line (qgtm-audit prove and
consistency print them so). Exit 0 when the proof verifies, 1 when it
does not (saying why on stderr), 2 on a usage error.
"""
import hashlib
import sys


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(d):
    # 2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)).
    return sha256(b"\x00" + d)


def node_hash(left, right):
    # 2.1.1: SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
    return sha256(b"\x01" + left + right)


def mth(leaves):
    """2.1.1: MTH(D[n]); k is the largest power of two smaller than n."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def lsb(x):
    return x & 1


def shift_until_set(fn, sn):
    """Right-shift both fn and sn equally until either LSB(fn) is set or
    fn is 0 (2.1.3.2 step 4.b.ii, 2.1.4.2 step 6.b.ii)."""
    while not lsb(fn) and fn != 0:
        fn >>= 1
        sn >>= 1
    return fn, sn


def verify_inclusion(leaf_index, tree_size, h, path, root):
    """2.1.3.2, step by step."""
    # 1. leaf_index >= tree_size: fail.
    if leaf_index >= tree_size:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.
    fn, sn = leaf_index, tree_size - 1
    # 3. r = hash.
    r = h
    # 4. for each p in inclusion_path:
    for p in path:
        # a. sn == 0: fail.
        if sn == 0:
            return False
        # b. LSB(fn) set, or fn == sn:
        if lsb(fn) or fn == sn:
            r = node_hash(p, r)
            # ii. if LSB(fn) is not set, shift until LSB(fn) set or fn 0.
            fn, sn = shift_until_set(fn, sn)
        else:
            r = node_hash(r, p)
        # c. shift both once.
        fn >>= 1
        sn >>= 1
    # 5. sn == 0 and r == root_hash.
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, path):
    """2.1.4.2, step by step (first = second needs no proof: 2.1.4.1)."""
    if first == second:
        return len(path) == 0 and first_hash == second_hash
    if first == 0 or first > second:
        return False
    # 1. An empty consistency_path: fail.
    if not path:
        return False
    # 2. first an exact power of 2: prepend first_hash.
    if first & (first - 1) == 0:
        path = [first_hash] + path
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # 4. LSB(fn) set: shift both until it is not.
    while lsb(fn):
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. for each subsequent value c:
    for c in path[1:]:
        # a. sn == 0: fail.
        if sn == 0:
            return False
        # b. LSB(fn) set, or fn == sn:
        if lsb(fn) or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # ii. if LSB(fn) is not set, shift until LSB(fn) set or fn 0.
            fn, sn = shift_until_set(fn, sn)
        else:
            sr = node_hash(sr, c)
        # c. shift both once.
        fn >>= 1
        sn >>= 1
    # 7. fr == first_hash, sr == second_hash and sn == 0.
    return fr == first_hash and sr == second_hash and sn == 0


def main(argv):
    if len(argv) != 6 or argv[1] not in ("inclusion", "consistency"):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[2], "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    a, b = int(argv[3]), int(argv[4])
    with open(argv[5]) as f:
        path = [bytes.fromhex(x) for x in f.read().split()]
    if b > len(lines):
        sys.stderr.write("rfc9162.py: size %d: the chain has %d lines\n"
                         % (b, len(lines)))
        return 1
    if argv[1] == "inclusion":
        ok = verify_inclusion(a, b, leaf_hash(lines[a]) if a < b else b"",
                              path, mth(lines[:b]))
    else:
        ok = verify_consistency(a, b, mth(lines[:a]), mth(lines[:b]), path)
    if not ok:
        sys.stderr.write("rfc9162.py: %s proof does not verify\n" % argv[1])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
