package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Cmsg;
import java.util.ArrayList;
import java.util.List;

/** Turns the kernel's control messages into typed ones; received fds become owned at once. */
final class Messages {
    private Messages() {}

    static List<ControlMessage> fromKernel(List<Cmsg> raw) {
        List<ControlMessage> out = new ArrayList<>(raw.size());
        for (Cmsg c : raw) {
            if (c.level() == SOL_SOCKET && c.type() == SCM_RIGHTS) {
                List<OwnedFd> fds = new ArrayList<>();
                for (int n : c.ints()) fds.add(OwnedFd.received(n)); // owned before anything can throw
                if (!fds.isEmpty()) out.add(new ControlMessage.Rights(fds));
            } else if (c.level() == SOL_SOCKET && c.type() == SCM_CREDENTIALS && c.data().length >= 12) {
                int[] u = c.ints();
                out.add(new ControlMessage.CredentialsMessage(new Credentials(u[0], u[1], u[2])));
            } else {
                out.add(new ControlMessage.Raw(c.level(), c.type(), c.data()));
            }
        }
        return out;
    }
}
