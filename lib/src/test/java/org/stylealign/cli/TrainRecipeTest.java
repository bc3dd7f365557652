package org.stylealign.cli;

import org.junit.jupiter.api.Test;
import org.stylealign.train.TrainConfig;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One training recipe: the command line and the library's {@link TrainConfig#recipe} give the same run. */
class TrainRecipeTest {

    private static TrainConfig cli(String... options) {
        List<String> argv = new ArrayList<>(List.of("train", "--data", "d", "--out", "o", "--kimg", "1"));
        argv.addAll(List.of(options));
        return CliParseTest.parsed(TrainCommand.class, argv.toArray(new String[0])).train.config(32, List.of());
    }

    @Test
    void theCommandLineUsesTheLibrarysRecipe() {
        TrainConfig lib = TrainConfig.recipe(32, 16).seed(1).build();
        assertEquals(lib, cli());
        // StyleGAN2-ADA's numbers: gamma 0.0002 res^2 / batch, EMA batch * 10 / 32 kimg with ramp-up, path length 2
        assertEquals(0.0002f * 32 * 32 / 16, lib.r1Gamma(), 1e-9);
        assertEquals(5f, lib.emaKimg(), 0);
        assertEquals(0.05f, lib.emaRampup(), 0);
        assertEquals(2f, lib.plWeight(), 0);
        assertEquals(0.9f, lib.styleMixProb(), 0);
        // options override only what they name
        TrainConfig c = cli("--batch", "8", "--pl-weight", "0", "--r1-gamma", "0.1", "--lr", "0.001", "--xflip",
                "--train-seed", "4");
        assertEquals(TrainConfig.recipe(32, 8).pathLength(0f, 4).r1(0.1f, 16).learningRate(0.001f).xflip(true).seed(4)
                .build(), c);
    }

    @Test
    void theBuilderChecksWhatItBuilds() {
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.recipe(32, 16).styleMixing(1.5f).build());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.recipe(32, 16).frozen(List.of("wings")).build());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.recipe(32, 0));
        TrainConfig base = TrainConfig.recipe(64, 16).build();
        assertEquals(base, base.toBuilder().build());
        assertEquals(List.of("mapping"), base.withFrozen(List.of("mapping")).frozen());
    }
}
