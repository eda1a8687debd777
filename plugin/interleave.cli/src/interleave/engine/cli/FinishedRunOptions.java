package interleave.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What the commands reading a finished run (report, export) take alike: the run directory and the model budget. */
final class FinishedRunOptions {
    @Option(names = "--model-budget", paramLabel = "EVENTS", description = "Calls and moments kept one by one;"
            + " past that many, plain reads, writes and polls are kept as counts per thread (said in the report)."
            + " 0: keep everything (needs more memory). Default: 2000000, or -Dinterleave.model.budget")
    long modelBudget = TracedRun.DEFAULT_BUDGET;

    @Parameters(paramLabel = "DIR", description = "A run directory written by 'interleave trace'.")
    Path dir;

    /** The run read within the budget, or empty after saying on err why it could not be. */
    Optional<TracedRun> load(PrintWriter err) {
        return TracedRun.loadOrExplain(dir, err, modelBudget);
    }
}
