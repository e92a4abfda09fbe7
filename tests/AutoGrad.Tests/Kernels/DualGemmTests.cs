using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

/// <summary>The fused kernels that compute a matrix-vector product and its tangent in one sweep.</summary>
public class DualGemmTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 13)]
    [InlineData(33, 17)]
    [InlineData(5, 100)]
    [InlineData(3, 513)]
    public void DualMatVec_matches_two_naive_products(int m, int k)
    {
        var rng = new Rng(m * 1000 + k);
        var a = Draw(rng, m * k); var b = Draw(rng, k); var db = Draw(rng, k);
        var y = new double[m]; var dy = new double[m];
        Gemm.DualMatVec<double>(a, b, db, y, dy, m, k);
        for (int i = 0; i < m; i++)
        {
            double s = 0, ds = 0;
            for (int p = 0; p < k; p++) { s += a[i * k + p] * b[p]; ds += a[i * k + p] * db[p]; }
            Assert.Equal(s, y[i], 1e-12 * k);
            Assert.Equal(ds, dy[i], 1e-12 * k);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(13, 7)]
    [InlineData(17, 33)]
    [InlineData(100, 5)]
    [InlineData(513, 3)]
    [InlineData(4, 300)]
    public void DualVecMat_matches_two_naive_products(int k, int n)
    {
        var rng = new Rng(k * 1000 + n);
        var a = Draw(rng, k); var da = Draw(rng, k); var b = Draw(rng, k * n);
        var y = new float[n]; var dy = new float[n];
        Gemm.DualVecMat<float>(a.Select(v => (float)v).ToArray(), da.Select(v => (float)v).ToArray(), b.Select(v => (float)v).ToArray(), y, dy, k, n);
        for (int j = 0; j < n; j++)
        {
            double s = 0, ds = 0;
            for (int p = 0; p < k; p++) { s += (float)a[p] * (float)b[p * n + j]; ds += (float)da[p] * (float)b[p * n + j]; }
            Assert.Equal(s, y[j], 1e-5 * k);
            Assert.Equal(ds, dy[j], 1e-5 * k);
        }
    }

    private static double[] Draw(Rng rng, int n) => Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
}
