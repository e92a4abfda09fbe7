using BenchmarkDotNet.Attributes;

namespace AutoGrad.Benchmarks;

/// <summary>
/// W5 of shared/BENCHMARKS.md (peer: shared/peers/torch_bench.py): sum(tanh(x)⊙sigmoid(x) + exp(−x⊙x)) over 10⁶
/// standard-normal float32 elements, forward and backward. Each invocation drops the previous gradient first (the peer
/// lets PyTorch accumulate into <c>.grad</c>: one extra add of 10⁶ elements).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class W5ElementwiseChain
{
    private const int N = 1_000_000;

    private Tensor _x = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.Randn([N], seed: 51, DType.Float32).RequireGrad();
        var (value, grad) = Run(_x);
        if (value.DType != DType.Float32 || grad.DType != DType.Float32)
            throw new InvalidOperationException("W5: not float32.");
        // Independent: the same in double, with the derivative written out:
        // (1 − tanh²x)σ(x) + tanh(x)σ(x)(1 − σ(x)) − 2x·exp(−x²).
        float[] x = _x.ToFloatArray(), g = grad.ToFloatArray();
        double sum = 0, sumAbs = 0;
        var expected = new double[N];
        var actual = new double[N];
        for (int i = 0; i < N; i++)
        {
            double xi = x[i], t = Math.Tanh(xi), s = 1 / (1 + Math.Exp(-xi)), e = Math.Exp(-xi * xi);
            sum += t * s + e;
            sumAbs += Math.Abs(t * s) + e;
            expected[i] = (1 - t * t) * s + t * s * (1 - s) - 2 * xi * e;
            actual[i] = g[i];
        }
        Verify.Close("W5 value", sum, value.Item(), 0, 1e-5 * sumAbs);
        Verify.Close("W5 gradient", expected, actual, 1e-5, 1e-6);
    }

    [Benchmark(Description = "W5 elementwise 1e6 fwd+bwd f32")]
    public double Chain()
    {
        using var scope = TensorScope.Begin();
        var y = (_x.Tanh() * _x.Sigmoid() + (-_x * _x).Exp()).Sum();
        Diff.Grad(y, [_x]);
        return y.Item();
    }

    private static (Tensor Value, Tensor Grad) Run(Tensor x)
    {
        x.Grad = null;
        var y = (x.Tanh() * x.Sigmoid() + (-x * x).Exp()).Sum();
        y.Backward();
        return (y, x.Grad!);
    }
}
