package org.stylealign.viz;

import java.awt.image.BufferedImage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The only class that knows which Jupyter kernel runs the notebook. Notebooks and the other viz classes call these
 * methods; they work under rapaio-jupyter-kernel, IJava and JJava (found by reflection, as none is a compile-time
 * dependency) and fall back to the console outside a kernel (tests, the CLI).
 */
public final class Display {

    /** Kernels this class can talk to. */
    public enum Kernel { RAPAIO, IJAVA, JJAVA, NONE }

    private static volatile Backend backend;

    private Display() {
    }

    /** The kernel this JVM runs in (NONE outside a notebook). */
    public static Kernel kernel() {
        return backend().kind;
    }

    /** Shows an image inline (image/png); a one-line note on the console. */
    public static void image(BufferedImage img) {
        Backend b = backend();
        if (b.kind == Kernel.NONE) {
            System.out.println("[image " + img.getWidth() + "x" + img.getHeight() + "]");
        } else {
            b.show(img, null);
        }
    }

    /** Shows HTML inline; its text on the console. */
    public static void html(String html) {
        Backend b = backend();
        if (b.kind == Kernel.NONE) {
            System.out.println(plainText(html));
        } else {
            b.show(html, "text/html");
        }
    }

    /** Shows HTML and returns an id for {@link #updateHtml}; null outside a kernel. */
    static String htmlWithId(String html) {
        Backend b = backend();
        return b.kind == Kernel.NONE ? null : b.show(html, "text/html");
    }

    /** Replaces what {@link #htmlWithId} showed. */
    static void updateHtml(String id, String html) {
        Backend b = backend();
        if (id != null && b.kind != Kernel.NONE) {
            b.update(id, html, "text/html");
        }
    }

    /** Crude tag stripping for the console fallback. */
    static String plainText(String html) {
        return html.replaceAll("(?i)<br\\s*/?>|</(p|div|tr|h[1-6]|li)>", "\n")
                .replaceAll("(?i)</t[dh]>", "\t")
                .replaceAll("<[^>]*>", "")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
                .replaceAll("\n{3,}", "\n\n").strip();
    }

    private static Backend backend() {
        Backend b = backend;
        if (b == null) {
            b = detect();
            backend = b;
        }
        return b;
    }

    private static Backend detect() {
        ClassLoader[] loaders = {Display.class.getClassLoader(), Thread.currentThread().getContextClassLoader()};
        for (ClassLoader cl : loaders) {
            Backend b = rapaio(cl);
            if (b == null) {
                b = spencerParkStyle(cl, Kernel.IJAVA, "io.github.spencerpark.ijava.runtime.Display",
                        "io.github.spencerpark.ijava.IJava");
            }
            if (b == null) {
                b = spencerParkStyle(cl, Kernel.JJAVA, "org.dflib.jjava.runtime.Display", "org.dflib.jjava.JJava");
            }
            if (b != null) {
                return b;
            }
        }
        return new Backend(Kernel.NONE, null, null, false);
    }

    /** rapaio: Global.display(String mime, Object) and Global.updateDisplay(String id, String mime, Object). */
    private static Backend rapaio(ClassLoader cl) {
        try {
            Class<?> main = Class.forName("org.rapaio.jupyter.kernel.MainApp", true, cl);
            if (main.getField("kernel").get(null) == null) {
                return null;
            }
            Class<?> g = Class.forName("org.rapaio.jupyter.kernel.global.Global", true, cl);
            return new Backend(Kernel.RAPAIO, g.getMethod("display", String.class, Object.class),
                    g.getMethod("updateDisplay", String.class, String.class, Object.class), true);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** IJava and its fork JJava: Display.display(Object, String...) and Display.updateDisplay(String, Object, String...). */
    private static Backend spencerParkStyle(ClassLoader cl, Kernel kind, String display, String kernelClass) {
        try {
            Object instance = Class.forName(kernelClass, true, cl).getMethod("getKernelInstance").invoke(null);
            if (instance == null) {
                return null;
            }
            Class<?> d = Class.forName(display, true, cl);
            return new Backend(kind, d.getMethod("display", Object.class, String[].class),
                    d.getMethod("updateDisplay", String.class, Object.class, String[].class), false);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    private static final class Backend {
        final Kernel kind;
        final Method display;
        final Method update;
        final boolean mimeFirst;

        Backend(Kernel kind, Method display, Method update, boolean mimeFirst) {
            this.kind = kind;
            this.display = display;
            this.update = update;
            this.mimeFirst = mimeFirst;
        }

        String show(Object o, String mime) {
            Object id = mimeFirst ? call(display, mime == null ? "" : mime, o)
                    : call(display, o, mime == null ? new String[0] : new String[] {mime});
            return id == null ? null : id.toString();
        }

        void update(String id, Object o, String mime) {
            if (mimeFirst) {
                call(update, id, mime, o);
            } else {
                call(update, id, o, new String[] {mime});
            }
        }

        private static Object call(Method m, Object... args) {
            try {
                return m.invoke(null, args);
            } catch (InvocationTargetException e) {
                Throwable c = e.getCause();
                throw c instanceof RuntimeException r ? r : new IllegalStateException("display failed", c);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
