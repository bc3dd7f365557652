// Shared setup of every notebook. The first code cell of a notebook is exactly:
//     %jars ../environment/.state/classpath.jar
//     %load setup.jsh
// classpath.jar (written by environment/setup.sh) lists lib/target/classes and every runtime jar of lib/.
// Keep this file to imports (its output is not shown under every kernel): helpers belong in the library (org.stylealign.viz), where they are
// compiled and tested, and kernel-specific calls live only in org.stylealign.viz.Display.
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.stylealign.model.*;
import org.stylealign.io.ModelIO;
import org.stylealign.viz.*;
import tech.tablesaw.api.*;
import org.knowm.xchart.XYChart;
