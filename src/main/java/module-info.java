/** ffsock: typed Linux sockets through the Foreign Function and Memory API. */
module io.ffsock {
    exports io.ffsock;
    exports io.ffsock.packet;
    exports io.ffsock.uring;
}
