package io.ffsock.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small command-line parser: short options ({@code -t VALUE}, {@code -tVALUE}, grouped flags
 * {@code -vq}), long options ({@code --type VALUE}, {@code --type=VALUE}), {@code --} ending the
 * options, and positional arguments anywhere else. {@code -h} and {@code --help} are always known.
 * A lone {@code -} is a positional argument.
 */
public final class ArgParser {
    private record Spec(char shortName, String longName, String metavar, String help) {
        boolean takesValue() {
            return metavar != null;
        }

        String display() {
            return shortName != 0 ? "-" + shortName : "--" + longName;
        }
    }

    private final List<Spec> specs = new ArrayList<>();

    /** An option that takes a value, e.g. {@code option('t', "type", "TYPE", "socket type")}. */
    public ArgParser option(char shortName, String longName, String metavar, String help) {
        specs.add(new Spec(shortName, longName, metavar, help));
        return this;
    }

    /** An option without a value. */
    public ArgParser flag(char shortName, String longName, String help) {
        specs.add(new Spec(shortName, longName, null, help));
        return this;
    }

    /** What was given on the command line. */
    public static final class Parsed {
        private final Map<String, String> values = new HashMap<>();
        private final List<String> positionals = new ArrayList<>();
        private boolean help;

        /** Whether {@code -h} or {@code --help} was given. */
        public boolean help() {
            return help;
        }

        /** The value of a valued option (the last one given), by long name. */
        public Optional<String> value(String longName) {
            return Optional.ofNullable(values.get(longName));
        }

        /** Whether a flag was given, by long name. */
        public boolean flag(String longName) {
            return values.containsKey(longName);
        }

        /** The positional arguments, in order. */
        public List<String> positionals() {
            return positionals;
        }
    }

    /** Parses {@code args}; stops reporting errors once {@code --help} has been seen. */
    public Parsed parse(List<String> args) throws UsageException {
        Parsed p = new Parsed();
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (optionsEnded || a.equals("-") || !a.startsWith("-")) {
                p.positionals.add(a);
            } else if (a.equals("--")) {
                optionsEnded = true;
            } else if (a.equals("-h") || a.equals("--help")) {
                p.help = true;
                return p;
            } else if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                Spec s = byLong(name);
                if (s == null) throw new UsageException("unknown option --" + name);
                if (!s.takesValue()) {
                    if (eq >= 0) throw new UsageException("option --" + name + " takes no value");
                    p.values.put(s.longName, "");
                } else if (eq >= 0) {
                    p.values.put(s.longName, a.substring(eq + 1));
                } else {
                    if (i + 1 >= args.size()) throw missing(s);
                    p.values.put(s.longName, args.get(++i));
                }
            } else {
                // One or more short options: -v, -vq, -t stream, -tstream, -vt stream.
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    if (c == 'h') {
                        p.help = true;
                        return p;
                    }
                    Spec s = byShort(c);
                    if (s == null) throw new UsageException("unknown option -" + c);
                    if (!s.takesValue()) {
                        p.values.put(s.longName, "");
                    } else if (j + 1 < a.length()) {
                        p.values.put(s.longName, a.substring(j + 1));
                        break;
                    } else {
                        if (i + 1 >= args.size()) throw missing(s);
                        p.values.put(s.longName, args.get(++i));
                    }
                }
            }
        }
        return p;
    }

    private static UsageException missing(Spec s) {
        return new UsageException("option " + s.display() + " needs a value (" + s.metavar + ")");
    }

    private Spec byLong(String name) {
        for (Spec s : specs) if (s.longName.equals(name)) return s;
        return null;
    }

    private Spec byShort(char c) {
        for (Spec s : specs) if (s.shortName == c) return s;
        return null;
    }

    /** The option list for a help text, one option per line, aligned. */
    public String optionsHelp() {
        Map<String, String> rows = new LinkedHashMap<>();
        for (Spec s : specs) {
            String left = (s.shortName != 0 ? "-" + s.shortName + ", " : "    ") + "--" + s.longName
                    + (s.takesValue() ? " " + s.metavar : "");
            rows.put(left, s.help);
        }
        rows.put("-h, --help", "show this help and exit");
        int width = rows.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder b = new StringBuilder();
        rows.forEach((left, help) -> b.append("  ").append(left).append(" ".repeat(width - left.length() + 2))
                .append(help.replace("\n", "\n" + " ".repeat(width + 4))).append('\n'));
        return b.toString();
    }
}
