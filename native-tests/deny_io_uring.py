#!/usr/bin/env python3
"""Runs a command under a seccomp filter that makes io_uring_setup(2) fail with a given errno.

    deny_io_uring.py ERRNO COMMAND [ARG...]

As a container runtime's profile does: PR_SET_NO_NEW_PRIVS, then PR_SET_SECCOMP with a classic
BPF program that checks the architecture (x86_64 or aarch64; anything else is killed, so a wrong
syscall number can never be let through), returns SECCOMP_RET_ERRNO|ERRNO for io_uring_setup
(425 on both) and allows everything else; then execs the command, which inherits the filter.
Used by io.ffsock.EventLoopFallbackTest.
"""
import ctypes
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_KILL_PROCESS = 0x80000000
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
NR_IO_URING_SETUP = 425
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
OFF_NR, OFF_ARCH = 0, 4
BPF_LD_W_ABS = 0x20   # BPF_LD | BPF_W | BPF_ABS
BPF_JEQ_K = 0x15      # BPF_JMP | BPF_JEQ | BPF_K
BPF_RET_K = 0x06      # BPF_RET | BPF_K


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    errno = int(sys.argv[1])
    arch = AUDIT_ARCH.get(platform.machine())
    if arch is None:
        sys.exit("deny_io_uring.py: unsupported machine " + platform.machine())
    prog = b"".join([
        insn(BPF_LD_W_ABS, 0, 0, OFF_ARCH),
        insn(BPF_JEQ_K, 1, 0, arch),
        insn(BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        insn(BPF_LD_W_ABS, 0, 0, OFF_NR),
        insn(BPF_JEQ_K, 0, 1, NR_IO_URING_SETUP),
        insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | (errno & 0xFFFF)),
        insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ])
    filt = ctypes.create_string_buffer(prog, len(prog))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(prog) // 8, ctypes.addressof(filt))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_NO_NEW_PRIVS): " + os.strerror(ctypes.get_errno()))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        sys.exit("prctl(PR_SET_SECCOMP): " + os.strerror(ctypes.get_errno()))
    os.execvp(sys.argv[2], sys.argv[2:])


main()
