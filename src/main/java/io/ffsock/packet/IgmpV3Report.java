package io.ffsock.packet;

import java.util.List;

/**
 * Version 3 Membership Report (type 0x22, RFC 3376 section 4.2): a list of group records, sent
 * to 224.0.0.22. The two reserved fields are written as zero and ignored on parse.
 *
 * @param records the group records, at most 65535
 */
public record IgmpV3Report(List<IgmpGroupRecord> records) implements IgmpMessage {
    /**
     * Validates and copies.
     *
     * @param records the group records
     */
    public IgmpV3Report {
        records = List.copyOf(records);
        Wire.checkRange("IGMPv3 group record count", records.size(), 0, 0xFFFF);
    }

    /**
     * A report of the given records.
     *
     * @param records the group records
     * @return the report
     */
    public static IgmpV3Report of(IgmpGroupRecord... records) {
        return new IgmpV3Report(List.of(records));
    }

    @Override
    public int type() {
        return TYPE_V3_REPORT;
    }

    @Override
    public int length() {
        int n = MIN_LENGTH;
        for (IgmpGroupRecord r : records) {
            n += r.length();
        }
        return n;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) TYPE_V3_REPORT;
        dst[off + 1] = 0;
        Wire.putU16(dst, off + 4, 0);
        Wire.putU16(dst, off + 6, records.size());
        int i = off + MIN_LENGTH;
        for (IgmpGroupRecord r : records) {
            i += r.writeTo(dst, i);
        }
        Wire.sealChecksum(dst, off, len, off + 2);
        return len;
    }

    static IgmpV3Report parseBody(byte[] b, int off, int len) {
        int count = Wire.u16(b, off + 6);
        return new IgmpV3Report(Wire.groupRecords("IGMPv3 report", "group records", b, off, len, MIN_LENGTH, count,
                IgmpGroupRecord.HEADER_LENGTH, IgmpGroupRecord::parse, IgmpGroupRecord::length));
    }

    @Override
    public String toString() {
        return "IgmpV3Report" + records;
    }
}
