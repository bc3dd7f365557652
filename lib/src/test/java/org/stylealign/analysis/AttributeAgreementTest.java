package org.stylealign.analysis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AttributeAgreementTest {

    @Test
    void agreementAndChanceByHand() {
        // labels a = 1,1,0,0 ; b = 1,0,0,0: same for 3 of 4; chance = 0.5 * 0.25 + 0.5 * 0.75 = 0.5
        AttributeAgreement r = AttributeAgreement.binary(new double[] {0.9, 0.6, 0.1, 0.4}, new double[] {0.7, 0.2, 0.3, 0.0}, 1);
        assertEquals(0.75, r.value(), 1e-12);
        assertEquals(0.5, r.chance(), 1e-12);
        assertEquals(4, r.n());
        AttributeAgreement c = AttributeAgreement.categorical(new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
                new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 1, 0}}, 1);
        assertEquals(2.0 / 3, c.value(), 1e-12);
        assertEquals(1.0 / 3 * 1.0 / 3 + 1.0 / 3 * 2.0 / 3, c.chance(), 1e-12); // class 0: 1/3*1/3, class 1: 1/3*2/3
        AttributeAgreement l = AttributeAgreement.continuous(new double[] {1, 2, 3, 4}, new double[] {2, 4, 6, 8}, 1);
        assertEquals(1.0, l.value(), 1e-12);
        assertNotEquals(1.0, l.shuffled(), 1e-6); // every pair is broken
        assertThrows(IllegalArgumentException.class, () -> AttributeAgreement.binary(new double[] {1}, new double[] {1}, 1));
        assertEquals(Math.sqrt(0.25 / 4), r.standardError(), 1e-12);
        assertEquals(0.5, l.standardError(), 1e-12);
        // 0.75 vs chance 0.5 with 4 images is within two standard errors (0.5): not beyond chance
        assertEquals(false, r.beyondChance());
    }

    @Test
    void theShufflePairsEveryImageWithAnother() {
        int[] v = {0, 1, 2, 3, 4, 5, 6};
        int[] s = AttributeAgreement.shuffle(v, 9);
        for (int i = 0; i < v.length; i++) {
            assertNotEquals(v[i], s[i]);
        }
        assertEquals(21, java.util.Arrays.stream(s).sum()); // a permutation
    }
}
