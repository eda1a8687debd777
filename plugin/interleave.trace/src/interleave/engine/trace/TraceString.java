package interleave.engine.trace;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A variable-length value carried by STRING records (format §4.2): bytes, not text.
 *
 * @param cut        the program's value was longer than the agent stores (4096 bytes)
 * @param incomplete pieces are missing (the process was killed while writing them)
 */
public record TraceString(byte[] bytes, boolean cut, boolean incomplete) {

    /** The bytes as text; an argument vector's NUL separators become spaces. */
    public String text() {
        return String.join(" ", parts());
    }

    /** The NUL-separated parts (the arguments of an argument vector). */
    public List<String> parts() {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i > start || i < bytes.length) {
                    out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
