package interleave.ui.prefs;

import java.util.HashSet;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.swt.SWT;
import org.eclipse.swt.events.SelectionAdapter;
import org.eclipse.swt.events.SelectionEvent;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.ui.dialogs.PropertyPage;

import interleave.engine.settings.Settings;

/**
 * Project > Properties > Interleave: the project's own rule settings, written to {@code .interleave} at its root (the
 * file the command line reads). The file is edited in place: comments, options and unknown lines stay.
 */
public final class InterleavePropertyPage extends PropertyPage {
    public static final String ID = "interleave.ui.propertyPage";
    private Button projectSpecific;
    private RuleSettingsTable rules;

    private IProject project() {
        return Adapters.adapt(getElement(), IProject.class);
    }

    @Override
    protected Control createContents(Composite parent) {
        Composite body = new Composite(parent, SWT.NONE);
        body.setLayout(new GridLayout(1, false));
        projectSpecific = new Button(body, SWT.CHECK);
        projectSpecific.setText("Project-specific rule settings (" + Settings.FILE_NAME
                + " at the project's root; otherwise the workspace's Interleave preferences)");
        rules = new RuleSettingsTable(body);
        String text = "";
        boolean exists = false;
        try {
            exists = InterleavePreferences.projectFile(project()).exists();
            text = exists ? InterleavePreferences.projectText(project()) : InterleavePreferences.workspaceText();
        } catch (CoreException e) {
            setErrorMessage("Cannot read " + Settings.FILE_NAME + ": " + e.getMessage());
        }
        projectSpecific.setSelection(exists);
        rules.setLevels(SettingsText.levels(text, rules.ruleIds()));
        rules.setEnabled(exists);
        projectSpecific.addSelectionListener(new SelectionAdapter() {
            @Override
            public void widgetSelected(SelectionEvent e) {
                rules.setEnabled(projectSpecific.getSelection());
            }
        });
        return body;
    }

    public RuleSettingsTable rules() {
        return rules;
    }

    public Button projectSpecificButton() {
        return projectSpecific;
    }

    @Override
    protected void performDefaults() {
        rules.setLevels(SettingsText.levels(InterleavePreferences.workspaceText(), rules.ruleIds()));
        super.performDefaults();
    }

    @Override
    public boolean performOk() {
        IProject project = project();
        try {
            String existing = InterleavePreferences.projectText(project);
            IFile file = InterleavePreferences.projectFile(project);
            if (projectSpecific.getSelection()) {
                InterleavePreferences.writeProjectText(project,
                        SettingsText.update(existing, rules.levels(), new HashSet<>(rules.ruleIds())));
            } else if (file.exists()) {
                // Back to the workspace's rules: drop the rule lines; the file goes only if nothing else is left
                // (options and comments are the user's).
                java.util.Map<String, String> allOn = new java.util.LinkedHashMap<>();
                rules.ruleIds().forEach(id -> allOn.put(id, "on"));
                String rest = SettingsText.update(existing, allOn, new HashSet<>(rules.ruleIds()));
                if (SettingsText.isEmpty(rest)) {
                    file.delete(true, null);
                } else {
                    InterleavePreferences.writeProjectText(project, rest);
                }
            }
        } catch (CoreException e) {
            setErrorMessage("Cannot write " + Settings.FILE_NAME + ": " + e.getMessage());
            return false;
        }
        return true;
    }
}
