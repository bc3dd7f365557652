package org.stylealign.export;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import org.stylealign.model.GeneratorConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The generator as ONNX graphs of standard operators (opset 17, IR version 8), encoded with the protobuf classes
 * generated from onnx-ml.proto ({@code ai.onnx.proto.OnnxMl}). Every generator tensor is an initializer under its
 * canonical name (raw, the equalised-learning-rate gains are in the graph: Gemm's alpha/beta, Mul). The styled
 * convolutions use the formulation of the workbench's fast path, which keeps the batch dynamic: modulate the input
 * channels, convolve with the shared weight (ConvTranspose, stride 2, for the upsampling layers, then the [1,3,3,1]
 * FIR as a depthwise Conv), demodulate the output; the skip image is upsampled by a depthwise ConvTranspose with
 * the FIR filter, which is zero insertion, padding (2, 1) and the filter of upfirdn2d in one operator.
 */
final class OnnxExport {

    static final int OPSET = 17;
    static final int IR_VERSION = 8;
    private static final float SQRT2 = (float) Math.sqrt(2);

    private OnnxExport() {
    }

    /**
     * z [N, Z] -> image [N, C, R, R] and ws [N, numWs, W] (the W+ that made the image), truncation {@code psi}
     * built in. (psi is no input with a default, the initializer-as-input form: ONNX Runtime for Java cannot feed
     * those, and it keeps them from constant folding.)
     */
    static byte[] generator(ExportModel m, float psi) {
        Graph g = new Graph(m, "stylealign_generator");
        GeneratorConfig c = m.config();
        String z = g.input("z", c.zDim());
        // mapping: z / sqrt(mean(z^2) + 1e-8), then the MLP
        String x = g.op("Div", z, g.op("Sqrt", g.op("Add",
                g.op("ReduceMean", new Attr[] {Attr.ints("axes", 1), Attr.i("keepdims", 1)}, g.op("Mul", z, z)),
                g.scalar(1e-8f))));
        for (int i = 0; i < c.mappingLayers(); i++) {
            int in = i == 0 ? c.zDim() : c.wDim();
            x = g.fc("mapping.fc" + i, x, (float) (c.mappingLrMul() / Math.sqrt(in)), c.mappingLrMul(), true);
        }
        String w = x;
        if (psi != 1f) { // as Generator.generate: w_avg + psi (w - w_avg)
            String avg = g.init("mapping.w_avg");
            w = g.op("Add", avg, g.op("Mul", g.op("Sub", x, avg), g.scalar(psi)));
        }
        String ws = g.op("Expand", g.op("Unsqueeze", w, g.ints(1)), g.ints(1, c.numWs(), 1));
        g.output(g.rename(ws, "ws"), -1, c.numWs(), c.wDim());
        g.output(g.rename(synthesis(g, ws), "image"), -1, c.imageChannels(), c.resolution(), c.resolution());
        return g.model("StyleGAN2 generator exported by the StyleAlign Workbench: z -> image (and ws), truncation psi "
                + psi + ", stored noise", psi);
    }

    /** ws [N, numWs, W] -> image [N, C, R, R]. */
    static byte[] synthesis(ExportModel m) {
        Graph g = new Graph(m, "stylealign_synthesis");
        GeneratorConfig c = m.config();
        String ws = g.input("ws", c.numWs(), c.wDim());
        g.output(g.rename(synthesis(g, ws), "image"), -1, c.imageChannels(), c.resolution(), c.resolution());
        return g.model("StyleGAN2 synthesis network exported by the StyleAlign Workbench: ws -> image, stored noise",
                Float.NaN);
    }

    private static String synthesis(Graph g, String ws) {
        GeneratorConfig c = g.m.config();
        String x = g.op("Unsqueeze", g.init("synthesis.b4.const"), g.ints(0)); // [1, C, 4, 4]: the batch comes from s
        String img = null;
        int k = 0;
        for (int r = 4; r <= c.resolution(); r *= 2, k++) {
            String b = "synthesis.b" + r;
            if (r > 4) {
                x = styledConv(g, b + ".conv0", x, g.row(ws, 2 * k - 1), true);
            }
            x = styledConv(g, b + ".conv1", x, g.row(ws, 2 * k), false);
            // toRGB: modulated 1x1 convolution with gain 1/sqrt(C), no demodulation, plus bias
            String s = g.op("Mul", g.affine(b + ".torgb.affine", g.row(ws, 2 * k + 1)),
                    g.scalar((float) (1 / Math.sqrt(c.channelsAt(r)))));
            String y = g.op("Conv", g.op("Mul", x, g.op("Unsqueeze", s, g.ints(2, 3))), g.init(b + ".torgb.weight"));
            y = g.op("Add", y, g.op("Unsqueeze", g.init(b + ".torgb.bias"), g.ints(0, 2, 3)));
            if (img == null) {
                img = y;
            } else {
                int ch = c.imageChannels();
                String up = g.op("ConvTranspose", new Attr[] {Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 1),
                        Attr.i("group", ch)}, img, g.fir(ch));
                img = g.op("Add", up, y);
            }
        }
        return img;
    }

    private static String styledConv(Graph g, String name, String x, String w, boolean up) {
        String s = g.affine(name + ".affine", w); // [N, I]
        String weight = g.init(name + ".weight"); // [O, I, 3, 3]
        long o = g.m.shape(name + ".weight")[0];
        // demodulation: 1 / sqrt(sum_i s_i^2 sum_k weight[o, i, k]^2 + 1e-8), [N, O]
        String wsq = g.op("ReduceSum", new Attr[] {Attr.i("keepdims", 0)}, g.op("Mul", weight, weight), g.ints(2, 3));
        String d = g.op("Reciprocal", g.op("Sqrt", g.op("Add",
                g.op("Gemm", new Attr[] {Attr.i("transB", 1)}, g.op("Mul", s, s), wsq), g.scalar(1e-8f))));
        String y = g.op("Mul", x, g.op("Unsqueeze", s, g.ints(2, 3)));
        if (up) {
            // transposed convolution, stride 2, weight not flipped ([I, O, 3, 3]), then the FIR filter, padding 1
            String wt = g.op("Transpose", new Attr[] {Attr.ints("perm", 1, 0, 2, 3)}, weight);
            y = g.op("ConvTranspose", new Attr[] {Attr.ints("strides", 2, 2)}, y, wt);
            y = g.op("Conv", new Attr[] {Attr.ints("pads", 1, 1, 1, 1), Attr.i("group", o)}, y, g.fir(o));
        } else {
            y = g.op("Conv", new Attr[] {Attr.ints("pads", 1, 1, 1, 1)}, y, weight);
        }
        y = g.op("Mul", y, g.op("Unsqueeze", d, g.ints(2, 3)));
        y = g.op("Add", y, g.op("Mul", g.init(name + ".noise_const"), g.init(name + ".noise_strength")));
        y = g.op("Add", y, g.op("Unsqueeze", g.init(name + ".bias"), g.ints(0, 2, 3)));
        return g.op("Mul", g.op("LeakyRelu", new Attr[] {Attr.f("alpha", 0.2f)}, y), g.scalar(SQRT2));
    }

    /** A node attribute. */
    private record Attr(AttributeProto proto) {
        static Attr i(String name, long v) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
                    .setI(v).build());
        }

        static Attr f(String name, float v) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                    .setF(v).build());
        }

        static Attr ints(String name, long... v) {
            AttributeProto.Builder b = AttributeProto.newBuilder().setName(name)
                    .setType(AttributeProto.AttributeType.INTS);
            for (long x : v) {
                b.addInts(x);
            }
            return new Attr(b.build());
        }
    }

    /** Builds one graph: named values, nodes in order, initializers added on first use. */
    private static final class Graph {

        final ExportModel m;
        final GraphProto.Builder graph = GraphProto.newBuilder();
        private final Set<String> initialised = new HashSet<>();
        private int next;

        Graph(ExportModel m, String name) {
            this.m = m;
            graph.setName(name);
        }

        /** A float input [batch, dims...]. */
        String input(String name, long... dims) {
            graph.addInput(valueInfo(name, prepend(-1, dims)));
            return name;
        }

        void output(String name, long... dims) {
            graph.addOutput(valueInfo(name, dims));
        }

        /** The generator tensor {@code name} as an initializer. */
        String init(String name) {
            if (initialised.add(name)) {
                graph.addInitializer(floats(name, m.values(name), m.shape(name)));
            }
            return name;
        }

        String scalar(float v) {
            String name = "const." + Float.toString(v);
            if (initialised.add(name)) {
                graph.addInitializer(floats(name, new float[] {v}));
            }
            return name;
        }

        String ints(long... v) {
            StringBuilder n = new StringBuilder("const.i");
            for (long x : v) {
                n.append('_').append(x);
            }
            String name = n.toString();
            if (initialised.add(name)) {
                ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                for (long x : v) {
                    b.putLong(x);
                }
                graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64
                        .getNumber()).addDims(v.length).setRawData(ByteString.copyFrom(b.array())));
            }
            return name;
        }

        /** The [1,3,3,1] FIR filter with gain 4 (outer product / 16), one copy per channel: [c, 1, 4, 4]. */
        String fir(long c) {
            String name = "fir.up." + c;
            if (initialised.add(name)) {
                float[] k = {1, 3, 3, 1};
                float[] v = new float[(int) c * 16];
                for (int ch = 0; ch < c; ch++) {
                    for (int a = 0; a < 4; a++) {
                        for (int b = 0; b < 4; b++) {
                            v[ch * 16 + a * 4 + b] = k[a] * k[b] / 16f;
                        }
                    }
                }
                graph.addInitializer(floats(name, v, new long[] {c, 1, 4, 4}));
            }
            return name;
        }

        /** ws[:, i, :] as [N, W]. */
        String row(String ws, int i) {
            return op("Gather", new Attr[] {Attr.i("axis", 1)}, ws, scalarIndex(i));
        }

        private String scalarIndex(long i) {
            String name = "const.index_" + i;
            if (initialised.add(name)) {
                ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(i);
                graph.addInitializer(TensorProto.newBuilder().setName(name)
                        .setDataType(TensorProto.DataType.INT64.getNumber()).setRawData(ByteString.copyFrom(b.array())));
            }
            return name;
        }

        /** Equalised-lr linear layer: x @ (weight * wGain)^T + bias * bGain, optionally leaky ReLU times sqrt(2). */
        String fc(String name, String x, float wGain, float bGain, boolean activate) {
            String y = op("Gemm", new Attr[] {Attr.i("transB", 1), Attr.f("alpha", wGain), Attr.f("beta", bGain)},
                    x, init(name + ".weight"), init(name + ".bias"));
            return activate ? op("Mul", op("LeakyRelu", new Attr[] {Attr.f("alpha", 0.2f)}, y), scalar(SQRT2)) : y;
        }

        /** The affine layer of a styled layer: w @ (A / sqrt(W))^T + b. */
        String affine(String name, String w) {
            return fc(name, w, (float) (1 / Math.sqrt(m.config().wDim())), 1f, false);
        }

        String op(String type, String... inputs) {
            return op(type, new Attr[0], inputs);
        }

        String op(String type, Attr[] attrs, String... inputs) {
            String out = type.toLowerCase() + "_" + (next++);
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName("n" + next).addOutput(out);
            for (String in : inputs) {
                n.addInput(in);
            }
            for (Attr a : attrs) {
                n.addAttribute(a.proto());
            }
            graph.addNode(n);
            return out;
        }

        /** Gives the value {@code value} the graph-output name {@code name} (an Identity node). */
        String rename(String value, String name) {
            graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName("out_" + name).addInput(value)
                    .addOutput(name));
            return name;
        }

        /** @param psi the truncation built in, NaN for none (the synthesis model takes ws) */
        byte[] model(String doc, float psi) {
            GeneratorConfig c = m.config();
            ModelProto.Builder b = ModelProto.newBuilder()
                    .setIrVersion(IR_VERSION)
                    .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .setProducerName("stylealign")
                    .setProducerVersion("0.1.0")
                    .setDocString(doc)
                    .setGraph(graph);
            meta(b, "resolution", c.resolution());
            meta(b, "image_channels", c.imageChannels());
            meta(b, "z_dim", c.zDim());
            meta(b, "w_dim", c.wDim());
            meta(b, "num_ws", c.numWs());
            meta(b, "noise", "const (the stored noise maps)");
            if (!Float.isNaN(psi)) {
                meta(b, "truncation_psi", psi);
            }
            return b.build().toByteArray();
        }

        private static void meta(ModelProto.Builder b, String key, Object value) {
            b.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(String.valueOf(value)));
        }

        private static long[] prepend(long first, long[] rest) {
            long[] a = new long[rest.length + 1];
            a[0] = first;
            System.arraycopy(rest, 0, a, 1, rest.length);
            return a;
        }

        /** A float tensor value; a dimension of -1 is the symbolic "batch". */
        private static ValueInfoProto valueInfo(String name, long... dims) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            for (long d : dims) {
                shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                        : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())
                            .setShape(shape))).build();
        }

        private static TensorProto floats(String name, float[] v, long... dims) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            TensorProto.Builder t = TensorProto.newBuilder().setName(name)
                    .setDataType(TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(b.array()));
            for (long d : dims) {
                t.addDims(d);
            }
            return t.build();
        }
    }
}
