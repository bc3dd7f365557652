package org.stylealign.viz;

import org.stylealign.io.AtomicFiles;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Frames as an animation: an animated GIF written by the JDK's own GIF encoder (looping, a fixed delay per frame),
 * and an MP4 by {@code ffmpeg} when it is installed (optional; {@link #ffmpeg()} says whether it is).
 */
public final class Animation {

    private Animation() {
    }

    /** The GIF's bytes: frames in order, {@code delayMs} each (rounded to 10 ms, GIF's unit), looping forever. */
    public static byte[] gif(List<BufferedImage> frames, int delayMs) throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("an animation needs at least one frame");
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < frames.size(); i++) {
                BufferedImage f = rgb(frames.get(i));
                ImageWriteParam p = writer.getDefaultWriteParam();
                IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(f), p);
                String format = meta.getNativeMetadataFormatName();
                IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
                IIOMetadataNode gce = child(root, "GraphicControlExtension");
                gce.setAttribute("disposalMethod", "none");
                gce.setAttribute("userInputFlag", "FALSE");
                gce.setAttribute("transparentColorFlag", "FALSE");
                gce.setAttribute("transparentColorIndex", "0");
                gce.setAttribute("delayTime", Integer.toString(Math.max(1, Math.round(delayMs / 10f))));
                if (i == 0) { // the NETSCAPE2.0 extension: loop forever
                    IIOMetadataNode apps = child(root, "ApplicationExtensions");
                    IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
                    app.setAttribute("applicationID", "NETSCAPE");
                    app.setAttribute("authenticationCode", "2.0");
                    app.setUserObject(new byte[] {1, 0, 0});
                    apps.appendChild(app);
                }
                meta.setFromTree(format, root);
                writer.writeToSequence(new IIOImage(f, null, meta), p);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Writes the GIF atomically. */
    public static Path writeGif(List<BufferedImage> frames, int delayMs, Path file) throws IOException {
        byte[] data = gif(frames, delayMs);
        write(file, data);
        return file;
    }

    /** The GIF under reports/figures/NAME.gif, shown inline in a notebook (elsewhere: only written). */
    public static Path show(List<BufferedImage> frames, int delayMs, String name) throws IOException {
        byte[] data = gif(frames, delayMs);
        Path file = Figures.dir().resolve(Figures.checkName(name) + ".gif");
        write(file, data);
        Display.html("<img alt=\"" + name + "\" src=\"data:image/gif;base64," + Base64.getEncoder().encodeToString(data)
                + "\"/>");
        return file;
    }

    /** The ffmpeg executable on the PATH, if any. */
    public static Optional<String> ffmpeg() {
        try {
            Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of("ffmpeg") : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * An H.264 MP4 at {@code fps} by ffmpeg (frames scaled to even sizes), written atomically; empty when ffmpeg is
     * not installed (the caller says so). A failing ffmpeg is an IOException with its last output lines.
     */
    public static Optional<Path> writeMp4(List<BufferedImage> frames, int fps, Path file) throws IOException {
        if (ffmpeg().isEmpty()) {
            return Optional.empty();
        }
        Path dir = Files.createTempDirectory("stylealign-frames-");
        try {
            for (int i = 0; i < frames.size(); i++) {
                ImageIO.write(rgb(frames.get(i)), "png", dir.resolve(String.format("f%05d.png", i)).toFile());
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp.mp4");
            List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-y", "-loglevel", "error", "-framerate",
                    Integer.toString(fps), "-i", dir.resolve("f%05d.png").toString(), "-vf",
                    "scale=trunc(iw/2)*2:trunc(ih/2)*2:flags=neighbor", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                    tmp.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                Files.deleteIfExists(tmp);
                throw new IOException("ffmpeg failed writing " + file + ": " + log.strip());
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return Optional.of(file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while ffmpeg wrote " + file, e);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void write(Path file, byte[] data) throws IOException {
        try {
            AtomicFiles.write(file, out -> out.write(data));
        } catch (org.stylealign.io.CheckpointException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static BufferedImage rgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) {
            return img;
        }
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(img, 0, 0, null);
        return out;
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
                return (IIOMetadataNode) root.item(i);
            }
        }
        IIOMetadataNode n = new IIOMetadataNode(name);
        root.appendChild(n);
        return n;
    }
}
