package interleave.java.cli;

import interleave.engine.analysis.FrontEnd;
import interleave.java.JavaFrontEnd;

/**
 * What the engine's command line finds by name when the Java front end sits on a class loader of its own (see the
 * engine's JavaSupport): the front end to register. Names no JDT type.
 */
public final class JavaEntry {
    private JavaEntry() {
    }

    public static FrontEnd<?> frontEnd() {
        return new JavaFrontEnd();
    }
}
