package io.ffsock.internal.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One control message (ancillary data) of sendmsg(2)/recvmsg(2), and the CMSG_* macros of
 * cmsg(3), ported by hand. Each macro below quotes the glibc definition it ports (bits/socket.h).
 *
 * @param level the cmsg_level (SOL_SOCKET, SOL_IP ...)
 * @param type  the cmsg_type (SCM_RIGHTS, IP_TTL ...)
 * @param data  the payload after the header, as the kernel lays it out (host byte order)
 */
public record Cmsg(int level, int type, byte[] data) {
    private static final long HEADER = Structs.CMSGHDR.byteSize();
    private static final long CMSG_LEN_OFFSET = Structs.CMSGHDR.byteOffset(PathElement.groupElement("cmsg_len"));
    private static final long CMSG_LEVEL_OFFSET = Structs.CMSGHDR.byteOffset(PathElement.groupElement("cmsg_level"));
    private static final long CMSG_TYPE_OFFSET = Structs.CMSGHDR.byteOffset(PathElement.groupElement("cmsg_type"));

    /** {@code #define CMSG_ALIGN(len) (((len) + sizeof (size_t) - 1) & (size_t) ~(sizeof (size_t) - 1))} */
    public static long align(long len) {
        return (len + Long.BYTES - 1) & ~(long) (Long.BYTES - 1);
    }

    /** {@code #define CMSG_SPACE(len) (CMSG_ALIGN (len) + CMSG_ALIGN (sizeof (struct cmsghdr)))} */
    public static long space(long len) {
        return align(len) + align(HEADER);
    }

    /** {@code #define CMSG_LEN(len) (CMSG_ALIGN (sizeof (struct cmsghdr)) + (len))} */
    public static long len(long len) {
        return align(HEADER) + len;
    }

    /** {@code #define CMSG_DATA(cmsg) ((unsigned char *) ((struct cmsghdr *) (cmsg) + 1))}: the data offset. */
    static long dataOffset() {
        return align(HEADER);
    }

    /** SCM_RIGHTS carrying {@code fds}. */
    public static Cmsg rights(int[] fds) {
        return new Cmsg(Const.SOL_SOCKET, Const.SCM_RIGHTS, ints(fds));
    }

    /** SCM_CREDENTIALS carrying a struct ucred. */
    public static Cmsg credentials(int pid, int uid, int gid) {
        return new Cmsg(Const.SOL_SOCKET, Const.SCM_CREDENTIALS, ints(new int[] {pid, uid, gid}));
    }

    /** A control message whose payload is one host-order int (IP_TTL, IP_TOS, IPV6_HOPLIMIT). */
    public static Cmsg ofInt(int level, int type, int value) {
        return new Cmsg(level, type, ints(new int[] {value}));
    }

    /** The payload read as host-order ints (fds of SCM_RIGHTS, the fields of a ucred ...). */
    public int[] ints() {
        int[] out = new int[data.length / 4];
        MemorySegment.copy(MemorySegment.ofArray(data), JAVA_INT_UNALIGNED, 0, out, 0, out.length);
        return out;
    }

    /** The payload read as one host-order int (IP_TTL, IP_TOS is a byte: see {@link #firstByte()}). */
    public int firstInt() {
        return data.length >= 4 ? MemorySegment.ofArray(data).get(JAVA_INT_UNALIGNED, 0) : firstByte();
    }

    /** The first payload byte, unsigned. */
    public int firstByte() {
        return data.length >= 1 ? data[0] & 0xff : 0;
    }

    private static byte[] ints(int[] v) {
        byte[] b = new byte[v.length * 4];
        MemorySegment.copy(v, 0, MemorySegment.ofArray(b), JAVA_INT_UNALIGNED, 0, v.length);
        return b;
    }

    /** The control space {@code messages} take, the sum of their CMSG_SPACE. */
    static long spaceOf(List<Cmsg> messages) {
        long n = 0;
        for (Cmsg m : messages) n += space(m.data.length);
        return n;
    }

    /** Writes {@code messages} at the start of {@code control}; returns msg_controllen. */
    static long write(List<Cmsg> messages, MemorySegment control) {
        long at = 0;
        control.asSlice(0, spaceOf(messages)).fill((byte) 0);
        for (Cmsg m : messages) {
            control.set(JAVA_LONG, at + CMSG_LEN_OFFSET, len(m.data.length));
            control.set(JAVA_INT, at + CMSG_LEVEL_OFFSET, m.level);
            control.set(JAVA_INT, at + CMSG_TYPE_OFFSET, m.type);
            MemorySegment.copy(MemorySegment.ofArray(m.data), 0, control, at + dataOffset(), m.data.length);
            at += space(m.data.length);
        }
        return at;
    }

    /**
     * Reads the control messages in {@code control[0, controlLen)}, as CMSG_FIRSTHDR/CMSG_NXTHDR
     * walk them. A header that claims more than is there ends the walk (the kernel truncated it).
     */
    static List<Cmsg> read(MemorySegment control, long controlLen) {
        List<Cmsg> out = new ArrayList<>(2);
        long at = 0;
        while (at + HEADER <= controlLen) {
            long cmsgLen = control.get(JAVA_LONG, at + CMSG_LEN_OFFSET);
            // Compared as cmsgLen > controlLen - at: at + cmsgLen overflows for a huge cmsg_len.
            if (cmsgLen < HEADER || cmsgLen > controlLen - at) break;
            int level = control.get(JAVA_INT, at + CMSG_LEVEL_OFFSET);
            int type = control.get(JAVA_INT, at + CMSG_TYPE_OFFSET);
            byte[] data = new byte[(int) (cmsgLen - dataOffset())];
            MemorySegment.copy(control, dataOffset() + at, MemorySegment.ofArray(data), 0, data.length);
            out.add(new Cmsg(level, type, data));
            at += align(cmsgLen);
        }
        return out;
    }

    private static final long EE_ERRNO = Structs.SOCK_EXTENDED_ERR.byteOffset(PathElement.groupElement("ee_errno"));
    private static final long EE_ORIGIN = Structs.SOCK_EXTENDED_ERR.byteOffset(PathElement.groupElement("ee_origin"));
    private static final long EE_TYPE = Structs.SOCK_EXTENDED_ERR.byteOffset(PathElement.groupElement("ee_type"));
    private static final long EE_CODE = Structs.SOCK_EXTENDED_ERR.byteOffset(PathElement.groupElement("ee_code"));
    private static final long EE_INFO = Structs.SOCK_EXTENDED_ERR.byteOffset(PathElement.groupElement("ee_info"));
    private static final long EE_DATA = Structs.SOCK_EXTENDED_ERR.byteOffset(PathElement.groupElement("ee_data"));
    private static final long EE_SIZE = Structs.SOCK_EXTENDED_ERR.byteSize();
    private static final long TV_SEC = Structs.TIMESPEC.byteOffset(PathElement.groupElement("tv_sec"));
    private static final long TV_NSEC = Structs.TIMESPEC.byteOffset(PathElement.groupElement("tv_nsec"));

    /**
     * Walks {@code control[0, controlLen)} as {@link #read} does, but stores what it finds in
     * {@code into} instead of making objects: the timestamp, TTL / hop limit, TOS / traffic class
     * and an extended error. fds that arrived are closed at once (this form keeps none) and counted;
     * anything else is counted as skipped. Allocates nothing.
     */
    static void decode(MemorySegment control, long controlLen, ControlFields into) {
        // The header walk repeats read's on purpose: with the bounds check moved into a shared
        // helper, C2 no longer kept this path allocation-free (the Pinger's probe path then
        // allocated 13-63 B a probe in PingerAllocationTest).
        long at = 0;
        while (at + HEADER <= controlLen) {
            long cmsgLen = control.get(JAVA_LONG, at + CMSG_LEN_OFFSET);
            // Compared as cmsgLen > controlLen - at: at + cmsgLen overflows for a huge cmsg_len.
            if (cmsgLen < HEADER || cmsgLen > controlLen - at) break;
            int level = control.get(JAVA_INT, at + CMSG_LEVEL_OFFSET);
            int type = control.get(JAVA_INT, at + CMSG_TYPE_OFFSET);
            long data = at + dataOffset();
            long size = cmsgLen - dataOffset();
            if (level == Const.SOL_SOCKET && type == Const.SCM_TIMESTAMPNS && size == Structs.TIMESPEC.byteSize()) {
                long nanos = control.get(JAVA_LONG, data + TV_NSEC);
                if (nanos >= 0 && nanos <= 999_999_999L) {
                    into.timestampNanos = control.get(JAVA_LONG, data + TV_SEC) * 1_000_000_000L + nanos;
                    into.hasTimestamp = true;
                } else {
                    into.others++;
                }
            } else if (level == Const.SOL_SOCKET && (type == Const.SCM_RIGHTS || type == Const.AfterHeaders.SCM_PIDFD)) {
                for (long i = 0; i + 4 <= size; i += 4) {
                    Syscalls.close(control.get(JAVA_INT_UNALIGNED, data + i));
                    into.fdsClosed++;
                }
            } else if ((level == Const.SOL_IP && (type == Const.IP_TTL || type == Const.IP_TOS) && size >= 1)
                    || (level == Const.SOL_IPV6 && (type == Const.IPV6_HOPLIMIT || type == Const.IPV6_TCLASS) && size >= 4)) {
                // IP_TOS is one byte; the others are ints (host order).
                int v = level == Const.SOL_IP && type == Const.IP_TOS || size < 4
                        ? control.get(java.lang.foreign.ValueLayout.JAVA_BYTE, data) & 0xff
                        : control.get(JAVA_INT_UNALIGNED, data);
                if (v < 0 || v > 255) into.others++;
                else if (type == Const.IP_TTL || type == Const.IPV6_HOPLIMIT) into.ttl = v;
                else into.tos = v;
            } else if (((level == Const.SOL_IP && type == Const.IP_RECVERR) || (level == Const.SOL_IPV6 && type == Const.IPV6_RECVERR))
                    && size >= EE_SIZE) {
                into.hasError = true;
                into.errorErrno = control.get(JAVA_INT_UNALIGNED, data + EE_ERRNO);
                into.errorOrigin = control.get(java.lang.foreign.ValueLayout.JAVA_BYTE, data + EE_ORIGIN) & 0xff;
                into.errorType = control.get(java.lang.foreign.ValueLayout.JAVA_BYTE, data + EE_TYPE) & 0xff;
                into.errorCode = control.get(java.lang.foreign.ValueLayout.JAVA_BYTE, data + EE_CODE) & 0xff;
                into.errorInfo = control.get(JAVA_INT_UNALIGNED, data + EE_INFO);
                into.errorData = control.get(JAVA_INT_UNALIGNED, data + EE_DATA);
                into.offenderFamily = size >= EE_SIZE + 2
                        ? SockAddr.readInet(control, data + EE_SIZE, size - EE_SIZE, into.offender) : Const.AF_UNSPEC;
            } else {
                into.others++;
            }
            at += align(cmsgLen);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cmsg c && c.level == level && c.type == type && java.util.Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return (level * 31 + type) * 31 + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Cmsg[level=" + level + ", type=" + type + ", " + data.length + " bytes]";
    }
}
