package io.ffsock.dbus;

import org.freedesktop.dbus.exceptions.MessageFormatException;

/**
 * Reads the UNIX_FDS header field (code 9) of a D-Bus message from its raw header-field array,
 * before dbus-java parses the message: the reader must know how many fds the message announces to
 * refuse a peer that sends a different number (and to close what it sent). The array is
 * {@code a(yv)}, each struct 8-aligned; other fields are skipped by their signature, so a field of
 * any type can stand before it. Pure Java; hostile input ends in {@link MessageFormatException}.
 */
final class HeaderFields {
    /** Code of the UNIX_FDS header field, D-Bus specification "Message Format". */
    static final int UNIX_FDS = 9;
    private static final int MAX_DEPTH = 64;

    private final byte[] data;
    private final int base; // index in data of message offset 16, where the field array starts
    private final int end;
    private final boolean big;
    private int pos;

    private HeaderFields(byte[] data, int base, int length, boolean big) {
        this.data = data;
        this.base = base;
        this.end = base + length;
        this.big = big;
    }

    /**
     * The UNIX_FDS value, 0 when the field is absent.
     *
     * @param data   holds the field array at {@code base}; alignment is counted from there
     *               (offset 16 of the message, itself 8-aligned)
     * @param length the length of the array, from the fixed header
     */
    static long unixFds(byte[] data, int base, int length, boolean bigEndian) throws MessageFormatException {
        HeaderFields h = new HeaderFields(data, base, length, bigEndian);
        long fds = 0;
        h.pos = base;
        while (h.pos < h.end) {
            h.align(8);
            if (h.pos >= h.end) break;
            int code = h.u8();
            String signature = h.signature();
            if (code == UNIX_FDS) {
                if (!signature.equals("u")) throw new MessageFormatException("UNIX_FDS header field of type '" + signature + "', not 'u'");
                h.align(4);
                fds = h.u32();
            } else {
                h.skip(signature, 0);
            }
        }
        if (h.pos > h.end) throw new MessageFormatException("header field array overruns its length " + length);
        return fds;
    }

    private void skip(String signature, int depth) throws MessageFormatException {
        int[] at = {0};
        if (signature.isEmpty()) throw new MessageFormatException("header field with an empty signature");
        skipOne(signature, at, depth);
        if (at[0] != signature.length()) throw new MessageFormatException("header field signature '" + signature + "' is not one type");
    }

    /** Skips the value of the single complete type starting at {@code sig[at[0]]}. */
    private void skipOne(String sig, int[] at, int depth) throws MessageFormatException {
        if (depth > MAX_DEPTH) throw new MessageFormatException("header field nests deeper than " + MAX_DEPTH);
        if (at[0] >= sig.length()) throw new MessageFormatException("incomplete signature '" + sig + "'");
        char c = sig.charAt(at[0]++);
        switch (c) {
            case 'y' -> advance(1);
            case 'n', 'q' -> { align(2); advance(2); }
            case 'b', 'i', 'u', 'h' -> { align(4); advance(4); }
            case 'x', 't', 'd' -> { align(8); advance(8); }
            case 's', 'o' -> { align(4); long n = u32(); advance(n + 1); }
            case 'g' -> { int n = u8(); advance(n + 1); }
            case 'v' -> skip(signature(), depth + 1);
            case 'a' -> {
                align(4);
                long n = u32();
                int element = at[0];
                if (element >= sig.length()) throw new MessageFormatException("array without element type in '" + sig + "'");
                align(alignment(sig.charAt(element)));
                advance(n);
                skipType(sig, at); // the element type, in the signature only
            }
            case '(', '{' -> {
                char close = c == '(' ? ')' : '}';
                align(8);
                while (at[0] < sig.length() && sig.charAt(at[0]) != close) skipOne(sig, at, depth + 1);
                if (at[0] >= sig.length()) throw new MessageFormatException("unclosed '" + c + "' in '" + sig + "'");
                at[0]++;
            }
            default -> throw new MessageFormatException("unknown type code '" + c + "' in header field signature '" + sig + "'");
        }
    }

    /** Moves {@code at} past one complete type in the signature without reading data. */
    private static void skipType(String sig, int[] at) throws MessageFormatException {
        if (at[0] >= sig.length()) throw new MessageFormatException("incomplete signature '" + sig + "'");
        char c = sig.charAt(at[0]++);
        if (c == 'a') {
            skipType(sig, at);
        } else if (c == '(' || c == '{') {
            char close = c == '(' ? ')' : '}';
            while (at[0] < sig.length() && sig.charAt(at[0]) != close) skipType(sig, at);
            if (at[0] >= sig.length()) throw new MessageFormatException("unclosed '" + c + "' in '" + sig + "'");
            at[0]++;
        }
    }

    private static int alignment(char c) {
        return switch (c) {
            case 'n', 'q' -> 2;
            case 'b', 'i', 'u', 'h', 's', 'o', 'a' -> 4;
            case 'x', 't', 'd', '(', '{' -> 8;
            default -> 1;
        };
    }

    private String signature() throws MessageFormatException {
        int n = u8();
        need(n + 1);
        String s = new String(data, pos, n, java.nio.charset.StandardCharsets.US_ASCII);
        pos += n + 1;
        return s;
    }

    private void align(int a) {
        int offset = pos - base;
        pos += (a - offset % a) % a;
    }

    private void advance(long n) throws MessageFormatException {
        need(n);
        pos += (int) n;
    }

    private void need(long n) throws MessageFormatException {
        if (n < 0 || pos + n > end) throw new MessageFormatException("header field runs past the header field array");
    }

    private int u8() throws MessageFormatException {
        need(1);
        return data[pos++] & 0xff;
    }

    private long u32() throws MessageFormatException {
        need(4);
        long v = big
                ? (data[pos] & 0xffL) << 24 | (data[pos + 1] & 0xffL) << 16 | (data[pos + 2] & 0xffL) << 8 | (data[pos + 3] & 0xffL)
                : (data[pos + 3] & 0xffL) << 24 | (data[pos + 2] & 0xffL) << 16 | (data[pos + 1] & 0xffL) << 8 | (data[pos] & 0xffL);
        pos += 4;
        return v;
    }
}
