package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.NLMSG_ERROR;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of everything in this package that reads bytes from the
 * kernel: splitting a datagram into messages, attributes (nested too), NLMSG_ERROR with extended
 * acks, the reply state machine, and the typed decoders (links, addresses, routes, neighbours,
 * sock_diag UNIX records).
 *
 * <p>Property: each parser returns or throws {@link MalformedNetlinkException} (the reply state
 * machine also {@link NetlinkException}) with a message, nothing else; the same bytes inside a
 * larger array give the same messages (no read outside the window); accepted messages re-encode
 * to bytes that parse back to the same messages. The build replays the committed corpus in
 * {@code src/test/resources/io/ffsock/netlink/NetlinkFuzzTestInputs/datagram/} (seeded with
 * {@link Captures}); {@code mvn test -Pfuzz -Dtest=NetlinkFuzzTest -Djazzer.max_duration=10m}
 * fuzzes.
 */
class NetlinkFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void datagram(byte[] data) {
        List<NetlinkMessage> messages;
        try {
            messages = NetlinkMessage.parseAll(data);
        } catch (MalformedNetlinkException e) {
            requireMessage(e);
            messages = null;
        }
        byte[] framed = new byte[data.length + 7];
        System.arraycopy(data, 0, framed, 3, data.length);
        Arrays.fill(framed, 0, 3, (byte) 0x5a);
        Arrays.fill(framed, 3 + data.length, framed.length, (byte) 0xa5);
        List<NetlinkMessage> inWindow;
        try {
            inWindow = NetlinkMessage.parseAll(framed, 3, data.length);
        } catch (MalformedNetlinkException e) {
            inWindow = null;
        }
        if ((messages == null) != (inWindow == null) || (messages != null && !messages.equals(inWindow))) {
            throw new AssertionError("a window in a larger array parses differently: " + messages + " vs " + inWindow);
        }
        if (messages != null) {
            int length = 0;
            for (NetlinkMessage m : messages) length += Bytes.align(m.length());
            byte[] again = new byte[length];
            int at = 0;
            for (NetlinkMessage m : messages) at = m.encodeTo(again, at);
            if (!NetlinkMessage.parseAll(again).equals(messages)) throw new AssertionError("round trip changed " + messages);
            for (NetlinkMessage m : messages) typed(m);
        }
        replies(data);
    }

    private static void typed(NetlinkMessage m) {
        byte[] whole = m.toBytes();
        try {
            RtnetlinkObject o = Rtnetlink.decode(whole, 0, m.length(), m.type());
            if (o != null) o.toString();
        } catch (MalformedNetlinkException e) {
            requireMessage(e);
        }
        try {
            UnixSocketInfo u = UnixSockets.decode(whole, 0, m.length());
            u.toString();
        } catch (MalformedNetlinkException e) {
            requireMessage(e);
        }
        for (int fixed : new int[] {0, 8, 12, 16}) {
            try {
                for (NetlinkAttribute a : m.attributes(fixed)) {
                    a.toString();
                    try {
                        a.nested();
                    } catch (MalformedNetlinkException e) {
                        requireMessage(e);
                    }
                }
            } catch (MalformedNetlinkException e) {
                requireMessage(e);
            }
        }
        if (m.type() == NLMSG_ERROR) {
            try {
                NetlinkAck.of(m).toString();
            } catch (MalformedNetlinkException e) {
                requireMessage(e);
            }
        }
    }

    private static void replies(byte[] data) {
        int seq = data.length >= 12 ? Bytes.i32(data, 8) : 0;
        for (boolean dump : new boolean[] {true, false}) {
            Replies<RtnetlinkObject> r = new Replies<>(NetlinkRequest.of(18, 0, "fuzz"), seq, dump, Rtnetlink::decode);
            try {
                r.feed(data, data.length);
            } catch (NetlinkException | MalformedNetlinkException e) {
                requireMessage(e);
            }
        }
    }

    private static void requireMessage(Exception e) {
        if (e.getMessage() == null || e.getMessage().isEmpty()) throw new AssertionError("exception without a message", e);
    }
}
