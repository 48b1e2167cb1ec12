package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of README.md compiles as it stands, against the library and the
 * test class path, the way a reader would paste it: its leading {@code import} lines are the
 * imports of a class, everything after them the body of a method that {@code throws Exception}.
 * No import is added, so a snippet that forgets one, or that names {@code Socket} while importing
 * both {@code io.ffsock.*} and {@code java.net.*} on demand, fails here. (Running them is
 * {@link ReadmeExamplesTest}'s part.)
 */
class ReadmeSnippetsTest {
    /** One snippet: the README line its first code line is on, its import lines, its body. */
    record Snippet(int line, List<String> imports, List<String> body) {}

    static List<Snippet> snippets(List<String> readme) {
        List<Snippet> out = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            if (!readme.get(i).strip().equals("```java")) continue;
            int first = i + 1;
            List<String> imports = new ArrayList<>();
            List<String> body = new ArrayList<>();
            int j = first;
            for (; j < readme.size() && !readme.get(j).strip().equals("```"); j++) {
                String l = readme.get(j);
                if (body.isEmpty() && (l.startsWith("import ") || (l.isBlank() && !imports.isEmpty()))) {
                    imports.add(l);
                } else {
                    body.add(l);
                }
            }
            assertTrue(j < readme.size(), "README.md:" + (i + 1) + ": ```java block never closed");
            out.add(new Snippet(first + 1, imports, body));
            i = j;
        }
        return out;
    }

    @Test
    void everyJavaSnippetOfTheReadmeCompilesVerbatim() throws IOException, InterruptedException {
        List<Snippet> snippets = snippets(Files.readAllLines(Path.of("README.md")));
        assertTrue(snippets.size() >= 7, "README.md has only " + snippets.size() + " java snippets");
        Path dir = Files.createTempDirectory("ffsock-readme-");
        try {
            List<Path> sources = new ArrayList<>();
            for (Snippet s : snippets) {
                // Lines are kept one for one, so a compiler line number maps back to README.md.
                StringBuilder src = new StringBuilder("package readme;");
                for (String l : s.imports()) src.append(l).append('\n');
                src.append("class Line").append(s.line()).append(" { static void snippet() throws Exception {");
                for (String l : s.body()) src.append(l).append('\n');
                src.append("}}\n");
                Path file = dir.resolve("Line" + s.line() + ".java");
                Files.writeString(file, src);
                sources.add(file);
            }
            // The javac of the JDK running the tests (a process: the test module does not read java.compiler).
            Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
            List<String> args = new ArrayList<>(List.of("-proc:none", "-nowarn", "-Xlint:none", "-encoding", "UTF-8",
                    "-classpath", System.getProperty("java.class.path"), "-d", dir.resolve("out").toString()));
            for (Path p : sources) args.add(p.toString());
            Path argFile = dir.resolve("javac.args");
            Files.write(argFile, args.stream().map(a -> '"' + a.replace("\\", "\\\\") + '"').toList());
            Process p = new ProcessBuilder(javac.toString(), "@" + argFile).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            boolean ok = p.waitFor() == 0;
            // "<dir>/Line<start>.java:<line>: error: ..." back to README.md:<line>
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("(?m)^\\S*Line(\\d+)\\.java:(\\d+): error: (.*)$").matcher(output);
            StringBuilder errors = new StringBuilder();
            while (m.find()) {
                int readmeLine = Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) - 1;
                errors.append("\nREADME.md:").append(readmeLine).append(": ").append(m.group(3));
            }
            if (!ok && errors.isEmpty()) errors.append('\n').append(output);
            assertTrue(ok && errors.isEmpty(), "README snippets that do not compile as written:" + errors);
        } finally {
            try (var all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
