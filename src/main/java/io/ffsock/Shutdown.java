package io.ffsock;

/** Which direction {@link Socket#shutdown(Shutdown)} closes, shutdown(2). */
public enum Shutdown {
    /** SHUT_RD: no more receptions. */
    READ,
    /** SHUT_WR: no more transmissions; the peer reads end of file. */
    WRITE,
    /** SHUT_RDWR: both. */
    BOTH
}
