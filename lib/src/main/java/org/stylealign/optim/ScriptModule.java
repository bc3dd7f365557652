package org.stylealign.optim;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;

import org.stylealign.io.TorchScriptArchive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A TorchScript module written from Java ({@link TorchScriptArchive}) and loaded into a sub-manager of its own;
 * closing it frees both. How the workbench reaches libtorch functions that DJL does not expose.
 */
public final class ScriptModule implements AutoCloseable {

    final PtSymbolBlock block;
    private final NDManager manager;

    /** @param source the serialised code of class {@code className} (see {@link TorchScriptArchive#module}) */
    public ScriptModule(NDManager parent, String className, String source) {
        manager = parent.newSubManager();
        try {
            block = load(manager, className, source);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw new IllegalStateException("cannot load the TorchScript module " + className + ": "
                    + e.getMessage(), e);
        }
    }

    // libtorch reads modules from files: the archive goes through a temporary file, deleted once loaded
    private static PtSymbolBlock load(NDManager manager, String className, String source) throws IOException {
        Path tmp = Files.createTempFile("stylealign-" + className.toLowerCase() + "-", ".pt");
        try {
            Files.write(tmp, TorchScriptArchive.module(className, source));
            return JniUtils.loadModule((PtNDManager) manager, tmp, true, new String[0], new String[0], false);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void close() {
        block.close();
        manager.close();
    }
}
