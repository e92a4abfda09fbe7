using BenchmarkDotNet.Attributes;

namespace AutoGrad.Benchmarks;

/// <summary>
/// W7 of shared/BENCHMARKS.md (peer: shared/peers/torch_bench.py): the full Hessian of the 100-dimensional Rosenbrock
/// chain Σ_{i&lt;99} 100(z[i+1] − z[i]²)² + (1 − z[i])² at a standard-normal float64 point, by <see cref="Diff.Hessian"/>,
/// with the chain written vectorised through <see cref="Tensor.Slice"/> (as the peer's <c>z[1:]</c>, <c>z[:-1]</c>).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class W7RosenbrockHessian
{
    private const int D = 100;

    private Tensor _z = null!;
    private Func<Tensor, Tensor> _f = null!;

    [GlobalSetup]
    public void Setup()
    {
        _z = Tensor.Randn([D], seed: 71);
        _f = Rosenbrock;
        Check();
    }

    private static Tensor Rosenbrock(Tensor z)
    {
        var head = z.Slice(0, 0, D - 1);
        var tail = z.Slice(0, 1, D);
        return (100 * (tail - head.Square()).Square() + (1 - head).Square()).Sum();
    }

    [Benchmark(Description = "W7 full hessian d=100 f64")]
    public void Hessian()
    {
        using var scope = TensorScope.Begin();
        Diff.Hessian(_f, _z);
    }

    /// <summary>
    /// The closed form, tridiagonal: for each term i, ∂²/∂z_i² += 1200z_i² − 400z_{i+1} + 2, ∂²/∂z_{i+1}² += 200,
    /// ∂²/∂z_i∂z_{i+1} = −400z_i; every element of the 100×100 result is compared, and the value too.
    /// </summary>
    private void Check()
    {
        double[] z = _z.ToArray();
        var h = new double[D * D];
        double value = 0;
        for (int i = 0; i < D - 1; i++)
        {
            double u = z[i + 1] - z[i] * z[i];
            value += 100 * u * u + (1 - z[i]) * (1 - z[i]);
            h[i * D + i] += 1200 * z[i] * z[i] - 400 * z[i + 1] + 2;
            h[(i + 1) * D + i + 1] += 200;
            h[i * D + i + 1] = h[(i + 1) * D + i] = -400 * z[i];
        }
        Verify.Close("W7 value", value, _f(_z).Item(), 1e-12);
        var hess = Diff.Hessian(_f, _z);
        if (hess.Rank != 2 || hess.Dim(0) != D || hess.Dim(1) != D || hess.DType != DType.Float64)
            throw new InvalidOperationException($"W7: Hessian is {hess.DType} of shape [{string.Join(", ", hess.Shape)}].");
        Verify.Close("W7 Hessian", h, hess.ToArray(), 1e-12, 1e-9);
    }
}
