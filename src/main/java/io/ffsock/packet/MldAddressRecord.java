package io.ffsock.packet;

import java.net.Inet6Address;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One Multicast Address Record of an MLDv2 Report (RFC 3810 section 5.2.4): what a listener's
 * interface wants from one multicast address, as a filter mode and a source list. The record
 * types are IGMPv3's six (RFC 3810 section 5.2.12), so they are {@link IgmpRecordType}s.
 *
 * @param type the record type, e.g. {@link IgmpRecordType#CHANGE_TO_EXCLUDE_MODE}
 * @param group the multicast address the record is about
 * @param sources the source addresses, at most 65535
 * @param auxiliaryData the Auxiliary Data, a multiple of 4 bytes, at most 1020 (RFC 3810 defines
 *     none and says to ignore it); copied, never shared
 */
public record MldAddressRecord(IgmpRecordType type, Inet6Address group, List<Inet6Address> sources,
        byte[] auxiliaryData) {
    /** The fixed part: type, aux data len, number of sources, multicast address. */
    static final int HEADER_LENGTH = 20;

    /**
     * Validates and copies.
     *
     * @param type the record type
     * @param group the multicast address
     * @param sources the sources
     * @param auxiliaryData the auxiliary data
     */
    public MldAddressRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(group, "group");
        sources = List.copyOf(sources);
        Wire.checkRange("MLDv2 record source count", sources.size(), 0, 0xFFFF);
        auxiliaryData = Wire.checkAuxiliaryData("MLDv2", auxiliaryData);
    }

    /**
     * A record without auxiliary data, as every RFC 3810 listener sends.
     *
     * @param type the record type
     * @param group the multicast address
     * @param sources the sources
     * @return the record
     */
    public static MldAddressRecord of(IgmpRecordType type, Inet6Address group, List<Inet6Address> sources) {
        return new MldAddressRecord(type, group, sources, new byte[0]);
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
     * @return 20 + 16 per source + the auxiliary data length
     */
    public int length() {
        return HEADER_LENGTH + 16 * sources.size() + auxiliaryData.length;
    }

    int writeTo(byte[] dst, int off) {
        dst[off] = (byte) type.code();
        dst[off + 1] = (byte) (auxiliaryData.length / 4);
        Wire.putU16(dst, off + 2, sources.size());
        Wire.putInet6(dst, off + 4, group);
        Wire.putInet6List(dst, off + HEADER_LENGTH, sources);
        System.arraycopy(auxiliaryData, 0, dst, off + HEADER_LENGTH + 16 * sources.size(), auxiliaryData.length);
        return length();
    }

    /** Parses the record at {@code b[off]}, with {@code available} bytes left in the message. */
    static MldAddressRecord parse(byte[] b, int off, int available, int index) {
        int count = Wire.checkGroupRecord("MLDv2 address record", b, off, available, index, HEADER_LENGTH, 16);
        int auxLength = 4 * Wire.u8(b, off + 1);
        return new MldAddressRecord(
                new IgmpRecordType(Wire.u8(b, off)),
                Wire.inet6(b, off + 4),
                Wire.inet6List(b, off + HEADER_LENGTH, count),
                Wire.copy(b, off + HEADER_LENGTH + 16 * count, auxLength));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MldAddressRecord r && r.type.equals(type) && r.group.equals(group)
                && r.sources.equals(sources) && Arrays.equals(r.auxiliaryData, auxiliaryData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, group, sources, Arrays.hashCode(auxiliaryData));
    }

    @Override
    public String toString() {
        return "MldAddressRecord[" + type + " " + Wire.str(group) + " " + Wire.str(sources)
                + (auxiliaryData.length == 0 ? "" : ", aux " + Wire.hex(auxiliaryData)) + "]";
    }
}
