package org.rapaio.jupyter.kernel.channels;

/**
 * Replaces the class of the same name in rapaio-jupyter-kernel 3.0.1 (same public surface), put ahead of its jar on
 * the kernel's classpath by environment/kernel.sh. It fixes two start-up races of that version, both of which left
 * the kernel unable to answer ("Kernel didn't respond") or made it exit ("Kernel died before replying"):
 *
 * <ol>
 *   <li>3.0.1's {@code start()} calls {@code Thread.start()} first and sets {@code running} after it: a loop thread
 *       scheduled at once read {@code running == false} and ended before its first poll, leaving its channel without
 *       a reader. Here the flag is set before the thread exists.</li>
 *   <li>{@code Channels.connect} starts the socket loops before it creates its message handlers: a request that
 *       arrives in between (the client asks for {@code kernel_info} at once and again every second) made the shell
 *       loop throw a NullPointerException, which ended the loop for good. Here an exception in one pass is logged
 *       (stderr goes to the kernel log) and the loop goes on; the lost request is asked again by the client.</li>
 * </ol>
 * Measured here (AMD EPYC, 2 cores, AVX-512, 2026-12-07): 5 of 37 starts failed with 3.0.1's class on a moderately
 * loaded machine; the second race showed only under heavy load (load average ~20) once the first was fixed.
 */
public final class LoopThread extends Thread {

    private volatile boolean running;
    private final long sleep;
    private final Runnable loopBody;
    private String lastFailure; // logged once until a different failure comes

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                String what = e.toString();
                if (!what.equals(lastFailure)) {
                    lastFailure = what;
                    System.err.println("stylealign kernel fix: " + getName() + " loop continues after " + what);
                    e.printStackTrace();
                }
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                running = false;
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true; // before the thread can look at it
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}
