package org.stylealign.io;

/** IEEE 754 binary16 conversions (Java 17 has none built in). */
final class Half {

    private Half() {
    }

    static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // subnormal (or zero): mant * 2^-24, exact in float32
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Round to nearest, ties to even; overflow goes to infinity, NaN stays NaN. */
    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            // inf or NaN (keep NaN quiet and non-zero)
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
        }
        if (abs >= 0x477ff000) {
            // >= 65520 rounds to infinity
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {
            // below the smallest normal half (2^-14): produce a subnormal by fixed-point rounding at 2^-24
            if (abs < 0x33000000) {
                // < 2^-25 rounds to zero (2^-25 exactly is a tie to even zero)
                return (short) sign;
            }
            int exp = abs >>> 23;
            int mant = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - exp; // value = mant * 2^(exp-150); half units of 2^-24 need a shift of (126 - exp)
            int q = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (q & 1) != 0)) {
                q++;
            }
            return (short) (sign | q);
        }
        int rebased = abs - (112 << 23); // exponent bias 127 -> 15
        int q = rebased >>> 13;
        int rem = rebased & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (q & 1) != 0)) {
            q++; // a carry into the exponent is still correct
        }
        return (short) (sign | q);
    }
}
