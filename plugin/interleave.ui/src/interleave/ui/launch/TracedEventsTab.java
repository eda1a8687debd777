package interleave.ui.launch;

import static interleave.ui.launch.TracedLaunchConfig.*;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTab;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Text;

/** What to record beyond the default events, and the optional load (the sample echo client). */
public class TracedEventsTab extends AbstractLaunchConfigurationTab {
    private Button stdio;
    private Button stacks;
    private Button openTimeline;
    private Button load;
    private Text client;
    private Spinner clients;
    private Button byTime;
    private Spinner seconds;
    private Button byRequests;
    private Spinner requests;
    private Button stopsProgram;

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(1, false));
        Group events = new Group(c, SWT.NONE);
        events.setText("Events");
        events.setLayout(new GridLayout(1, false));
        events.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        stdio = check(events, "Also record &stdio calls (printf, fputs, ...: where output and signals collide)");
        stacks = check(events, "Keep every thread's stac&k when the program is stopped (gdb or /proc; slower stop)");
        openTimeline = check(events, "Open the run in the Concurrency &Timeline when it ends");

        Group g = new Group(c, SWT.NONE);
        g.setText("Load");
        g.setLayout(new GridLayout(3, false));
        g.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        load = check(g, "Start a &load client once the program prints \"listening on 127.0.0.1:PORT\"");
        ((GridData) load.getLayoutData()).horizontalSpan = 3;
        new Label(g, SWT.NONE).setText("Client:");
        client = new Text(g, SWT.BORDER);
        client.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        client.setToolTipText("The sample echo client (sample-servers/bin/echo-client); relative to the working directory");
        client.addModifyListener(e -> updateLaunchConfigurationDialog());
        new Label(g, SWT.NONE).setText("Clients:");
        clients = spinner(g, 1, 64);
        new Label(g, SWT.NONE).setText("concurrent connections");
        byTime = radio(g, "For");
        seconds = spinner(g, 1, 600);
        new Label(g, SWT.NONE).setText("seconds");
        byRequests = radio(g, "Until");
        requests = spinner(g, 1, 1_000_000);
        new Label(g, SWT.NONE).setText("requests in all");
        stopsProgram = check(g, "Stop the program when the load is done (the run ends and is shown)");
        ((GridData) stopsProgram.getLayoutData()).horizontalSpan = 3;
        load.addListener(SWT.Selection, e -> enable());
        byTime.addListener(SWT.Selection, e -> enable());
        setControl(c);
    }

    private Button check(Composite parent, String text) {
        Button b = new Button(parent, SWT.CHECK);
        b.setText(text);
        b.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        b.addListener(SWT.Selection, e -> updateLaunchConfigurationDialog());
        return b;
    }

    private Button radio(Composite parent, String text) {
        Button b = new Button(parent, SWT.RADIO);
        b.setText(text);
        b.addListener(SWT.Selection, e -> updateLaunchConfigurationDialog());
        return b;
    }

    private Spinner spinner(Composite parent, int min, int max) {
        Spinner s = new Spinner(parent, SWT.BORDER);
        s.setMinimum(min);
        s.setMaximum(max);
        s.addModifyListener(e -> updateLaunchConfigurationDialog());
        return s;
    }

    private void enable() {
        boolean on = load.getSelection();
        for (var w : new org.eclipse.swt.widgets.Control[] { client, clients, byTime, byRequests, stopsProgram }) {
            w.setEnabled(on);
        }
        seconds.setEnabled(on && byTime.getSelection());
        requests.setEnabled(on && !byTime.getSelection());
    }

    @Override
    public void setDefaults(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(TRACE_STDIO, false);
        config.setAttribute(OPEN_TIMELINE, true);
        config.setAttribute(LOAD_ENABLED, false);
    }

    @Override
    public void initializeFrom(ILaunchConfiguration config) {
        try {
            stdio.setSelection(config.getAttribute(TRACE_STDIO, false));
            stacks.setSelection(config.getAttribute(KEEP_STACKS, false));
            openTimeline.setSelection(config.getAttribute(OPEN_TIMELINE, true));
            load.setSelection(config.getAttribute(LOAD_ENABLED, false));
            client.setText(config.getAttribute(LOAD_CLIENT, ""));
            clients.setSelection(config.getAttribute(LOAD_CLIENTS, DEFAULT_CLIENTS));
            boolean time = MODE_TIME.equals(config.getAttribute(LOAD_MODE, MODE_TIME));
            byTime.setSelection(time);
            byRequests.setSelection(!time);
            seconds.setSelection(config.getAttribute(LOAD_SECONDS, DEFAULT_SECONDS));
            requests.setSelection(config.getAttribute(LOAD_REQUESTS, DEFAULT_REQUESTS));
            stopsProgram.setSelection(config.getAttribute(LOAD_STOPS_PROGRAM, true));
            enable();
        } catch (CoreException e) {
            setErrorMessage(e.getMessage());
        }
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(TRACE_STDIO, stdio.getSelection());
        config.setAttribute(KEEP_STACKS, stacks.getSelection());
        config.setAttribute(OPEN_TIMELINE, openTimeline.getSelection());
        config.setAttribute(LOAD_ENABLED, load.getSelection());
        config.setAttribute(LOAD_CLIENT, client.getText().strip());
        config.setAttribute(LOAD_CLIENTS, clients.getSelection());
        config.setAttribute(LOAD_MODE, byTime.getSelection() ? MODE_TIME : MODE_REQUESTS);
        config.setAttribute(LOAD_SECONDS, seconds.getSelection());
        config.setAttribute(LOAD_REQUESTS, requests.getSelection());
        config.setAttribute(LOAD_STOPS_PROGRAM, stopsProgram.getSelection());
    }

    @Override
    public boolean isValid(ILaunchConfiguration config) {
        setErrorMessage(null);
        if (load.getSelection() && client.getText().isBlank()) {
            setErrorMessage("Give the load client (sample-servers/bin/echo-client)");
            return false;
        }
        return true;
    }

    @Override
    public String getName() {
        return "Events and Load";
    }
}
