package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.Includes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.finding.Fix;
import interleave.engine.finding.TextEdit;

/**
 * The repairs for an unsafe call in a handler, as text edits, each one keeping what the program prints:
 * {@code exit} becomes {@code _exit}; printf-style output is built by small async-signal-safe helpers and written with
 * {@code write(2)} (only for formats they reproduce exactly); constant output can instead be counted in a
 * {@code volatile sig_atomic_t} and made by main's endless loop. A fix that would lose output is not offered.
 */
final class SignalHandlerFixes {
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
        Fix flag = flagFix(program, tree, call, handler);
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

    /**
     * printf / fprintf(stdout|stderr) / puts / fputs with a literal format: the same text built in a buffer on the
     * handler's stack by small helpers the fix adds (plain loops, no library calls) and handed to write(2) in one
     * piece. Offered only when every conversion can be reproduced exactly (see {@link FormatString}).
     */
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
            fd = streamFd(call.argument(1) == null ? null : call.argument(0));
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
        CFunction fn = call.caller();
        String out = Includes.freshName(fn, "out");
        String indent = Includes.indentOf(stmt);
        String inner = indent + "    ";
        List<String> lines = new ArrayList<>();
        Set<String> helpers = new LinkedHashSet<>(List.of(FLUSH));
        lines.add("struct " + OUT + " " + out + " = { " + fd + ", 0, \"\" };");
        if (name.equals("puts") || name.equals("fputs")) {
            lines.add(STR + "(&" + out + ", " + format.text() + ");");
            helpers.add(STR);
        } else {
            List<Object> parts = FormatString.parse(literalBody(format.text()));
            if (parts == null) {
                return null;
            }
            int argIndex = 0;
            for (Object part : parts) {
                if (part instanceof String literal) {
                    lines.add(STR + "(&" + out + ", \"" + literal + "\");");
                    helpers.add(STR);
                    continue;
                }
                FormatString.Conversion conv = (FormatString.Conversion) part;
                if (argIndex >= args.size()) {
                    return null;
                }
                String arg = args.get(argIndex++).text();
                if (conv.isString()) {
                    lines.add(STR + "(&" + out + ", " + arg + ");");
                    helpers.add(STR);
                } else if (conv.isChar()) {
                    lines.add(CHAR + "(&" + out + ", (char)(" + arg + "));");
                } else if (conv.isSigned()) {
                    lines.add(SIGNED + "(&" + out + ", (" + conv.type() + ")(" + arg + "), \"" + conv.spec() + "\");");
                    helpers.add(NUM);
                    helpers.add(SIGNED);
                } else {
                    lines.add(NUM + "(&" + out + ", (" + conv.type() + ")(" + arg + "), 0, \"" + conv.spec() + "\");");
                    helpers.add(NUM);
                }
            }
            if (argIndex != args.size()) {
                return null;
            }
        }
        if (newline) {
            lines.add(CHAR + "(&" + out + ", '\\n');");
        }
        lines.add(FLUSH + "(&" + out + ");");
        String file = tree.file().path();
        Map<String, TextEdit> edits = new LinkedHashMap<>();
        Optional<TextEdit> unistd = Includes.ensure(tree, "<unistd.h>");
        unistd.ifPresent(e -> edits.put("unistd", e));
        TextEdit helperEdit = helpersEdit(program, tree, helpers, unistd.orElse(null));
        if (helperEdit != null) {
            edits.put("helpers", helperEdit);
        }
        StringBuilder body = new StringBuilder("{\n");
        for (String l : lines) {
            body.append(inner).append(l).append('\n');
        }
        body.append(indent).append('}');
        edits.put("call", new TextEdit(file, stmt.startChar(), stmt.endChar(), body.toString()));
        return new Fix("Build the same text in a buffer with async-signal-safe code and write(2) it, instead of "
                + name + "()", mergeInsertions(edits));
    }

    static final String OUT = "sigsafe_out";
    static final String FLUSH = "sigsafe_flush";
    static final String CHAR = "sigsafe_char";
    static final String STR = "sigsafe_str";
    static final String NUM = "sigsafe_num";
    static final String SIGNED = "sigsafe_signed";

    /** The helpers in the order they must be defined, each with the ones it needs. */
    private static final List<String> HELPER_ORDER = List.of(FLUSH, CHAR, STR, NUM, SIGNED);

    /**
     * Inserts the helpers the fix uses that the file does not define yet: after the file's last helper when an
     * earlier fix added some (so each is defined before its first use), else after the includes.
     */
    private static TextEdit helpersEdit(CProgram program, SyntaxTree tree, Set<String> wanted, TextEdit include) {
        Set<String> need = new LinkedHashSet<>();
        for (String h : wanted) {
            need.add(h);
            if (!h.equals(FLUSH)) {
                need.add(CHAR); // every writer appends through sigsafe_char
            }
            if (h.equals(SIGNED)) {
                need.add(NUM);
            }
        }
        need.add(CHAR); // sigsafe_flush comes with sigsafe_char: a buffer is no use without a way to fill it
        StringBuilder text = new StringBuilder();
        SyntaxNode lastExisting = null;
        for (String h : HELPER_ORDER) {
            List<CFunction> defs = program.resolve(h, tree.file()).stream().filter(f -> f.file() == tree.file())
                    .toList();
            if (!defs.isEmpty()) {
                if (lastExisting == null || defs.get(0).definition().startsBefore(lastExisting) == false) {
                    lastExisting = defs.get(0).definition();
                }
            } else if (need.contains(h)) {
                text.append(HELPERS.get(h));
            }
        }
        if (text.length() == 0) {
            return null;
        }
        String file = tree.file().path();
        if (lastExisting != null) {
            return TextEdit.insert(file, lastExisting.endChar(), "\n\n" + text.toString().stripTrailing());
        }
        String prefix = HELPERS.get("struct");
        int at = include != null ? include.startOffset() : afterIncludes(tree);
        return TextEdit.insert(file, at, "\n" + prefix + text.substring(0, text.length() - 1));
    }

    /** Where the first top-level include list ends (0 when there is none). */
    private static int afterIncludes(SyntaxTree tree) {
        int at = 0;
        for (SyntaxNode n : tree.root().children()) {
            if (n.is("preproc_include")) {
                at = n.endChar();
            }
        }
        return at;
    }

    private static final Map<String, String> HELPERS = Map.of("struct", """
            /* Output for signal handlers from async-signal-safe pieces only: the text is collected in a buffer on
             * the handler's stack and handed to write(2), so no stdio lock or heap is touched. */
            struct sigsafe_out {
                int fd;
                size_t len;
                char buf[512];
            };

            """, FLUSH, """
            static void sigsafe_flush(struct sigsafe_out *out)
            {
                size_t done = 0;

                while (done < out->len) {
                    ssize_t n = write(out->fd, out->buf + done, out->len - done);

                    if (n <= 0)
                        break;
                    done += (size_t)n;
                }
                out->len = 0;
            }

            """, CHAR, """
            static void sigsafe_char(struct sigsafe_out *out, char c)
            {
                if (out->len == sizeof out->buf)
                    sigsafe_flush(out);
                out->buf[out->len++] = c;
            }

            """, STR, """
            static void sigsafe_str(struct sigsafe_out *out, const char *s)
            {
                if (s == NULL)
                    s = "(null)";   /* what glibc's printf prints for a null %s */
                while (*s != '\\0')
                    sigsafe_char(out, *s++);
            }

            """, NUM, """
            /* A number as printf's "%<spec>" prints it; spec is the flags ('-' or '0'), the width and the letter
             * (d, i, u, x or X), magnitude the value without its sign, negative whether a '-' goes first. */
            static void sigsafe_num(struct sigsafe_out *out, unsigned long long magnitude, int negative,
                                    const char *spec)
            {
                const char *letters = "0123456789abcdef";
                char digits[24];
                int n = 0, width = 0, left = 0, zero = 0, pad;
                unsigned base = 10;

                for (; *spec == '-' || *spec == '0'; spec++) {
                    if (*spec == '-')
                        left = 1;
                    else
                        zero = 1;
                }
                for (; *spec >= '0' && *spec <= '9'; spec++)
                    width = width * 10 + (*spec - '0');
                if (*spec == 'x' || *spec == 'X')
                    base = 16;
                if (*spec == 'X')
                    letters = "0123456789ABCDEF";
                do {
                    digits[n++] = letters[magnitude % base];
                    magnitude /= base;
                } while (magnitude != 0);
                pad = width - n - (negative ? 1 : 0);
                for (; !left && !zero && pad > 0; pad--)
                    sigsafe_char(out, ' ');
                if (negative)
                    sigsafe_char(out, '-');
                for (; zero && !left && pad > 0; pad--)
                    sigsafe_char(out, '0');
                while (n > 0)
                    sigsafe_char(out, digits[--n]);
                for (; left && pad > 0; pad--)
                    sigsafe_char(out, ' ');
            }

            """, SIGNED, """
            static void sigsafe_signed(struct sigsafe_out *out, long long value, const char *spec)
            {
                unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;

                sigsafe_num(out, magnitude, value < 0, spec);
            }

            """);


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

    private static SyntaxNode topLevel(SyntaxNode n) {
        SyntaxNode t = n;
        while (t.parent() != null && !t.parent().is("translation_unit")) {
            t = t.parent();
        }
        return t;
    }

    /** Output calls whose effect main can reproduce later, unchanged, when their arguments are constants. */
    private static final Set<String> DEFERRABLE = Set.of("printf", "fprintf", "puts", "fputs", "putchar", "fputc",
            "putc");

    /**
     * An output call with only constant arguments, directly in the handler, in a program whose {@code main} (in the
     * same file) runs an endless loop: the handler only counts the call in a {@code volatile sig_atomic_t}, and the
     * loop makes the call once for every count at the top of each turn (and once more after the loop, for a break). Main keeps its own count of the calls it
     * made, so each counter has one writer and no signal is lost between a check and a reset. Not offered otherwise:
     * a flag that nothing reads would silently drop the output.
     */
    private static Fix flagFix(CProgram program, SyntaxTree tree, CallSite call, CFunction handler) {
        SyntaxNode stmt = wholeStatement(call);
        if (stmt == null || call.caller() != handler || !DEFERRABLE.contains(call.calleeName())
                || !call.arguments().stream().allMatch(SignalHandlerFixes::isConstant)) {
            return null;
        }
        CFunction main = program.resolve("main", handler.file()).stream().filter(f -> f.file() == handler.file())
                .findFirst().orElse(null);
        SyntaxNode loop = main == null ? null : mainLoop(main);
        if (loop == null) {
            return null;
        }
        SyntaxNode loopBody = loop.child("body");
        Set<String> used = new HashSet<>();
        tree.root().walk(n -> {
            if (n.is("identifier")) {
                used.add(n.text());
            }
        });
        String due = fresh(used, handler.name() + "_" + call.calleeName() + "_due");
        used.add(due);
        String done = fresh(used, due.replaceAll("_due$", "_done"));
        String file = tree.file().path();
        Map<String, TextEdit> edits = new LinkedHashMap<>();
        Includes.ensure(tree, "<signal.h>").ifPresent(e -> edits.put("signal", e));
        SyntaxNode top = topLevel(handler.definition());
        edits.put("counters", TextEdit.insert(file, top.startChar(), "/* " + call.calleeName() + "() calls "
                + handler.name() + "() leaves to main's loop, and those main has made\n * (one writer each, so no"
                + " count is lost). */\nstatic volatile sig_atomic_t " + due + ";\nstatic sig_atomic_t " + done
                + ";\n\n"));
        edits.put("call", new TextEdit(file, stmt.startChar(), stmt.endChar(), due + "++;"));
        String inner = Includes.indentOf(loopBody.children().isEmpty() ? loop : loopBody.children().get(0));
        if (loopBody.children().isEmpty()) {
            inner += "    ";
        }
        edits.put("loop", TextEdit.insert(file, loopBody.startChar() + 1, "\n" + inner + drain(call, handler,
                due, done, inner)));
        // and once more when the loop can be left by a break, so the last counts are not lost
        if (!loopBody.descendants("break_statement").isEmpty()) {
            String outer = Includes.indentOf(loop);
            edits.put("after", TextEdit.insert(file, loop.endChar(), "\n" + outer + drain(call, handler, due, done,
                    outer)));
        }
        return new Fix("Count the " + call.calleeName() + "() in a volatile sig_atomic_t and make the call from main's"
                + " loop (line " + loop.line() + ")", mergeInsertions(edits));
    }

    private static String drain(CallSite call, CFunction handler, String due, String done, String indent) {
        return "while (" + done + " != " + due + ") {   /* the output " + handler.name() + "() left to main */\n"
                + indent + "    " + done + "++;\n" + indent + "    " + call.call().text() + ";\n" + indent + "}";
    }

    private static boolean isConstant(SyntaxNode arg) {
        SyntaxNode a = arg.stripParensAndCasts();
        return a.is("string_literal") || a.is("concatenated_string") || a.is("number_literal")
                || a.is("char_literal") || a.is("identifier") && (a.text().equals("stdout") || a.text().equals(
                        "stderr"));
    }

    /** The first endless loop among main's statements ({@code for (;;)}, {@code while (1)}) with a block body. */
    private static SyntaxNode mainLoop(CFunction main) {
        for (SyntaxNode s : main.body().children()) {
            boolean endless = false;
            if (s.is("for_statement")) {
                endless = s.child("condition") == null;
            } else if (s.is("while_statement") && s.child("condition") != null) {
                String c = s.child("condition").stripParensAndCasts().text().trim();
                endless = c.equals("1") || c.equals("true");
            }
            if (endless && s.child("body") != null && s.child("body").is("compound_statement")) {
                return s;
            }
        }
        return null;
    }

    private static String fresh(Set<String> used, String wanted) {
        String name = wanted;
        for (int i = 2; used.contains(name); i++) {
            name = wanted + i;
        }
        return name;
    }
}
