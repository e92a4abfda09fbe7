using AutoGrad;
using AutoGrad.Kernels;
using Xunit;

namespace AutoGrad.Tests.Kernels;

/// <summary>Large matrix-vector products are split across the cores; the result must be bit-identical to one thread's and right.</summary>
public class ThinParallelTests
{
    private static T[] Random<T>(int n, int seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => T.CreateTruncating(r.NextDouble() * 2 - 1)).ToArray();
    }

    private static void Products<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var (big, small) in new[] { (3000, 100), (2999, 37), (1500, 257), (4096, 96) })
        {
            // Row dots: y = A·b with A big×small.
            var a = Random<T>(big * small, 1);
            var b = Random<T>(small, 2);
            var db = Random<T>(small, 3);
            T[] y = new T[big], serial = new T[big];
            Gemm.MultiplyNT<T>(a, b, y, big, small, 1);
            Gemm.RowDots<T>(a, b, serial, small, 1, 0, big);
            Assert.Equal(serial, y);
            for (int i = 0; i < big; i += 97)
            {
                double s = 0;
                for (int p = 0; p < small; p++) s += double.CreateTruncating(a[i * small + p]) * double.CreateTruncating(b[p]);
                Assert.True(Math.Abs(s - double.CreateTruncating(y[i])) <= 1e-4 * (1 + Math.Abs(s)), $"row {i}");
            }

            T[] y1 = new T[big], dy1 = new T[big], y2 = new T[big], dy2 = new T[big];
            Gemm.DualMatVec<T>(a, b, db, y1, dy1, big, small);
            Gemm.DualMatVecRows<T>(a, b, db, y2, dy2, small, 0, big);
            Assert.Equal(y2, y1);
            Assert.Equal(dy2, dy1);

            // Column blocks: c = uᵀB with B big×small (the gradient of a matrix-vector product), and its dual.
            var u = Random<T>(big, 4);
            var du = Random<T>(big, 5);
            T[] c = new T[small], cs = new T[small], c2 = new T[small], dc2 = new T[small], c3 = new T[small], dc3 = new T[small];
            Gemm.MultiplyTN<T>(u, a, c, 1, big, small);
            Gemm.VecMatColumns<T>(u, default, a, cs, default, big, small, 0, small, false);
            Assert.Equal(cs, c);
            Gemm.DualVecMat<T>(u, du, a, c2, dc2, big, small);
            Gemm.VecMatColumns<T>(u, du, a, c3, dc3, big, small, 0, small, true);
            Assert.Equal(c3, c2);
            Assert.Equal(dc3, dc2);
            for (int j = 0; j < small; j += 7)
            {
                double s = 0;
                for (int p = 0; p < big; p++) s += double.CreateTruncating(u[p]) * double.CreateTruncating(a[p * small + j]);
                Assert.True(Math.Abs(s - double.CreateTruncating(c[j])) <= 1e-3 * (1 + Math.Abs(s)), $"column {j}");
            }
        }
    }

    [Fact]
    public void Split_products_match_one_thread_bit_for_bit_in_double() => Products<double>();

    [Fact]
    public void Split_products_match_one_thread_bit_for_bit_in_float() => Products<float>();
}
