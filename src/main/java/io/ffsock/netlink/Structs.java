package io.ffsock.netlink;

/** Checks shared by the typed decoders. */
final class Structs {
    private Structs() {}

    static final byte[] NO_BYTES = new byte[0];

    /** A message of {@code length} bytes (header included) must hold the header and a {@code size}-byte struct. */
    static void require(int length, int size, String struct) {
        if (length < NetlinkConst.SIZEOF_NLMSGHDR + size) {
            throw new MalformedNetlinkException("message of " + length + " bytes is too short for its header and a "
                    + size + "-byte " + struct);
        }
    }
}
