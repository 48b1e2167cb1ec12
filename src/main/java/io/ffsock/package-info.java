/**
 * Typed Linux sockets over file descriptors, every system call made through the Foreign Function
 * and Memory API: AF_UNIX stream, datagram and seqpacket sockets, TCP/UDP, and raw IP.
 */
package io.ffsock;
