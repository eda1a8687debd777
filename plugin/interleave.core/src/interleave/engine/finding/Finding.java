package interleave.engine.finding;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One problem found, by a static rule or a trace detector. A value: markers, compiler-style text, SARIF and the HTML
 * report are all views of it.
 *
 * @param ruleId      stable kebab-case id of the rule or detector that found it
 * @param severity    how bad, decided per finding from the evidence
 * @param message     one sentence in the user's terms: what happens here
 * @param location    the primary place (the unsafe call, the {@code &connfd} argument)
 * @param evidence    the chain that leads there, cause first (handler registration, helper calls)
 * @param fixes       zero or more repairs as text edits
 * @param moment      for dynamic findings, when and where on the timeline it happened
 * @param fingerprint stable across unrelated edits of the file (no line numbers): used to match findings between runs
 */
public record Finding(String ruleId, Severity severity, String message, SourceRange location,
        List<RelatedLocation> evidence, List<Fix> fixes, Optional<TraceMoment> moment, String fingerprint) {

    public Finding {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(location, "location");
        evidence = List.copyOf(evidence);
        fixes = List.copyOf(fixes);
        Objects.requireNonNull(moment, "moment");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    /**
     * A static finding. The fingerprint hashes the rule, the file name, the anchor (e.g. the enclosing function and
     * the call) and an occurrence index, so it survives edits that only move lines.
     */
    public static Finding of(String ruleId, Severity severity, String message, SourceRange location,
            List<RelatedLocation> evidence, List<Fix> fixes, String anchor) {
        return new Finding(ruleId, severity, message, location, evidence, fixes, Optional.empty(),
                fingerprint(ruleId, fileName(location.file()), anchor));
    }

    /** The message in one line of at most {@value Headline#DEFAULT_LENGTH} characters: its first clause. */
    public String headline() {
        return Headline.of(message, Headline.DEFAULT_LENGTH);
    }

    public Finding withSeverity(Severity newSeverity) {
        return new Finding(ruleId, newSeverity, message, location, evidence, fixes, moment, fingerprint);
    }

    public Finding withFingerprint(String newFingerprint) {
        return new Finding(ruleId, severity, message, location, evidence, fixes, moment, newFingerprint);
    }

    private static String fileName(String file) {
        int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
        return file.substring(slash + 1);
    }

    public static String fingerprint(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                md.update(p.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
