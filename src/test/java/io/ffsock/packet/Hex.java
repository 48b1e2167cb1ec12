package io.ffsock.packet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** Test helper: hex text (whitespace and {@code #} comment lines allowed) to bytes. */
final class Hex {
    private Hex() {}

    static byte[] bytes(String text) {
        String digits = text.lines()
                .filter(l -> !l.strip().startsWith("#"))
                .map(l -> l.replaceAll("\\s+", ""))
                .collect(Collectors.joining());
        return HexFormat.of().parseHex(digits);
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** A {@code .hex} file from src/test/resources/io/ffsock/packet. */
    static byte[] resource(String name) {
        try (InputStream in = Hex.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return bytes(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
