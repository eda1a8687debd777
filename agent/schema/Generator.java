import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the trace format's constants, itrace-dump's field table, the engine's RecordType and TraceRecords, and the
 * format doc's tables from agent/schema/events.def, the one place the event schema is written.
 *
 * <pre>
 *   java agent/schema/Generator.java           regenerate (from the repository root, or --root DIR)
 *   java agent/schema/Generator.java --check   exit 1 and name the files that differ from the schema
 * </pre>
 *
 * One source file with no dependencies, so it runs with any JDK 17+ ("java File.java") on a fresh machine.
 */
public class Generator {

    static final String SCHEMA = "agent/schema/events.def";
    static final String REGEN = "java agent/schema/Generator.java";
    static final String C_HEADER = "agent/src/ilv_events.h";
    static final String DUMP_TABLE = "agent/tools/itrace-dump-fields.h";
    static final String JAVA_DIR = "plugin/interleave.trace/src/interleave/engine/trace/";
    static final String RECORD_TYPE = JAVA_DIR + "RecordType.java";
    /** Signal names in the event model's neutral terms (the model does not depend on the agent's record types). */
    static final String SIGNALS = "plugin/interleave.trace/src/interleave/engine/events/Signals.java";
    static final String TRACE_RECORDS = JAVA_DIR + "TraceRecords.java";
    static final String DOC = "docs/trace-format.md";
    static final String[] PHASES = {"POINT", "ENTER", "EXIT", "CALL"};

    // ---- the model ----

    record Signal(int number, String name) {
    }

    record StringKey(int key, String name, String dumpName, String text) {
    }

    record Const(String name, String value, String text) {
    }

    /** slot 0-4 = a0..a4, 5 = ra, 6 = a1-a2 as 16 bytes, 7 = a0-a4 as five values; lo/bits: a slice of a slot. */
    record Field(int slot, int lo, int bits, String name, String javaName, String type, char fmt, String text) {
        String slotText() {
            String s = switch (slot) {
                case 5 -> "ra";
                case 6 -> "a1-a2";
                case 7 -> "a0-a4";
                default -> "a" + slot;
            };
            return bits == 64 ? s : s + "[" + lo + ":" + (lo + bits) + "]";
        }
    }

    /** selector: null = the default fields, "phase" or "kind" with the values it applies to. */
    static final class Variant {
        String selector;
        List<Integer> values = new ArrayList<>();
        String when = "";
        List<Field> fields = new ArrayList<>();
    }

    static final class Type {
        int number;
        String name;
        List<String> phases = new ArrayList<>();
        String doc;
        String group;
        List<String> strings = new ArrayList<>();
        List<Const> consts = new ArrayList<>();
        List<Variant> variants = new ArrayList<>();
        int line;
    }

    record Group(String id, String title) {
    }

    int major = -1, minor = -1;
    final List<Signal> signals = new ArrayList<>();
    final List<StringKey> stringKeys = new ArrayList<>();
    final List<Group> groups = new ArrayList<>();
    final List<Type> types = new ArrayList<>();

    // ---- parsing ----

    static final class SchemaError extends RuntimeException {
        SchemaError(int line, String message) {
            super(SCHEMA + ":" + line + ": " + message);
        }
    }

    void parse(List<String> lines) {
        Type cur = null;
        Group group = null;
        Map<Integer, Type> byNumber = new TreeMap<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int ln = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] w = line.split("\\s+");
            switch (w[0]) {
                case "version" -> {
                    need(w, 3, ln, "version MAJOR MINOR");
                    major = num(w[1], ln);
                    minor = num(w[2], ln);
                }
                case "signal" -> {
                    need(w, 3, ln, "signal NUMBER NAME");
                    signals.add(new Signal(num(w[1], ln), w[2]));
                }
                case "string" -> {
                    need(w, 5, ln, "string KEY NAME DUMPNAME TEXT");
                    stringKeys.add(new StringKey(num(w[1], ln), w[2], w[3], rest(line, 4)));
                }
                case "group" -> {
                    need(w, 3, ln, "group ID TITLE");
                    group = new Group(w[1], rest(line, 2));
                    groups.add(group);
                    cur = null;
                }
                case "type" -> {
                    need(w, 4, ln, "type NUMBER NAME PHASES");
                    if (group == null) {
                        throw new SchemaError(ln, "a type before the first group");
                    }
                    cur = new Type();
                    cur.number = num(w[1], ln);
                    cur.name = w[2];
                    cur.group = group.id();
                    cur.line = ln;
                    for (String p : w[3].split("/")) {
                        phase(p, ln);
                        cur.phases.add(p);
                    }
                    Variant def = new Variant();
                    cur.variants.add(def);
                    if (cur.number <= 0 || cur.number > 65535 || byNumber.put(cur.number, cur) != null) {
                        throw new SchemaError(ln, "type number " + cur.number + " is out of range or used twice");
                    }
                    if (names.put(cur.name, ln) != null) {
                        throw new SchemaError(ln, "type name " + cur.name + " is used twice");
                    }
                    types.add(cur);
                }
                case "doc" -> inType(cur, ln).doc = rest(line, 1);
                case "strings" -> {
                    Type t = inType(cur, ln);
                    for (int k = 1; k < w.length; k++) {
                        String key = w[k];
                        if (stringKeys.stream().noneMatch(s -> s.name().equals(key))) {
                            throw new SchemaError(ln, "unknown string key " + key);
                        }
                        t.strings.add(key);
                    }
                }
                case "const" -> {
                    need(w, 4, ln, "const NAME VALUE TEXT");
                    inType(cur, ln).consts.add(new Const(w[1], w[2], rest(line, 3)));
                    num(w[2], ln);
                }
                case "when" -> {
                    need(w, 2, ln, "when phase=P[,P] or when kind=K[,K]");
                    Type t = inType(cur, ln);
                    Variant v = new Variant();
                    String[] sel = w[1].split("=", 2);
                    if (sel.length != 2 || !(sel[0].equals("phase") || sel[0].equals("kind"))) {
                        throw new SchemaError(ln, "expected phase=... or kind=..., not " + w[1]);
                    }
                    v.selector = sel[0];
                    v.when = w[1];
                    for (String x : sel[1].split(",")) {
                        int value = sel[0].equals("phase") ? phase(x, ln) : num(x, ln);
                        if (value < 0 || value > 15) {
                            throw new SchemaError(ln, "a kind is 0..15 (flags bits 0-3)");
                        }
                        v.values.add(value);
                    }
                    t.variants.add(v);
                }
                case "field" -> {
                    need(w, 6, ln, "field SLOT NAME[/JAVA] TYPE FMT TEXT");
                    Type t = inType(cur, ln);
                    t.variants.get(t.variants.size() - 1).fields.add(field(w, rest(line, 5), ln));
                }
                default -> throw new SchemaError(ln, "unknown line kind '" + w[0] + "'");
            }
        }
        if (major < 0) {
            throw new SchemaError(lines.size(), "no version line");
        }
        for (Type t : types) {
            if (t.doc == null) {
                throw new SchemaError(t.line, t.name + " has no doc line");
            }
            for (Variant v : t.variants) {
                if ("phase".equals(v.selector)) {
                    for (int p : v.values) {
                        if (!t.phases.contains(PHASES[p])) {
                            throw new SchemaError(t.line, t.name + ": 'when " + v.when + "' names a phase it has not");
                        }
                    }
                }
                List<String> seen = new ArrayList<>();
                for (Field f : v.fields) {
                    if (seen.contains(f.name())) {
                        throw new SchemaError(t.line, t.name + ": field " + f.name() + " twice in one list");
                    }
                    seen.add(f.name());
                    if (JAVA_RESERVED.contains(f.javaName())) {
                        throw new SchemaError(t.line, t.name + ": '" + f.javaName() + "' cannot be a Java record "
                                + "component; give a Java name (field SLOT " + f.name() + "/OTHER ...)");
                    }
                    if ((f.fmt() == 'a') != f.type().equals("addr")) {
                        throw new SchemaError(t.line, t.name + "." + f.name() + ": format a goes with type addr");
                    }
                }
            }
        }
    }

    static final List<String> JAVA_RESERVED = List.of("event", "var", "record", "yield", "abstract", "assert",
            "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue", "default", "do",
            "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if", "implements",
            "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private", "protected",
            "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this", "throw",
            "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "hashCode", "toString",
            "equals", "getClass", "from", "check");

    static Field field(String[] w, String text, int ln) {
        String s = w[1];
        int slot, lo = 0, bits = 64;
        int br = s.indexOf('[');
        String base = br < 0 ? s : s.substring(0, br);
        switch (base) {
            case "a0", "a1", "a2", "a3", "a4" -> slot = base.charAt(1) - '0';
            case "ra" -> slot = 5;
            case "a1-a2" -> slot = 6;
            case "a0-a4" -> slot = 7;
            default -> throw new SchemaError(ln, "unknown slot " + s);
        }
        if (br >= 0) {
            String[] r = s.substring(br + 1, s.length() - 1).split(":");
            lo = num(r[0], ln);
            bits = num(r[1], ln) - lo;
            if (slot > 5 || bits <= 0 || lo + bits > 64 || !s.endsWith("]")) {
                throw new SchemaError(ln, "bad slice " + s);
            }
        }
        String[] nm = w[2].split("/", 2);
        String type = w[3];
        if (!List.of("i32", "i64", "u64", "u32", "u8", "ptr", "addr", "name16", "ptr5").contains(type)) {
            throw new SchemaError(ln, "unknown field type " + type);
        }
        if ((slot == 6) != type.equals("name16") || (slot == 7) != type.equals("ptr5")) {
            throw new SchemaError(ln, "a1-a2 goes with name16, a0-a4 with ptr5");
        }
        if (w[4].length() != 1 || "duxasnL".indexOf(w[4].charAt(0)) < 0) {
            throw new SchemaError(ln, "unknown print format " + w[4] + " (one of d u x a s n L)");
        }
        return new Field(slot, lo, bits, nm[0], nm.length > 1 ? nm[1] : camel(nm[0], false), type, w[4].charAt(0),
                text);
    }

    static Type inType(Type t, int ln) {
        if (t == null) {
            throw new SchemaError(ln, "this line belongs after a type line");
        }
        return t;
    }

    static void need(String[] w, int n, int ln, String form) {
        if (w.length < n) {
            throw new SchemaError(ln, "expected: " + form);
        }
    }

    static int num(String s, int ln) {
        try {
            return s.startsWith("0x") ? Integer.parseInt(s.substring(2), 16) : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new SchemaError(ln, "not a number: " + s);
        }
    }

    static int phase(String p, int ln) {
        for (int i = 0; i < PHASES.length; i++) {
            if (PHASES[i].equals(p)) {
                return i;
            }
        }
        throw new SchemaError(ln, "unknown phase " + p + " (POINT, ENTER, EXIT, CALL)");
    }

    /** The text after the first n words of a line. */
    static String rest(String line, int n) {
        String s = line;
        for (int i = 0; i < n; i++) {
            s = s.strip();
            int sp = s.indexOf(' ');
            int tab = s.indexOf('\t');
            int cut = sp < 0 ? tab : tab < 0 ? sp : Math.min(sp, tab);
            s = cut < 0 ? "" : s.substring(cut);
        }
        return s.strip();
    }

    static String camel(String s, boolean upper) {
        StringBuilder b = new StringBuilder();
        boolean up = upper;
        for (char c : s.toLowerCase().toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    // ---- outputs ----

    static final String NOTICE = "Generated by " + REGEN + " from " + SCHEMA + ": do not edit; edit the schema and "
            + "run the generator.";

    String cHeader() {
        StringBuilder b = new StringBuilder();
        b.append("/* ").append(NOTICE).append("\n * The trace format's version, string keys, record types and flag values"
                + " (docs/trace-format.md §4-§5). */\n");
        b.append("#ifndef ILV_EVENTS_H\n#define ILV_EVENTS_H\n\n");
        b.append("#define ILV_VERSION_MAJOR ").append(major).append('\n');
        b.append("#define ILV_VERSION_MINOR ").append(minor).append("\n\n/* string keys (§4.2) */\n");
        for (StringKey s : stringKeys) {
            b.append(String.format("#define %-20s %d\n", "ILV_S_" + s.name(), s.key()));
        }
        b.append("\n/* record types (§5) */\n");
        for (Type t : types) {
            b.append(String.format("#define %-20s %d\n", "ILV_T_" + t.name, t.number));
        }
        b.append("\n/* flag and kind values */\n");
        for (Type t : types) {
            for (Const c : t.consts) {
                b.append(String.format("#define %-22s %-4s /* %s */\n", "ILV_" + c.name(), c.value(), c.text()));
            }
        }
        b.append("\n#endif\n");
        return b.toString();
    }

    String dumpTable() {
        int maxFields = 0, maxVariants = 0;
        for (Type t : types) {
            maxVariants = Math.max(maxVariants, t.variants.size());
            for (Variant v : t.variants) {
                maxFields = Math.max(maxFields, v.fields.size());
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("/* ").append(NOTICE).append("\n * itrace-dump's names and print formats of every record's fields. */\n");
        b.append("#ifndef ITRACE_DUMP_FIELDS_H\n#define ITRACE_DUMP_FIELDS_H\n#include <stdint.h>\n\n");
        b.append("#define ILV_DUMP_MAX_FIELDS ").append(maxFields).append('\n');
        b.append("#define ILV_DUMP_MAX_VARIANTS ").append(maxVariants).append("\n\n");
        b.append("""
                /* slot 0-4: a0..a4, 5: ra, 6: a1-a2 as 16 bytes of text, 7: a0-a4 as a list; lo, bits: a slice.
                 * fmt: d signed, u unsigned, x hex, a packed socket address, s signal, n quoted text, L hex list */
                struct ilv_dump_field {
                    uint8_t slot, lo, bits;
                    char fmt;
                    const char *name;
                };

                /* sel 0: the default fields; 1: for the phases in mask; 2: for the kinds (flags & 15) in mask */
                struct ilv_dump_variant {
                    uint8_t sel;
                    uint16_t mask;
                    uint8_t nfields;
                    struct ilv_dump_field f[ILV_DUMP_MAX_FIELDS];
                };

                struct ilv_dump_type {
                    int type;
                    const char *name;
                    int has_strings; /* owns STRING records: print them on its line */
                    int nvariants;
                    struct ilv_dump_variant v[ILV_DUMP_MAX_VARIANTS];
                };

                static const struct ilv_dump_type ilv_dump_types[] = {
                """);
        for (Type t : types) {
            b.append("    {ILV_T_").append(t.name).append(", \"").append(t.name).append("\", ")
                    .append(t.strings.isEmpty() ? 0 : 1).append(", ").append(t.variants.size()).append(", {");
            for (int i = 0; i < t.variants.size(); i++) {
                Variant v = t.variants.get(i);
                int mask = 0;
                for (int x : v.values) {
                    mask |= 1 << x;
                }
                b.append(i == 0 ? "" : ",").append("\n        {").append(v.selector == null ? 0
                        : v.selector.equals("phase") ? 1 : 2).append(", 0x").append(Integer.toHexString(mask))
                        .append(", ").append(v.fields.size()).append(", {");
                for (int k = 0; k < v.fields.size(); k++) {
                    Field f = v.fields.get(k);
                    b.append(k == 0 ? "" : ", ").append("{").append(f.slot()).append(", ").append(f.lo()).append(", ")
                            .append(f.bits()).append(", '").append(f.fmt()).append("', \"").append(f.name())
                            .append("\"}");
                }
                b.append("}}");
            }
            b.append("}},\n");
        }
        b.append("};\n\nstatic const struct {\n    int key;\n    const char *name;\n} ilv_dump_string_keys[] = {\n");
        for (StringKey s : stringKeys) {
            b.append("    {ILV_S_").append(s.name()).append(", \"").append(s.dumpName()).append("\"},\n");
        }
        b.append("};\n\nstatic const struct {\n    int number;\n    const char *name;\n} ilv_dump_signals[] = {\n");
        for (Signal s : signals) {
            b.append("    {").append(s.number()).append(", \"").append(s.name()).append("\"},\n");
        }
        b.append("};\n\n#endif\n");
        return b.toString();
    }

    String recordType() {
        StringBuilder b = new StringBuilder();
        b.append("""
                package interleave.engine.trace;

                /**
                 * Record types and phases of trace format v1 (docs/trace-format.md §4–§5). Plain int constants: records are stored in
                 * primitive arrays, and a reader of an older minor version must be able to carry types it does not know. Named fields
                 * per type: {@link TraceRecords}.
                 * <p>
                """);
        b.append(" * ").append(NOTICE).append("\n */\n");
        b.append("""
                public final class RecordType {
                    private RecordType() {
                    }

                """);
        b.append("    /** The format version this reader writes and knows (the schema's {@code version} line). */\n");
        b.append("    public static final int VERSION_MAJOR = ").append(major).append(", VERSION_MINOR = ").append(minor)
                .append(";\n\n");
        b.append("    // phases (§4)\n    public static final int POINT = 0, ENTER = 1, EXIT = 2, CALL = 3;\n\n");
        b.append("    // record types (§5)\n");
        for (Type t : types) {
            boolean named = t.variants.stream().anyMatch(v -> !v.fields.isEmpty());
            b.append("    /** ").append(String.join("/", t.phases)).append(named ? "; fields: {@link TraceRecords."
                    + camel(t.name, true) + "}" : "; format §4.2").append(". */\n");
            b.append("    public static final int ").append(t.name).append(" = ").append(t.number).append(";\n");
        }
        b.append("\n    // flag and kind values\n");
        for (Type t : types) {
            for (Const c : t.consts) {
                b.append("    /** ").append(javadoc(c.text())).append(" */\n");
                b.append("    public static final int ").append(c.name()).append(" = ").append(c.value()).append(";\n");
            }
        }
        b.append("\n    // string keys (§4.2)\n");
        for (StringKey s : stringKeys) {
            b.append("    /** ").append(javadoc(s.text())).append(" */\n");
            b.append("    public static final int S_").append(s.name()).append(" = ").append(s.key()).append(";\n");
        }
        b.append("\n    // signal numbers (Linux x86-64)\n");
        for (Signal s : signals) {
            b.append("    public static final int ").append(s.name()).append(" = ").append(s.number()).append(";\n");
        }
        int max = 0;
        for (Type t : types) {
            max = Math.max(max, t.number);
        }
        int size = 128;
        while (size <= max) {
            size *= 2;
        }
        b.append("\n    private static final String[] NAMES = new String[").append(size).append("];\n\n    static {\n");
        for (Type t : types) {
            b.append("        NAMES[").append(t.name).append("] = \"").append(t.name).append("\";\n");
        }
        b.append("    }\n");
        b.append("""

                    /** True for the types this reader knows; others are skipped as the format asks (newer minor versions). */
                    public static boolean isKnown(int type) {
                        return type > 0 && type < NAMES.length && NAMES[type] != null;
                    }

                    public static String name(int type) {
                        return isKnown(type) ? NAMES[type] : "TYPE_" + type;
                    }

                    public static String phaseName(int phase) {
                        return switch (phase) {
                            case POINT -> "point";
                            case ENTER -> "enter";
                            case EXIT -> "exit";
                            case CALL -> "call";
                            default -> "phase" + phase;
                        };
                    }

                    /** Signal names for messages; numbers as on Linux x86-64. */
                    public static String signalName(int signo) {
                        return interleave.engine.events.Signals.name(signo);
                    }
                }
                """);
        return b.toString();
    }

    /** The signal table for the event model and its readers (RecordType.signalName hands over to it). */
    String signals() {
        StringBuilder b = new StringBuilder("""
                // Generated from agent/schema/events.def by agent/schema/Generator.java: do not edit.
                package interleave.engine.events;

                /** Signal names for messages, by number as on Linux x86-64 (what a trace source records). */
                public final class Signals {
                    private Signals() {
                    }

                    public static String name(int signo) {
                        return switch (signo) {
                """);
        for (Signal s : signals) {
            b.append("            case ").append(s.number()).append(" -> \"").append(s.name()).append("\";\n");
        }
        b.append("""
                            default -> "signal " + signo;
                        };
                    }

                    public static final int SIGCHLD = 17;
                }
                """);
        return b.toString();
    }

    /** One name and Java type per distinct field name of a record type, over all its variants. */
    record Component(String javaName, String javaType, String text) {
    }

    static String javaType(Field f) {
        return switch (f.type()) {
            case "i32", "u8" -> "int";
            case "name16" -> "String";
            case "ptr5" -> "long[]";
            default -> "long";
        };
    }

    static String javaValue(Field f) {
        return switch (f.slot()) {
            case 5 -> slice("e.ra()", f);
            case 6 -> "name16(e.a1(), e.a2())";
            case 7 -> "new long[] {e.a0(), e.a1(), e.a2(), e.a3(), e.a4()}";
            default -> slice("e.a" + f.slot() + "()", f);
        };
    }

    static String slice(String word, Field f) {
        String v = word;
        if (f.bits() < 64) {
            String shifted = f.lo() == 0 ? word : "(" + word + " >>> " + f.lo() + ")";
            v = "(" + shifted + " & 0x" + Long.toHexString((1L << f.bits()) - 1) + "L)";
        }
        return javaType(f).equals("int") ? "(int) " + v : v;
    }

    static String zero(String javaType) {
        return switch (javaType) {
            case "int" -> "0";
            case "String" -> "\"\"";
            case "long[]" -> "new long[5]";
            default -> "0L";
        };
    }

    String traceRecords() {
        StringBuilder b = new StringBuilder();
        b.append("""
                package interleave.engine.trace;

                /**
                 * Every record type of the trace format with its fields named (docs/trace-format.md §5): {@code of(event)} gives
                 * the named view of an event, {@code Read.from(event)} the view of a known type. Fields that a record's phase or
                 * kind does not carry are 0 (text: empty).
                 * <p>
                """);
        b.append(" * ").append(NOTICE).append("\n */\n");
        b.append("""
                public final class TraceRecords {
                    private TraceRecords() {
                    }

                    /** The named view of one event; {@link #event()} keeps its time, phase, flags, err and ra. */
                    public interface Named {
                        TraceEvent event();
                    }

                    /** The named view of e, or null for a type without named fields (STRING, types of a newer format). */
                    public static Named of(TraceEvent e) {
                        return switch (e.type()) {
                """);
        List<Type> named = new ArrayList<>();
        for (Type t : types) {
            if (t.variants.stream().anyMatch(v -> !v.fields.isEmpty())) {
                named.add(t);
            }
        }
        for (Type t : named) {
            b.append("            case RecordType.").append(t.name).append(" -> ").append(camel(t.name, true))
                    .append(".from(e);\n");
        }
        b.append("""
                            default -> null;
                        };
                    }

                    static void check(TraceEvent e, int type) {
                        if (e.type() != type) {
                            throw new IllegalArgumentException("not a " + RecordType.name(type) + " record: " + e);
                        }
                    }

                    /** 16 bytes stored little-endian in two words, up to the first NUL. */
                    static String name16(long lo, long hi) {
                        byte[] bytes = new byte[16];
                        int n = 0;
                        for (int i = 0; i < 16; i++) {
                            byte c = (byte) ((i < 8 ? lo : hi) >>> (8 * (i % 8)));
                            if (c == 0) {
                                break;
                            }
                            bytes[n++] = c;
                        }
                        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
                    }
                """);
        for (Type t : named) {
            Map<String, Component> comps = new LinkedHashMap<>();
            for (Variant v : t.variants) {
                for (Field f : v.fields) {
                    String jt = javaType(f);
                    Component old = comps.get(f.javaName());
                    String text = f.slotText() + ": " + f.text();
                    if (old == null) {
                        comps.put(f.javaName(), new Component(f.javaName(), jt, text));
                    } else {
                        String wider = old.javaType().equals(jt) ? jt : "long";
                        if (!(old.javaType().equals("long") || old.javaType().equals("int"))
                                && !old.javaType().equals(jt)) {
                            throw new SchemaError(t.line, t.name + ": field " + f.name() + " has two kinds of value");
                        }
                        comps.put(f.javaName(), new Component(f.javaName(), wider,
                                old.text().contains(text) ? old.text() : old.text() + "; " + text));
                    }
                }
            }
            String cls = camel(t.name, true);
            b.append("\n    /**\n").append(wrap(t.name + " (" + t.number + ", " + String.join("/", t.phases) + "): "
                    + javadoc(t.doc), "     * ")).append("     *\n     * @param event the record\n");
            for (Component c : comps.values()) {
                b.append(wrap("@param " + c.javaName() + " " + javadoc(c.text()), "     * "));
            }
            StringBuilder head = new StringBuilder("    public record " + cls + "(TraceEvent event");
            for (Component c : comps.values()) {
                head.append(", ").append(c.javaType()).append(' ').append(c.javaName());
            }
            b.append("     */\n").append(code(head + ") implements Named {"))
                    .append("        public static final int TYPE = RecordType.").append(t.name)
                    .append(";\n\n        /** The named fields of e, a " + t.name + " record. */\n")
                    .append("        public static ").append(cls).append(" from(TraceEvent e) {\n")
                    .append("            check(e, TYPE);\n");
            Variant def = t.variants.get(0);
            for (int i = 1; i < t.variants.size(); i++) {
                Variant v = t.variants.get(i);
                List<String> tests = new ArrayList<>();
                for (int x : v.values) {
                    tests.add(v.selector.equals("phase") ? "e.phase() == RecordType." + PHASES[x]
                            : "(e.flags() & 15) == " + x);
                }
                b.append("            if (").append(String.join(" || ", tests)).append(") {\n")
                        .append(code("                return " + construct(cls, comps, v) + ";"))
                        .append("            }\n");
            }
            b.append(code("            return " + construct(cls, comps, def) + ";")).append("        }\n    }\n");
        }
        b.append("}\n");
        return b.toString();
    }

    static String construct(String cls, Map<String, Component> comps, Variant v) {
        StringBuilder b = new StringBuilder("new " + cls + "(e");
        for (Component c : comps.values()) {
            Field f = v.fields.stream().filter(x -> x.javaName().equals(c.javaName())).findFirst().orElse(null);
            String value = f == null ? zero(c.javaType()) : javaValue(f);
            if (f != null && c.javaType().equals("long") && javaType(f).equals("int")) {
                value = value.substring("(int) ".length());
            }
            b.append(", ").append(value);
        }
        return b.append(")").toString();
    }

    static String firstSentence(String doc) {
        return doc.strip();
    }

    /** A Java statement broken after commas into lines of at most 120 characters. */
    static String code(String s) {
        String indent = s.substring(0, s.length() - s.stripLeading().length()) + "        ";
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder();
        for (String part : s.split("(?<=, )")) {
            if (line.length() > 0 && line.length() + part.length() > 120) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(indent);
            }
            line.append(part);
        }
        return out.append(line).append('\n').toString();
    }

    /** Words of s in lines of at most 120 characters, each starting with prefix. */
    static String wrap(String s, String prefix) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(prefix);
        for (String word : s.split(" ")) {
            if (line.length() > prefix.length() && line.length() + 1 + word.length() > 120) {
                out.append(line).append('\n');
                line = new StringBuilder(prefix);
            }
            if (line.length() > prefix.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        return out.append(line).append('\n').toString();
    }

    static String javadoc(String s) {
        return s.replace("*/", "*&#47;").replace("@", "&#64;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("&lt;=", "&lt;=").replace("\\|", "|");
    }

    // ---- the format doc ----

    static String begin(String what) {
        return "<!-- generated from " + SCHEMA + " by " + REGEN + ": " + what + " -->";
    }

    static String end(String what) {
        return "<!-- end of generated " + what + " -->";
    }

    String docBlock(String what) {
        StringBuilder b = new StringBuilder();
        if (what.equals("string keys")) {
            b.append("| key | name | content |\n|---|---|---|\n");
            for (StringKey s : stringKeys) {
                b.append("| ").append(s.key()).append(" | ").append(s.name()).append(" | ").append(s.text())
                        .append(" |\n");
            }
            return b.toString();
        }
        if (what.equals("field names")) {
            b.append("| type | name | fields |\n|---|---|---|\n");
            for (Type t : types) {
                List<String> parts = new ArrayList<>();
                for (Variant v : t.variants) {
                    if (v.fields.isEmpty() && v.selector == null) {
                        continue;
                    }
                    List<String> fs = new ArrayList<>();
                    for (Field f : v.fields) {
                        fs.add(f.slotText() + " `" + f.name() + "`");
                    }
                    parts.add((v.selector == null ? "" : v.when + ": ") + String.join(", ", fs));
                }
                if (!parts.isEmpty()) {
                    b.append("| ").append(t.number).append(" | ").append(t.name).append(" | ")
                            .append(String.join("; ", parts)).append(" |\n");
                }
            }
            return b.toString();
        }
        String id = what.substring("records ".length());
        b.append("| type | name | phase | fields |\n|---|---|---|---|\n");
        for (Type t : types) {
            if (t.group.equals(id)) {
                b.append("| ").append(t.number).append(" | ").append(t.name).append(" | ")
                        .append(String.join(" / ", t.phases)).append(" | ").append(t.doc).append(" |\n");
            }
        }
        return b.toString();
    }

    /** The doc with every generated block replaced; the blocks must be there (their markers), in any order. */
    String doc(String current) {
        String[] lines = current.split("\n", -1);
        StringBuilder out = new StringBuilder();
        List<String> wanted = new ArrayList<>();
        wanted.add("version");
        wanted.add("string keys");
        for (Group g : groups) {
            wanted.add("records " + g.id());
        }
        wanted.add("field names");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == 0 && line.startsWith("# Interleave trace format, version ")) {
                out.append("# Interleave trace format, version ").append(major).append('.').append(minor).append('\n');
                wanted.remove("version");
                continue;
            }
            String what = null;
            for (String w : wanted) {
                if (line.equals(begin(w))) {
                    what = w;
                }
            }
            out.append(line).append(i == lines.length - 1 ? "" : "\n");
            if (what == null) {
                continue;
            }
            int j = i + 1;
            while (j < lines.length && !lines[j].equals(end(what))) {
                j++;
            }
            if (j == lines.length) {
                throw new IllegalStateException(DOC + ": no line '" + end(what) + "' after '" + begin(what) + "'");
            }
            out.append(docBlock(what));
            wanted.remove(what);
            i = j - 1;
        }
        if (!wanted.isEmpty()) {
            throw new IllegalStateException(DOC + ": no generated block for " + wanted + " (marker line '"
                    + begin(wanted.get(0)) + "')");
        }
        return out.toString();
    }

    // ---- main ----

    Map<String, String> outputs(Path root) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(C_HEADER, cHeader());
        out.put(DUMP_TABLE, dumpTable());
        out.put(RECORD_TYPE, recordType());
        out.put(SIGNALS, signals());
        out.put(TRACE_RECORDS, traceRecords());
        out.put(DOC, doc(Files.readString(root.resolve(DOC), StandardCharsets.UTF_8)));
        return out;
    }

    static Path findRoot(Path from) {
        for (Path p = from.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(SCHEMA))) {
                return p;
            }
        }
        return null;
    }

    public static void main(String[] args) throws IOException {
        boolean check = false;
        Path root = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--check")) {
                check = true;
            } else if (args[i].equals("--root") && i + 1 < args.length) {
                root = Path.of(args[++i]);
            } else {
                System.err.println("usage: " + REGEN + " [--check] [--root REPOSITORY]");
                System.exit(2);
            }
        }
        if (root == null) {
            root = findRoot(Path.of(""));
        }
        if (root == null || !Files.isRegularFile(root.resolve(SCHEMA))) {
            System.err.println("Generator: no " + SCHEMA + " here or above; run it from the repository or give --root");
            System.exit(2);
        }
        Generator g = new Generator();
        Map<String, String> out;
        try {
            g.parse(Files.readAllLines(root.resolve(SCHEMA), StandardCharsets.UTF_8));
            out = g.outputs(root);
        } catch (SchemaError | IllegalStateException e) {
            System.err.println("Generator: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<String> differ = new ArrayList<>();
        for (Map.Entry<String, String> e : out.entrySet()) {
            Path p = root.resolve(e.getKey());
            String now = Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
            if (!e.getValue().equals(now)) {
                differ.add(e.getKey());
                if (!check) {
                    Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
                }
            }
        }
        if (check) {
            if (!differ.isEmpty()) {
                System.err.println("Generator: out of date with " + SCHEMA + ": " + String.join(", ", differ)
                        + "\nRun `" + REGEN + "` from the repository root to regenerate them, and commit them.");
                System.exit(1);
            }
            System.out.println("Generator: all " + out.size() + " generated files match " + SCHEMA);
        } else {
            System.out.println(differ.isEmpty() ? "Generator: nothing to do"
                    : "Generator: wrote " + String.join(", ", differ));
        }
    }
}
