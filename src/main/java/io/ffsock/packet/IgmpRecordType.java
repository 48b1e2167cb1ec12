package io.ffsock.packet;

/**
 * The Record Type of an IGMPv3 group record (RFC 3376 section 4.2.12).
 *
 * <p>A tiny value type rather than an enum so that a record type a future RFC defines survives a
 * parse and re-encode; the six types RFC 3376 defines print as their names, others as the bare
 * number. (RFC 3376 section 4.2.12 tells a querier to ignore records of unknown type; keeping them
 * lets it decide.)
 *
 * @param code the record type byte, {@code 0..255}
 */
public record IgmpRecordType(int code) {
    /** 1: current-state record, the source list is what the host includes. */
    public static final IgmpRecordType MODE_IS_INCLUDE = new IgmpRecordType(1);
    /** 2: current-state record, the source list is what the host excludes. */
    public static final IgmpRecordType MODE_IS_EXCLUDE = new IgmpRecordType(2);
    /** 3: filter-mode-change record, the interface changed to INCLUDE mode. */
    public static final IgmpRecordType CHANGE_TO_INCLUDE_MODE = new IgmpRecordType(3);
    /** 4: filter-mode-change record, the interface changed to EXCLUDE mode (an any-source join). */
    public static final IgmpRecordType CHANGE_TO_EXCLUDE_MODE = new IgmpRecordType(4);
    /** 5: source-list-change record, sources the host now wants. */
    public static final IgmpRecordType ALLOW_NEW_SOURCES = new IgmpRecordType(5);
    /** 6: source-list-change record, sources the host no longer wants. */
    public static final IgmpRecordType BLOCK_OLD_SOURCES = new IgmpRecordType(6);

    /**
     * Validates.
     *
     * @param code the record type byte
     */
    public IgmpRecordType {
        Wire.checkRange("IGMPv3 record type", code, 0, 255);
    }

    /**
     * Whether RFC 3376 defines this type (1 to 6).
     *
     * @return true for the six known types
     */
    public boolean isKnown() {
        return code >= 1 && code <= 6;
    }

    /** The RFC 3376 name ({@code MODE_IS_INCLUDE}), or the bare number for an unknown type. */
    @Override
    public String toString() {
        return switch (code) {
            case 1 -> "MODE_IS_INCLUDE";
            case 2 -> "MODE_IS_EXCLUDE";
            case 3 -> "CHANGE_TO_INCLUDE_MODE";
            case 4 -> "CHANGE_TO_EXCLUDE_MODE";
            case 5 -> "ALLOW_NEW_SOURCES";
            case 6 -> "BLOCK_OLD_SOURCES";
            default -> Integer.toString(code);
        };
    }
}
