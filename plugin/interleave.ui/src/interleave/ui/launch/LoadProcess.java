package interleave.ui.launch;

import java.util.Map;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.RuntimeProcess;

import interleave.engine.tracing.TracedLaunch;

/** The load client of a traced launch (not traced itself), with its own console. */
public class LoadProcess extends RuntimeProcess {
    private final Process process;

    LoadProcess(ILaunch launch, Process process, String name, Map<String, String> attributes) {
        super(launch, process, name, attributes);
        this.process = process;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void terminate() throws DebugException {
        stop();
    }

    void stop() {
        TracedLaunch.stopTree(process.toHandle());
    }
}
