using AutoGrad;
using Xunit;

namespace AutoGrad.Tests;

/// <summary>
/// Elementwise ops have two backward rules: a fused kernel used when nothing is recorded, and the differentiable
/// rule recorded for higher derivatives. Both must give the same gradient to rounding, in both element types.
/// </summary>
public class FusedBackwardTests
{
    public static IEnumerable<object[]> Ops =>
    [
        ["Tanh"], ["Sigmoid"], ["Softplus"], ["Exp"], ["Relu"], ["Abs"], ["Neg"], ["Log"], ["Log1p"], ["Sqrt"], ["Sin"], ["Cos"],
    ];

    private static Tensor Apply(string op, Tensor x) => op switch
    {
        "Tanh" => x.Tanh(), "Sigmoid" => x.Sigmoid(), "Softplus" => x.Softplus(), "Exp" => x.Exp(), "Relu" => x.Relu(),
        "Abs" => x.Abs(), "Neg" => -x, "Log" => x.Log(), "Log1p" => x.Log1p(), "Sqrt" => x.Sqrt(), "Sin" => x.Sin(),
        "Cos" => x.Cos(), _ => throw new ArgumentException(op),
    };

    private static bool PositiveDomain(string op) => op is "Log" or "Log1p" or "Sqrt";

    [Theory]
    [MemberData(nameof(Ops))]
    public void Fused_and_recorded_rules_agree(string op)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            foreach (int n in new[] { 1, 7, 64, 1000, 70_001 })
            {
                var raw = Tensor.Randn([n], seed: n, dtype) * 3.0;
                var x = (PositiveDomain(op) ? raw.Abs() + 0.1 : raw).RequireGrad();
                var seed = Tensor.Randn([n], seed: n + 1, dtype);
                var fused = Diff.Grad(Apply(op, x), [x], seed)[0].ToArray();
                var recorded = Diff.Grad(Apply(op, x), [x], seed, createGraph: true)[0].ToArray();
                double tol = dtype == DType.Float64 ? 1e-14 : 2e-6;
                for (int i = 0; i < n; i++)
                    Assert.True(Math.Abs(fused[i] - recorded[i]) <= tol * Math.Max(1, Math.Abs(recorded[i])),
                        $"{op} {dtype} n={n} at {i}: fused {fused[i]:R}, recorded {recorded[i]:R}");
            }
    }
}
