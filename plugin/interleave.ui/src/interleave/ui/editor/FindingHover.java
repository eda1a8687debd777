package interleave.ui.editor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.jface.text.AbstractInformationControl;
import org.eclipse.jface.text.IInformationControl;
import org.eclipse.jface.text.IInformationControlCreator;
import org.eclipse.jface.text.IInformationControlExtension2;
import org.eclipse.jface.text.IRegion;
import org.eclipse.jface.text.ITextHover;
import org.eclipse.jface.text.ITextHoverExtension;
import org.eclipse.jface.text.ITextHoverExtension2;
import org.eclipse.jface.text.ITextViewer;
import org.eclipse.jface.text.Region;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IMarkerResolution;
import org.eclipse.ui.ide.IDE;

import interleave.engine.rules.RuleRegistry;
import interleave.ui.InterleaveMarkers;

/**
 * Hovering the code of an Interleave finding shows its one-line message and a link that opens the rule's page (the
 * finding's "Explain" resolution, with its evidence chain); Ctrl+1 is named for the fixes.
 */
public final class FindingHover implements ITextHover, ITextHoverExtension, ITextHoverExtension2 {
    private final Supplier<IFile> file;

    public FindingHover(Supplier<IFile> file) {
        this.file = file;
    }

    /** What the hover shows: the findings under the mouse. */
    public record Input(List<IMarker> markers) {
        /** The hover's text without its links: one line per finding, and the rule's title. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (IMarker m : markers) {
                if (!sb.isEmpty()) {
                    sb.append("\n\n");
                }
                String id = m.getAttribute(InterleaveMarkers.RULE_ID, "");
                sb.append(m.getAttribute(IMarker.MESSAGE, ""));
                RuleRegistry.descriptor(id).ifPresent(d -> sb.append("\nRule: ").append(d.title()));
            }
            return sb.toString();
        }
    }

    @Override
    public IRegion getHoverRegion(ITextViewer viewer, int offset) {
        List<IMarker> at = markersAt(offset);
        if (at.isEmpty()) {
            return null;
        }
        int start = at.get(0).getAttribute(IMarker.CHAR_START, offset);
        int end = at.get(0).getAttribute(IMarker.CHAR_END, offset + 1);
        return new Region(start, Math.max(1, end - start));
    }

    private List<IMarker> markersAt(int offset) {
        List<IMarker> out = new ArrayList<>();
        for (IMarker m : FindingMarkers.all(file.get())) {
            int start = m.getAttribute(IMarker.CHAR_START, -1);
            int end = m.getAttribute(IMarker.CHAR_END, -1);
            if (start >= 0 && start <= offset && offset < Math.max(end, start + 1)) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public Object getHoverInfo2(ITextViewer viewer, IRegion region) {
        List<IMarker> at = markersAt(region.getOffset());
        return at.isEmpty() ? null : new Input(at);
    }

    @Override
    @Deprecated
    public String getHoverInfo(ITextViewer viewer, IRegion region) {
        Object info = getHoverInfo2(viewer, region);
        return info instanceof Input input ? input.text() : null;
    }

    @Override
    public IInformationControlCreator getHoverControlCreator() {
        return FindingHoverControl::new;
    }

    /** The hover's window: the messages as labels, a link per finding to its rule's page. */
    public static final class FindingHoverControl extends AbstractInformationControl
            implements IInformationControlExtension2 {
        private Composite body;

        FindingHoverControl(Shell parent) {
            super(parent, "Ctrl+1 for fixes");
            create();
        }

        @Override
        protected void createContent(Composite parent) {
            body = new Composite(parent, SWT.NONE);
            body.setLayout(new GridLayout(1, false));
            body.setBackground(parent.getBackground());
            body.setForeground(parent.getForeground());
        }

        @Override
        public void setInput(Object input) {
            for (Control c : body.getChildren()) {
                c.dispose();
            }
            if (!(input instanceof Input in)) {
                return;
            }
            for (IMarker m : in.markers()) {
                Label message = new Label(body, SWT.WRAP);
                message.setText(m.getAttribute(IMarker.MESSAGE, ""));
                message.setBackground(body.getBackground());
                message.setForeground(body.getForeground());
                GridData data = new GridData(SWT.FILL, SWT.TOP, true, false);
                data.widthHint = 520;
                message.setLayoutData(data);
                String id = m.getAttribute(InterleaveMarkers.RULE_ID, "");
                Link link = new Link(body, SWT.NONE);
                link.setText(RuleRegistry.descriptor(id).map(d -> "<a>" + d.title() + "</a>  (" + id + ")")
                        .orElse(id));
                link.setToolTipText("Open the rule's page in the Interleave Rule view");
                link.setBackground(body.getBackground());
                link.addListener(SWT.Selection, e -> {
                    explain(m);
                    dispose();
                });
            }
            body.layout(true, true);
        }

        /** The links of the hover (tests click them). */
        public List<Link> links() {
            List<Link> out = new ArrayList<>();
            for (Control c : body.getChildren()) {
                if (c instanceof Link l) {
                    out.add(l);
                }
            }
            return out;
        }

        @Override
        public boolean hasContents() {
            return body.getChildren().length > 0;
        }

        @Override
        public Point computeSizeHint() {
            Point size = getShell().computeSize(SWT.DEFAULT, SWT.DEFAULT, true);
            return new Point(Math.min(size.x, 600), size.y);
        }
    }

    /** Runs the marker's "Explain" resolution: the rule's page with this finding's chain. */
    static void explain(IMarker marker) {
        for (IMarkerResolution r : IDE.getMarkerHelpRegistry().getResolutions(marker)) {
            if (r.getLabel().startsWith("Explain")) {
                r.run(marker);
                return;
            }
        }
    }
}
