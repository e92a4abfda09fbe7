using BenchmarkDotNet.Attributes;

namespace AutoGrad.Benchmarks;

/// <summary>
/// W4 of shared/BENCHMARKS.md (peer: shared/peers/torch_bench.py): a chain of N = 20000 operations on 0-d float64
/// tensors, <c>x = x*1.0001 + sin(x)*0.001</c> (four operations) repeated N/4 times from x = 0.5, then backward.
/// <c>OperationsPerInvoke = N</c>, so BenchmarkDotNet's Mean is already the figure, nanoseconds per operation
/// (forward and backward), and its Allocated column is per operation too.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class W4ScalarChain
{
    private const int N = 20_000;

    [GlobalSetup]
    public void Setup()
    {
        // Independent: the recurrence and its derivative dx_N/dx_0 = Π (1.0001 + 0.001·cos x_k) in plain doubles.
        double x = 0.5, d = 1;
        for (int k = 0; k < N / 4; k++)
        {
            d *= 1.0001 + 0.001 * Math.Cos(x);
            x = x * 1.0001 + Math.Sin(x) * 0.001;
        }
        var (value, grad) = Run();
        Verify.Close("W4 value", x, value.Item(), 1e-12);
        Verify.Close("W4 gradient", d, grad.Item(), 1e-10);
        if (value.Rank != 0 || value.DType != DType.Float64)
            throw new InvalidOperationException("W4: the chain is not 0-d float64.");
    }

    [Benchmark(Description = "W4 scalar chain (per op)", OperationsPerInvoke = N)]
    public double Chain()
    {
        using var scope = TensorScope.Begin();
        return Run().Grad.Item();
    }

    private static (Tensor Value, Tensor Grad) Run()
    {
        var x0 = Tensor.Scalar(0.5).RequireGrad();
        var x = x0;
        for (int i = 0; i < N / 4; i++)
            x = x * 1.0001 + x.Sin() * 0.001;
        x.Backward();
        return (x, x0.Grad!);
    }
}
