package org.stylealign.metrics;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Eigen-decomposition of a real symmetric matrix in double precision, by EJML's symmetric solver (tridiagonal QR).
 * A thin adapter: the metrics (FID's matrix square root) and the analyses (PCA) speak {@code double[][]}.
 */
public final class SymmetricEigen {

    /** Eigenvalues in the order found (not sorted) and, when asked for, eigenvector i as row i of vectors. */
    public record Result(double[] values, double[][] vectors) {
    }

    private SymmetricEigen() {
    }

    public static Result of(double[][] matrix, boolean wantVectors) {
        int n = matrix.length;
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) {
                throw new IllegalArgumentException("not a square matrix: row " + i + " has " + matrix[i].length
                        + " entries, expected " + n);
            }
            for (int j = 0; j < n; j++) {
                if (!Double.isFinite(matrix[i][j])) {
                    throw new IllegalArgumentException("matrix entry (" + i + ", " + j + ") is " + matrix[i][j]);
                }
                // the solver reads one triangle: average the two so a slightly asymmetric input is not biased
                a.set(i, j, (matrix[i][j] + matrix[j][i]) / 2);
            }
        }
        double[] values = new double[n];
        double[][] vectors = wantVectors ? new double[n][] : null;
        if (n == 0) {
            return new Result(values, vectors);
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, wantVectors, true);
        if (!eig.decompose(a)) {
            throw new ArithmeticException("the symmetric eigen-decomposition of a " + n + "x" + n
                    + " matrix did not converge");
        }
        for (int k = 0; k < n; k++) {
            values[k] = eig.getEigenvalue(k).getReal();
            if (wantVectors) {
                vectors[k] = eig.getEigenVector(k).getData().clone();
            }
        }
        return new Result(values, vectors);
    }
}
