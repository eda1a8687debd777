package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.jface.text.IRegion;
import org.eclipse.jface.text.ITextHover;
import org.eclipse.jface.text.contentassist.ICompletionProposal;
import org.eclipse.jface.text.quickassist.IQuickAssistProcessor;
import org.eclipse.jface.text.quickassist.QuickAssistAssistant;
import org.eclipse.jface.text.source.Annotation;
import org.eclipse.jface.text.source.IAnnotationModel;
import org.eclipse.jface.text.source.ISourceViewer;
import org.eclipse.jface.text.source.ISourceViewerExtension3;
import org.eclipse.jface.text.source.TextInvocationContext;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.StyleRange;
import org.eclipse.swt.custom.StyledText;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Link;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.editors.text.EditorsUI;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.AnnotationPreference;
import org.eclipse.ui.texteditor.ITextEditorActionConstants;
import org.eclipse.ui.texteditor.MarkerAnnotation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import interleave.engine.c.CHighlighter.Kind;
import interleave.ui.AnalysisJob;
import interleave.ui.InterleaveMarkers;
import interleave.ui.RuleDocumentationView;
import interleave.ui.editor.CEditor;
import interleave.ui.editor.FindingHover;
import interleave.ui.editor.TreeSitterColouring;

/**
 * The C editor used when CDT is not installed, in the real workbench: it opens .c files, Ctrl+1 on a finding's line
 * lists the rule's fixes and Explain and a fix changes the file, the hover shows the short message with a link to the
 * rule, findings are annotated in their own colour, no spell checking, and tree-sitter colours the code.
 */
class CEditorTest {
    private static final String BY_VALUE = "Pass the value of connfd itself, cast through intptr_t";

    @AfterEach
    void closeEditors() {
        Workbench.page().closeAllEditors(false);
    }

    private static IProject analyzed(String name) throws Exception {
        IProject project = Workbench.project(name, ServerProgram.files());
        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        assertEquals(ServerProgram.expectedMarkers(), Workbench.describe(Workbench.markers(project)));
        return project;
    }

    private static CEditor open(IFile file) throws Exception {
        IEditorPart part = IDE.openEditor(Workbench.page(), file);
        Workbench.processEvents(100);
        return assertInstanceOf(CEditor.class, part, "C files open in Interleave's C editor without CDT");
    }

    @Test
    void ctrl1OnTheFindingsLineOffersTheFixAndExplainAndTheFixChangesTheFile() throws Exception {
        IProject project = analyzed("editor-quickassist");
        IFile server = project.getFile("server.c");
        CEditor editor = open(server);
        ISourceViewer viewer = editor.viewer();
        int caret = ServerProgram.SERVER_C.indexOf("pthread_create"); // same line as &connfd, not on it
        viewer.setSelectedRange(caret, 0);

        assertTrue(editor.getAction(ITextEditorActionConstants.QUICK_ASSIST).isEnabled(), "Ctrl+1 is not enabled");
        assertTrue(((org.eclipse.jface.text.ITextOperationTarget) viewer).canDoOperation(ISourceViewer.QUICK_ASSIST));
        QuickAssistAssistant assistant = assertInstanceOf(QuickAssistAssistant.class,
                ((ISourceViewerExtension3) viewer).getQuickAssistAssistant());
        IQuickAssistProcessor processor = assistant.getQuickAssistProcessor();
        ICompletionProposal[] proposals = processor
                .computeQuickAssistProposals(new TextInvocationContext(viewer, caret, 0));
        List<String> labels = Arrays.stream(proposals).map(ICompletionProposal::getDisplayString).toList();
        assertTrue(labels.contains(BY_VALUE), labels.toString());
        assertTrue(labels.contains("Explain: Passing a stack address to a new thread")
                || labels.stream().anyMatch(l -> l.startsWith("Explain: ")), labels.toString());
        assertEquals(0, processor.computeQuickAssistProposals(new TextInvocationContext(viewer, 0, 0)).length,
                "nothing on a line without findings");

        // the ruler annotation of the finding is one Ctrl+1 can fix
        IAnnotationModel model = viewer.getAnnotationModel();
        Annotation ours = null;
        for (var it = model.getAnnotationIterator(); it.hasNext();) {
            Annotation a = it.next();
            if (a instanceof MarkerAnnotation m && m.getMarker().getType().equals(InterleaveMarkers.TYPE)) {
                ours = a;
            }
        }
        assertNotNull(ours, "no annotation for the marker");
        assertTrue(processor.canFix(ours));

        ICompletionProposal fix = Arrays.stream(proposals).filter(p -> p.getDisplayString().equals(BY_VALUE))
                .findFirst().orElseThrow();
        fix.apply(viewer.getDocument());
        Workbench.waitForAnalysis();
        String fixed = Workbench.read(server);
        assertTrue(fixed.contains("pthread_create(&tid, NULL, serve, (void *)(intptr_t)connfd);"), fixed);
        assertEquals(fixed, viewer.getDocument().get(), "the editor shows the fixed text");
        assertEquals(0, server.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_ZERO).length);
    }

    @Test
    void hoverShowsTheShortMessageAndLinksToTheRulePage() throws Exception {
        IProject project = analyzed("editor-hover");
        CEditor editor = open(project.getFile("server.c"));
        ISourceViewer viewer = editor.viewer();
        int at = ServerProgram.SERVER_C.indexOf("&connfd") + 1;
        FindingHover hover = new FindingHover(() -> project.getFile("server.c"));
        IRegion region = hover.getHoverRegion(viewer, at);
        assertNotNull(region);
        assertEquals(ServerProgram.SERVER_C.indexOf("&connfd"), region.getOffset());
        FindingHover.Input input = assertInstanceOf(FindingHover.Input.class, hover.getHoverInfo2(viewer, region));
        String text = input.text();
        assertTrue(text.startsWith("The thread started on serve() receives &connfd"), text);
        assertTrue(text.lines().allMatch(l -> l.length() <= InterleaveMarkers.MESSAGE_LENGTH), text);
        assertNull(hover.getHoverRegion(viewer, ServerProgram.SERVER_C.indexOf("close")), "no finding there");

        // the editor's own configuration gives this hover for C code
        ITextHover configured = editorHover(editor);
        assertInstanceOf(FindingHover.class, configured);

        var control = (FindingHover.FindingHoverControl) hover.getHoverControlCreator()
                .createInformationControl(Workbench.window().getShell());
        control.setInput(input);
        List<Link> links = control.links();
        assertEquals(1, links.size());
        assertTrue(links.get(0).getText().contains("<a>"), links.get(0).getText());
        links.get(0).notifyListeners(SWT.Selection, new Event());
        Workbench.processEvents(200);
        IViewPart view = Workbench.page().findView(RuleDocumentationView.ID);
        assertNotNull(view, "the link opens the rule page");
        assertEquals(ServerProgram.STACK_RULE, ((RuleDocumentationView) view).shownRuleId());
        assertTrue(((RuleDocumentationView) view).shownContent().contains("so the thread may read another thread"),
                "the rule page starts with the finding's whole message, which the marker shortens");
    }

    @Test
    void findingsHaveTheirOwnAnnotationColourAndCodeIsNotSpellChecked() throws Exception {
        AnnotationPreference pref = EditorsUI.getAnnotationPreferenceLookup()
                .getAnnotationPreference("interleave.ui.findingAnnotation");
        assertNotNull(pref, "no annotation specification for Interleave's findings");
        AnnotationPreference error = EditorsUI.getAnnotationPreferenceLookup()
                .getAnnotationPreference("org.eclipse.ui.workbench.texteditor.error");
        assertNotEquals(error.getColorPreferenceValue(), pref.getColorPreferenceValue(), "same colour as errors");

        IProject project = analyzed("editor-annotations");
        CEditor editor = open(project.getFile("server.c"));
        IAnnotationModel model = editor.viewer().getAnnotationModel();
        boolean found = false;
        for (var it = model.getAnnotationIterator(); it.hasNext();) {
            Annotation a = it.next();
            if (a instanceof MarkerAnnotation m && m.getMarker().getType().equals(InterleaveMarkers.TYPE)) {
                assertEquals("interleave.ui.findingAnnotation", a.getType());
                found = true;
            }
            assertFalse(a.getType().startsWith("org.eclipse.ui.workbench.texteditor.spelling"),
                    "spelling annotation in C code: " + a.getText());
        }
        assertTrue(found);
    }

    @Test
    void treeSitterColoursKeywordsCommentsAndStrings() throws Exception {
        String source = "#include <stdio.h>\n/* while here is a comment */\nint main(void)\n{\n"
                + "    const char *s = \"return inside a string\";\n    while (1) { puts(s); }\n    return 0;\n}\n";
        IProject project = Workbench.project("editor-colours", Map.of("colours.c", source));
        CEditor editor = open(project.getFile("colours.c"));
        Workbench.waitForJobs(TreeSitterColouring.FAMILY);
        Workbench.processEvents(200);
        StyledText text = editor.viewer().getTextWidget();

        assertStyle(text, source.indexOf("while (1)"), Kind.KEYWORD, SWT.BOLD);
        assertStyle(text, source.indexOf("return 0"), Kind.KEYWORD, SWT.BOLD);
        assertStyle(text, source.indexOf("while here"), Kind.COMMENT, SWT.NORMAL);
        assertStyle(text, source.indexOf("return inside"), Kind.STRING, SWT.NORMAL);
        assertStyle(text, source.indexOf("int main"), Kind.TYPE, SWT.NORMAL);
        StyleRange plain = text.getStyleRangeAtOffset(source.indexOf("puts"));
        assertTrue(plain == null || plain.foreground == null, "an identifier is coloured: " + plain);

        // an edit is coloured again after the background parse
        editor.viewer().getDocument().replace(source.indexOf("int main"), 0, "static ");
        Workbench.waitForJobs(TreeSitterColouring.FAMILY);
        Workbench.processEvents(200);
        String now = editor.viewer().getDocument().get();
        assertStyle(text, now.indexOf("static "), Kind.KEYWORD, SWT.BOLD);
        assertStyle(text, now.indexOf("while (1)"), Kind.KEYWORD, SWT.BOLD);
        editor.doRevertToSaved();
    }

    @Test
    void aFiveThousandLineFileIsColouredWithoutBlockingTheEditor() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append("static int f").append(i).append("(int a) {\n    /* step */ if (a > ").append(i)
                    .append(") return a;\n    printf(\"%d\\n\", a);\n    return 0;\n}\n");
        }
        String source = sb.toString();
        IProject project = Workbench.project("editor-large", Map.of("large.c", source));
        long t0 = System.nanoTime();
        CEditor editor = open(project.getFile("large.c"));
        long opened = (System.nanoTime() - t0) / 1_000_000;
        Workbench.waitForJobs(TreeSitterColouring.FAMILY);
        Workbench.processEvents(100);
        long coloured = (System.nanoTime() - t0) / 1_000_000;
        StyledText text = editor.viewer().getTextWidget();
        int last = source.lastIndexOf("return 0");
        assertStyle(text, last, Kind.KEYWORD, SWT.BOLD);
        System.out.println("CEditorTest: 5,000 lines opened in " + opened + " ms, coloured after " + coloured + " ms");
        assertTrue(coloured < 10_000, "colouring 5,000 lines took " + coloured + " ms");

        // typing at the top repaints quickly: the UI thread only maps ready spans to styles
        long t1 = System.nanoTime();
        editor.viewer().getDocument().replace(0, 0, "/* x */\n");
        long typed = (System.nanoTime() - t1) / 1_000_000;
        System.out.println("CEditorTest: one edit at the top of 5,000 lines took " + typed + " ms on the UI thread");
        assertTrue(typed < 1000, "an edit took " + typed + " ms on the UI thread");
        editor.doRevertToSaved();
    }

    private static void assertStyle(StyledText text, int offset, Kind kind, int fontStyle) {
        StyleRange r = text.getStyleRangeAtOffset(offset);
        assertNotNull(r, "no style at " + offset + " (" + kind + ")");
        assertEquals(TreeSitterColouring.colour(kind), r.foreground, kind + " at " + offset);
        assertEquals(fontStyle, r.fontStyle & SWT.BOLD, kind + " font style at " + offset);
    }

    private static ITextHover editorHover(CEditor editor) throws Exception {
        return editor.configuration().getTextHover(editor.viewer(), org.eclipse.jface.text.IDocument.DEFAULT_CONTENT_TYPE);
    }
}
