package io.ffsock;

import io.ffsock.internal.sys.Syscalls;

/**
 * A process's credentials as the kernel reports them, struct ucred: from
 * {@link Socket#peerCredentials()} (SO_PEERCRED) or in a received
 * {@link ControlMessage.CredentialsMessage} (SCM_CREDENTIALS).
 *
 * <p>The kernel fills these in itself; a peer cannot lie about them (sending other values needs
 * CAP_SYS_ADMIN for the pid, CAP_SETUID for the uid, CAP_SETGID for the gid). That makes them the
 * way to authorise a local client: compare {@link #uid()} with the users you trust.
 *
 * @param pid the process id
 * @param uid the user id
 * @param gid the group id
 */
public record Credentials(int pid, int uid, int gid) {
    /** This process's own pid, real uid and real gid: what it may send without privilege. */
    public static Credentials ofThisProcess() {
        return new Credentials((int) ProcessHandle.current().pid(), Syscalls.getuid(), Syscalls.getgid());
    }
}
