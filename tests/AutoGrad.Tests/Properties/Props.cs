using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace AutoGrad.Tests.Properties;

/// <summary>
/// How the property tests run: FsCheck's own generator starts from a fixed seed (so CI sees the same cases
/// every time; set AUTOGRAD_FUZZ_SEED to explore others) and runs <see cref="Fuzz.Cases"/> cases.
/// </summary>
public static class Props
{
    public static Config Config(int quickCases)
    {
        ulong seed = ulong.TryParse(Environment.GetEnvironmentVariable("AUTOGRAD_FUZZ_SEED"), out var s) ? s : 0x5EED_AD;
        return FsCheck.Config.QuickThrowOnFailure
            .WithMaxTest(Fuzz.Cases(quickCases))
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
    }

    /// <summary>Seeds for the library's <see cref="Rng"/>, from which a case builds its shapes and values.</summary>
    public static Arbitrary<int> Seeds => Gen.Choose(0, int.MaxValue).ToArbitrary();

    /// <summary>A random expression graph: a seed and a number of operations (shrinking keeps the seed and drops operations from the end).</summary>
    public static Arbitrary<GraphCase> Graphs(int maxSize = 12) =>
        Arb.From(Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(1, maxSize), (seed, size) => new GraphCase(seed, size)),
            c => Enumerable.Range(1, c.Size - 1).Reverse().Select(n => c with { Size = n }));

    /// <summary>Fails the property with <paramref name="message"/> unless <paramref name="ok"/>.</summary>
    public static void Ensure(bool ok, Func<string> message)
    {
        if (!ok) throw new PropertyFailure(message());
    }

    /// <summary>The largest |x| over a tensor's elements (0 for an empty tensor).</summary>
    public static double MaxAbs(Tensor t) => t.ToArray().Select(Math.Abs).DefaultIfEmpty(0).Max();

    /// <summary>The largest |a − b| over the elements of two tensors of one shape.</summary>
    public static double MaxDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape, b.Shape);
        var x = a.ToArray(); var y = b.ToArray();
        double m = 0;
        for (int i = 0; i < x.Length; i++) m = Math.Max(m, double.IsNaN(x[i] - y[i]) ? double.PositiveInfinity : Math.Abs(x[i] - y[i]));
        return m;
    }

    /// <summary>Σ aᵢbᵢ in float64.</summary>
    public static double Dot(Tensor a, Tensor b)
    {
        var x = a.ToArray(); var y = b.ToArray();
        Assert.Equal(x.Length, y.Length);
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>Σ |aᵢbᵢ|: the scale against which rounding in ⟨a, b⟩ is judged.</summary>
    public static double AbsDot(Tensor a, Tensor b)
    {
        var x = a.ToArray(); var y = b.ToArray();
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Math.Abs(x[i] * y[i]);
        return s;
    }

    /// <summary>True when the two tensors have the same shape, type and bit-identical elements.</summary>
    public static bool BitEqual(Tensor a, Tensor b) =>
        a.DType == b.DType && a.Shape.SequenceEqual(b.Shape)
        && a.ToArray().Select(BitConverter.DoubleToInt64Bits).SequenceEqual(b.ToArray().Select(BitConverter.DoubleToInt64Bits));
}

/// <summary>One generated expression graph: the seed it is built from and its number of operations.</summary>
public sealed record GraphCase(int Seed, int Size)
{
    public ExprGraph Graph => ExprGraph.Generate(Seed, Size);
    public override string ToString() => $"GraphCase(seed {Seed}, size {Size})";
}

/// <summary>A property that does not hold, with a message that shows the case.</summary>
public sealed class PropertyFailure(string message) : Exception(message);
