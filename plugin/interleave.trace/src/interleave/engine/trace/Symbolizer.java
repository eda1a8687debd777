package interleave.engine.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Turns code addresses of a traced process into binary, function, file and line (format §6): the image's maps file
 * says which binary holds the address, the binary's ELF program headers give the link-time address, and
 * {@code addr2line -f -C -e BINARY ADDR...} names it, one process per binary and batch, cached. Without addr2line, or
 * when a binary changed since the run, addresses still map to their binary but get no function or line. Thread-safe
 * (its caches behind one lock): the timeline view asks from its frame queries, details and search while the detectors
 * run, and a live view's builds share one symbolizer with the views showing earlier models.
 */
public final class Symbolizer {
    /**
     * Where an address is: {@code function}, {@code file}, {@code line} are null/0 when unknown.
     *
     * @param binary        the mapped file holding the address ("" if the address is in no mapped file)
     * @param binaryAddress the address as addr2line sees it (link-time virtual address)
     */
    public record SourceLine(long address, String binary, long binaryAddress, String function, String file,
            int line) {
        public boolean hasLine() {
            return file != null && line > 0;
        }

        public Optional<String> functionName() {
            return Optional.ofNullable(function);
        }

        /** e.g. {@code worker (race.c:57)}, {@code worker in /bin/race}, {@code 0x5555... in /bin/race}. */
        public String describe() {
            String where = hasLine() ? " (" + file.substring(file.lastIndexOf('/') + 1) + ":" + line + ")"
                    : binary.isEmpty() ? "" : " in " + binary;
            return (function != null ? function : "0x" + Long.toHexString(address)) + where;
        }
    }

    private record Mapping(long start, long end, long offset, String path) {
    }

    private record Elf(boolean pie, long[] loadOffset, long[] loadVaddr, long[] loadFilesz) {
    }

    private record Answer(String function, String file, int line) {
    }

    private final Path runDir;
    private final String addr2line;
    private final Map<String, List<Mapping>> maps = new HashMap<>();
    private final Map<String, Optional<Elf>> elves = new HashMap<>();
    private final Map<String, Map<Long, Answer>> answers = new HashMap<>();
    private boolean addr2lineMissing;
    private final Set<String> problems = new LinkedHashSet<>();

    private Symbolizer(Path runDir, String addr2line) {
        this.runDir = runDir;
        this.addr2line = addr2line;
    }

    /** Uses {@code addr2line} from the PATH. */
    public static Symbolizer forRun(TraceRun run) {
        return new Symbolizer(run.directory(), "addr2line");
    }

    /** Uses the given addr2line command (a path, or a name looked up on the PATH). */
    public static Symbolizer withAddr2line(TraceRun run, String command) {
        return new Symbolizer(run.directory(), command);
    }

    /** Maps addresses to binaries only, never runs a tool: deterministic output for tests and quick views. */
    public static Symbolizer addressesOnly(TraceRun run) {
        return new Symbolizer(run.directory(), null);
    }

    /** Why some addresses got no line, in the user's terms (addr2line missing, binary changed or missing). */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * One address.
     *
     * @param returnAddress true for a call's return address ({@code ra}; the call is the byte before it), false for
     *                      exact addresses (start routines, handlers, SIGNAL_HANDLER ra)
     */
    public synchronized SourceLine symbolize(ProcessImage image, long address, boolean returnAddress) {
        return symbolizeAll(image, List.of(address), returnAddress).get(address);
    }

    /** Many addresses of one image, with one addr2line process per binary for the ones not cached yet. */
    public synchronized Map<Long, SourceLine> symbolizeAll(ProcessImage image, Collection<Long> addresses,
            boolean returnAddresses) {
        List<Mapping> mapping = mapsOf(image);
        Map<Long, SourceLine> out = new LinkedHashMap<>();
        Map<String, Set<Long>> todo = new LinkedHashMap<>();
        Map<Long, Long> binaryAddress = new HashMap<>();
        Map<Long, String> binaryOf = new HashMap<>();
        for (long a : addresses) {
            long lookup = returnAddresses && a != 0 ? a - 1 : a;
            Mapping m = find(mapping, lookup);
            if (m == null) {
                out.put(a, new SourceLine(a, "", 0, null, null, 0));
                continue;
            }
            long v = linkAddress(m, mapping, lookup);
            binaryOf.put(a, m.path());
            binaryAddress.put(a, v);
            if (usable(m.path(), image)) {
                Map<Long, Answer> cached = answers.computeIfAbsent(m.path(), k -> new HashMap<>());
                if (!cached.containsKey(v)) {
                    todo.computeIfAbsent(m.path(), k -> new LinkedHashSet<>()).add(v);
                }
            }
        }
        todo.forEach(this::runAddr2line);
        for (long a : addresses) {
            if (out.containsKey(a)) {
                continue;
            }
            String bin = binaryOf.get(a);
            long v = binaryAddress.get(a);
            Answer ans = answers.getOrDefault(bin, Map.of()).get(v);
            out.put(a, ans == null ? new SourceLine(a, bin, v, null, null, 0)
                    : new SourceLine(a, bin, v, ans.function(), ans.file(), ans.line()));
        }
        return out;
    }

    private boolean usable(String binary, ProcessImage image) {
        if (addr2line == null || addr2lineMissing) {
            return false;
        }
        Path p = Path.of(binary);
        try {
            if (!Files.isRegularFile(p)) {
                problems.add(binary + " no longer exists: its addresses have no source lines");
                return false;
            }
            long modifiedNs = Files.getLastModifiedTime(p).toMillis() * 1_000_000L;
            long recordedNs = image.threads().isEmpty() ? Long.MAX_VALUE
                    : image.threads().get(0).header().createdRealNs();
            if (modifiedNs > recordedNs + 1_000_000_000L) {
                problems.add(binary + " was rebuilt after the run was recorded: its addresses have no source lines"
                        + " (run the program again to see them)");
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    private void runAddr2line(String binary, Set<Long> vaddrs) {
        Map<Long, Answer> cache = answers.computeIfAbsent(binary, k -> new HashMap<>());
        List<Long> list = new ArrayList<>(vaddrs);
        for (int from = 0; from < list.size() && !addr2lineMissing; from += 400) {
            List<Long> batch = list.subList(from, Math.min(list.size(), from + 400));
            List<String> cmd = new ArrayList<>(List.of(addr2line, "-f", "-C", "-e", binary));
            for (long v : batch) {
                cmd.add("0x" + Long.toHexString(v));
            }
            List<String> lines = new ArrayList<>();
            try {
                Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                proc.getOutputStream().close();
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null;) {
                        lines.add(l);
                    }
                }
                if (!proc.waitFor(30, TimeUnit.SECONDS)) {
                    proc.destroyForcibly();
                }
            } catch (IOException e) {
                addr2lineMissing = true;
                problems.add("addr2line could not be run (" + e.getMessage()
                        + "): events show addresses and binaries but no source lines; install binutils to see them");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int k = 0; k < batch.size(); k++) {
                String fn = 2 * k < lines.size() ? lines.get(2 * k) : "??";
                String loc = 2 * k + 1 < lines.size() ? lines.get(2 * k + 1) : "??:0";
                cache.put(batch.get(k), parse(fn, loc));
            }
        }
    }

    private static Answer parse(String fn, String loc) {
        String function = fn.equals("??") || fn.isBlank() ? null : fn.trim();
        int disc = loc.indexOf(" (discriminator");
        if (disc >= 0) {
            loc = loc.substring(0, disc);
        }
        int colon = loc.lastIndexOf(':');
        String file = colon > 0 ? loc.substring(0, colon) : loc;
        int line = 0;
        try {
            line = colon > 0 ? Integer.parseInt(loc.substring(colon + 1).trim()) : 0;
        } catch (NumberFormatException e) {
            line = 0; // "?" : no line information
        }
        if (file.equals("??") || line <= 0) {
            file = null;
            line = 0;
        }
        return new Answer(function, file, line);
    }

    private static Mapping find(List<Mapping> mapping, long a) {
        for (Mapping m : mapping) {
            if (Long.compareUnsigned(m.start(), a) <= 0 && Long.compareUnsigned(a, m.end()) < 0) {
                return m;
            }
        }
        return null;
    }

    private long linkAddress(Mapping m, List<Mapping> mapping, long a) {
        long off = a - m.start() + m.offset();
        Optional<Elf> elf = elves.computeIfAbsent(m.path(), Symbolizer::readElf);
        if (elf.isPresent()) {
            Elf e = elf.get();
            if (!e.pie()) {
                return a;
            }
            for (int i = 0; i < e.loadOffset().length; i++) {
                if (e.loadOffset()[i] <= off && off < e.loadOffset()[i] + e.loadFilesz()[i]) {
                    return off - e.loadOffset()[i] + e.loadVaddr()[i];
                }
            }
        }
        // no readable ELF: the usual layout, address minus the load base of the file
        for (Mapping b : mapping) {
            if (b.path().equals(m.path()) && b.offset() == 0) {
                return a - b.start();
            }
        }
        return off;
    }

    private static Optional<Elf> readElf(String path) {
        try (RandomAccessFile f = new RandomAccessFile(path, "r")) {
            byte[] id = new byte[64];
            f.readFully(id);
            ByteBuffer h = ByteBuffer.wrap(id).order(ByteOrder.LITTLE_ENDIAN);
            if (h.getInt(0) != 0x464c457f || id[4] != 2 || id[5] != 1) {
                return Optional.empty(); // not a 64-bit little-endian ELF
            }
            int type = h.getShort(16) & 0xffff;
            long phoff = h.getLong(32);
            int phentsize = h.getShort(54) & 0xffff, phnum = h.getShort(56) & 0xffff;
            List<long[]> loads = new ArrayList<>();
            byte[] ph = new byte[phentsize];
            for (int i = 0; i < phnum; i++) {
                f.seek(phoff + (long) i * phentsize);
                f.readFully(ph);
                ByteBuffer p = ByteBuffer.wrap(ph).order(ByteOrder.LITTLE_ENDIAN);
                if (p.getInt(0) == 1) { // PT_LOAD
                    loads.add(new long[] {p.getLong(8), p.getLong(16), p.getLong(32)});
                }
            }
            long[] o = new long[loads.size()], v = new long[loads.size()], s = new long[loads.size()];
            for (int i = 0; i < loads.size(); i++) {
                o[i] = loads.get(i)[0];
                v[i] = loads.get(i)[1];
                s[i] = loads.get(i)[2];
            }
            return Optional.of(new Elf(type == 3, o, v, s));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The call chain at a return address, innermost first: the function holding the call, then the functions it was
     * inlined into (addr2line -i). One element without debug info; lines as in {@link #symbolize}.
     */
    public synchronized List<SourceLine> inlineChain(ProcessImage image, long returnAddress) {
        SourceLine first = symbolize(image, returnAddress, true);
        if (!first.hasLine() || first.binary().isEmpty() || addr2line == null || addr2lineMissing) {
            return List.of(first);
        }
        List<Answer> chain = chains.computeIfAbsent(first.binary(), k -> new HashMap<>())
                .computeIfAbsent(first.binaryAddress(), v -> runInlineChain(first.binary(), v));
        if (chain.size() <= 1) {
            return List.of(first);
        }
        List<SourceLine> out = new ArrayList<>();
        for (Answer a : chain) {
            out.add(new SourceLine(returnAddress, first.binary(), first.binaryAddress(), a.function(), a.file(),
                    a.line()));
        }
        return out;
    }

    private final Map<String, Map<Long, List<Answer>>> chains = new HashMap<>();

    private List<Answer> runInlineChain(String binary, long vaddr) {
        List<String> lines = new ArrayList<>();
        try {
            Process proc = new ProcessBuilder(addr2line, "-f", "-i", "-C", "-e", binary, "0x" + Long.toHexString(vaddr))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            proc.getOutputStream().close();
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            }
            if (!proc.waitFor(30, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
            }
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        List<Answer> out = new ArrayList<>();
        for (int k = 0; k + 1 < lines.size(); k += 2) {
            out.add(parse(lines.get(k), lines.get(k + 1)));
        }
        return out;
    }

    private record DataSymbols(long[] start, long[] size, String[] name) {
    }

    private final Map<String, DataSymbols> dataSymbols = new HashMap<>();

    /**
     * The name of the global (or static) variable holding a data address, from the ELF symbol table of the binary it
     * belongs to: {@code m1}, or {@code pool+64} inside a larger object. Empty for heap and stack addresses, stripped
     * binaries, binaries that changed since the run, and with {@link #addressesOnly}.
     */
    public synchronized Optional<String> dataName(ProcessImage image, long address) {
        if (addr2line == null) { // addresses only: output that does not depend on the binaries present
            return Optional.empty();
        }
        List<Mapping> mapping = mapsOf(image);
        Mapping m = find(mapping, address);
        if (m == null) { // .bss past the end of the file's last page is an anonymous mapping right after it
            for (Mapping x : mapping) {
                if (Long.compareUnsigned(x.end(), address) <= 0 && address - x.end() < (64L << 20)
                        && (m == null || Long.compareUnsigned(x.end(), m.end()) > 0)) {
                    m = x;
                }
            }
            if (m == null) {
                return Optional.empty();
            }
        }
        String bin = m.path();
        Optional<Elf> elf = elves.computeIfAbsent(bin, Symbolizer::readElf);
        long v = address;
        if (elf.isEmpty() || elf.get().pie()) {
            Long base = null;
            for (Mapping b : mapping) {
                if (b.path().equals(bin) && b.offset() == 0) {
                    base = b.start();
                    break;
                }
            }
            if (base == null) {
                return Optional.empty();
            }
            v = address - base;
        }
        if (!image.threads().isEmpty() && !unchangedSince(bin, image)) {
            return Optional.empty();
        }
        DataSymbols syms = dataSymbols.computeIfAbsent(bin, Symbolizer::readDataSymbols);
        int lo = 0, hi = syms.start().length - 1, found = -1;
        while (lo <= hi) { // last symbol starting at or before v
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(syms.start()[mid], v) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || v - syms.start()[found] >= syms.size()[found]) {
            return Optional.empty();
        }
        long off = v - syms.start()[found];
        return Optional.of(syms.name()[found] + (off == 0 ? "" : "+" + off));
    }

    /** A global or static variable in an executable's symbol table: its link-time address and size. */
    public record DataSymbol(String name, long value, long size) {
    }

    /**
     * The variable {@code name} in the ELF symbol table of {@code binary} (.symtab, else .dynsym); empty when the
     * binary is not a readable ELF file, is stripped, or has no such object, or several (two file-static variables of
     * that name: which one is meant is not known).
     */
    public static Optional<DataSymbol> dataSymbol(Path binary, String name) {
        DataSymbols syms = readDataSymbols(binary.toString());
        DataSymbol found = null;
        for (int i = 0; i < syms.name().length; i++) {
            if (syms.name()[i].equals(name)) {
                if (found != null && found.value() != syms.start()[i]) {
                    return Optional.empty();
                }
                found = new DataSymbol(name, syms.start()[i], syms.size()[i]);
            }
        }
        return Optional.ofNullable(found);
    }

    private static boolean unchangedSince(String binary, ProcessImage image) {
        try {
            long modifiedNs = Files.getLastModifiedTime(Path.of(binary)).toMillis() * 1_000_000L;
            return modifiedNs <= image.threads().get(0).header().createdRealNs() + 1_000_000_000L;
        } catch (IOException e) {
            return false;
        }
    }

    /** STT_OBJECT symbols with a size from .symtab (else .dynsym), sorted by address; "x.0" statics as "x". */
    private static DataSymbols readDataSymbols(String path) {
        List<long[]> pos = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(path, "r")) {
            byte[] id = new byte[64];
            f.readFully(id);
            ByteBuffer h = ByteBuffer.wrap(id).order(ByteOrder.LITTLE_ENDIAN);
            if (h.getInt(0) != 0x464c457f || id[4] != 2 || id[5] != 1) {
                return new DataSymbols(new long[0], new long[0], new String[0]);
            }
            long shoff = h.getLong(40);
            int shentsize = h.getShort(58) & 0xffff, shnum = h.getShort(60) & 0xffff;
            if (shoff <= 0 || shentsize < 64 || shnum == 0 || shnum > 65535) {
                return new DataSymbols(new long[0], new long[0], new String[0]);
            }
            byte[] all = new byte[shentsize * shnum];
            f.seek(shoff);
            f.readFully(all);
            ByteBuffer sh = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            int symtab = -1;
            for (int want : new int[] {2, 11}) { // SHT_SYMTAB, then SHT_DYNSYM
                for (int i = 0; i < shnum && symtab < 0; i++) {
                    if (sh.getInt(i * shentsize + 4) == want) {
                        symtab = i;
                    }
                }
            }
            if (symtab < 0) {
                return new DataSymbols(new long[0], new long[0], new String[0]);
            }
            int b = symtab * shentsize;
            long off = sh.getLong(b + 24), size = sh.getLong(b + 32);
            int link = sh.getInt(b + 40);
            long entsize = Math.max(24, sh.getLong(b + 56));
            int lb = link * shentsize;
            long stroff = sh.getLong(lb + 24), strsize = sh.getLong(lb + 32);
            if (size > (256L << 20) || strsize > (256L << 20)) {
                return new DataSymbols(new long[0], new long[0], new String[0]);
            }
            byte[] syms = new byte[(int) size];
            f.seek(off);
            f.readFully(syms);
            byte[] str = new byte[(int) strsize];
            f.seek(stroff);
            f.readFully(str);
            ByteBuffer sb = ByteBuffer.wrap(syms).order(ByteOrder.LITTLE_ENDIAN);
            for (long k = 0; k + entsize <= size; k += entsize) {
                int e = (int) k;
                int nameOff = sb.getInt(e);
                int info = sb.get(e + 4) & 0xff;
                int shndx = sb.getShort(e + 6) & 0xffff;
                long value = sb.getLong(e + 8), sz = sb.getLong(e + 16);
                if ((info & 0xf) != 1 || sz <= 0 || shndx == 0 || nameOff <= 0 || nameOff >= str.length) {
                    continue;
                }
                int end = nameOff;
                while (end < str.length && str[end] != 0) {
                    end++;
                }
                String name = new String(str, nameOff, end - nameOff, StandardCharsets.UTF_8);
                name = name.replaceFirst("\\.\\d+$", "");
                pos.add(new long[] {value, sz});
                names.add(name);
            }
        } catch (IOException | RuntimeException e) {
            return new DataSymbols(new long[0], new long[0], new String[0]);
        }
        Integer[] order = new Integer[pos.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Long.compareUnsigned(pos.get(x)[0], pos.get(y)[0]));
        long[] st = new long[order.length], sz = new long[order.length];
        String[] nm = new String[order.length];
        for (int i = 0; i < order.length; i++) {
            st[i] = pos.get(order[i])[0];
            sz[i] = pos.get(order[i])[1];
            nm[i] = names.get(order[i]);
        }
        return new DataSymbols(st, sz, nm);
    }

    private List<Mapping> mapsOf(ProcessImage image) {
        String name = image.mapsFile();
        if (name.isEmpty()) {
            return List.of();
        }
        return maps.computeIfAbsent(name, n -> {
            List<Mapping> out = new ArrayList<>();
            Path file = runDir.resolve(n);
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                problems.add("maps file " + n + " cannot be read (" + e.getMessage() + "): addresses stay unresolved");
                return out;
            }
            for (String line : lines) {
                Mapping m = parseMapsLine(line);
                if (m != null) {
                    out.add(m);
                }
            }
            return out;
        });
    }

    /** {@code start-end perms offset dev inode [path]}; only file-backed lines (path starting with '/') count. */
    private static Mapping parseMapsLine(String line) {
        if (line.startsWith("#") || line.isBlank()) {
            return null;
        }
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 6 || !f[5].startsWith("/")) {
            return null;
        }
        int dash = f[0].indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String path = f[5].endsWith(" (deleted)") ? f[5].substring(0, f[5].length() - 10) : f[5];
            return new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
                    Long.parseUnsignedLong(f[0].substring(dash + 1), 16), Long.parseUnsignedLong(f[2], 16), path);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
