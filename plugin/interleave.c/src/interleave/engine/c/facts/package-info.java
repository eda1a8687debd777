/**
 * Concurrency facts of a C program, derived once from the syntax model and shared by the rules: fork sites with their
 * parent and child paths, reap sites, thread creations and the fate of their handles, lock and unlock sites with the
 * locks held, shared variables and their accesses, descriptor opens and closes. Each kind of fact is one class with a
 * static {@code of(CProgram)} that caches through {@link interleave.engine.c.CProgram#facts}. Facts say what the code
 * does; whether that is a bug is the rules' business.
 */
package interleave.engine.c.facts;
