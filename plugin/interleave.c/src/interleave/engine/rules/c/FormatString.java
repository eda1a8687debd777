package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of printf's format language a handler fix can reproduce exactly with async-signal-safe code: plain text,
 * {@code %%}, {@code %s} and {@code %c} without width, and the integer conversions {@code d i u x X} with the flags
 * {@code -} and {@code 0}, a width, and the length modifiers {@code hh h l ll z}. Anything else (precision,
 * {@code *}, floats, {@code %p}, {@code %n}) is not translated, and no fix is offered.
 */
final class FormatString {

    /**
     * One conversion. {@code type} is the C type printf reads the argument as ({@code unsigned int} for
     * {@code %x}), so the fix can convert the argument exactly as printf would.
     */
    record Conversion(String flags, int width, char kind, String type) {
        boolean isString() {
            return kind == 's';
        }

        boolean isChar() {
            return kind == 'c';
        }

        boolean isSigned() {
            return kind == 'd' || kind == 'i';
        }

        /** The spec the helper reads: flags, width and the conversion letter ({@code "04x"}). */
        String spec() {
            return flags + (width > 0 ? Integer.toString(width) : "") + kind;
        }
    }

    private FormatString() {
    }

    /**
     * Splits a format (the literal's body, escapes left as written) into text pieces (String) and conversions; null
     * when it holds anything the fix cannot reproduce.
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
            int j = i + 1;
            if (j < body.length() && body.charAt(j) == '%') {
                text.append('%');
                i = j;
                continue;
            }
            StringBuilder flags = new StringBuilder();
            while (j < body.length() && "-0".indexOf(body.charAt(j)) >= 0) {
                if (flags.indexOf(String.valueOf(body.charAt(j))) < 0) {
                    flags.append(body.charAt(j));
                }
                j++;
            }
            int width = 0;
            while (j < body.length() && Character.isDigit(body.charAt(j))) {
                width = width * 10 + (body.charAt(j) - '0');
                if (width > 255) {
                    return null;
                }
                j++;
            }
            int lengthStart = j;
            while (j < body.length() && "hlzjt".indexOf(body.charAt(j)) >= 0) {
                j++;
            }
            if (j >= body.length()) {
                return null;
            }
            String length = body.substring(lengthStart, j);
            char kind = body.charAt(j);
            String type;
            if ("diuxX".indexOf(kind) >= 0) {
                type = integerType(length, kind == 'd' || kind == 'i');
            } else if ((kind == 's' || kind == 'c') && flags.isEmpty() && width == 0 && length.isEmpty()) {
                type = kind == 's' ? "const char *" : "int";
            } else {
                return null;
            }
            if (type == null) {
                return null;
            }
            if (text.length() > 0) {
                out.add(text.toString());
                text.setLength(0);
            }
            // "-" wins over "0" in printf; keep only what has an effect
            String f = flags.indexOf("-") >= 0 ? "-" : flags.toString();
            out.add(new Conversion(width > 0 ? f : "", width, kind, type));
            i = j;
        }
        if (text.length() > 0) {
            out.add(text.toString());
        }
        return out;
    }

    private static String integerType(String length, boolean signed) {
        String t = switch (length) {
        case "" -> "int";
        case "hh" -> "char";
        case "h" -> "short";
        case "l" -> "long";
        case "ll" -> "long long";
        case "z" -> signed ? "ssize_t" : "size_t";
        default -> null; // j and t would need headers of their own: not translated
        };
        if (t == null) {
            return null;
        }
        if (length.equals("z")) {
            return t;
        }
        return (signed ? (length.equals("hh") ? "signed " : "") : "unsigned ") + t;
    }
}
