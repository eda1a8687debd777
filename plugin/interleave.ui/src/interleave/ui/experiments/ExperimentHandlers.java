package interleave.ui.experiments;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.jface.dialogs.IInputValidator;
import org.eclipse.jface.dialogs.InputDialog;
import org.eclipse.jface.window.Window;
import org.eclipse.ui.handlers.HandlerUtil;

import interleave.engine.experiments.RaceExperiment;

/** The commands of the lecture's experiments (Interleave menu and the Concurrency Timeline view's menu). */
public final class ExperimentHandlers {
    private ExperimentHandlers() {
    }

    /** Asks how many runs (default 20), then runs the race experiment in the background. */
    public static final class Race extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) {
            IInputValidator valid = text -> {
                try {
                    int n = Integer.parseInt(text.strip());
                    return n >= 1 && n <= 1000 ? null : "Between 1 and 1000 runs.";
                } catch (NumberFormatException e) {
                    return "A number of runs, such as 20.";
                }
            };
            InputDialog ask = new InputDialog(HandlerUtil.getActiveShell(event), "Race experiment",
                    "The race sample hands &i to " + RaceExperiment.DEFAULT_THREADS + " threads. How many runs?"
                            + " The histogram shows how many threads saw each value, next to what no race would give.",
                    Integer.toString(RaceExperiment.DEFAULT_RUNS), valid);
            if (ask.open() == Window.OK) {
                new RaceExperimentJob(Integer.parseInt(ask.getValue().strip())).schedule();
            }
            return null;
        }
    }

    /** Runs the iterative server with two clients in the background and shows where the second one blocked. */
    public static final class SecondClient extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) {
            new SecondClientJob().schedule();
            return null;
        }
    }
}
