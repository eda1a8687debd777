package interleave.ui.editor;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.DocumentEvent;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.IDocumentExtension4;
import org.eclipse.jface.text.IDocumentListener;
import org.eclipse.jface.text.IRegion;
import org.eclipse.jface.text.ITypedRegion;
import org.eclipse.jface.text.Region;
import org.eclipse.jface.text.TextPresentation;
import org.eclipse.jface.text.presentation.IPresentationDamager;
import org.eclipse.jface.text.presentation.IPresentationRepairer;
import org.eclipse.jface.text.source.ISourceViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.StyleRange;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.widgets.Display;

import interleave.engine.c.CHighlighter;
import interleave.engine.c.CHighlighter.Kind;
import interleave.engine.c.CHighlighter.Span;

/**
 * Syntax colouring from tree-sitter. Parsing happens in a background job shortly after the last change; the UI thread
 * only maps ready spans to styles for the region the viewer repaints. Between an edit and the next parse, spans before
 * the edit are still right and are used; text after it stays plain for that moment rather than wrongly coloured.
 */
public final class TreeSitterColouring implements IPresentationDamager, IPresentationRepairer {
    /** Job family of the parses (tests wait for it). */
    public static final Object FAMILY = TreeSitterColouring.class;
    private static final long DELAY_MILLIS = 80;

    private final ISourceViewer viewer;
    private IDocument document;
    /** Spans of the last parse, and how far from the start they are still valid (Integer.MAX_VALUE: all). */
    private volatile Snapshot snapshot = new Snapshot(List.of(), -1, 0);
    private final AtomicReference<String> pendingText = new AtomicReference<>();
    private volatile long pendingStamp;
    private int validUpTo = Integer.MAX_VALUE;
    private final Job parse = new Job("Colouring C code") {
        @Override
        protected IStatus run(IProgressMonitor monitor) {
            String text = pendingText.getAndSet(null);
            if (text == null) {
                return Status.OK_STATUS;
            }
            long stamp = pendingStamp;
            List<Span> spans;
            try (CHighlighter highlighter = new CHighlighter()) {
                spans = highlighter.highlight(text);
            } catch (RuntimeException | LinkageError e) {
                return Status.OK_STATUS; // no colours is better than a broken editor
            }
            Display display = viewer.getTextWidget() == null ? null : viewer.getTextWidget().getDisplay();
            if (display != null && !display.isDisposed()) {
                display.asyncExec(() -> arrived(spans, stamp));
            }
            return Status.OK_STATUS;
        }

        @Override
        public boolean belongsTo(Object family) {
            return family == FAMILY;
        }
    };

    private record Snapshot(List<Span> spans, long stamp, int length) {
    }

    private final IDocumentListener listener = new IDocumentListener() {
        @Override
        public void documentAboutToBeChanged(DocumentEvent event) {
            validUpTo = Math.min(validUpTo, event.getOffset());
        }

        @Override
        public void documentChanged(DocumentEvent event) {
            request();
        }
    };

    public TreeSitterColouring(ISourceViewer viewer) {
        this.viewer = viewer;
        parse.setSystem(true);
        parse.setPriority(Job.SHORT);
    }

    @Override
    public void setDocument(IDocument newDocument) {
        if (document != null) {
            document.removeDocumentListener(listener);
        }
        document = newDocument;
        snapshot = new Snapshot(List.of(), -1, 0);
        validUpTo = 0;
        if (document != null) {
            document.addDocumentListener(listener);
            request();
        }
    }

    private void request() {
        pendingStamp = stamp(document);
        pendingText.set(document.get());
        parse.schedule(DELAY_MILLIS);
    }

    private static long stamp(IDocument d) {
        return d instanceof IDocumentExtension4 e ? e.getModificationStamp() : d.getLength();
    }

    private void arrived(List<Span> spans, long stamp) {
        if (document == null || stamp(document) != stamp || viewer.getTextWidget() == null
                || viewer.getTextWidget().isDisposed()) {
            return; // the text changed again; the newer parse is on its way
        }
        snapshot = new Snapshot(spans, stamp, document.getLength());
        validUpTo = Integer.MAX_VALUE;
        viewer.invalidateTextPresentation();
    }

    @Override
    public IRegion getDamageRegion(ITypedRegion partition, DocumentEvent event, boolean partitioningChanged) {
        // From the changed line to the end: a new quote or comment opener changes everything after it. The
        // repair is cheap (no parsing here), and the background parse repaints again anyway.
        try {
            int start = event.getDocument().getLineOffset(event.getDocument().getLineOfOffset(event.getOffset()));
            return new Region(start, event.getDocument().getLength() - start);
        } catch (BadLocationException e) {
            return partition;
        }
    }

    @Override
    public void createPresentation(TextPresentation presentation, ITypedRegion damage) {
        Snapshot s = snapshot;
        int from = damage.getOffset();
        int to = Math.min(damage.getOffset() + damage.getLength(), Math.min(validUpTo, s.length()));
        presentation.setDefaultStyleRange(new StyleRange(damage.getOffset(), damage.getLength(), null, null));
        List<Span> spans = s.spans();
        for (int i = firstEndingAfter(spans, from); i < spans.size(); i++) {
            Span span = spans.get(i);
            if (span.start() >= to) {
                break;
            }
            int start = Math.max(span.start(), from);
            int end = Math.min(span.end(), to);
            if (end > start) {
                presentation.addStyleRange(style(span.kind(), start, end - start));
            }
        }
    }

    /** Binary search: index of the first span ending after {@code offset}. */
    private static int firstEndingAfter(List<Span> spans, int offset) {
        int lo = 0;
        int hi = spans.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (spans.get(mid).end() <= offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Colours close to the usual Eclipse C/Java ones, so the editor looks familiar. */
    public static StyleRange style(Kind kind, int start, int length) {
        StyleRange r = new StyleRange(start, length, colour(kind), null);
        if (kind == Kind.KEYWORD || kind == Kind.PREPROCESSOR) {
            r.fontStyle = SWT.BOLD;
        } else if (kind == Kind.COMMENT) {
            r.fontStyle = SWT.NORMAL;
        }
        return r;
    }

    public static Color colour(Kind kind) {
        return switch (kind) {
        case KEYWORD -> new Color(127, 0, 85);
        case TYPE -> new Color(0, 80, 50);
        case STRING -> new Color(42, 0, 255);
        case COMMENT -> new Color(63, 127, 95);
        case NUMBER -> new Color(125, 70, 0);
        case PREPROCESSOR -> new Color(100, 100, 100);
        case CONSTANT -> new Color(0, 0, 192);
        };
    }
}
