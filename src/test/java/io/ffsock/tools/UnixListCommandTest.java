package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code ffsock unix list} prints the sockets this test holds in the columns of {@code ss -x -a -n}. */
class UnixListCommandTest {

    @Test
    void listPrintsThisTestsSocketsLikeSs() throws Exception {
        String name = "ffsock-list-" + ProcessHandle.current().pid();
        try (SocketPair pair = Socket.pair(SocketType.STREAM); Socket dgram = Socket.open(io.ffsock.Family.UNIX, SocketType.DGRAM)) {
            dgram.bind(UnixAddress.abstractName(name));
            pair.first().sendAll("abc".getBytes());
            long first = inode(pair.first()), second = inode(pair.second()), bound = inode(dgram);
            CliProcess p = CliProcess.run("unix", "list");
            assertEquals(0, p.awaitExit(), p.stderr());
            String out = p.stdout();
            assertTrue(out.startsWith("Netid  State    Recv-Q Send-Q  Local Address"), out.lines().findFirst().orElse(""));
            String ss = Netns.exec("ss", "-x", "-a", "-n");
            for (long inode : new long[] {first, second, bound}) {
                assertEquals(fields(ss, inode), fields(out, inode), "inode " + inode);
            }
            assertTrue(fields(out, bound).startsWith("u_dgr UNCONN 0 0 @" + name + " " + bound + " * 0"), fields(out, bound));
            assertTrue(fields(out, second).startsWith("u_str ESTAB 3 0 * " + second + " * " + first), fields(out, second));
        }
    }

    private static String fields(String table, long inode) {
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[5].equals(Long.toString(inode))) return String.join(" ", java.util.Arrays.copyOf(f, 8));
        }
        return "no row for inode " + inode;
    }

    private static long inode(Socket s) throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + s.fdNumber())).toString();
        return Long.parseLong(link.substring(8, link.length() - 1));
    }
}
