package io.ffsock.tools;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of the {@code ffsock} command. Adding a subcommand is one class implementing this
 * interface and one line in {@link Main#COMMANDS}.
 *
 * <p>A command reads its input from {@code in} and writes to {@code out} and {@code err}, never to
 * {@code System.*}, so it can be run in-process as well as from the launcher.
 */
public interface Command {
    /** The name it is invoked by, e.g. {@code unix}. */
    String name();

    /** One line for the command list of {@code ffsock --help}. */
    String summary();

    /** The full help text printed by {@code ffsock NAME --help}, ending with a newline. */
    String usage();

    /**
     * Runs the command.
     *
     * @param args the arguments after the command's name
     * @return the exit status: {@link Main#OK}, {@link Main#FAILED} or {@link Main#USAGE}
     * @throws UsageException for bad usage; {@link Main} prints it as one line and exits with 2
     */
    int run(List<String> args, PrintStream out, PrintStream err, InputStream in) throws UsageException;
}
