package interleave.ui.tests;

import static interleave.ui.launch.TracedLaunchConfig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourceAttributes;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.ILaunchConfigurationTab;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.Test;

import interleave.ui.launch.TracedEventsTab;
import interleave.ui.launch.TracedLaunchPropertyTester;
import interleave.ui.launch.TracedMainTab;

/**
 * The launch dialog's own tabs keep what they are given (program, arguments, folders, events, load), refuse a launch
 * without a program, and Run As is offered on executables and on C files beside a Makefile only.
 */
class TracedLaunchTabsTest {
    private static ILaunchConfigurationWorkingCopy config() throws Exception {
        ILaunchManager m = DebugPlugin.getDefault().getLaunchManager();
        return m.getLaunchConfigurationType(TYPE_ID).newInstance(null, "tabs");
    }

    @Test
    void theMainAndEventsTabsKeepEveryAttributeThroughTheDialog() throws Exception {
        ILaunchConfigurationWorkingCopy given = config();
        given.setAttribute(PROGRAM, "/srv/bin/echo-thread");
        given.setAttribute(ARGUMENTS, "-p 0 --max-clients 5");
        given.setAttribute(WORKING_DIRECTORY, "/srv");
        given.setAttribute(MAKE_DIRECTORY, "/srv");
        given.setAttribute(TRACE_STDIO, true);
        given.setAttribute(KEEP_STACKS, true);
        given.setAttribute(OPEN_TIMELINE, false);
        given.setAttribute(LOAD_ENABLED, true);
        given.setAttribute(LOAD_CLIENT, "bin/echo-client");
        given.setAttribute(LOAD_CLIENTS, 7);
        given.setAttribute(LOAD_MODE, MODE_REQUESTS);
        given.setAttribute(LOAD_SECONDS, 9);
        given.setAttribute(LOAD_REQUESTS, 321);
        given.setAttribute(LOAD_STOPS_PROGRAM, false);
        Shell shell = new Shell(Workbench.display());
        try {
            ILaunchConfigurationWorkingCopy back = config();
            for (ILaunchConfigurationTab tab : new ILaunchConfigurationTab[] { new TracedMainTab(),
                    new TracedEventsTab() }) {
                tab.createControl(shell);
                tab.initializeFrom(given);
                assertTrue(tab.isValid(given), tab.getName() + ": " + tab.getErrorMessage());
                tab.performApply(back);
            }
            Map<String, Object> expected = given.getAttributes(), actual = back.getAttributes();
            assertEquals(expected, actual);

            // no program: the Main tab says what is missing
            ILaunchConfigurationWorkingCopy empty = config();
            TracedMainTab main = new TracedMainTab();
            main.createControl(shell);
            main.initializeFrom(empty);
            assertFalse(main.isValid(empty));
            assertTrue(main.getErrorMessage().contains("program"), main.getErrorMessage());
        } finally {
            shell.dispose();
        }
    }

    @Test
    void runAsIsOfferedOnExecutablesAndOnCFilesBesideAMakefile() throws Exception {
        IProject withMake = Workbench.project("tester-make", Map.of("Makefile", "all:\n", "a.c", "int x;\n",
                "notes.txt", "text\n"));
        IProject without = Workbench.project("tester-plain", Map.of("b.c", "int y;\n", "tool", "#!/bin/sh\n"));
        IFile tool = without.getFile("tool");
        ResourceAttributes attrs = tool.getResourceAttributes();
        attrs.setExecutable(true);
        tool.setResourceAttributes(attrs);
        TracedLaunchPropertyTester tester = new TracedLaunchPropertyTester();
        assertTrue(tester.test(withMake.getFile("a.c"), "tracedLaunchable", null, null));
        assertFalse(tester.test(withMake.getFile("notes.txt"), "tracedLaunchable", null, null));
        assertFalse(tester.test(without.getFile("b.c"), "tracedLaunchable", null, null), "no Makefile to build it");
        assertTrue(tester.test(tool, "tracedLaunchable", null, null), "an executable");
        assertFalse(tester.test(withMake, "tracedLaunchable", null, null), "a project is not a program");
    }
}
