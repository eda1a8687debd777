package interleave.engine.report;

import java.io.IOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Notification;
import interleave.engine.analysis.Suppressions;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.SourceRange;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleDescriptor;

/**
 * SARIF 2.1.0: one run, the rules' metadata in {@code tool.driver.rules} (referenced by {@code ruleIndex}), each
 * finding a result with its evidence as related locations and a code flow, fixes as replacements, a partial
 * fingerprint, and unreadable input as tool notifications, so the log never claims more coverage than it had.
 */
public final class SarifReport {
    public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

    private SarifReport() {
    }

    /**
     * Another tool whose findings are merged in (SpotBugs): a SARIF tool extension. Its findings are the ones whose
     * rule id starts with {@code rulePrefix}; each names the extension in {@code rule.toolComponent} (whose rules are
     * described by the imported checks among the rules given) and in the
     * property {@code tool}.
     */
    public record Extension(String name, String version, String informationUri, String rulePrefix) {
    }

    public static void write(AnalysisResult result, List<RuleDescriptor> rules, String toolVersion, Writer out)
            throws IOException {
        write(result, rules, toolVersion, List.of(), out);
    }

    public static void write(AnalysisResult result, List<RuleDescriptor> rules, String toolVersion,
            List<Extension> extensions, Writer out) throws IOException {
        JsonObject log = new JsonObject();
        log.addProperty("$schema", SCHEMA);
        log.addProperty("version", "2.1.0");
        JsonArray runs = new JsonArray();
        JsonObject run = new JsonObject();
        JsonObject driver = new JsonObject();
        driver.addProperty("name", "Interleave");
        driver.addProperty("version", toolVersion);
        JsonArray rulesJson = new JsonArray();
        Map<String, Integer> index = new HashMap<>();
        Map<String, RuleDescriptor> imported = new HashMap<>();
        for (RuleDescriptor d : rules) {
            if (d.kind() == RuleDescriptor.Kind.IMPORTED) {
                imported.put(d.id(), d); // another tool's check: described by that tool's extension
                continue;
            }
            index.put(d.id(), rulesJson.size());
            rulesJson.add(rule(d));
        }
        driver.add("rules", rulesJson);
        JsonObject tool = new JsonObject();
        tool.add("driver", driver);
        run.add("tool", tool);

        JsonArray results = new JsonArray();
        for (Finding f : result.findings()) {
            results.add(result(f, index));
        }
        for (Suppressions.Suppressed s : result.suppressed()) {
            JsonObject r = result(s.finding(), index);
            JsonObject suppression = new JsonObject();
            suppression.addProperty("kind", "inSource");
            if (!s.justification().isEmpty()) {
                suppression.addProperty("justification", s.justification());
            }
            JsonArray suppressions = new JsonArray();
            suppressions.add(suppression);
            r.add("suppressions", suppressions);
            results.add(r);
        }
        if (!extensions.isEmpty()) {
            JsonArray ext = new JsonArray();
            for (int e = 0; e < extensions.size(); e++) {
                Extension x = extensions.get(e);
                JsonObject component = new JsonObject();
                component.addProperty("name", x.name());
                component.addProperty("version", x.version());
                component.addProperty("informationUri", x.informationUri());
                // the rules of this tool's results (shown and suppressed), described as the registry has them
                JsonArray extRules = new JsonArray();
                Map<String, Integer> extIndex = new HashMap<>();
                for (JsonElementRef r : resultsOf(results, x.rulePrefix())) {
                    String id = r.ruleId();
                    Integer i = extIndex.get(id);
                    if (i == null) {
                        i = extRules.size();
                        extIndex.put(id, i);
                        RuleDescriptor d = imported.get(id);
                        if (d != null) {
                            extRules.add(rule(d));
                        } else {
                            JsonObject rule = new JsonObject();
                            rule.addProperty("id", id);
                            extRules.add(rule);
                        }
                    }
                    JsonObject ref = new JsonObject();
                    ref.addProperty("id", id);
                    ref.addProperty("index", i);
                    JsonObject comp = new JsonObject();
                    comp.addProperty("name", x.name());
                    comp.addProperty("index", e);
                    ref.add("toolComponent", comp);
                    r.result().add("rule", ref);
                    JsonObject props = r.result().has("properties") ? r.result().getAsJsonObject("properties")
                            : new JsonObject();
                    props.addProperty("tool", x.name() + " " + x.version());
                    r.result().add("properties", props);
                }
                component.add("rules", extRules);
                ext.add(component);
            }
            tool.add("extensions", ext);
        }
        run.add("results", results);

        JsonObject invocation = new JsonObject();
        invocation.addProperty("executionSuccessful", !result.hasInputErrors());
        JsonArray notes = new JsonArray();
        for (Notification n : result.notifications()) {
            JsonObject note = new JsonObject();
            note.addProperty("level", n.level());
            note.add("message", text(n.message()));
            if (!n.file().isEmpty()) {
                JsonObject loc = new JsonObject();
                JsonObject phys = new JsonObject();
                phys.add("artifactLocation", artifact(n.file()));
                loc.add("physicalLocation", phys);
                JsonArray locs = new JsonArray();
                locs.add(loc);
                note.add("locations", locs);
            }
            notes.add(note);
        }
        invocation.add("toolExecutionNotifications", notes);
        JsonArray invocations = new JsonArray();
        invocations.add(invocation);
        run.add("invocations", invocations);
        runs.add(run);
        log.add("runs", runs);
        Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
        gson.toJson(log, out);
        out.write("\n");
        out.flush();
    }

    private record JsonElementRef(String ruleId, JsonObject result) {
    }

    private static List<JsonElementRef> resultsOf(JsonArray results, String prefix) {
        List<JsonElementRef> out = new java.util.ArrayList<>();
        for (var e : results) {
            JsonObject r = e.getAsJsonObject();
            String id = r.get("ruleId").getAsString();
            if (id.startsWith(prefix)) {
                out.add(new JsonElementRef(id, r));
            }
        }
        return out;
    }

    private static JsonObject rule(RuleDescriptor d) {
        JsonObject r = new JsonObject();
        r.addProperty("id", d.id());
        // an imported check keeps its tool's own name for it (RU_INVOKE_RUN)
        r.addProperty("name", d.kind() == RuleDescriptor.Kind.IMPORTED ? d.id().substring(d.id().indexOf(':') + 1)
                : camel(d.id()));
        r.add("shortDescription", text(d.title()));
        r.add("fullDescription", text(d.summary()));
        JsonObject help = new JsonObject();
        help.addProperty("text", d.summary());
        help.addProperty("markdown", d.documentationMarkdown());
        r.add("help", help);
        JsonObject config = new JsonObject();
        config.addProperty("level", d.defaultSeverity().label());
        r.add("defaultConfiguration", config);
        JsonObject props = new JsonObject();
        JsonArray tags = new JsonArray();
        tags.add(d.kind() == RuleDescriptor.Kind.IMPORTED ? "imported" : "concurrency");
        d.references().forEach(ref -> tags.add(ref.label()));
        props.add("tags", tags);
        props.addProperty("concept", d.concept());
        r.add("properties", props);
        return r;
    }

    private static String camel(String id) {
        StringBuilder sb = new StringBuilder();
        for (String part : id.split("-")) {
            if (!part.isEmpty()) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.toString();
    }

    private static JsonObject result(Finding f, Map<String, Integer> index) {
        JsonObject r = new JsonObject();
        r.addProperty("ruleId", f.ruleId());
        Integer i = index.get(f.ruleId());
        if (i != null) {
            r.addProperty("ruleIndex", i);
        }
        r.addProperty("level", f.severity().label());
        r.add("message", text(f.message()));
        JsonArray locs = new JsonArray();
        locs.add(location(f.location(), null));
        r.add("locations", locs);
        if (!f.evidence().isEmpty()) {
            JsonArray related = new JsonArray();
            JsonArray flowLocations = new JsonArray();
            int id = 1;
            for (RelatedLocation rl : f.evidence()) {
                JsonObject loc = location(rl.range(), rl.message());
                loc.addProperty("id", id++);
                related.add(loc);
                JsonObject step = new JsonObject();
                step.add("location", location(rl.range(), rl.message()));
                flowLocations.add(step);
            }
            JsonObject last = new JsonObject();
            last.add("location", location(f.location(), f.message()));
            flowLocations.add(last);
            r.add("relatedLocations", related);
            JsonObject threadFlow = new JsonObject();
            threadFlow.add("locations", flowLocations);
            JsonArray threadFlows = new JsonArray();
            threadFlows.add(threadFlow);
            JsonObject codeFlow = new JsonObject();
            codeFlow.add("threadFlows", threadFlows);
            JsonArray codeFlows = new JsonArray();
            codeFlows.add(codeFlow);
            r.add("codeFlows", codeFlows);
        }
        if (!f.fixes().isEmpty()) {
            JsonArray fixes = new JsonArray();
            for (Fix fix : f.fixes()) {
                fixes.add(fix(fix));
            }
            r.add("fixes", fixes);
        }
        JsonObject fp = new JsonObject();
        fp.addProperty("interleave/v1", f.fingerprint());
        r.add("partialFingerprints", fp);
        f.moment().ifPresent(m -> {
            JsonObject props = new JsonObject();
            props.addProperty("pid", m.pid());
            props.addProperty("tid", m.tid());
            props.addProperty("timeNanos", m.timeNanos());
            r.add("properties", props);
        });
        return r;
    }

    private static JsonObject fix(Fix fix) {
        JsonObject o = new JsonObject();
        o.add("description", text(fix.label()));
        JsonArray changes = new JsonArray();
        for (String file : fix.files()) {
            JsonObject change = new JsonObject();
            change.add("artifactLocation", artifact(file));
            JsonArray replacements = new JsonArray();
            for (TextEdit e : fix.edits()) {
                if (!e.file().equals(file)) {
                    continue;
                }
                JsonObject rep = new JsonObject();
                JsonObject deleted = new JsonObject();
                deleted.addProperty("charOffset", e.startOffset());
                deleted.addProperty("charLength", e.endOffset() - e.startOffset());
                rep.add("deletedRegion", deleted);
                JsonObject inserted = new JsonObject();
                inserted.addProperty("text", e.replacement());
                rep.add("insertedContent", inserted);
                replacements.add(rep);
            }
            change.add("replacements", replacements);
            changes.add(change);
        }
        o.add("artifactChanges", changes);
        return o;
    }

    private static JsonObject location(SourceRange range, String message) {
        JsonObject loc = new JsonObject();
        JsonObject phys = new JsonObject();
        phys.add("artifactLocation", artifact(range.file()));
        JsonObject region = new JsonObject();
        region.addProperty("startLine", range.startLine());
        region.addProperty("startColumn", range.startColumn());
        region.addProperty("endLine", range.endLine());
        region.addProperty("endColumn", range.endColumn());
        if (range.hasOffsets()) {
            region.addProperty("charOffset", range.startOffset());
            region.addProperty("charLength", range.endOffset() - range.startOffset());
        }
        phys.add("region", region);
        loc.add("physicalLocation", phys);
        if (message != null) {
            loc.add("message", text(message));
        }
        return loc;
    }

    private static JsonObject artifact(String file) {
        JsonObject a = new JsonObject();
        // relative paths stay relative (to the directory the analysis ran in), as SARIF allows
        a.addProperty("uri", file.replace('\\', '/').replace(" ", "%20"));
        return a;
    }

    private static JsonObject text(String s) {
        JsonObject m = new JsonObject();
        m.addProperty("text", s);
        return m;
    }
}
