package io.ffsock.icmp;

import java.util.Arrays;

/**
 * The {@link Pinger}'s schedule: a binary min-heap of requests by due time (then by the order they
 * were scheduled) in which every request knows its index, so an answered one is taken out in
 * O(log n) instead of waiting for its timeout in the queue. Allocates only when it grows.
 * Guarded by the pinger's lock.
 */
final class RequestQueue {
    private Pinger.Request[] heap = new Pinger.Request[64];
    private int size;

    int size() {
        return size;
    }

    Pinger.Request peek() {
        return size == 0 ? null : heap[0];
    }

    void add(Pinger.Request r) {
        if (r.index >= 0) throw new IllegalStateException("a request is scheduled twice");
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = r;
        r.index = size;
        size++;
        up(r.index);
    }

    Pinger.Request poll() {
        if (size == 0) return null;
        Pinger.Request head = heap[0];
        removeAt(0);
        return head;
    }

    /** Takes {@code r} out if it is in the queue. */
    void remove(Pinger.Request r) {
        int i = r.index;
        if (i >= 0 && i < size && heap[i] == r) removeAt(i);
    }

    private void removeAt(int i) {
        Pinger.Request gone = heap[i];
        gone.index = -1;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        Pinger.Request last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.index = i;
        if (!up(i)) down(i);
    }

    /** Moves the element at {@code i} up while it is earlier than its parent; whether it moved. */
    private boolean up(int i) {
        Pinger.Request r = heap[i];
        int start = i;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Pinger.Request p = heap[parent];
            if (!earlier(r, p)) break;
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = r;
        r.index = i;
        return i != start;
    }

    private void down(int i) {
        Pinger.Request r = heap[i];
        for (;;) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && earlier(heap[child + 1], heap[child])) child++;
            if (!earlier(heap[child], r)) break;
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = r;
        r.index = i;
    }

    private static boolean earlier(Pinger.Request a, Pinger.Request b) {
        return a.at != b.at ? a.at - b.at < 0 : a.order < b.order; // nanoTime: compare by difference
    }
}
