package io.ffsock.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Datagram;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.NetlinkAddress;
import io.ffsock.Protocol;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.testing.FdLeakCheck;
import java.net.StandardSocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Family.NETLINK sockets through io.ffsock's own Socket: sockaddr_nl both ways, the SOL_NETLINK
 * options, SO_RCVBUF, and a raw RTM_GETLINK dump answered by the kernel. Checked against the
 * kernel's own view in /proc/net/netlink.
 */
@ExtendWith(FdLeakCheck.class)
class NetlinkSocketLevelTest {

    @Test
    void bindsToAKernelChosenPortIdThatProcNetNetlinkShows() throws Exception {
        try (Socket s = Socket.open(Family.NETLINK, SocketType.RAW, Protocol.DEFAULT)) {
            s.bind(NetlinkAddress.of(0, 1 << (NetlinkConst.RTNLGRP_LINK - 1)));
            NetlinkAddress local = assertInstanceOf(NetlinkAddress.class, s.localAddress());
            assertNotEquals(0, local.pid());
            assertEquals(1 << (NetlinkConst.RTNLGRP_LINK - 1), local.groups());
            // /proc/net/netlink: sk Eth Pid Groups ...; protocol 0 (NETLINK_ROUTE), our pid, groups in hex.
            String row = procRow(local.pid());
            assertTrue(row != null, "port id " + Integer.toUnsignedString(local.pid()) + " not in /proc/net/netlink");
            String[] f = row.trim().split("\\s+");
            assertEquals("0", f[1]);
            assertEquals(1 << (NetlinkConst.RTNLGRP_LINK - 1), Integer.parseUnsignedInt(f[3], 16));
        }
    }

    @Test
    void membershipOptionsChangeTheGroupsTheKernelRecords() throws Exception {
        try (Socket s = Socket.open(Family.NETLINK, SocketType.RAW, Protocol.DEFAULT)) {
            s.bind(NetlinkAddress.autobind());
            int pid = ((NetlinkAddress) s.localAddress()).pid();
            s.setOption(LinuxSocketOptions.NETLINK_ADD_MEMBERSHIP, NetlinkConst.RTNLGRP_IPV4_IFADDR);
            s.setOption(LinuxSocketOptions.NETLINK_ADD_MEMBERSHIP, NetlinkConst.RTNLGRP_NEIGH);
            assertEquals(0x14, groupsOf(pid)); // groups 3 and 5 are bits 2 and 4
            s.setOption(LinuxSocketOptions.NETLINK_DROP_MEMBERSHIP, NetlinkConst.RTNLGRP_NEIGH);
            assertEquals(0x10, groupsOf(pid));
        }
    }

    @Test
    void extAckStrictCheckAndReceiveBufferReadBack() throws Exception {
        try (Socket s = Socket.open(Family.NETLINK, SocketType.RAW, Protocol.DEFAULT)) {
            assertEquals(false, s.getOption(LinuxSocketOptions.NETLINK_EXT_ACK));
            s.setOption(LinuxSocketOptions.NETLINK_EXT_ACK, true);
            s.setOption(LinuxSocketOptions.NETLINK_GET_STRICT_CHK, true);
            assertEquals(true, s.getOption(LinuxSocketOptions.NETLINK_EXT_ACK));
            assertEquals(true, s.getOption(LinuxSocketOptions.NETLINK_GET_STRICT_CHK));
            s.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            assertEquals(2 * 65536, s.getOption(StandardSocketOptions.SO_RCVBUF)); // socket(7): the kernel doubles it
        }
    }

    @Test
    void aRawDumpRequestIsAnsweredFromPortZeroAndEndsWithDone() throws Exception {
        try (Socket s = Socket.open(Family.NETLINK, SocketType.RAW, Protocol.DEFAULT)) {
            s.bind(NetlinkAddress.autobind());
            byte[] ifinfomsg = new byte[NetlinkConst.SIZEOF_IFINFOMSG];
            byte[] req = NetlinkRequest.of(NetlinkConst.RTM_GETLINK, 0, "RTM_GETLINK").struct(ifinfomsg)
                    .encode(NetlinkConst.NLM_F_DUMP, 42, 0);
            s.sendTo(req, NetlinkAddress.kernel());
            boolean sawLoopback = false;
            boolean done = false;
            while (!done) {
                Datagram d = s.recvFrom(65536);
                assertEquals(NetlinkAddress.kernel(), d.sender());
                for (NetlinkMessage m : NetlinkMessage.parseAll(d.data())) {
                    assertEquals(42, m.sequence());
                    if (m.type() == NetlinkConst.NLMSG_DONE) done = true;
                    else {
                        assertEquals(NetlinkConst.RTM_NEWLINK, m.type());
                        List<NetlinkAttribute> attrs = m.attributes(NetlinkConst.SIZEOF_IFINFOMSG);
                        for (NetlinkAttribute a : attrs) {
                            if (a.type() == NetlinkConst.IFLA_IFNAME && a.asString().equals("lo")) sawLoopback = true;
                        }
                    }
                }
            }
            assertTrue(sawLoopback, "the dump has no lo");
        }
    }

    @Test
    void aNetlinkAddressIsRefusedByAnInetSocket() throws Exception {
        try (Socket s = Socket.open(Family.INET, SocketType.DGRAM)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.bind(NetlinkAddress.autobind()));
            assertTrue(e.getMessage().contains("AF_NETLINK address"), e.getMessage());
        }
        assertEquals("AF_NETLINK", Family.NETLINK.toString());
        assertEquals("netlink[pid=4294967295, groups=0x1]", NetlinkAddress.of(-1, 1).toString());
    }

    private static String procRow(int pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/net/netlink"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[2].equals(Integer.toUnsignedString(pid))) return line;
        }
        return null;
    }

    private static int groupsOf(int pid) throws Exception {
        return Integer.parseUnsignedInt(procRow(pid).trim().split("\\s+")[3], 16);
    }
}
