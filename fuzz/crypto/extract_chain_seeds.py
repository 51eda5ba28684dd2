#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write each capture's certificate chains (CERTIFICATE portions joined per
slot until RemainderLength is 0) as fuzz_chain seeds, prefixed by the hash
selector byte that fuzz_chain.c reads first."""
import os
import struct
import sys

HASHES = {'v11_rsassa3072_sha256': 0, 'v12_p384_sha384': 1, 'v13_p256_sha256': 0}


def doe_objects(path):
    data = open(path, 'rb').read()
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from('<I', data, off + 8)[0]
        off += 16
        yield data[off:off + incl]
        off += incl


def main(vectors, outdir):
    for name, sel in HASHES.items():
        chain, n = b'', 0
        for obj in doe_objects(os.path.join(vectors, name, 'exchange.pcap')):
            spdm = obj[8:]
            if obj[2] != 1 or len(spdm) < 8 or spdm[1] != 0x02:
                continue
            portion, remainder = struct.unpack_from('<HH', spdm, 4)
            chain += spdm[8:8 + portion]
            if remainder == 0:
                with open(os.path.join(outdir, '%s_chain%d.bin' % (name, n)), 'wb') as f:
                    f.write(bytes([sel]) + chain)
                chain, n = b'', n + 1


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
