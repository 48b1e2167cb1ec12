package io.ffsock.raw;

import io.ffsock.testing.Netns;

/**
 * Two fresh network namespaces, Q and M, joined by a veth pair whose ends are both called eth0
 * and are up; both namespaces (and with them the pair) are removed on close.
 */
final class VethPair implements AutoCloseable {
    final Netns q, m;

    /**
     * @param qCidr an address for Q's eth0 ("10.1.0.1/24"), or null for none
     * @param mCidr likewise for M's
     */
    VethPair(String qTag, String mTag, String qCidr, String mCidr) throws Exception {
        q = Netns.create(qTag);
        try {
            m = Netns.create(mTag);
        } catch (Exception e) {
            q.close();
            throw e;
        }
        try {
            Netns.veth(q, "eth0", qCidr, m, "eth0", mCidr);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Runs {@code step} (more set-up); on failure removes both namespaces before rethrowing. */
    VethPair then(SetUp step) throws Exception {
        try {
            step.run(this);
            return this;
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    interface SetUp {
        void run(VethPair p) throws Exception;
    }

    @Override
    public void close() throws Exception {
        try {
            q.close();
        } finally {
            m.close();
        }
    }
}
