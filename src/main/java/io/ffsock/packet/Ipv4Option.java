package io.ffsock.packet;

import java.util.Arrays;

/**
 * One option of an IPv4 header (RFC 791 section 3.1, "Options").
 *
 * <p>End of Option List (type 0) has no value here: it and the zero bytes after it are the
 * padding that {@link Ipv4Header} writes to reach a multiple of 4 bytes, and the parser stops at
 * it. Router Alert (RFC 2113) is decoded because IGMP needs it; every other option is kept as
 * {@link Raw} type and data bytes.
 */
public sealed interface Ipv4Option permits Ipv4Option.NoOperation, Ipv4Option.RouterAlert, Ipv4Option.Raw {
    /** Type byte of End of Option List (RFC 791). */
    int TYPE_END_OF_LIST = 0;
    /** Type byte of No Operation (RFC 791). */
    int TYPE_NO_OPERATION = 1;
    /** Type byte of Router Alert: copied flag set, class 0, number 20 (RFC 2113 section 2.1). */
    int TYPE_ROUTER_ALERT = 0x94;
    /** The most option bytes an IPv4 header can carry (60 - 20). */
    int MAX_OPTIONS_LENGTH = 40;

    /**
     * The option type byte (copied flag, class and number together).
     *
     * @return {@code 0..255}
     */
    int type();

    /**
     * The number of bytes this option occupies on the wire.
     *
     * @return the encoded length, including type and length bytes
     */
    int length();

    /**
     * No Operation (type 1, RFC 791): a single byte used to align the next option.
     */
    record NoOperation() implements Ipv4Option {
        @Override
        public int type() {
            return TYPE_NO_OPERATION;
        }

        @Override
        public int length() {
            return 1;
        }

        @Override
        public String toString() {
            return "NOP";
        }
    }

    /**
     * Router Alert (RFC 2113 section 2.1): tells every router on the path to look at the packet;
     * IGMP messages carry it (RFC 2236 section 2, RFC 3376 section 4).
     *
     * @param value the 16-bit value; {@code 0} means "router shall examine packet"
     */
    record RouterAlert(int value) implements Ipv4Option {
        /** Router Alert with value 0, the one IGMP uses. */
        public static final RouterAlert EXAMINE = new RouterAlert(0);

        /**
         * Validates the value.
         *
         * @param value {@code 0..65535}
         */
        public RouterAlert {
            Wire.checkRange("Router Alert value", value, 0, 0xFFFF);
        }

        @Override
        public int type() {
            return TYPE_ROUTER_ALERT;
        }

        @Override
        public int length() {
            return 4;
        }

        @Override
        public String toString() {
            return "RouterAlert[" + value + "]";
        }
    }

    /**
     * Any other option, as its type byte and the data after the length byte (RFC 791 "case 2":
     * type, length, data).
     *
     * @param type the type byte; not 0, 1 (single-byte options) or 0x94 (use {@link RouterAlert})
     * @param data the option data, at most 38 bytes; copied, never shared
     */
    record Raw(int type, byte[] data) implements Ipv4Option {
        /**
         * Validates and copies.
         *
         * @param type the type byte
         * @param data the data bytes
         */
        public Raw {
            Wire.checkRange("IPv4 option type", type, 0, 255);
            if (type == TYPE_END_OF_LIST || type == TYPE_NO_OPERATION || type == TYPE_ROUTER_ALERT) {
                throw new IllegalArgumentException("IPv4 option type " + type
                        + " has its own representation; use NoOperation or RouterAlert, and"
                        + " leave End of Option List to the padding");
            }
            Wire.checkRange("IPv4 option data length", data.length, 0, MAX_OPTIONS_LENGTH - 2);
            data = data.clone();
        }

        /**
         * The option data.
         *
         * @return a copy of the data bytes
         */
        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public int length() {
            return 2 + data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Raw r && r.type == type && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Raw[type=" + type + ", data=" + Wire.hex(data) + "]";
        }
    }
}
