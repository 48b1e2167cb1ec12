package io.ffsock.packet;

import java.net.Inet4Address;

/** The 8-byte layout of IGMP v1/v2 messages: type, code, checksum, group address. */
final class IgmpFixed {
    private IgmpFixed() {}

    static int write(byte[] dst, int off, int type, int code, Inet4Address group) {
        Wire.checkWindow(dst, off, IgmpMessage.MIN_LENGTH);
        dst[off] = (byte) type;
        dst[off + 1] = (byte) code;
        Wire.putInet4(dst, off + 4, group);
        Wire.sealChecksum(dst, off, IgmpMessage.MIN_LENGTH, off + 2);
        return IgmpMessage.MIN_LENGTH;
    }
}
