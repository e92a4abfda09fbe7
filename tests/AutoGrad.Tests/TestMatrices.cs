namespace AutoGrad.Tests;

/// <summary>Matrices with known spectra, shared by the curvature and second-order optimizer tests.</summary>
internal static class TestMatrices
{
    /// <summary>A = Q·diag(λ)·Qᵀ with Q a seeded random orthogonal matrix, and Q itself (its columns are the eigenvectors).</summary>
    public static (double[,] A, double[,] Q) WithSpectrum(double[] lambda, int seed)
    {
        int n = lambda.Length;
        var rng = new Rng(seed);
        var q = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) q[i, j] = rng.NextGaussian();
        // Modified Gram–Schmidt on the columns, twice, for orthogonality to rounding.
        for (int pass = 0; pass < 2; pass++)
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < j; p++)
                {
                    double d = 0;
                    for (int i = 0; i < n; i++) d += q[i, p] * q[i, j];
                    for (int i = 0; i < n; i++) q[i, j] -= d * q[i, p];
                }
                double norm = Math.Sqrt(Enumerable.Range(0, n).Sum(i => q[i, j] * q[i, j]));
                for (int i = 0; i < n; i++) q[i, j] /= norm;
            }
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[i, k] * lambda[k] * q[j, k];
                a[i, j] = a[j, i] = s;
            }
        return (a, q);
    }
}
