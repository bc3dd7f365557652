package org.stylealign.viz;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnimationTest {

    @Test
    void theGifDecodesToItsFramesInOrder(@TempDir Path tmp) throws Exception {
        List<BufferedImage> frames = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            BufferedImage f = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
            var g = f.getGraphics();
            g.setColor(new Color(30 * i, 255 - 30 * i, 128));
            g.fillRect(0, 0, 40, 24);
            g.dispose();
            frames.add(f);
        }
        Path file = Animation.writeGif(frames, 80, tmp.resolve("a.gif"));
        try (ImageInputStream in = ImageIO.createImageInputStream(Files.newInputStream(file))) {
            ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
            r.setInput(in);
            assertEquals(7, r.getNumImages(true));
            for (int i = 0; i < 7; i++) {
                BufferedImage f = r.read(i);
                assertEquals(40, f.getWidth());
                assertEquals(24, f.getHeight());
                Color c = new Color(f.getRGB(5, 5));
                // GIF's palette quantises a little; the frame's own colour comes back
                assertTrue(Math.abs(c.getRed() - 30 * i) <= 8 && Math.abs(c.getGreen() - (255 - 30 * i)) <= 8,
                        "frame " + i + ": " + c);
            }
            String meta = r.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0").toString();
            assertTrue(meta != null);
            r.dispose();
        }
        assertThrows(IllegalArgumentException.class, () -> Animation.gif(List.of(), 10));
    }

    @Test
    void mp4IsWrittenWhenFfmpegIsThereAndSaidMissingOtherwise(@TempDir Path tmp) throws Exception {
        List<BufferedImage> frames = List.of(new BufferedImage(9, 9, BufferedImage.TYPE_INT_RGB),
                new BufferedImage(9, 9, BufferedImage.TYPE_INT_RGB));
        var out = Animation.writeMp4(frames, 10, tmp.resolve("a.mp4"));
        assertEquals(Animation.ffmpeg().isPresent(), out.isPresent());
        out.ifPresent(p -> assertTrue(p.toFile().length() > 0));
    }
}
