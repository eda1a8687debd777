package interleave.engine.finding;

/**
 * The one-line form of a finding's message, for places with room for one line (Eclipse's Problems view, the ruler,
 * compiler-style output): the message up to the end of its first clause, and at most a given length, cut between words.
 * The whole message stays available for the explanation.
 */
public final class Headline {
    /** About what the Problems view shows without scrolling. */
    public static final int DEFAULT_LENGTH = 120;
    /** A first clause shorter than this says too little on its own ("Note:"); the next one is taken too. */
    private static final int MIN_CLAUSE = 24;
    private static final String ELLIPSIS = "\u2026";

    private Headline() {
    }

    /** The message's first clause, at most {@code max} characters (an ellipsis marks a cut inside the clause). */
    public static String of(String message, int max) {
        if (max < 10) {
            throw new IllegalArgumentException("a headline needs at least 10 characters, not " + max);
        }
        String text = message.strip().replaceAll("\\s+", " ");
        int end = firstClauseEnd(text);
        String clause = stripTrailing(text.substring(0, end));
        if (clause.length() <= max) {
            return clause;
        }
        // Cut at the last space that leaves room for the ellipsis, and not inside an unclosed parenthesis or quote,
        // so that the reader never sees half a word or half a parenthetical.
        int limit = max - ELLIPSIS.length();
        int cut = -1;
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < clause.length() && i <= limit; i++) {
            char c = clause.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == '\'' && isQuoteMark(clause, i)) {
                quoted = !quoted;
            } else if (c == ' ' && depth == 0 && !quoted) {
                cut = i;
            }
        }
        if (cut <= 0) { // one enormous word: cutting it is all that is left
            return clause.substring(0, limit) + ELLIPSIS;
        }
        return stripTrailing(clause.substring(0, cut)) + ELLIPSIS;
    }

    /**
     * Index just past the first clause: before the first ": ", "; " or sentence end ". " that is outside parentheses
     * and quotes and leaves at least {@link #MIN_CLAUSE} characters; the whole text when there is none.
     */
    private static int firstClauseEnd(String text) {
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i + 1 < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == '\'' && isQuoteMark(text, i)) {
                quoted = !quoted;
            } else if ((c == ':' || c == ';' || c == '.') && text.charAt(i + 1) == ' ' && depth == 0 && !quoted
                    && i >= MIN_CLAUSE && !(c == '.' && abbreviation(text, i))) {
                return i;
            }
        }
        return text.length();
    }

    /** An apostrophe inside a word (malloc'd, main's) is not a quote. */
    private static boolean isQuoteMark(String s, int i) {
        boolean letterBefore = i > 0 && Character.isLetterOrDigit(s.charAt(i - 1));
        boolean letterAfter = i + 1 < s.length() && Character.isLetterOrDigit(s.charAt(i + 1));
        return !(letterBefore && letterAfter);
    }

    /** "e.g. x", "i.e. x": a dot that ends a short lower-case abbreviation does not end the sentence. */
    private static boolean abbreviation(String s, int dot) {
        int start = dot;
        while (start > 0 && (Character.isLetter(s.charAt(start - 1)) || s.charAt(start - 1) == '.')) {
            start--;
        }
        String word = s.substring(start, dot);
        return word.equals("e.g") || word.equals("i.e") || word.equals("etc") || word.equals("vs");
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && ",;:.- ".indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(0, end);
    }
}
