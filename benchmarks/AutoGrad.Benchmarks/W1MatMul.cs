using BenchmarkDotNet.Attributes;

namespace AutoGrad.Benchmarks;

/// <summary>
/// W1 of shared/BENCHMARKS.md (peer: shared/peers/torch_bench.py): the square product C = A·B for n ∈ {128, 512, 1024},
/// float32 and float64, inputs standard normal, no gradient recorded (the inputs do not require it). The figure is
/// GFLOP/s = 2n³ / time.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class W1MatMul
{
    [Params(128, 512, 1024)]
    public int N { get; set; }

    private Tensor _a32 = null!, _b32 = null!, _a64 = null!, _b64 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _a64 = Tensor.Randn([N, N], seed: 11);
        _b64 = Tensor.Randn([N, N], seed: 12);
        _a32 = Tensor.Randn([N, N], seed: 13, DType.Float32);
        _b32 = Tensor.Randn([N, N], seed: 14, DType.Float32);
        if (_a32.DType != DType.Float32 || _a64.DType != DType.Float64)
            throw new InvalidOperationException("W1: wrong element types.");
        Check("float64", _a64, _b64, _a64.MatMul(_b64), 1e-12);
        Check("float32", _a32, _b32, _a32.MatMul(_b32), 1e-5);
    }

    [Benchmark(Description = "W1 matmul f32")]
    public void Float32()
    {
        using var scope = TensorScope.Begin();
        _a32.MatMul(_b32);
    }

    [Benchmark(Description = "W1 matmul f64")]
    public void Float64()
    {
        using var scope = TensorScope.Begin();
        _a64.MatMul(_b64);
    }

    /// <summary>
    /// Compares 256 seeded entries (and the four corners) of C with naive dot products in double, to a tolerance
    /// relative to Σ|a_ik b_kj| (the rounding bound's scale).
    /// </summary>
    private void Check(string what, Tensor a, Tensor b, Tensor c, double rel)
    {
        if (c.DType != a.DType || c.Rank != 2 || c.Dim(0) != N || c.Dim(1) != N)
            throw new InvalidOperationException($"W1 {what}: result is {c.DType} of shape [{string.Join(", ", c.Shape)}].");
        double[] x = a.ToArray(), y = b.ToArray(), z = c.ToArray();
        var rng = new Random(15);
        var samples = new List<(int, int)> { (0, 0), (0, N - 1), (N - 1, 0), (N - 1, N - 1) };
        for (int s = 0; s < 256; s++) samples.Add((rng.Next(N), rng.Next(N)));
        foreach (var (i, j) in samples)
        {
            double sum = 0, scale = 0;
            for (int k = 0; k < N; k++) { sum += x[i * N + k] * y[k * N + j]; scale += Math.Abs(x[i * N + k] * y[k * N + j]); }
            Verify.Close($"W1 {what} n={N} C[{i},{j}]", sum, z[i * N + j], 0, rel * scale);
        }
    }
}
