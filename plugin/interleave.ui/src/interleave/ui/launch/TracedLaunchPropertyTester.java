package interleave.ui.launch;

import org.eclipse.core.expressions.PropertyTester;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourceAttributes;
import org.eclipse.core.runtime.Adapters;

/** {@code interleave.ui.launch.tracedLaunchable}: an executable file, or a .c file beside a Makefile. */
public class TracedLaunchPropertyTester extends PropertyTester {
    @Override
    public boolean test(Object receiver, String property, Object[] args, Object expectedValue) {
        IFile file = Adapters.adapt(receiver, IFile.class);
        return file != null && (isSampleSource(file) || isExecutable(file));
    }

    static boolean isSampleSource(IFile file) {
        return "c".equals(file.getFileExtension()) && file.getParent() != null
                && file.getParent().getFile(new org.eclipse.core.runtime.Path("Makefile")).exists();
    }

    static boolean isExecutable(IResource file) {
        ResourceAttributes a = file.getResourceAttributes();
        return file.getType() == IResource.FILE && a != null && a.isExecutable();
    }
}
