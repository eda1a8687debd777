package interleave.ui.experiments;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.PlatformUI;

import interleave.engine.experiments.RaceExperiment;
import interleave.engine.experiments.RaceHistogram;

/**
 * The race experiment's histogram as the slides draw it: for each value of i, how many threads saw it over all runs
 * (bars), and the "no race" expectation (each value once per run, a line). Not modal: the workbench stays usable.
 */
public final class RaceHistogramDialog extends Dialog {
    private static volatile RaceHistogramDialog last;
    private final RaceExperiment.Result result;
    private final Path work;
    private Canvas chart;

    private RaceHistogramDialog(Shell parent, RaceExperiment.Result result, Path work) {
        super(parent);
        this.result = result;
        this.work = work;
        setShellStyle(SWT.DIALOG_TRIM | SWT.RESIZE | SWT.MODELESS);
        setBlockOnOpen(false);
    }

    static void open(RaceExperiment.Result result, Path work) {
        var page = Lecture.page();
        Shell shell = page != null ? page.getWorkbenchWindow().getShell()
                : PlatformUI.getWorkbench().getDisplay().getActiveShell();
        RaceHistogramDialog d = new RaceHistogramDialog(shell, result, work);
        d.open();
        last = d;
    }

    /** The dialog shown last, while it is open (tests read it). */
    public static RaceHistogramDialog last() {
        RaceHistogramDialog d = last;
        return d != null && d.getShell() != null && !d.getShell().isDisposed() ? d : null;
    }

    public RaceHistogram histogram() {
        return result.histogram();
    }

    public Canvas chart() {
        return chart;
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText("Race experiment: " + result.histogram().runs().size() + " runs of race "
                + result.histogram().threads());
    }

    @Override
    protected Point getInitialSize() {
        return new Point(900, 520);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        area.setLayout(new GridLayout(1, false));
        Label summary = new Label(area, SWT.WRAP);
        StringBuilder text = new StringBuilder(result.histogram().summary());
        result.problems().forEach(p -> text.append("\nNot as planned: ").append(p));
        text.append("\nRuns: ").append(work);
        summary.setText(text.toString());
        GridDataFactory.fillDefaults().grab(true, false).hint(860, SWT.DEFAULT).applyTo(summary);
        chart = new Canvas(area, SWT.DOUBLE_BUFFERED | SWT.BORDER);
        chart.setBackground(chart.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        chart.addPaintListener(e -> paint(e.gc, chart.getClientArea()));
        chart.setToolTipText("Bars: threads that saw each value of i, over all runs. Line: what no race would give"
                + " (each value once per run).");
        GridDataFactory.fillDefaults().grab(true, true).hint(860, 360).applyTo(chart);
        return area;
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, IDialogConstants.OK_ID, IDialogConstants.CLOSE_LABEL, true);
    }

    private void paint(GC gc, Rectangle r) {
        RaceHistogram h = result.histogram();
        TreeMap<Integer, Integer> counts = h.counts();
        int maxValue = Math.max(h.threads(), counts.isEmpty() ? 0 : counts.lastKey() + 1);
        int maxCount = Math.max(h.expectedPerValue(), counts.values().stream().mapToInt(Integer::intValue).max()
                .orElse(1));
        int left = 40, bottom = 24, top = 10, right = 10;
        int w = Math.max(1, r.width - left - right), hgt = Math.max(1, r.height - top - bottom);
        double barW = (double) w / Math.max(1, maxValue);
        Color bar = new Color(70, 110, 180);
        Color expected = new Color(0, 150, 80);
        try {
            gc.setForeground(gc.getDevice().getSystemColor(SWT.COLOR_DARK_GRAY));
            gc.drawLine(left, top + hgt, left + w, top + hgt);
            gc.drawLine(left, top, left, top + hgt);
            gc.drawText(Integer.toString(maxCount), 4, top, true);
            gc.drawText("0", 4, top + hgt - 12, true);
            for (int v = 0; v < maxValue; v += Math.max(1, maxValue / 10)) {
                gc.drawText(Integer.toString(v), left + (int) (v * barW), top + hgt + 4, true);
            }
            gc.setBackground(bar);
            for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                if (e.getKey() < 0 || e.getKey() >= maxValue) {
                    continue;
                }
                int x = left + (int) (e.getKey() * barW);
                int height = (int) Math.round((double) e.getValue() * hgt / maxCount);
                gc.fillRectangle(x, top + hgt - height, Math.max(1, (int) barW - 1), height);
            }
            // no race: every value 0..threads-1 seen once per run
            gc.setForeground(expected);
            gc.setLineWidth(2);
            int y = top + hgt - (int) Math.round((double) h.expectedPerValue() * hgt / maxCount);
            gc.drawLine(left, y, left + (int) (h.threads() * barW), y);
            gc.drawText("no race", left + 4, y - 16, true);
        } finally {
            bar.dispose();
            expected.dispose();
        }
    }
}
