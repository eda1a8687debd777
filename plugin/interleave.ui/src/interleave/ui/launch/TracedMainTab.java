package interleave.ui.launch;

import static interleave.ui.launch.TracedLaunchConfig.*;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTab;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

/** Program, arguments, working directory, and the Makefile folder that builds the program (for the samples). */
public class TracedMainTab extends AbstractLaunchConfigurationTab {
    private Text program;
    private Text arguments;
    private Text workDir;
    private Text makeDir;

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(3, false));
        program = row(c, "&Program:", "The executable to run under the tracing agent (a path, or a name in PATH)");
        browse(c, program, false);
        arguments = new Text(label(c, "&Arguments:"), SWT.BORDER | SWT.MULTI | SWT.WRAP | SWT.V_SCROLL);
        GridData ad = new GridData(SWT.FILL, SWT.FILL, true, false, 2, 1);
        ad.heightHint = 60;
        arguments.setLayoutData(ad);
        arguments.setToolTipText("Split like a shell does; a server of the samples takes -p 0 for any free port");
        arguments.addModifyListener(e -> updateLaunchConfigurationDialog());
        workDir = row(c, "&Working directory:", "Empty: the program's folder");
        browse(c, workDir, true);
        makeDir = row(c, "Build with &make in:",
                "Optional: a folder with a Makefile; 'make -C FOLDER <program>' runs before each launch, so a stale"
                        + " program is rebuilt");
        browse(c, makeDir, true);
        setControl(c);
    }

    private static Composite label(Composite c, String text) {
        new Label(c, SWT.NONE).setText(text);
        return c;
    }

    private Text row(Composite c, String label, String tip) {
        new Label(c, SWT.NONE).setText(label);
        Text t = new Text(c, SWT.BORDER | SWT.SINGLE);
        t.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        t.setToolTipText(tip);
        t.addModifyListener(e -> updateLaunchConfigurationDialog());
        return t;
    }

    private void browse(Composite c, Text target, boolean directory) {
        Button b = new Button(c, SWT.PUSH);
        b.setText("Browse...");
        b.addListener(SWT.Selection, e -> {
            String chosen;
            if (directory) {
                DirectoryDialog d = new DirectoryDialog(getShell());
                d.setFilterPath(target.getText());
                chosen = d.open();
            } else {
                FileDialog d = new FileDialog(getShell(), SWT.OPEN);
                d.setFileName(target.getText());
                chosen = d.open();
            }
            if (chosen != null) {
                target.setText(chosen);
            }
        });
    }

    @Override
    public void setDefaults(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(PROGRAM, "");
        config.setAttribute(ARGUMENTS, "");
        config.setAttribute(WORKING_DIRECTORY, "");
    }

    @Override
    public void initializeFrom(ILaunchConfiguration config) {
        try {
            program.setText(config.getAttribute(PROGRAM, ""));
            arguments.setText(config.getAttribute(ARGUMENTS, ""));
            workDir.setText(config.getAttribute(WORKING_DIRECTORY, ""));
            makeDir.setText(config.getAttribute(MAKE_DIRECTORY, ""));
        } catch (CoreException e) {
            setErrorMessage(e.getMessage());
        }
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(PROGRAM, program.getText().strip());
        config.setAttribute(ARGUMENTS, arguments.getText());
        config.setAttribute(WORKING_DIRECTORY, workDir.getText().strip());
        String make = makeDir.getText().strip();
        config.setAttribute(MAKE_DIRECTORY, make.isEmpty() ? null : make);
    }

    @Override
    public boolean isValid(ILaunchConfiguration config) {
        setErrorMessage(null);
        if (program.getText().isBlank()) {
            setErrorMessage("Choose the program to trace");
            return false;
        }
        return true;
    }

    @Override
    public String getName() {
        return "Main";
    }
}
