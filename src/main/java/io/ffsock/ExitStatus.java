package io.ffsock;

import io.ffsock.internal.sys.Spawning;

/**
 * How a child process ended, as waitpid(2) reports it: it exited with a code, or a signal killed it.
 *
 * @param exitCode the code passed to exit(3) (0 to 255), or -1 if a signal killed the process
 * @param signal   the number of the signal that killed it, or 0 if it exited
 */
public record ExitStatus(int exitCode, int signal) {
    /** Validates that exactly one of the two is set. */
    public ExitStatus {
        if (signal == 0 ? exitCode < 0 || exitCode > 255 : exitCode != -1 || signal < 0) {
            throw new IllegalArgumentException("ExitStatus: exit code " + exitCode + " with signal " + signal);
        }
    }

    /** Decodes a wait status (WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG of sys/wait.h). */
    static ExitStatus fromWaitStatus(int status) {
        int termSignal = status & 0x7f;
        return termSignal == 0 ? new ExitStatus((status >> 8) & 0xff, 0) : new ExitStatus(-1, termSignal);
    }

    /** Whether the process called exit (with any code), rather than being killed. */
    public boolean exited() {
        return signal == 0;
    }

    /** Whether it exited with code 0. */
    public boolean success() {
        return signal == 0 && exitCode == 0;
    }

    /** {@code exit 3}, or {@code killed by SIGTERM}. */
    @Override
    public String toString() {
        if (exited()) return "exit " + exitCode;
        String abbreviation = Spawning.signalAbbreviation(signal);
        return "killed by " + (abbreviation == null ? "signal " + signal : "SIG" + abbreviation);
    }
}
