package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.stylealign.io.HostTensor;
import org.stylealign.io.Npy;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleCodes;
import org.stylealign.model.StyleGan2;
import org.stylealign.model.StyleLayer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * `stylealign styles`: the StyleSpace of a batch: one s_XX.npy [N, channels] per layer (raw affine outputs, as in
 * the StyleSpace paper), z.npy, ws.npy [N, numWs, W], and index.json describing every file.
 */
@Command(name = "styles", header = "The StyleSpace of a batch: every layer's S as .npy", sortOptions = false,
        description = {"Writes one s_XX.npy [N, channels] per style layer (raw affine outputs, as in the StyleSpace "
        + "paper), z.npy, ws.npy [N, numWs, W] and index.json describing every file."})
final class StylesCommand extends Action {

    @Mixin
    ModelArgs model;

    @Mixin
    ModelArgs.Latents latents;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The folder to write (made if missing).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--out " + dir + " exists and is not a folder");
        }
        Files.createDirectories(dir);
        try (StyleGan2 model = this.model.load(); NDManager m = model.generator().manager().newSubManager()) {
            Generator g = model.generator();
            NDArray z = latents.latents(g, m);
            float psi = latents.truncation;
            NDArray ws = org.stylealign.model.Inference.call(() -> {
                NDArray w = g.broadcast(g.mapping(z));
                return psi != 1f ? g.truncate(w, psi) : w;
            });
            StyleCodes s = org.stylealign.model.Inference.call(() -> g.styles(ws));
            JsonObject index = new JsonObject();
            index.addProperty("checkpoint", model.source().toString());
            index.addProperty("format", model.format());
            index.addProperty("truncation", psi);
            index.addProperty("batch", z.getShape().get(0));
            index.addProperty("z", "z.npy");
            index.addProperty("ws", "ws.npy");
            index.addProperty("values", "raw affine outputs (toRGB layers before their 1/sqrt(channels) gain)");
            Npy.write(dir.resolve("z.npy"), host(z));
            Npy.write(dir.resolve("ws.npy"), host(ws));
            JsonArray layers = new JsonArray();
            for (StyleLayer l : g.styleLayers()) {
                String file = String.format("s_%02d.npy", l.index());
                Npy.write(dir.resolve(file), host(s.get(l.index())));
                JsonObject o = new JsonObject();
                o.addProperty("index", l.index());
                o.addProperty("name", l.name());
                o.addProperty("kind", l.isToRgb() ? "torgb" : "conv");
                o.addProperty("resolution", l.resolution());
                o.addProperty("channels", l.channels());
                o.addProperty("w_index", l.wIndex());
                o.addProperty("file", file);
                layers.add(o);
            }
            index.add("layers", layers);
            Path tmp = dir.resolve("index.json.tmp");
            Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(index),
                    StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve("index.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            out.println("wrote " + g.styleLayers().size() + " style layers (" + g.styleChannels()
                    + " channels) for " + z.getShape().get(0) + " latent(s) to " + dir);
        }
        return 0;
    }

    private static HostTensor host(NDArray a) {
        return new HostTensor(a.getShape().getShape(), a.toFloatArray());
    }
}
