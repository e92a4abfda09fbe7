using AutoGrad;

namespace AutoGrad.Tests;

/// <summary>
/// One line of the op table: a differentiable function of some tensors, the shapes to test it on, where its
/// inputs may be drawn from, and how to draw random shapes for the property tests. Every line feeds the
/// finite-difference gradient check, the Hessian-vector check and the random-shape property.
/// </summary>
public sealed record OpCase(string Name, Func<Tensor[], Tensor> F, params int[][] Shapes)
{
    /// <summary>Draws one input value (the op's domain). Default: standard normal.</summary>
    public Func<Rng, double> Sample { get; init; } = Domain.Real;

    /// <summary>Draws a random list of input shapes for the property test. Default: the fixed shapes.</summary>
    public Func<Rng, int[][]>? RandomShapes { get; init; }

    /// <summary>Gradient-check options for this line (null: the library defaults).</summary>
    public GradCheckOptions? Options { get; init; }

    /// <summary>Inputs of the fixed shapes, drawn from the domain with a seed.</summary>
    public Tensor[] Inputs(long seed) => Make(Shapes, new Rng(seed));

    /// <summary>Inputs of random shapes (and values) from one seed.</summary>
    public Tensor[] RandomInputs(long seed)
    {
        var rng = new Rng(seed);
        return Make(RandomShapes?.Invoke(rng) ?? Shapes, rng);
    }

    private Tensor[] Make(int[][] shapes, Rng rng)
    {
        var r = new Tensor[shapes.Length];
        for (int i = 0; i < r.Length; i++)
        {
            var t = Tensor.Zeros(shapes[i]);
            var v = new double[t.Count];
            for (int k = 0; k < v.Length; k++) v[k] = Sample(rng);
            r[i] = Tensor.FromArray(v, shapes[i].Length == 0 ? [] : shapes[i]).Reshape(shapes[i]);
        }
        return r;
    }

    public override string ToString() => Name;
}

/// <summary>Input domains: where an op is differentiable and well away from its kinks and poles.</summary>
public static class Domain
{
    public static double Real(Rng r) => r.NextGaussian();
    /// <summary>(0.5, 2.5): for log, sqrt, division, non-integer powers.</summary>
    public static double Positive(Rng r) => 0.5 + 2 * r.NextDouble();
    /// <summary>±(0.3 … 2): away from the kink at 0 (abs, relu, sign).</summary>
    public static double AwayFromZero(Rng r) => (r.NextDouble() < 0.5 ? -1 : 1) * (0.3 + 1.7 * r.NextDouble());
    /// <summary>(−0.9, 0.9): inside (−1, 1).</summary>
    public static double Unit(Rng r) => 1.8 * r.NextDouble() - 0.9;
}

/// <summary>Random shapes for the property tests, always including 0-d and size-1 dimensions.</summary>
public static class RandomShape
{
    /// <summary>A shape of rank 0 to 3 with dimensions 1 to 4.</summary>
    public static int[] Any(Rng r, int maxRank = 3)
    {
        var s = new int[r.NextInt(maxRank + 1)];
        for (int i = 0; i < s.Length; i++) s[i] = 1 + r.NextInt(4);
        return s;
    }

    /// <summary>A shape of rank 1 to 3.</summary>
    public static int[] NonScalar(Rng r)
    {
        var s = new int[1 + r.NextInt(3)];
        for (int i = 0; i < s.Length; i++) s[i] = 1 + r.NextInt(4);
        return s;
    }

    /// <summary>Two shapes that broadcast together: the second is the first with some dimensions set to 1 or dropped from the front.</summary>
    public static int[][] BroadcastPair(Rng r)
    {
        var a = Any(r);
        var b = a.Skip(r.NextInt(a.Length + 1)).Select(d => r.NextDouble() < 0.3 ? 1 : d).ToArray();
        return r.NextDouble() < 0.5 ? [a, b] : [b, a];
    }

    /// <summary>The same random shape repeated <paramref name="n"/> times.</summary>
    public static int[][] Same(Rng r, int n)
    {
        var s = Any(r);
        return Enumerable.Repeat(s, n).ToArray();
    }
}
