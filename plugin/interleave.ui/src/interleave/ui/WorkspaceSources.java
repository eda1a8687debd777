package interleave.ui;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.core.filebuffers.FileBuffers;
import org.eclipse.core.filebuffers.ITextFileBuffer;
import org.eclipse.core.filebuffers.LocationKind;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IResourceProxy;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.content.IContentDescription;

import interleave.engine.analysis.Notification;
import interleave.engine.analysis.SourceFile;

/** Turns workspace resources into the engine's {@link SourceFile}s: which files, and their text. */
public final class WorkspaceSources {

    /** The files read, keyed by the display path the engine reports them under (the workspace full path). */
    record Program(List<SourceFile> sources, Map<String, IFile> files, List<Notification> notifications) {
    }

    private WorkspaceSources() {
    }

    public static boolean isCSource(IResource r) {
        if (r.getType() != IResource.FILE) {
            return false;
        }
        String ext = r.getFileExtension();
        return "c".equals(ext) || "h".equals(ext);
    }

    /** A file Interleave analyzes: C ({@code .c}, {@code .h}) or Java ({@code .java}). */
    public static boolean isSource(IResource r) {
        return isCSource(r) || JavaProjects.isJavaSource(r);
    }

    /**
     * The .c, .h and .java files of the given projects, folders and files, sorted by path. Below a selected container,
     * derived, hidden and team-private resources are skipped (build output, .git, ...); an explicitly selected file
     * is taken as it is.
     */
    static List<IFile> collect(Collection<? extends IResource> roots) throws CoreException {
        Set<IFile> found = new LinkedHashSet<>();
        for (IResource root : roots) {
            if (!root.isAccessible()) {
                continue;
            }
            if (root.getType() == IResource.FILE) {
                if (isSource(root)) {
                    found.add((IFile) root);
                }
                continue;
            }
            root.accept((IResourceProxy proxy) -> {
                boolean isRoot = proxy.requestFullPath().equals(root.getFullPath());
                if (!isRoot && (proxy.isDerived() || proxy.isHidden() || proxy.isTeamPrivateMember()
                        || proxy.isPhantom())) {
                    return false;
                }
                if (proxy.getType() == IResource.FILE) {
                    IResource r = proxy.requestResource();
                    if (isSource(r)) {
                        found.add((IFile) r);
                    }
                    return false;
                }
                return true;
            }, IResource.NONE);
        }
        List<IFile> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparing(f -> f.getFullPath().toString()));
        return sorted;
    }

    /** Reads each file from disk in its own charset; files that cannot be read become notifications. */
    static Program read(List<IFile> files, boolean preferOpenBuffers, Runnable afterEachFile) {
        List<SourceFile> sources = new ArrayList<>();
        Map<String, IFile> byPath = new LinkedHashMap<>();
        List<Notification> notes = new ArrayList<>();
        for (IFile file : files) {
            String display = file.getFullPath().toString();
            String text = preferOpenBuffers ? openBufferText(file) : null;
            if (text == null) {
                text = readFromDisk(file, display, notes);
            }
            if (text != null) {
                sources.add(SourceFile.of(display, forEngine(text)));
                byPath.put(display, file);
            }
            afterEachFile.run();
        }
        return new Program(sources, byPath, notes);
    }

    /**
     * The text as the engine gets it: a byte order mark still in the text becomes a space. Tree-sitter does not
     * skip U+FEFF (the whole file then yields no findings); a space keeps every offset the same as in the document.
     */
    static String forEngine(String text) {
        return text.startsWith("\uFEFF") ? " " + text.substring(1) : text;
    }

    /**
     * The text of the file as an open editor shows it, or null when no editor (or other client) holds a buffer. Quick
     * fixes compute their offsets on this text, since that is the document their edits are applied to.
     */
    static String openBufferText(IFile file) {
        ITextFileBuffer buffer = FileBuffers.getTextFileBufferManager().getTextFileBuffer(file.getFullPath(),
                LocationKind.IFILE);
        return buffer == null ? null : buffer.getDocument().get();
    }

    private static String readFromDisk(IFile file, String display, List<Notification> notes) {
        byte[] bytes;
        try (InputStream in = file.getContents(true)) { // true: read the file as it is now, even if not refreshed
            bytes = in.readNBytes((int) SourceFile.MAX_BYTES + 1);
        } catch (CoreException | IOException e) {
            notes.add(Notification.error(display, "cannot be read (" + e.getMessage() + "); skipped"));
            return null;
        }
        if (bytes.length > SourceFile.MAX_BYTES) {
            notes.add(Notification.error(display, "is larger than " + SourceFile.MAX_BYTES / (1024 * 1024)
                    + " MiB, too big for a source file; skipped"));
            return null;
        }
        for (int i = 0; i < Math.min(bytes.length, 64 * 1024); i++) {
            if (bytes[i] == 0) {
                notes.add(Notification.error(display,
                        "looks like a binary file, not source (NUL byte at offset " + i + "); skipped"));
                return null;
            }
        }
        Charset charset = charsetOf(file, display, notes);
        String text;
        try {
            text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            notes.add(Notification.warning(display, "is not valid " + charset.name()
                    + "; invalid bytes were read as U+FFFD and the rest was analyzed (check the file's encoding"
                    + " in Properties > Resource)"));
            text = new String(bytes, charset);
        }
        // A text file buffer leaves the byte order mark out of the document when the file's content type detects it
        // (C files under CDT), and keeps it as U+FEFF otherwise; do the same so marker offsets match the editor.
        return text.startsWith("\uFEFF") && hasDetectedByteOrderMark(file) ? text.substring(1) : text;
    }

    private static boolean hasDetectedByteOrderMark(IFile file) {
        try {
            IContentDescription d = file.getContentDescription();
            return d != null && d.getProperty(IContentDescription.BYTE_ORDER_MARK) != null;
        } catch (CoreException e) {
            return false;
        }
    }

    private static Charset charsetOf(IFile file, String display, List<Notification> notes) {
        try {
            return Charset.forName(file.getCharset());
        } catch (CoreException | IllegalArgumentException e) {
            notes.add(Notification.warning(display, "has an unknown encoding (" + e.getMessage()
                    + "); read as UTF-8"));
            return StandardCharsets.UTF_8;
        }
    }
}
