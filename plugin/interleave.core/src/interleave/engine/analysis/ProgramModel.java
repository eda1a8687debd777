package interleave.engine.analysis;

import interleave.engine.concurrency.ConcurrencyFacts;
import interleave.engine.concurrency.ConcurrencyFixes;
import interleave.engine.rules.Language;

/**
 * One program as a language's front end models it (C: {@code CProgram} over tree-sitter trees; Java: JDT's ASTs).
 * Rules are typed by the model they read; rules that need only the neutral facts read {@link #concurrency()}.
 */
public interface ProgramModel {
    Language language();

    /** How the user would name this program: its main file or class. */
    String name();

    /** The program's concurrency in neutral terms, derived once and cached. */
    ConcurrencyFacts concurrency();

    /** The language's side of the fixes that neutral rules offer; none by default. */
    default ConcurrencyFixes concurrencyFixes() {
        return ConcurrencyFixes.NONE;
    }
}
