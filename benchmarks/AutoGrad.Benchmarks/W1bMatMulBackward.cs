using BenchmarkDotNet.Attributes;

namespace AutoGrad.Benchmarks;

/// <summary>
/// W1b of shared/BENCHMARKS.md (peer: shared/peers/torch_bench.py): sum(A·B) forward and backward, the gradients of
/// A and B, n = 512, float32 and float64. Each invocation drops the previous gradients first, so the backward pass
/// writes fresh ones (the peer lets PyTorch accumulate into <c>.grad</c>: one extra add of 512² elements).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class W1bMatMulBackward
{
    private const int N = 512;

    private Tensor _a32 = null!, _b32 = null!, _a64 = null!, _b64 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _a64 = Tensor.Randn([N, N], seed: 21).RequireGrad();
        _b64 = Tensor.Randn([N, N], seed: 22).RequireGrad();
        _a32 = Tensor.Randn([N, N], seed: 23, DType.Float32).RequireGrad();
        _b32 = Tensor.Randn([N, N], seed: 24, DType.Float32).RequireGrad();
        Run(_a64, _b64);
        Check("float64", _a64, _b64, 1e-12);
        Run(_a32, _b32);
        Check("float32", _a32, _b32, 1e-5);
    }

    [Benchmark(Description = "W1b matmul fwd+bwd 512 f32")]
    public void Float32()
    {
        using var scope = TensorScope.Begin();
        Diff.Grad(_a32.MatMul(_b32).Sum(), [_a32, _b32]);
    }

    [Benchmark(Description = "W1b matmul fwd+bwd 512 f64")]
    public void Float64()
    {
        using var scope = TensorScope.Begin();
        Diff.Grad(_a64.MatMul(_b64).Sum(), [_a64, _b64]);
    }

    private static Tensor Run(Tensor a, Tensor b)
    {
        a.Grad = null;
        b.Grad = null;
        a.MatMul(b).Sum().Backward();
        return a.Grad!;
    }

    /// <summary>
    /// With L = Σ_ij (AB)_ij, ∂L/∂A_ik = Σ_j B_kj (row sums of B, the same in every row of the gradient) and
    /// ∂L/∂B_kj = Σ_i A_ik (column sums of A, the same in every column); compared on every element, to a tolerance
    /// relative to the sums of magnitudes.
    /// </summary>
    private static void Check(string what, Tensor a, Tensor b, double rel)
    {
        if (a.Grad is null || b.Grad is null || a.Grad.DType != a.DType || b.Grad.DType != b.DType)
            throw new InvalidOperationException($"W1b {what}: missing gradient or wrong element type.");
        double[] x = a.ToArray(), y = b.ToArray(), ga = a.Grad.ToArray(), gb = b.Grad.ToArray();
        var rowB = new double[N];
        var rowBAbs = new double[N];
        var colA = new double[N];
        var colAAbs = new double[N];
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++)
            {
                rowB[i] += y[i * N + k]; rowBAbs[i] += Math.Abs(y[i * N + k]);
                colA[k] += x[i * N + k]; colAAbs[k] += Math.Abs(x[i * N + k]);
            }
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++)
            {
                Verify.Close($"W1b {what} dA[{i},{k}]", rowB[k], ga[i * N + k], 0, rel * rowBAbs[k]);
                Verify.Close($"W1b {what} dB[{i},{k}]", colA[i], gb[i * N + k], 0, rel * colAAbs[i]);
            }
    }
}
