#!/usr/bin/env python3
"""Writes the hostile tar layer corpus into tests/data/hostile/ (checked in;
rerun after changing a case).  Each file breaks one rule of images/layer.h;
tests/unit/test_layer.c and tests/integration/images_load.sh use them."""
import io
import os
import tarfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "hostile")


def entry(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link="", **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.linkname = link
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    ti.mtime = 1700000000
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti, data


def write(name, entries, fmt=tarfile.PAX_FORMAT, gz=False):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w", format=fmt) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(buf.getvalue())


def main():
    os.makedirs(OUT, exist_ok=True)
    ok = entry("ok.txt", data=b"fine\n")
    D = tarfile.DIRTYPE
    write("dotdot.tar", [ok, entry("../escaped.txt", data=b"x")])
    write("dotdot_inner.tar", [ok, entry("a/../../escaped.txt", data=b"x")])
    write("absolute.tar", [ok, entry("/tmp/vmctl-hostile-absolute.txt", data=b"x")])
    # A symlink to outside, then a file "through" it.
    write("symlink_parent.tar", [entry("link", tarfile.SYMTYPE, link="/tmp"),
                                 entry("link/vmctl-hostile-symlink.txt", data=b"x")])
    write("symlink_dotdot.tar", [entry("up", tarfile.SYMTYPE, link=".."),
                                 entry("up/escaped.txt", data=b"x")])
    write("hardlink_outside.tar", [ok, entry("h", tarfile.LNKTYPE, link="../../../../etc/passwd")])
    write("hardlink_absolute.tar", [ok, entry("h", tarfile.LNKTYPE, link="/etc/passwd")])
    # A hard link through a symlink planted by the same layer.
    write("hardlink_via_symlink.tar", [entry("etc", tarfile.SYMTYPE, link="/etc"),
                                       entry("h", tarfile.LNKTYPE, link="etc/passwd")])
    write("devices.tar", [ok, entry("dev", D, mode=0o755),
                          entry("dev/null", tarfile.CHRTYPE, mode=0o666, devmajor=1, devminor=3),
                          entry("dev/sda", tarfile.BLKTYPE, mode=0o660, devmajor=8, devminor=0)])
    write("setuid.tar", [entry("su", data=b"#!/bin/sh\n", mode=0o4755, uid=0, gid=0),
                         entry("sgid", data=b"#!/bin/sh\n", mode=0o2755, uid=0, gid=0)])
    write("big.tar.gz", [entry("big.bin", data=bytes(2 << 20))], gz=True)
    write("many_entries.tar.gz", [entry("f%04d" % i) for i in range(300)], gz=True)
    write("long_path.tar", [entry("d/" * 2100 + "f", data=b"x")])
    write("long_name.tar", [entry("n" * 300, data=b"x")])
    write("whiteouts.tar", [entry("dir", D, mode=0o755), entry("dir/.wh.gone"),
                            entry("opq", D, mode=0o755), entry("opq/.wh..wh..opq"),
                            entry("opq/kept", data=b"k")])
    write("bad_whiteout.tar", [entry(".wh..wh.meta")])
    write("dir_then_file.tar", [entry("a", D, mode=0o755), entry("a", data=b"x")])
    write("xattr_trusted.tar", [entry("f", data=b"x", pax_headers={
        "SCHILY.xattr.trusted.overlay.redirect": "/etc",
        "SCHILY.xattr.user.fine": "yes"})])
    # A symlink replaced by a file of the same name: the file must not be
    # written through the link.
    write("symlink_then_file.tar", [entry("passwd", tarfile.SYMTYPE, link="/etc/passwd"),
                                    entry("passwd", data=b"not yours\n")])
    with open(os.path.join(OUT, "not_a_tar.tar"), "wb") as f:
        f.write(b"this is not a tar archive\n" * 40)
    full = io.BytesIO()
    with tarfile.open(fileobj=full, mode="w", format=tarfile.PAX_FORMAT) as t:
        ti, data = entry("ok.txt", data=b"fine\n")
        t.addfile(ti, io.BytesIO(data))
        ti, data = entry("half.bin", data=bytes(100000))
        t.addfile(ti, io.BytesIO(data))
    with open(os.path.join(OUT, "truncated.tar"), "wb") as f:
        f.write(full.getvalue()[:50000])


if __name__ == "__main__":
    main()
