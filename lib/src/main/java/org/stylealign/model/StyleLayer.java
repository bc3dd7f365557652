package org.stylealign.model;

/**
 * One layer of StyleSpace: a styled convolution or a toRGB layer, in the order the synthesis network runs them
 * (the order of the paper's channel names {@code layer_channel}).
 *
 * @param index        position in StyleSpace (0 = the 4x4 convolution)
 * @param name         canonical name, e.g. "b8.conv0" (the tensors live under "synthesis." + name)
 * @param resolution   output resolution of the layer
 * @param kind         convolution or toRGB
 * @param channels     number of style channels (= input feature channels of the layer)
 * @param outChannels  output feature channels (image channels for toRGB)
 * @param wIndex       which row of W+ feeds the layer
 * @param noiseIndex   index among the noise inputs, or -1 for toRGB layers
 */
public record StyleLayer(int index, String name, int resolution, Kind kind, int channels, int outChannels,
                         int wIndex, int noiseIndex) {

    public enum Kind { CONV, TORGB }

    /** The paper's name for one channel of this layer, e.g. "15_45". */
    public String channelName(int channel) {
        return index + "_" + channel;
    }

    public boolean isToRgb() {
        return kind == Kind.TORGB;
    }
}
