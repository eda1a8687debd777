package interleave.ui.editor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.runtime.CoreException;

import interleave.ui.InterleaveMarkers;

/** Interleave's markers of a file on one line (1-based), in the order of their start offsets. */
final class FindingMarkers {
    private FindingMarkers() {
    }

    static List<IMarker> onLine(IFile file, int line) {
        if (file == null || !file.exists()) {
            return List.of();
        }
        try {
            List<IMarker> out = new ArrayList<>();
            for (IMarker m : file.findMarkers(InterleaveMarkers.TYPE, false, 0)) {
                if (m.getAttribute(IMarker.LINE_NUMBER, -1) == line) {
                    out.add(m);
                }
            }
            out.sort(Comparator.comparingInt(m -> m.getAttribute(IMarker.CHAR_START, 0)));
            return out;
        } catch (CoreException e) {
            return List.of();
        }
    }

    static List<IMarker> all(IFile file) {
        try {
            return file == null || !file.exists() ? List.of()
                    : Arrays.asList(file.findMarkers(InterleaveMarkers.TYPE, false, 0));
        } catch (CoreException e) {
            return List.of();
        }
    }
}
