package interleave.engine.analysis;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import interleave.engine.finding.SourceRange;

/**
 * The text of one source file, decoded as UTF-8 (invalid bytes become U+FFFD so the rest still gets analyzed), with
 * the tables that turn tree-sitter's UTF-8 byte offsets into character offsets, lines and columns.
 */
public final class SourceFile {
    /** Files bigger than this are not parsed: generated tables, amalgamations. */
    public static final long MAX_BYTES = 16L * 1024 * 1024;

    private final String displayPath;
    private final String text;
    private final int[] byteToChar; // null when the text is pure ASCII (identity)
    private final int[] lineStarts; // character offset of each line's first character
    private final List<String> warnings;
    /** Facts derived from one tree of this file, with that tree's root: {root, map by kind} (see {@link #derived}). */
    private volatile Object[] derived;

    private SourceFile(String displayPath, String text, List<String> warnings) {
        this.displayPath = displayPath;
        // tree-sitter does not skip a byte-order mark (the whole file would parse as garbage); a space in its place
        // keeps every character offset, line and column the same as in the file
        this.text = text.startsWith("\uFEFF") ? " " + text.substring(1) : text;
        this.warnings = List.copyOf(warnings);
        int byteLength = utf8Length(this.text);
        this.byteToChar = byteLength == this.text.length() ? null : buildByteToChar(this.text, byteLength);
        this.lineStarts = buildLineStarts(this.text);
    }

    /** A file from text already in memory (an editor buffer, a test). */
    public static SourceFile of(String displayPath, String text) {
        return new SourceFile(displayPath, text, List.of());
    }

    /**
     * Reads a file. Throws {@link UnreadableSourceException} with a message naming the file when it cannot be read
     * or is clearly not C source (binary, too big); invalid UTF-8 is read with replacement and noted in
     * {@link #warnings()}.
     */
    public static SourceFile read(Path path, String displayPath) throws UnreadableSourceException {
        byte[] bytes;
        try {
            long size = Files.size(path);
            if (size > MAX_BYTES) {
                throw new UnreadableSourceException(displayPath, "file is " + size / (1024 * 1024)
                        + " MiB, larger than the " + MAX_BYTES / (1024 * 1024) + " MiB limit for C sources; skipped");
            }
            bytes = Files.readAllBytes(path);
        } catch (UnreadableSourceException e) {
            throw e;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UnreadableSourceException(displayPath, "no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UnreadableSourceException(displayPath, "permission denied");
        } catch (IOException e) {
            throw new UnreadableSourceException(displayPath, "cannot be read: " + e.getMessage());
        }
        int nul = firstNul(bytes);
        if (nul >= 0) {
            throw new UnreadableSourceException(displayPath,
                    "looks like a binary file, not C source (NUL byte at offset " + nul + "); skipped");
        }
        List<String> warnings = new ArrayList<>();
        String text = decode(bytes, displayPath, warnings);
        return new SourceFile(displayPath, text, warnings);
    }

    private static int firstNul(byte[] bytes) {
        int limit = Math.min(bytes.length, 64 * 1024);
        for (int i = 0; i < limit; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String decode(byte[] bytes, String displayPath, List<String> warnings) {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return strict.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int badAt = firstMalformed(bytes);
            warnings.add("not valid UTF-8 (first invalid byte at offset " + badAt
                    + "); invalid bytes were read as U+FFFD and the rest was analyzed");
            return new String(bytes, StandardCharsets.UTF_8); // replaces malformed input
        }
    }

    private static int firstMalformed(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = d.decode(in, out, true);
        return r.isError() ? in.position() : -1;
    }

    /** Tree-sitter offsets count the bytes of the text encoded as standard UTF-8 (4 bytes per surrogate pair). */
    private static int utf8Length(String text) {
        int n = 0;
        for (int c = 0; c < text.length(); c++) {
            char ch = text.charAt(c);
            if (ch < 0x80) {
                n += 1;
            } else if (ch < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(ch) && c + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(c + 1))) {
                n += 4;
                c++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static int[] buildByteToChar(String text, int byteLength) {
        int[] map = new int[byteLength + 1];
        int b = 0;
        for (int c = 0; c < text.length(); c++) {
            char ch = text.charAt(c);
            int n;
            int at = c;
            if (ch < 0x80) {
                n = 1;
            } else if (ch < 0x800) {
                n = 2;
            } else if (Character.isHighSurrogate(ch) && c + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(c + 1))) {
                n = 4;
                c++;
            } else {
                n = 3;
            }
            for (int k = 0; k < n; k++) {
                map[b++] = at;
            }
        }
        map[b] = text.length();
        return map;
    }

    private static int[] buildLineStarts(String text) {
        int[] starts = new int[16];
        int n = 0;
        starts[n++] = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, n * 2);
                }
                starts[n++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, n);
    }

    public String path() {
        return displayPath;
    }

    public String text() {
        return text;
    }

    public List<String> warnings() {
        return warnings;
    }

    public int charOffset(int byteOffset) {
        if (byteToChar == null) {
            return byteOffset;
        }
        return byteToChar[Math.min(byteOffset, byteToChar.length - 1)];
    }

    /** 1-based line of a character offset. */
    public int lineOf(int charOffset) {
        int i = Arrays.binarySearch(lineStarts, charOffset);
        return (i >= 0 ? i : -i - 2) + 1;
    }

    /** 1-based column (in characters) of a character offset. */
    public int columnOf(int charOffset) {
        return charOffset - lineStarts[lineOf(charOffset) - 1] + 1;
    }

    public int lineStart(int line) {
        return lineStarts[line - 1];
    }

    public int lineCount() {
        return lineStarts.length;
    }

    /** The text of a 1-based line without its line break. */
    public String lineText(int line) {
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] : text.length();
        while (end > start && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(start, end);
    }

    public SourceRange range(int startChar, int endChar) {
        return new SourceRange(displayPath, lineOf(startChar), columnOf(startChar), lineOf(endChar),
                columnOf(endChar), startChar, endChar);
    }

    /**
     * A fact derived from the tree of this file whose root is {@code root}, computed once per tree: trees are kept
     * between analyses ({@code ParseCache}) and shared headers are read by every program of a folder. A new tree of
     * this file replaces what the older one gave. The root is compared by identity only (any front end's tree node).
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(Object root, Class<T> kind, java.util.function.Supplier<T> derive) {
        Object[] known = derived;
        if (known == null || known[0] != root) {
            synchronized (this) {
                known = derived;
                if (known == null || known[0] != root) {
                    known = new Object[] {root, new java.util.concurrent.ConcurrentHashMap<Class<?>, Object>()};
                    derived = known;
                }
            }
        }
        java.util.Map<Class<?>, Object> byKind = (java.util.Map<Class<?>, Object>) known[1];
        Object value = byKind.get(kind);
        if (value == null) {
            value = derive.get();
            Object raced = byKind.putIfAbsent(kind, value);
            value = raced != null ? raced : value;
        }
        return (T) value;
    }
}
