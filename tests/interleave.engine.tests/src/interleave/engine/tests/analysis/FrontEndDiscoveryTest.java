package interleave.engine.tests.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Analyzer;
import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.FrontEnds;
import interleave.engine.c.CFrontEnd;
import interleave.engine.cli.Main;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.report.SarifReport;

/**
 * Front ends the engine does not know are found: registered (how an OSGi bundle adds one, since the engine's class
 * loader cannot read other bundles' services files), or listed in {@code META-INF/services} on a plain class path (how
 * a jar next to the command line adds one). C is always there and first.
 */
class FrontEndDiscoveryTest {
    @TempDir
    Path tmp;

    @Test
    void aRegisteredFrontEndIsUsedByTheDefaultAnalyzer() throws Exception {
        assertEquals(FrontEnds.c(), FrontEnds.all().get(0));
        assertFalse(FrontEnds.all().stream().anyMatch(f -> f instanceof FakeFrontEnd));
        FakeFrontEnd fake = new FakeFrontEnd();
        FrontEnds.register(fake);
        try {
            FrontEnds.register(new FakeFrontEnd()); // once per class
            assertEquals(1, FrontEnds.all().stream().filter(f -> f instanceof FakeFrontEnd).count());
            Files.writeString(tmp.resolve("bank.fake"), "inversion\n");
            Files.writeString(tmp.resolve("notes.txt"), "not a source\n");
            List<Path> files = Analyzer.collectSources(List.of(tmp), FrontEnds.all());
            assertEquals(List.of(tmp.resolve("bank.fake")), files);
            AnalysisResult r = new Analyzer().analyzeFiles(files, p -> p.getFileName().toString(),
                    Analyzer.Progress.NONE, () -> false);
            assertEquals(List.of("lock-order-inversion"), r.findings().stream().map(f -> f.ruleId()).toList());
        } finally {
            FrontEnds.unregister(fake);
        }
        assertFalse(FrontEnds.all().stream().anyMatch(f -> f instanceof FakeFrontEnd));
    }

    /**
     * The command line on a plain class path: the engine, and this bundle's classes with a services file naming
     * {@link FakeFrontEnd}. It analyzes a {@code .fake} file it has never heard of; without the services file it finds
     * no such files.
     */
    @Test
    void aFrontEndOnThePlainClassPathIsFoundByTheCommandLine() throws Exception {
        Path tests = locate(FakeFrontEnd.class);
        Path services = tmp.resolve("services");
        Files.createDirectories(services.resolve("META-INF/services"));
        Files.writeString(services.resolve("META-INF/services/" + FrontEnd.class.getName()),
                FakeFrontEnd.class.getName() + "\n");
        Path program = tmp.resolve("bank.fake");
        Files.writeString(program, "inversion\n");

        List<String> base = new ArrayList<>();
        // the command line's bundles (core, C, trace, reports, cli): plugin/<bundle>/target/{classes,*.jar} and their
        // libraries in plugin/<bundle>/lib
        for (Class<?> in : List.of(FrontEnd.class, CFrontEnd.class, DetectorRegistry.class, SarifReport.class,
                Main.class)) {
            Path bundle = locate(in);
            base.add(bundle.toString());
            Path lib = bundle.getParent().getParent().resolve("lib");
            if (Files.isDirectory(lib)) {
                try (var jars = Files.list(lib)) {
                    jars.filter(j -> j.toString().endsWith(".jar")).forEach(j -> base.add(j.toString()));
                }
            }
        }
        base.add(tests.toString());

        List<String> with = new ArrayList<>(base);
        with.add(services.toString());
        String[] found = cli(with, "analyze", program.toString());
        assertEquals("1", found[0], found[1] + found[2]);
        assertTrue(found[1].contains("bank.fake:20:5: error: the thread running Withdraw.run() takes to and then from"),
                found[1]);
        String[] none = cli(base, "analyze", tmp.toString());
        assertEquals("2", none[0], none[1] + none[2]);
        assertTrue(none[2].contains("no .c or .h files under"), none[2]);
    }

    /** Where a class was loaded from: the build's jar or folder of classes (both go on a class path as they are). */
    private static Path locate(Class<?> c) throws Exception {
        Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(p) && !Files.exists(p.resolve(c.getName().replace('.', '/') + ".class"))) {
            p = p.resolve("target/classes"); // a bundle's root folder: its classes are under target/classes
        }
        assertTrue(Files.isRegularFile(p) || Files.exists(p.resolve(c.getName().replace('.', '/') + ".class")),
                "no classes of " + c + " in " + p);
        return p;
    }

    private String[] cli(List<String> classPath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", String.join(File.pathSeparator, classPath),
                "interleave.engine.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt"), err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the command line did not finish in 60 s: " + cmd);
        }
        return new String[] {Integer.toString(p.exitValue()), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8)};
    }
}
