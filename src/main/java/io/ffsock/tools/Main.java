package io.ffsock.tools;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code ffsock} command: dispatches to a {@link Command} by name.
 *
 * <p>Exit status: {@link #OK} (0) on success, {@link #FAILED} (1) when a socket call failed (the
 * error is one line on stderr, with the library's message), {@link #USAGE} (2) on bad usage.
 */
public final class Main {
    /** Exit status: success. */
    public static final int OK = 0;
    /** Exit status: a socket call failed (connection refused, missing path, address in use...). */
    public static final int FAILED = 1;
    /** Exit status: bad usage (unknown command or option, missing or malformed argument). */
    public static final int USAGE = 2;

    /** Every subcommand; adding one is a class and a line here. */
    static final List<Command> COMMANDS = List.of(
            new UnixCommand(),
            new PingCommand(),
            new FpingCommand(),
            new TracerouteCommand(),
            new IgmpCommand(),
            new MldCommand());

    private Main() {}

    public static void main(String[] args) {
        int status = run(Arrays.asList(args), System.out, System.err, System.in);
        System.out.flush();
        System.err.flush();
        // Exits even though a thread may still be blocked reading stdin.
        System.exit(status);
    }

    /** Runs the command line {@code args} (without the program name); returns the exit status. */
    public static int run(List<String> args, PrintStream out, PrintStream err, InputStream in) {
        if (args.isEmpty()) {
            err.print(usage());
            return USAGE;
        }
        String first = args.get(0);
        if (first.equals("-h") || first.equals("--help")) {
            out.print(usage());
            return OK;
        }
        if (first.equals("-V") || first.equals("--version")) {
            out.println(Version.line(null));
            return OK;
        }
        if (first.equals("help")) {
            if (args.size() == 1) {
                out.print(usage());
                return OK;
            }
            Command c = find(args.get(1));
            if (c == null) return unknownCommand(args.get(1), err);
            out.print(c.usage());
            return OK;
        }
        if (first.startsWith("-")) {
            err.println("ffsock: unknown option " + first + " (try 'ffsock --help')");
            return USAGE;
        }
        Command c = find(first);
        if (c == null) return unknownCommand(first, err);
        if (asksVersion(args.subList(1, args.size()))) {
            out.println(Version.line(c.name()));
            return OK;
        }
        try {
            return c.run(args.subList(1, args.size()), out, err, in);
        } catch (UsageException e) {
            err.println("ffsock " + c.name() + ": " + e.getMessage() + " (try 'ffsock " + c.name() + " --help')");
            return USAGE;
        }
    }

    /**
     * Whether a subcommand's arguments ask for the version: {@code -V} among the options, or
     * {@code --version} alone (igmp and mld use {@code --version N} for the protocol version).
     */
    private static boolean asksVersion(List<String> args) {
        if (args.equals(List.of("--version"))) return true;
        for (String a : args) {
            if (a.equals("--")) return false;
            if (a.equals("-V")) return true;
        }
        return false;
    }

    private static int unknownCommand(String name, PrintStream err) {
        err.println("ffsock: unknown command '" + name + "' (try 'ffsock --help')");
        return USAGE;
    }

    private static Command find(String name) {
        for (Command c : COMMANDS) if (c.name().equals(name)) return c;
        return null;
    }

    /** The help of the command itself. */
    static String usage() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: ffsock COMMAND [OPTIONS] [ARGS...]\n");
        b.append("Linux sockets from the command line, through ffsock (Java FFM, no JNI).\n\n");
        b.append("Commands:\n");
        int width = COMMANDS.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Command c : COMMANDS) {
            b.append("  ").append(c.name()).append(" ".repeat(width - c.name().length() + 2)).append(c.summary()).append('\n');
        }
        b.append("\n'ffsock COMMAND --help' (or 'ffsock help COMMAND') shows a command's options;\n"
                + "'ffsock -V' ('--version'), or -V after a command, prints the version.\n");
        b.append("Exit status: 0 success, 2 bad usage; otherwise as the command's help says: ping as iputils\n"
                + "ping (1 no reply or a bad option value, 2 another error), traceroute as Debian's traceroute\n"
                + "(1 a socket call failed, 2 bad arguments or an unknown host), unix 1 when a socket call\n"
                + "failed, igmp and mld 1 when listening timed out. Errors are one line on stderr, prefixed as\n"
                + "the tool they are shaped like prints them (ping: ...).\n");
        return b.toString();
    }
}
