package interleave.ui.prefs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CCombo;
import org.eclipse.swt.custom.TableEditor;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;

import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;

/**
 * One row per rule the registry holds: a check box (runs or not), the rule's title and id, and its severity (its
 * own, or error, warning or note for every finding). Levels are the settings file's words: on, off, error, warning,
 * note.
 */
public final class RuleSettingsTable {
    /** The severity column's choices; the first stands for "on": the rule decides per finding. */
    static final String[] SEVERITIES = { "rule's own", "error", "warning", "note" };

    private final Table table;
    private final List<RuleDescriptor> rules = RuleRegistry.descriptors();
    private final Map<String, CCombo> severityCombos = new LinkedHashMap<>();

    public RuleSettingsTable(Composite parent) {
        table = new Table(parent, SWT.CHECK | SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        GridData data = new GridData(SWT.FILL, SWT.FILL, true, true);
        data.heightHint = 220;
        data.widthHint = 560;
        table.setLayoutData(data);
        TableColumn rule = new TableColumn(table, SWT.LEFT);
        rule.setText("Rule");
        TableColumn severity = new TableColumn(table, SWT.LEFT);
        severity.setText("Severity");
        TableColumn id = new TableColumn(table, SWT.LEFT);
        id.setText("Id");
        for (RuleDescriptor d : rules) {
            TableItem item = new TableItem(table, SWT.NONE);
            item.setText(new String[] { d.title(), "", d.id() });
            item.setData(d);
            item.setChecked(true);
            CCombo combo = new CCombo(table, SWT.READ_ONLY | SWT.FLAT);
            combo.setItems(SEVERITIES.clone());
            combo.setItem(0, "rule's own (" + d.defaultSeverity().label() + ")");
            combo.select(0);
            combo.setToolTipText("Severity of every finding of " + d.id());
            TableEditor editor = new TableEditor(table);
            editor.grabHorizontal = true;
            editor.setEditor(combo, item, 1);
            severityCombos.put(d.id(), combo);
        }
        rule.pack();
        rule.setWidth(Math.min(rule.getWidth() + 10, 330));
        severity.setWidth(150);
        id.pack();
    }

    public Table table() {
        return table;
    }

    public List<String> ruleIds() {
        return rules.stream().map(RuleDescriptor::id).toList();
    }

    /** Shows the levels (rule id to on/off/error/warning/note); rules not in the map are shown "on". */
    public void setLevels(Map<String, String> levels) {
        for (TableItem item : table.getItems()) {
            String id = ((RuleDescriptor) item.getData()).id();
            String level = levels.getOrDefault(id, "on");
            item.setChecked(!level.equals("off"));
            CCombo combo = severityCombos.get(id);
            int index = switch (level) {
            case "error" -> 1;
            case "warning" -> 2;
            case "note" -> 3;
            default -> 0;
            };
            combo.select(index);
        }
    }

    /** The levels shown, one per rule. */
    public Map<String, String> levels() {
        Map<String, String> out = new LinkedHashMap<>();
        for (TableItem item : table.getItems()) {
            String id = ((RuleDescriptor) item.getData()).id();
            int index = severityCombos.get(id).getSelectionIndex();
            out.put(id, !item.getChecked() ? "off" : index <= 0 ? "on" : SEVERITIES[index]);
        }
        return out;
    }

    /** Sets one rule as the user would: its check box and its severity choice ("on" = the rule's own). */
    public void set(String ruleId, String level) {
        Map<String, String> now = levels();
        now.put(ruleId, level);
        setLevels(now);
    }

    public void setEnabled(boolean enabled) {
        table.setEnabled(enabled);
        severityCombos.values().forEach(c -> c.setEnabled(enabled));
    }
}
