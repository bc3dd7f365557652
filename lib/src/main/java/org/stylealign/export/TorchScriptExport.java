package org.stylealign.export;

import org.stylealign.io.PickleWriter;
import org.stylealign.io.TorchScriptArchive;
import org.stylealign.model.GeneratorConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The generator as a TorchScript archive in torch.jit.save's layout: {@code code/__torch__.py} (TorchScript source
 * that libtorch compiles when it loads the file), {@code data.pkl} (the module tree, tensors by persistent id),
 * {@code data/N} (raw little-endian float32 storages), {@code constants.pkl}, {@code version}. The module tree
 * mirrors the canonical tensor names (docs/parameters.md), so {@code state_dict()} of the loaded module holds
 * exactly the workbench's tensors under the workbench's names; the equalised-learning-rate gains are applied in the
 * code, as in the reference implementations.
 *
 * <p>The code keeps away from kernels libtorch's CPU build gets wrong on some CPUs (docs/numerics.md): the upsampling
 * convolution runs polyphase (one 2x2 convolution computing the four output phases, interleaved) instead of
 * conv_transpose2d, and convolutions pad channel counts to multiples of 16 with zeros, as the workbench does.
 */
final class TorchScriptExport {

    /** The archive's top folder (torch.jit.save uses the file's stem; any name loads). */
    private static final String ROOT = "generator";
    private static final String SQRT2 = "1.4142135623730951";
    /**
     * Convolution with input and output channels zero-padded to multiples of 16, as the workbench's guarded route:
     * libtorch's CPU convolution is wrong on some CPUs for other channel counts (docs/numerics.md), and zero
     * channels change nothing.
     */
    private static final String CONV = ""
            + "  def conv(self: __torch__.CLASS,\n"
            + "    x: Tensor,\n"
            + "    w: Tensor,\n"
            + "    pad: int) -> Tensor:\n"
            + "    co = w.size(0)\n"
            + "    pi = (16 - w.size(1) % 16) % 16\n"
            + "    po = (16 - co % 16) % 16\n"
            + "    if pi + po == 0:\n"
            + "      return torch.conv2d(x, w, None, [1, 1], [pad, pad])\n"
            + "    xp = torch.constant_pad_nd(x, [0, 0, 0, 0, 0, pi], 0.)\n"
            + "    wp = torch.constant_pad_nd(w, [0, 0, 0, 0, 0, pi, 0, po], 0.)\n"
            + "    y = torch.conv2d(xp, wp, None, [1, 1], [pad, pad])\n"
            + "    return torch.slice(y, 1, 0, co)\n";
    private static final String FIR = ""
            + "  def fir(self: __torch__.CLASS,\n"
            + "    c: int,\n"
            + "    like: Tensor) -> Tensor:\n"
            + "    k = torch.tensor([1., 3., 3., 1.], dtype=6, device=like.device)\n"
            + "    f = torch.mul(torch.outer(k, k), 0.0625)\n"
            + "    return torch.reshape(f, [1, 1, 4, 4]).repeat([c, 1, 1, 1])\n";

    private TorchScriptExport() {
    }

    /** One module object of the tree: its class and attributes (Tensor keys, Double, Boolean or Obj) in order. */
    private record Obj(String cls, Map<String, Object> attrs) {
    }

    /** A tensor attribute: the canonical name of a generator tensor. */
    private record TensorRef(String name) {
    }

    static void write(ExportModel m, float truncationPsi, OutputStream out) throws IOException {
        GeneratorConfig c = m.config();
        Obj root = generator(m);
        List<String> order = new ArrayList<>();
        PickleWriter p = new PickleWriter();
        pickle(p, root, order, m);
        byte[] data = p.finish();
        String source = source(c, truncationPsi);
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            TorchScriptArchive.stored(zip, ROOT + "/data.pkl", data);
            TorchScriptArchive.stored(zip, ROOT + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            TorchScriptArchive.stored(zip, ROOT + "/constants.pkl", new PickleWriter().emptyTuple().finish());
            for (int i = 0; i < order.size(); i++) {
                TorchScriptArchive.stored(zip, ROOT + "/data/" + i, littleEndian(m.values(order.get(i))));
            }
            TorchScriptArchive.stored(zip, ROOT + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    // ---- the module tree ----

    private static Obj generator(ExportModel m) {
        GeneratorConfig c = m.config();
        Map<String, Object> mapping = new LinkedHashMap<>();
        mapping.put("w_avg", new TensorRef("mapping.w_avg"));
        mapping.put("training", false);
        for (int i = 0; i < c.mappingLayers(); i++) {
            int in = i == 0 ? c.zDim() : c.wDim();
            mapping.put("fc" + i, fc("mapping.fc" + i, c.mappingLrMul() / Math.sqrt(in), c.mappingLrMul(), true));
        }
        Map<String, Object> synthesis = new LinkedHashMap<>();
        synthesis.put("training", false);
        for (int r = 4; r <= c.resolution(); r *= 2) {
            String b = "synthesis.b" + r;
            Map<String, Object> block = new LinkedHashMap<>();
            if (r == 4) {
                block.put("const", new TensorRef(b + ".const"));
            }
            block.put("training", false);
            if (r > 4) {
                block.put("conv0", conv(c, b + ".conv0", true));
            }
            block.put("conv1", conv(c, b + ".conv1", false));
            Map<String, Object> torgb = new LinkedHashMap<>();
            torgb.put("weight", new TensorRef(b + ".torgb.weight"));
            torgb.put("bias", new TensorRef(b + ".torgb.bias"));
            torgb.put("training", false);
            torgb.put("weight_gain", 1 / Math.sqrt(c.channelsAt(r)));
            torgb.put("affine", fc(b + ".torgb.affine", 1 / Math.sqrt(c.wDim()), 1, false));
            block.put("torgb", new Obj("ToRGB", torgb));
            synthesis.put("b" + r, new Obj(r == 4 ? "InputBlock" : "UpBlock", block));
        }
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("training", false);
        g.put("mapping", new Obj("Mapping", mapping));
        g.put("synthesis", new Obj("Synthesis", synthesis));
        return new Obj("Generator", g);
    }

    private static Obj fc(String name, double weightGain, double biasGain, boolean activate) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("weight", new TensorRef(name + ".weight"));
        a.put("bias", new TensorRef(name + ".bias"));
        a.put("training", false);
        a.put("weight_gain", weightGain);
        a.put("bias_gain", biasGain);
        a.put("activate", activate);
        return new Obj("FullyConnected", a);
    }

    private static Obj conv(GeneratorConfig c, String name, boolean up) {
        Map<String, Object> a = new LinkedHashMap<>();
        for (String t : List.of("weight", "bias", "noise_strength", "noise_const")) {
            a.put(t, new TensorRef(name + "." + t));
        }
        a.put("training", false);
        a.put("up", up);
        a.put("affine", fc(name + ".affine", 1 / Math.sqrt(c.wDim()), 1, false));
        return new Obj("StyledConv", a);
    }

    private static void pickle(PickleWriter p, Obj o, List<String> order, ExportModel m) {
        p.global("__torch__", o.cls()).emptyTuple().newObj().emptyDict().mark();
        for (Map.Entry<String, Object> e : o.attrs().entrySet()) {
            p.string(e.getKey());
            Object v = e.getValue();
            if (v instanceof TensorRef t) {
                p.floatTensor(String.valueOf(order.size()), m.shape(t.name()));
                order.add(t.name());
            } else if (v instanceof Double d) {
                p.floating(d);
            } else if (v instanceof Boolean b) {
                p.bool(b);
            } else {
                pickle(p, (Obj) v, order, m);
            }
        }
        p.setItems().build();
    }

    // ---- the source ----

    private static String source(GeneratorConfig c, float psi) {
        StringBuilder s = new StringBuilder();
        s.append("""
                class FullyConnected(Module):
                  __parameters__ = ["weight", "bias", ]
                  __buffers__ = []
                  weight : Tensor
                  bias : Tensor
                  training : bool
                  weight_gain : float
                  bias_gain : float
                  activate : bool
                  def forward(self: __torch__.FullyConnected,
                    x: Tensor) -> Tensor:
                    y = torch.add(torch.matmul(x, torch.t(torch.mul(self.weight, self.weight_gain))), torch.mul(self.bias, self.bias_gain))
                    if self.activate:
                      y = torch.mul(torch.leaky_relu(y, 0.2), SQRT2)
                    return y
                class StyledConv(Module):
                  __parameters__ = ["weight", "bias", "noise_strength", ]
                  __buffers__ = ["noise_const", ]
                  weight : Tensor
                  bias : Tensor
                  noise_strength : Tensor
                  noise_const : Tensor
                  training : bool
                  up : bool
                  affine : __torch__.FullyConnected
                  def forward(self: __torch__.StyledConv,
                    x: Tensor,
                    w: Tensor) -> Tensor:
                    s = (self.affine).forward(w, )
                    wsq = torch.sum(torch.mul(self.weight, self.weight), [2, 3])
                    d = torch.rsqrt(torch.add(torch.matmul(torch.mul(s, s), torch.t(wsq)), 1e-08))
                    y = torch.mul(x, torch.unsqueeze(torch.unsqueeze(s, 2), 3))
                    if self.up:
                      y = (self).up_conv(y, )
                    else:
                      y = (self).conv(y, self.weight, 1, )
                    y = torch.mul(y, torch.unsqueeze(torch.unsqueeze(d, 2), 3))
                    y = torch.add(y, torch.mul(self.noise_const, self.noise_strength))
                    y = torch.add(y, torch.reshape(self.bias, [1, -1, 1, 1]))
                    return torch.mul(torch.leaky_relu(y, 0.2), SQRT2)
                  def up_conv(self: __torch__.StyledConv,
                    x: Tensor) -> Tensor:
                    n = x.size(0)
                    h = x.size(2)
                    w = x.size(3)
                    o = self.weight.size(0)
                    wp = torch.constant_pad_nd(self.weight, [0, 1, 0, 1], 0.)
                    even = torch.tensor([2, 0], dtype=4, device=x.device)
                    odd = torch.tensor([3, 1], dtype=4, device=x.device)
                    k00 = torch.index_select(torch.index_select(wp, 2, even), 3, even)
                    k01 = torch.index_select(torch.index_select(wp, 2, even), 3, odd)
                    k10 = torch.index_select(torch.index_select(wp, 2, odd), 3, even)
                    k11 = torch.index_select(torch.index_select(wp, 2, odd), 3, odd)
                    k = torch.cat([k00, k01, k10, k11], 0)
                    y = (self).conv(torch.constant_pad_nd(x, [1, 1, 1, 1], 0.), k, 0, )
                    y = torch.permute(torch.reshape(y, [n, 2, 2, o, h + 1, w + 1]), [0, 3, 4, 1, 5, 2])
                    y = torch.reshape(y, [n, o, 2 * h + 2, 2 * w + 2])
                    y = torch.constant_pad_nd(y, [1, 0, 1, 0], 0.)
                    return torch.conv2d(y, (self).fir(o, x, ), None, [1, 1], [0, 0], [1, 1], o)
                  FIR
                  CONV
                class ToRGB(Module):
                  __parameters__ = ["weight", "bias", ]
                  __buffers__ = []
                  weight : Tensor
                  bias : Tensor
                  training : bool
                  weight_gain : float
                  affine : __torch__.FullyConnected
                  def forward(self: __torch__.ToRGB,
                    x: Tensor,
                    w: Tensor) -> Tensor:
                    s = torch.mul((self.affine).forward(w, ), self.weight_gain)
                    y = (self).conv(torch.mul(x, torch.unsqueeze(torch.unsqueeze(s, 2), 3)), self.weight, 0, )
                    return torch.add(y, torch.reshape(self.bias, [1, -1, 1, 1]))
                  CONV
                class InputBlock(Module):
                  __parameters__ = ["const", ]
                  __buffers__ = []
                  const : Tensor
                  training : bool
                  conv1 : __torch__.StyledConv
                  torgb : __torch__.ToRGB
                  def forward(self: __torch__.InputBlock,
                    ws: Tensor) -> Tuple[Tensor, Tensor]:
                    x = torch.unsqueeze(self.const, 0).repeat([ws.size(0), 1, 1, 1])
                    x = (self.conv1).forward(x, torch.select(ws, 1, 0), )
                    img = (self.torgb).forward(x, torch.select(ws, 1, 1), )
                    return (x, img)
                class UpBlock(Module):
                  __parameters__ = []
                  __buffers__ = []
                  training : bool
                  conv0 : __torch__.StyledConv
                  conv1 : __torch__.StyledConv
                  torgb : __torch__.ToRGB
                  def forward(self: __torch__.UpBlock,
                    x: Tensor,
                    img: Tensor,
                    ws: Tensor,
                    i: int) -> Tuple[Tensor, Tensor]:
                    x = (self.conv0).forward(x, torch.select(ws, 1, i), )
                    x = (self.conv1).forward(x, torch.select(ws, 1, i + 1), )
                    n = img.size(0)
                    c = img.size(1)
                    h = img.size(2)
                    w = img.size(3)
                    z = torch.constant_pad_nd(torch.reshape(img, [n, c, h, 1, w, 1]), [0, 1, 0, 0, 0, 1], 0.)
                    z = torch.constant_pad_nd(torch.reshape(z, [n, c, 2 * h, 2 * w]), [2, 1, 2, 1], 0.)
                    up = torch.conv2d(z, (self).fir(c, img, ), None, [1, 1], [0, 0], [1, 1], c)
                    img = torch.add(up, (self.torgb).forward(x, torch.select(ws, 1, i + 2), ))
                    return (x, img)
                  FIR
                """.replace("SQRT2", SQRT2));
        // both classes that resample get the [1,3,3,1] filter with gain 4 (outer product / 16)
        String text = s.toString();
        int first = text.indexOf("  FIR\n");
        text = text.substring(0, first) + FIR.replace("CLASS", "StyledConv") + text.substring(first + 6);
        text = text.replace("  FIR\n", FIR.replace("CLASS", "UpBlock"));
        int second = text.indexOf("  CONV\n");
        text = text.substring(0, second) + CONV.replace("CLASS", "StyledConv") + text.substring(second + 7);
        text = text.replace("  CONV\n", CONV.replace("CLASS", "ToRGB"));

        StringBuilder g = new StringBuilder(text);
        g.append("class Mapping(Module):\n");
        g.append("  __parameters__ = []\n  __buffers__ = [\"w_avg\", ]\n  w_avg : Tensor\n  training : bool\n");
        for (int i = 0; i < c.mappingLayers(); i++) {
            g.append("  fc").append(i).append(" : __torch__.FullyConnected\n");
        }
        g.append("  def forward(self: __torch__.Mapping,\n    z: Tensor) -> Tensor:\n");
        g.append("    x = torch.mul(z, torch.rsqrt(torch.add(torch.mean(torch.mul(z, z), [1], True), 1e-08)))\n");
        for (int i = 0; i < c.mappingLayers(); i++) {
            g.append("    x = (self.fc").append(i).append(").forward(x, )\n");
        }
        g.append("    return x\n");

        g.append("class Synthesis(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n");
        for (int r = 4; r <= c.resolution(); r *= 2) {
            g.append("  b").append(r).append(" : __torch__.").append(r == 4 ? "InputBlock" : "UpBlock").append('\n');
        }
        g.append("  def forward(self: __torch__.Synthesis,\n    ws: Tensor) -> Tensor:\n");
        g.append("    x, img = (self.b4).forward(ws, )\n");
        int k = 1;
        for (int r = 8; r <= c.resolution(); r *= 2, k++) {
            g.append("    x, img = (self.b").append(r).append(").forward(x, img, ws, ").append(2 * k - 1).append(", )\n");
        }
        g.append("    return img\n");

        String p = Float.toString(psi); // the shortest text of the float: 0.7, not 0.699999988
        g.append("class Generator(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n");
        g.append("  mapping : __torch__.Mapping\n  synthesis : __torch__.Synthesis\n");
        g.append("  def forward(self: __torch__.Generator,\n    z: Tensor,\n    truncation_psi: float=").append(p)
                .append(") -> Tensor:\n");
        g.append("    return (self.synthesis).forward((self).ws_from_z(z, truncation_psi, ), )\n");
        g.append("  def ws_from_z(self: __torch__.Generator,\n    z: Tensor,\n    truncation_psi: float=").append(p)
                .append(") -> Tensor:\n");
        g.append("    w = (self.mapping).forward(z, )\n");
        g.append("    if truncation_psi != 1.:\n");
        g.append("      avg = (self.mapping).w_avg\n");
        g.append("      w = torch.add(avg, torch.mul(torch.sub(w, avg), truncation_psi))\n");
        g.append("    return torch.unsqueeze(w, 1).repeat([1, ").append(c.numWs()).append(", 1])\n");
        g.append("  def synthesize(self: __torch__.Generator,\n    ws: Tensor) -> Tensor:\n");
        g.append("    return (self.synthesis).forward(ws, )\n");
        return g.toString();
    }

    // ---- the zip ----

    private static byte[] littleEndian(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

}
