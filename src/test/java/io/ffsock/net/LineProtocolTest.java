package io.ffsock.net;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.JdkSocketsWarmUp;
import io.ffsock.testing.NginxServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A line protocol (HTTP/1.1's status line and headers, requests pipelined on one connection)
 * spoken to a real nginx through the JDK's text layers over each of ffsock's views: the
 * {@code ByteChannel} with {@code Channels.newReader/newWriter}, the streams with
 * {@code InputStreamReader/OutputStreamWriter}, and {@code UnixSocket}'s streams.
 */
@ExtendWith({JdkSocketsWarmUp.class, FdLeakCheck.class})
class LineProtocolTest {
    private static final int REQUESTS = 200;
    private static NginxServer nginx;

    @BeforeAll
    static void startServer() throws Exception {
        nginx = NginxServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (nginx != null) nginx.close();
    }

    @Test
    void channelViewWithChannelsReaderAndWriter() throws Exception {
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            s.connect(UnixAddress.path(nginx.socketPath()));
            converse(Channels.newReader(s, StandardCharsets.ISO_8859_1),
                    Channels.newWriter(s, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void streamViewWithReaderAndWriter() throws Exception {
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            s.connect(UnixAddress.path(nginx.socketPath()));
            converse(new InputStreamReader(s.inputStream(), StandardCharsets.ISO_8859_1),
                    new OutputStreamWriter(s.outputStream(), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void unixSocketStreams() throws Exception {
        try (UnixSocket s = new UnixSocket(UnixAddress.path(nginx.socketPath()))) {
            s.setSoTimeout(30_000);
            converse(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1),
                    new OutputStreamWriter(s.getOutputStream(), StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * Writes {@value #REQUESTS} pipelined GETs in one go, the last with Connection: close, then reads
     * every response line by line; at the end the server's close shows as the end of the stream.
     */
    private static void converse(Reader in, Writer out) throws IOException {
        StringBuilder requests = new StringBuilder();
        for (int i = 1; i <= REQUESTS; i++) {
            requests.append("GET ").append(i % 2 == 0 ? "/one" : "/empty").append(" HTTP/1.1\r\nHost: localhost\r\n")
                    .append(i == REQUESTS ? "Connection: close\r\n" : "").append("\r\n");
        }
        out.write(requests.toString());
        out.flush();
        BufferedReader r = new BufferedReader(in);
        long connection = -1;
        for (int i = 1; i <= REQUESTS; i++) {
            assertEquals("HTTP/1.1 200 OK", r.readLine(), "response " + i + nginx.output());
            Map<String, String> headers = new HashMap<>();
            for (String line; !(line = r.readLine()).isEmpty(); ) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.get("content-length"));
            assertEquals(i % 2 == 0 ? 1 : 0, length);
            char[] body = new char[length];
            assertEquals(length, length == 0 ? 0 : r.read(body));
            if (length == 1) assertEquals('x', body[0]);
            assertEquals(Integer.toString(i), headers.get("x-connection-requests"));
            long c = Long.parseLong(headers.get("x-connection"));
            if (connection < 0) connection = c;
            assertEquals(connection, c);
        }
        assertNull(r.readLine(), "nginx closes after Connection: close; the reader sees the end");
    }
}
