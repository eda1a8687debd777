package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.Includes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.finding.Fix;
import interleave.engine.finding.TextEdit;

/**
 * The repairs for an unsafe call in a handler, as text edits: {@code exit} becomes {@code _exit}; printf-style output
 * becomes {@code write(2)} calls with the same text (numbers formatted by a small async-signal-safe helper, as the
 * lecture's {@code Sio_putl} does); any other call can be moved out of the handler behind a
 * {@code volatile sig_atomic_t} flag.
 */
final class SignalHandlerFixes {
    static final String WRITE_LONG = "interleave_write_long";

    private SignalHandlerFixes() {
    }

    static List<Fix> fixesFor(CProgram program, CallSite call, String library, CFunction handler) {
        List<Fix> fixes = new ArrayList<>();
        SyntaxTree tree = Includes.treeOf(program, call.caller().file());
        if (library.equals("exit") && call.calleeName().equals("exit")) {
            Map<String, TextEdit> edits = new LinkedHashMap<>();
            SyntaxNode callee = call.calleeNode();
            edits.put("call", new TextEdit(tree.file().path(), callee.startChar(), callee.endChar(), "_exit"));
            Includes.ensure(tree, "<unistd.h>").ifPresent(e -> edits.put("include", e));
            fixes.add(new Fix("Use _exit(), which is async-signal-safe, instead of exit()", List.copyOf(
                    edits.values())));
        }
        Fix write = writeFix(program, tree, call);
        if (write != null) {
            fixes.add(write);
        }
        Fix flag = flagFix(tree, call, handler);
        if (flag != null) {
            fixes.add(flag);
        }
        return fixes;
    }

    /** The statement {@code call;} when the call is a whole expression statement (its value unused). */
    private static SyntaxNode wholeStatement(CallSite call) {
        SyntaxNode parent = call.call().parent();
        return parent != null && parent.is("expression_statement") && parent.children().size() == 1 ? parent : null;
    }

    /** printf / fprintf(stdout|stderr) / puts / fputs / putchar with a literal format → write(2). */
    private static Fix writeFix(CProgram program, SyntaxTree tree, CallSite call) {
        SyntaxNode stmt = wholeStatement(call);
        if (stmt == null) {
            return null;
        }
        String name = call.calleeName();
        String fd;
        SyntaxNode format;
        List<SyntaxNode> args;
        boolean newline = false;
        switch (name) {
        case "printf":
            fd = "STDOUT_FILENO";
            format = call.argument(0);
            args = call.arguments().subList(Math.min(1, call.arguments().size()), call.arguments().size());
            break;
        case "fprintf":
            fd = streamFd(call.argument(0));
            format = call.argument(1);
            args = call.arguments().subList(Math.min(2, call.arguments().size()), call.arguments().size());
            break;
        case "puts":
            fd = "STDOUT_FILENO";
            format = call.argument(0);
            args = List.of();
            newline = true;
            break;
        case "fputs":
            fd = streamFd(call.argument(1));
            format = call.argument(0);
            args = List.of();
            break;
        default:
            return null;
        }
        if (fd == null || format == null || !format.is("string_literal")) {
            return null;
        }
        List<String> pieces = new ArrayList<>();
        boolean usesStrlen = false;
        boolean usesLong = false;
        if (name.equals("puts") || name.equals("fputs")) {
            pieces.add(literalWrite(fd, format.text()));
        } else {
            List<Object> parts = FormatString.parse(literalBody(format.text()));
            if (parts == null) {
                return null;
            }
            int argIndex = 0;
            for (Object part : parts) {
                if (part instanceof String literal) {
                    pieces.add(literalWrite(fd, "\"" + literal + "\""));
                } else {
                    FormatString.Conversion conv = (FormatString.Conversion) part;
                    if (argIndex >= args.size()) {
                        return null;
                    }
                    String arg = args.get(argIndex++).text();
                    if (conv == FormatString.Conversion.STRING) {
                        pieces.add("write(" + fd + ", " + arg + ", strlen(" + arg + "))");
                        usesStrlen = true;
                    } else {
                        pieces.add(WRITE_LONG + "(" + fd + ", (long)(" + arg + "))");
                        usesLong = true;
                    }
                }
            }
            if (argIndex != args.size()) {
                return null;
            }
        }
        if (newline) {
            pieces.add("write(" + fd + ", \"\\n\", 1)");
        }
        String file = tree.file().path();
        Map<String, TextEdit> edits = new LinkedHashMap<>();
        Includes.ensure(tree, "<unistd.h>").ifPresent(e -> edits.put("unistd", e));
        if (usesStrlen) {
            Includes.ensure(tree, "<string.h>").ifPresent(e -> edits.putIfAbsent("string", e));
        }
        if (usesLong && !definesInFile(program, tree, WRITE_LONG)) {
            SyntaxNode top = topLevel(call.caller().definition());
            edits.put("helper", TextEdit.insert(file, top.startChar(), writeLongHelper()));
        }
        String body = pieces.size() == 1 ? pieces.get(0) + ";" : "{ " + String.join("; ", pieces) + "; }";
        edits.put("call", new TextEdit(file, stmt.startChar(), stmt.endChar(), body));
        return new Fix("Write the text with write(2), which is async-signal-safe, instead of " + name + "()",
                mergeInsertions(edits));
    }

    /** Two insertions at the same offset (the include and the helper before the first function) become one. */
    private static List<TextEdit> mergeInsertions(Map<String, TextEdit> edits) {
        List<TextEdit> out = new ArrayList<>();
        for (TextEdit e : edits.values()) {
            boolean merged = false;
            for (int i = 0; i < out.size(); i++) {
                TextEdit o = out.get(i);
                if (o.file().equals(e.file()) && o.startOffset() == o.endOffset() && e.startOffset() == e.endOffset()
                        && o.startOffset() == e.startOffset()) {
                    out.set(i, TextEdit.insert(o.file(), o.startOffset(), o.replacement() + e.replacement()));
                    merged = true;
                    break;
                }
            }
            if (!merged) {
                out.add(e);
            }
        }
        return out;
    }

    private static String literalWrite(String fd, String literal) {
        return "write(" + fd + ", " + literal + ", sizeof " + literal + " - 1)";
    }

    private static String literalBody(String literal) {
        return literal.substring(1, literal.length() - 1);
    }

    private static String streamFd(SyntaxNode stream) {
        if (stream == null) {
            return null;
        }
        return switch (stream.text().trim()) {
        case "stdout" -> "STDOUT_FILENO";
        case "stderr" -> "STDERR_FILENO";
        default -> null;
        };
    }

    private static boolean definesInFile(CProgram program, SyntaxTree tree, String name) {
        return program.resolve(name, tree.file()).stream().anyMatch(f -> f.file() == tree.file());
    }

    private static SyntaxNode topLevel(SyntaxNode n) {
        SyntaxNode t = n;
        while (t.parent() != null && !t.parent().is("translation_unit")) {
            t = t.parent();
        }
        return t;
    }

    private static String writeLongHelper() {
        return """
                /* Writes a decimal number with write(2) only, so a signal handler may call it. */
                static void interleave_write_long(int fd, long value)
                {
                    char digits[24];
                    size_t i = sizeof digits;
                    unsigned long v = value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;

                    do {
                        digits[--i] = (char)('0' + v % 10);
                        v /= 10;
                    } while (v != 0);
                    if (value < 0)
                        digits[--i] = '-';
                    write(fd, digits + i, sizeof digits - i);
                }

                """;
    }

    /**
     * Any unsafe call: the handler only records that the work is due, in a {@code volatile sig_atomic_t} flag, and the
     * call is kept as a comment for the main loop to do. The program then needs its main loop to check the flag.
     */
    private static Fix flagFix(SyntaxTree tree, CallSite call, CFunction handler) {
        SyntaxNode stmt = wholeStatement(call);
        if (stmt == null || call.caller() != handler) {
            return null;
        }
        String flag = handler.name() + "_pending";
        String file = tree.file().path();
        Map<String, TextEdit> edits = new LinkedHashMap<>();
        Includes.ensure(tree, "<signal.h>").ifPresent(e -> edits.put("signal", e));
        boolean declared = tree.root().descendants("identifier").stream().anyMatch(i -> i.text().equals(flag));
        if (!declared) {
            SyntaxNode top = topLevel(handler.definition());
            edits.put("flag", TextEdit.insert(file, top.startChar(), "/* Set by " + handler.name()
                    + "(); main does the deferred work when it sees it set. */\nstatic volatile sig_atomic_t " + flag
                    + ";\n\n"));
        }
        String original = call.call().text().replace("*/", "* /").replaceAll("\\s*\\n\\s*", " ");
        edits.put("call", new TextEdit(file, stmt.startChar(), stmt.endChar(), flag + " = 1; /* deferred to main: "
                + original + "; */"));
        return new Fix("Only set a volatile sig_atomic_t flag in the handler and move " + call.calleeName()
                + "() to main", mergeInsertions(edits));
    }
}
