package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.List;

/**
 * The small part of printf's format language a handler fix can reproduce with write(2): plain text, {@code %%},
 * {@code %s}, and integer conversions without width or precision ({@code %d %i %u %ld %lu %lld %zd %zu %hd}).
 */
final class FormatString {
    enum Conversion {
        STRING, INTEGER
    }

    private FormatString() {
    }

    /**
     * Splits a format (the literal's body, escapes left as written) into text pieces (String) and conversions; null
     * when it holds anything else (widths, floats, %x, %c), for which no fix is offered.
     */
    static List<Object> parse(String body) {
        List<Object> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                text.append(c).append(body.charAt(++i));
                continue;
            }
            if (c != '%') {
                text.append(c);
                continue;
            }
            if (i + 1 >= body.length()) {
                return null;
            }
            int j = i + 1;
            if (body.charAt(j) == '%') {
                text.append('%');
                i = j;
                continue;
            }
            while (j < body.length() && "hlzjt".indexOf(body.charAt(j)) >= 0) {
                j++;
            }
            if (j >= body.length()) {
                return null;
            }
            char conv = body.charAt(j);
            Conversion kind;
            if (conv == 'd' || conv == 'i' || conv == 'u') {
                kind = Conversion.INTEGER;
            } else if (conv == 's' && j == i + 1) {
                kind = Conversion.STRING;
            } else {
                return null;
            }
            if (text.length() > 0) {
                out.add(text.toString());
                text.setLength(0);
            }
            out.add(kind);
            i = j;
        }
        if (text.length() > 0) {
            out.add(text.toString());
        }
        return out;
    }
}
