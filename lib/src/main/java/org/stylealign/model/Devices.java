package org.stylealign.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * The one place that picks the compute device. Default: the engine's default (a GPU when libtorch sees one, else
 * the CPU). Override with the system property {@code stylealign.device} or the environment variable
 * {@code STYLEALIGN_DEVICE}: "cpu", "gpu" or "gpu:N".
 */
public final class Devices {

    private Devices() {
    }

    public static Device preferred() {
        String spec = System.getProperty("stylealign.device", System.getenv("STYLEALIGN_DEVICE"));
        if (spec == null || spec.isBlank()) {
            return Engine.getInstance().defaultDevice();
        }
        return parse(spec.trim());
    }

    static Device parse(String spec) {
        String s = spec.toLowerCase();
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu") || s.equals("cuda")) {
            return Device.gpu();
        }
        if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
            try {
                return Device.gpu(Integer.parseInt(s.substring(s.indexOf(':') + 1)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec + "': use cpu, gpu or gpu:N");
    }
}
