using BenchmarkDotNet.Attributes;

namespace AutoGrad.Benchmarks;

/// <summary>
/// W3 of shared/BENCHMARKS.md (peer: shared/peers/torch_bench.py): logistic regression on X 10000×100 float64 with
/// labels y ∈ {±1}, L(w) = mean(softplus(−y ⊙ Xw)) + ½·10⁻³‖w‖². Measures the forward pass alone, the value with its
/// gradient, and the exact Hessian-vector product (with value and gradient, as PyTorch's double backward gives them)
/// by each of the two strategies.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class W3LogisticRegression
{
    private const int N = 10_000, D = 100;
    private const double Lambda = 1e-3;

    private Tensor _x = null!, _y = null!, _w = null!, _v = null!;
    private Func<Tensor, Tensor> _loss = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.Randn([N, D], seed: 1);
        _y = Tensor.Randn([N], seed: 2).Sign();
        _w = Tensor.Randn([D], seed: 3);
        _v = Tensor.Randn([D], seed: 4);
        _loss = Loss;
        Check();
    }

    private Tensor Loss(Tensor w) => (-_y * _x.MatMul(w)).Softplus().Mean() + 0.5 * Lambda * (w * w).Sum();

    [Benchmark(Description = "W3 forward (no grad)")]
    public double Forward()
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        return _loss(_w).Item();
    }

    [Benchmark(Baseline = true, Description = "W3 value + grad")]
    public double ValueAndGrad()
    {
        using var scope = TensorScope.Begin();
        return Diff.ValueAndGrad(_loss, _w).Value.Item();
    }

    [Benchmark(Description = "W3 HVP reverse-over-reverse")]
    public double HvpReverseOverReverse()
    {
        using var scope = TensorScope.Begin();
        return Diff.ValueGradHvp(_loss, _w, _v, HvpMode.ReverseOverReverse).Value.Item();
    }

    [Benchmark(Description = "W3 HVP forward-over-reverse")]
    public double HvpForwardOverReverse()
    {
        using var scope = TensorScope.Begin();
        return Diff.ValueGradHvp(_loss, _w, _v, HvpMode.ForwardOverReverse).Value.Item();
    }

    /// <summary>
    /// Compares what is benchmarked with the closed forms, so that a fast wrong answer cannot pass for a result:
    /// with s = σ(−y ⊙ Xw), ∇L = −Xᵀ(y ⊙ s)/n + λw and H·v = Xᵀ(s(1−s) ⊙ Xv)/n + λv.
    /// </summary>
    private void Check()
    {
        double[] x = _x.ToArray(), y = _y.ToArray(), w = _w.ToArray(), v = _v.ToArray();
        double value = 0;
        var grad = new double[D];
        var hv = new double[D];
        for (int i = 0; i < N; i++)
        {
            double xw = 0, xv = 0;
            for (int j = 0; j < D; j++) { xw += x[i * D + j] * w[j]; xv += x[i * D + j] * v[j]; }
            double z = -y[i] * xw;
            value += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            double s = 1 / (1 + Math.Exp(-z));
            for (int j = 0; j < D; j++)
            {
                grad[j] -= x[i * D + j] * y[i] * s;
                hv[j] += x[i * D + j] * s * (1 - s) * xv;
            }
        }
        value /= N;
        for (int j = 0; j < D; j++)
        {
            value += 0.5 * Lambda * w[j] * w[j];
            grad[j] = grad[j] / N + Lambda * w[j];
            hv[j] = hv[j] / N + Lambda * v[j];
        }

        Expect("forward", [value], [Forward()]);
        var (val, g) = Diff.ValueAndGrad(_loss, _w);
        Expect("value", [value], val.ToArray());
        Expect("gradient", grad, g.ToArray());
        foreach (var mode in new[] { HvpMode.ReverseOverReverse, HvpMode.ForwardOverReverse })
        {
            var (hval, hg, h) = Diff.ValueGradHvp(_loss, _w, _v, mode);
            Expect($"{mode} value", [value], hval.ToArray());
            Expect($"{mode} gradient", grad, hg.ToArray());
            Expect($"{mode} H·v", hv, h.ToArray());
        }
    }

    private static void Expect(string what, double[] expected, double[] actual)
    {
        if (expected.Length != actual.Length)
            throw new InvalidOperationException($"W3 {what}: {actual.Length} elements, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= 1e-9 * (1 + Math.Abs(expected[i]))))
                throw new InvalidOperationException($"W3 {what}[{i}] = {actual[i]:R}, expected {expected[i]:R}.");
    }
}
