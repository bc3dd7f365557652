package org.stylealign.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Materialises a {@link BuildSpec} into {@code data/cache/<spec.id()>/}:
 * <pre>
 *   images.u8     uint8, N x C x H x W (C = 3 RGB, 1 grey)
 *   labels.jsonl  one {@link LabelRecord} per line
 *   masks.u8      uint8 class map, N x H x W (values are {@link PartClass} ordinals)      [with masks]
 *   parts.u16     uint16 little-endian part-coverage bits, N x H x W (see {@link PartMasks}) [with masks]
 *   manifest.json written last; names, licence, attribution, sizes and SHA-256 of the files above
 * </pre>
 * Deterministic: the same spec gives the same bytes in every file, whatever the thread count.
 */
public final class DatasetBuilder {

    /** Bumped whenever the bytes a spec produces change. */
    public static final int VERSION = 1;

    private static final int CHUNK = 128;

    private final DataPaths paths;
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private boolean force;
    private IntConsumer progress = n -> { };

    public DatasetBuilder(DataPaths paths) {
        this.paths = paths;
    }

    public DatasetBuilder() {
        this(DataPaths.locate());
    }

    public DatasetBuilder threads(int n) {
        if (n < 1) {
            throw new DataException("threads must be >= 1, got " + n);
        }
        this.threads = n;
        return this;
    }

    /** Rebuild even if a complete dataset with this id exists. */
    public DatasetBuilder force(boolean f) {
        this.force = f;
        return this;
    }

    /** Called with the number of images written so far, after each chunk. */
    public DatasetBuilder progress(IntConsumer p) {
        this.progress = p;
        return this;
    }

    public Path target(BuildSpec spec) {
        return paths.cacheDir().resolve(spec.id());
    }

    /** The dataset folder, built now unless a complete one exists (and force is off). */
    public Path build(BuildSpec spec) {
        Path target = target(spec);
        if (!force && Files.isRegularFile(target.resolve("manifest.json"))) {
            try {
                ImageDataset.verify(target);
                return target;
            } catch (DataException e) {
                // damaged: rebuilt below
            }
        }
        Domain domain = Domain.of(spec.domain());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "dataset-render");
            t.setDaemon(true);
            return t;
        });
        try (ImageSource source = open(spec, domain); CacheWriter out = new CacheWriter(target)) {
            int written = 0;
            for (int from = 0; from < spec.count(); from += CHUNK) {
                int to = Math.min(spec.count(), from + CHUNK);
                List<ImageSource.Item> items = source.render(from, to, pool);
                for (ImageSource.Item it : items) {
                    if (it.label().index() != written) {
                        throw new IllegalStateException("item " + it.label().index() + " arrived as " + written);
                    }
                    out.stream("images.u8").write(spec.edges()
                            ? EdgeMaps.of(it.pixels(), domain.channels(), spec.size()) : it.pixels());
                    out.writeLine("labels.jsonl", it.label().toJson());
                    if (spec.masks()) {
                        out.stream("masks.u8").write(it.classes());
                        out.stream("parts.u16").write(littleEndian(it.bits()));
                    }
                    written++;
                }
                progress.accept(written);
            }
            var files = out.closeFiles();
            Manifest m = new Manifest(Manifest.FORMAT, VERSION, spec.id(), spec.domain(), spec.size(),
                    domain.channels(), spec.images(), spec.seed(), spec.masks(), PartClass.keys(), domain.licence(),
                    domain.attribution(), domain.packageName(), spec.toJson(), source.generator(), files);
            return out.commit(m);
        } catch (DataException e) {
            throw e;
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof DataException d) {
                throw d;
            }
            throw new DataException("building " + spec.id() + " failed: " + c, c);
        } catch (IOException e) {
            throw new DataException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while building " + spec.id(), e);
        } catch (Exception e) {
            throw new DataException("building " + spec.id() + " failed: " + e, e);
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * How many emoji a build of this emoji domain and split can hold: the names all three sets draw, in the split
     * (so {@code spec.withCount(available(...))} builds the whole split). Other domains: an error.
     */
    public int available(String domain, BuildSpec.Split split) {
        if (Domain.of(domain).kind() != Domain.Kind.EMOJI) {
            throw new DataException("domain " + domain + " is not an emoji set: only emoji builds have a fixed number "
                    + "of names");
        }
        return EmojiSource.names(paths, split).size();
    }

    /** Builds if needed, then opens. */
    public ImageDataset open(BuildSpec spec) {
        return ImageDataset.open(build(spec));
    }

    private ImageSource open(BuildSpec spec, Domain d) {
        return switch (d.kind()) {
            case DICEBEAR -> new DiceBearSource(spec, paths);
            case EMOJI -> new EmojiSource(spec, paths);
            case MNIST, FASHION_MNIST -> new DigitSource(spec, paths);
        };
    }

    private static byte[] littleEndian(short[] s) {
        byte[] b = new byte[s.length * 2];
        for (int i = 0; i < s.length; i++) {
            b[2 * i] = (byte) s[i];
            b[2 * i + 1] = (byte) (s[i] >> 8);
        }
        return b;
    }

}
