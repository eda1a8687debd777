/**
 * Concurrency facts in shapes every language has: the code that runs concurrently (entry points), the locks it takes
 * with the locks it already holds, and its accesses to shared variables. A front end (C: tree-sitter; Java: JDT)
 * derives them from its own program model; rules that only need these facts (lock-order inversion, unsynchronized
 * shared writes) are written once over them.
 */
package interleave.engine.concurrency;
