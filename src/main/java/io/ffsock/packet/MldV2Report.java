package io.ffsock.packet;

import java.util.List;

/**
 * Version 2 Multicast Listener Report (type 143, RFC 3810 section 5.2): a list of multicast
 * address records, sent to ff02::16 (all MLDv2-capable routers). The reserved fields are written
 * as zero and ignored on parse.
 *
 * @param records the multicast address records, at most 65535
 */
public record MldV2Report(List<MldAddressRecord> records) implements Icmpv6Message {
    /** The fixed part: type, reserved, checksum, reserved, number of records. */
    public static final int MIN_LENGTH = 8;

    /**
     * Validates and copies.
     *
     * @param records the records
     */
    public MldV2Report {
        records = List.copyOf(records);
        Wire.checkRange("MLDv2 address record count", records.size(), 0, 0xFFFF);
    }

    /**
     * A report of the given records.
     *
     * @param records the records
     * @return the report
     */
    public static MldV2Report of(MldAddressRecord... records) {
        return new MldV2Report(List.of(records));
    }

    @Override
    public int type() {
        return TYPE_MLD_V2_REPORT;
    }

    @Override
    public int code() {
        return 0;
    }

    @Override
    public int length() {
        int n = MIN_LENGTH;
        for (MldAddressRecord r : records) {
            n += r.length();
        }
        return n;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) TYPE_MLD_V2_REPORT;
        dst[off + 1] = 0;
        Wire.putU16(dst, off + 2, 0);
        Wire.putU16(dst, off + 4, 0);
        Wire.putU16(dst, off + 6, records.size());
        int i = off + MIN_LENGTH;
        for (MldAddressRecord r : records) {
            i += r.writeTo(dst, i);
        }
        return len;
    }

    static MldV2Report parseBody(byte[] b, int off, int len) {
        Wire.requireLength("MLDv2 report", len, MIN_LENGTH);
        int count = Wire.u16(b, off + 6);
        return new MldV2Report(Wire.groupRecords("MLDv2 report", "address records", b, off, len, MIN_LENGTH, count,
                MldAddressRecord.HEADER_LENGTH, MldAddressRecord::parse, MldAddressRecord::length));
    }

    @Override
    public String toString() {
        return "MldV2Report" + records;
    }
}
