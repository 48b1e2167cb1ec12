package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One group record of an IGMPv3 Membership Report (RFC 3376 section 4.2.4): what a host's
 * interface wants from one multicast group, as a filter mode and a source list.
 *
 * @param type the record type, e.g. {@link IgmpRecordType#CHANGE_TO_EXCLUDE_MODE}
 * @param group the multicast address the record is about
 * @param sources the source addresses, at most 65535
 * @param auxiliaryData the Auxiliary Data, a multiple of 4 bytes, at most 1020 (RFC 3376 defines
 *     none and section 4.2.10 says to ignore it); copied, never shared
 */
public record IgmpGroupRecord(IgmpRecordType type, Inet4Address group, List<Inet4Address> sources,
        byte[] auxiliaryData) {
    /** The fixed part: type, aux data len, number of sources, multicast address. */
    static final int HEADER_LENGTH = 8;

    /**
     * Validates and copies.
     *
     * @param type the record type
     * @param group the multicast address
     * @param sources the sources
     * @param auxiliaryData the auxiliary data
     */
    public IgmpGroupRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(group, "group");
        sources = List.copyOf(sources);
        Wire.checkRange("IGMPv3 group record source count", sources.size(), 0, 0xFFFF);
        auxiliaryData = Wire.checkAuxiliaryData("IGMPv3", auxiliaryData);
    }

    /**
     * A record without auxiliary data, as every RFC 3376 host sends.
     *
     * @param type the record type
     * @param group the multicast address
     * @param sources the sources
     * @return the record
     */
    public static IgmpGroupRecord of(IgmpRecordType type, Inet4Address group, List<Inet4Address> sources) {
        return new IgmpGroupRecord(type, group, sources, new byte[0]);
    }

    /**
     * The auxiliary data.
     *
     * @return a copy of the bytes
     */
    @Override
    public byte[] auxiliaryData() {
        return auxiliaryData.clone();
    }

    /**
     * The encoded length of this record.
     *
     * @return 8 + 4 per source + the auxiliary data length
     */
    public int length() {
        return HEADER_LENGTH + 4 * sources.size() + auxiliaryData.length;
    }

    int writeTo(byte[] dst, int off) {
        dst[off] = (byte) type.code();
        dst[off + 1] = (byte) (auxiliaryData.length / 4);
        Wire.putU16(dst, off + 2, sources.size());
        Wire.putInet4(dst, off + 4, group);
        Wire.putInet4List(dst, off + HEADER_LENGTH, sources);
        int aux = off + HEADER_LENGTH + 4 * sources.size();
        System.arraycopy(auxiliaryData, 0, dst, aux, auxiliaryData.length);
        return length();
    }

    /** Parses the record at {@code b[off]}, with {@code available} bytes left in the message. */
    static IgmpGroupRecord parse(byte[] b, int off, int available, int index) {
        int count = Wire.checkGroupRecord("IGMPv3 group record", b, off, available, index, HEADER_LENGTH, 4);
        int auxLength = 4 * Wire.u8(b, off + 1);
        return new IgmpGroupRecord(
                new IgmpRecordType(Wire.u8(b, off)),
                Wire.inet4(b, off + 4),
                Wire.inet4List(b, off + HEADER_LENGTH, count),
                Wire.copy(b, off + HEADER_LENGTH + 4 * count, auxLength));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IgmpGroupRecord r && r.type.equals(type) && r.group.equals(group)
                && r.sources.equals(sources) && Arrays.equals(r.auxiliaryData, auxiliaryData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, group, sources, Arrays.hashCode(auxiliaryData));
    }

    /** Reads like tcpdump's {@code [gaddr 239.1.1.1 to_ex { }]}, with full type names. */
    @Override
    public String toString() {
        return "IgmpGroupRecord[" + type + " " + Wire.str(group) + " " + Wire.str(sources)
                + (auxiliaryData.length == 0 ? "" : ", aux " + Wire.hex(auxiliaryData)) + "]";
    }
}
