package io.ffsock.netlink;

import java.net.InetAddress;

/**
 * A program the tests run in a child JVM without capabilities: it asks for one change through
 * {@link Rtnetlink} and prints {@code OK}, or {@code ERROR errno-symbol: message}. Never throws
 * out of main.
 * <ul>
 * <li>{@code addaddr DEV ADDR PREFIX}
 * <li>{@code down DEV}
 * </ul>
 */
public final class ChangeChild {
    private ChangeChild() {}

    public static void main(String[] args) {
        try (Rtnetlink r = Rtnetlink.open()) {
            switch (args[0]) {
                case "addaddr" -> r.addAddress(args[1], InetAddress.getByName(args[2]), Integer.parseInt(args[3]));
                case "down" -> r.setLinkUp(args[1], false);
                default -> throw new IllegalArgumentException("unknown action " + args[0]);
            }
            System.out.println("OK");
        } catch (NetlinkException e) {
            System.out.println("ERROR " + e.errno().symbol() + ": " + e.getMessage());
        } catch (Exception e) {
            System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
