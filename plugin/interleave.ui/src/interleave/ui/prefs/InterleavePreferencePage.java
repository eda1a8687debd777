package interleave.ui.prefs;

import java.io.IOException;
import java.util.HashSet;

import org.eclipse.jface.preference.PreferencePage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;

/**
 * Window > Preferences > Interleave: which rules run at which severity in every project that has no {@code .interleave}
 * of its own, and whether saving a C file analyzes its project.
 */
public final class InterleavePreferencePage extends PreferencePage implements IWorkbenchPreferencePage {
    public static final String ID = "interleave.ui.preferences";
    private Button analyzeOnSave;
    private RuleSettingsTable rules;

    @Override
    public void init(IWorkbench workbench) {
        setDescription("Rules for projects without their own settings file (.interleave at the project's root,"
                + " which the command line reads too; set one in the project's Properties > Interleave).");
    }

    @Override
    protected Control createContents(Composite parent) {
        Composite body = new Composite(parent, SWT.NONE);
        body.setLayout(new GridLayout(1, false));
        analyzeOnSave = new Button(body, SWT.CHECK);
        analyzeOnSave.setText("Analyze the project when a C file is saved (in the background)");
        analyzeOnSave.setSelection(InterleavePreferences.analyzeOnSave());
        Label label = new Label(body, SWT.WRAP);
        label.setText("Rules (unchecked: not run):");
        label.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        rules = new RuleSettingsTable(body);
        rules.setLevels(SettingsText.levels(InterleavePreferences.workspaceText(), rules.ruleIds()));
        Label where = new Label(body, SWT.WRAP);
        where.setText("Stored as " + InterleavePreferences.workspaceFile()
                + " (usable with 'interleave analyze --config FILE').");
        where.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        return body;
    }

    public RuleSettingsTable rules() {
        return rules;
    }

    public Button analyzeOnSaveButton() {
        return analyzeOnSave;
    }

    @Override
    protected void performDefaults() {
        analyzeOnSave.setSelection(false);
        rules.setLevels(java.util.Map.of());
        super.performDefaults();
    }

    @Override
    public boolean performOk() {
        InterleavePreferences.setAnalyzeOnSave(analyzeOnSave.getSelection());
        if (analyzeOnSave.getSelection()) {
            AnalyzeOnSave.install(); // normally done at startup; harmless twice
        }
        String text = SettingsText.update(InterleavePreferences.workspaceText(), rules.levels(),
                new HashSet<>(rules.ruleIds()));
        try {
            InterleavePreferences.writeWorkspaceText(text);
        } catch (IOException e) {
            setErrorMessage("Cannot write " + InterleavePreferences.workspaceFile() + ": " + e.getMessage());
            return false;
        }
        return true;
    }
}
