using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Properties;

/// <summary>Seeded randomness is reproducible bit for bit, and so is everything computed from it, gradients included.</summary>
public class ReproducibilityTests
{
    [Theory]
    // Reference values from an independent implementation of SplitMix64 seeding and xoshiro256** (Blackman and Vigna).
    [InlineData(0L, 0x99ec5f36cb75f2b4UL, 0xbf6e1f784956452aUL, 0x1a5f849d4933e6e0UL)]
    [InlineData(42L, 0x15780b2e0c2ec716UL, 0x6104d9866d113a7eUL, 0xae17533239e499a1UL)]
    [InlineData(-7L, 0xf305399b3b63f2c2UL, 0xd693dd0a37ae5bdcUL, 0x736e8338a3f226b9UL)]
    public void Rng_gives_the_reference_xoshiro256starstar_sequence(long seed, ulong first, ulong second, ulong third)
    {
        var r = new Rng(seed);
        Assert.Equal([first, second, third], [r.NextUInt64(), r.NextUInt64(), r.NextUInt64()]);
    }

    [Fact]
    public void Rng_doubles_are_the_top_53_bits_of_the_sequence()
    {
        var r = new Rng(42);
        Assert.Equal(0.08386297105988216, r.NextDouble());
        Assert.Equal(0.3789802506626686, r.NextDouble());
    }

    /// <summary>Runs a random script of draws (chosen by <paramref name="script"/>) on <paramref name="r"/> and records every result's bits.</summary>
    private static List<long> Draws(Rng r, Rng script, int steps)
    {
        var log = new List<long>();
        for (int k = 0; k < steps; k++)
        {
            switch (script.NextInt(6))
            {
                case 0: log.Add((long)r.NextUInt64()); break;
                case 1: log.Add(BitConverter.DoubleToInt64Bits(r.NextDouble())); break;
                case 2: log.Add(BitConverter.DoubleToInt64Bits(r.NextGaussian())); break;
                case 3: log.Add(r.NextInt(1 + script.NextInt(1000))); break;
                case 4: log.AddRange(r.Permutation(script.NextInt(8)).Select(i => (long)i)); break;
                default:
                    var shape = RandomShape.Any(script);
                    var t = script.NextInt(2) == 0 ? Tensor.Rand(shape, r) : Tensor.Randn(shape, r, script.NextInt(2) == 0 ? DType.Float64 : DType.Float32);
                    log.AddRange(t.ToArray().Select(BitConverter.DoubleToInt64Bits));
                    break;
            }
        }
        return log;
    }

    [Fact]
    public void The_same_seed_gives_the_same_sequence_of_draws_and_different_seeds_differ()
    {
        Prop.ForAll(Props.Seeds, Props.Seeds, (seed, scriptSeed) =>
        {
            var a = Draws(new Rng(seed), new Rng(scriptSeed), 40);
            var b = Draws(new Rng(seed), new Rng(scriptSeed), 40);
            Props.Ensure(a.SequenceEqual(b), () => $"seed {seed}, script {scriptSeed}: two generators with one seed drew differently");
            // The first output is a bijection of the seed (SplitMix64, then an invertible scrambler), so different seeds differ at once.
            Props.Ensure(new Rng(seed).NextUInt64() != new Rng(seed + 1L).NextUInt64(), () => $"seeds {seed} and {seed + 1L} start alike");
            var other = Draws(new Rng(seed ^ 0x5A5A5A5AL), new Rng(scriptSeed), 40);
            Props.Ensure(!a.SequenceEqual(other), () => $"seeds {seed} and {seed ^ 0x5A5A5A5A} drew the same sequence");
        }).Check(Props.Config(100));
    }

    [Fact]
    public void Seeded_tensors_are_reproducible_whatever_the_element_type_or_the_split()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var r = new Rng(seed);
            var shape = RandomShape.Any(r, maxRank: 4);
            int n = ExprGraph.Count(shape);
            string Case() => $"seed {seed}, shape {ExprGraph.Fmt(shape)}";

            Props.Ensure(Props.BitEqual(Tensor.Rand(shape, seed), Tensor.Rand(shape, seed)), () => $"{Case()}: Rand differs between calls");
            Props.Ensure(Props.BitEqual(Tensor.Randn(shape, seed), Tensor.Randn(shape, seed)), () => $"{Case()}: Randn differs between calls");
            Props.Ensure(Props.BitEqual(Tensor.Randn(shape, seed), Tensor.Randn(shape, new Rng(seed))), () => $"{Case()}: Randn(seed) differs from Randn(new Rng(seed))");
            Props.Ensure(!Props.BitEqual(Tensor.Rand(shape, seed), Tensor.Rand(shape, seed + 1)), () => $"{Case()}: seeds {seed} and {seed + 1} give the same Rand");

            // float32 draws the same sequence and rounds it.
            var r64 = Tensor.Randn(shape, seed).ToFloatArray();
            var r32 = Tensor.Randn(shape, seed, DType.Float32).ToFloatArray();
            Props.Ensure(r64.SequenceEqual(r32), () => $"{Case()}: float32 Randn is not the rounded float64 Randn");

            // Drawing in two pieces from one generator continues the sequence (Box–Muller's spare value included).
            int k = r.NextInt(n + 1);
            var rng = new Rng(seed);
            var parts = Tensor.Randn([k], rng).ToArray().Concat(Tensor.Randn([n - k], rng).ToArray()).ToArray();
            var whole = Tensor.Randn([n], seed).ToArray();
            Props.Ensure(parts.SequenceEqual(whole), () => $"{Case()}: Randn in pieces of {k} and {n - k} differs from one draw of {n}");

            var u = Tensor.Rand(shape, seed).ToArray();
            Props.Ensure(u.All(v => v >= 0 && v < 1), () => $"{Case()}: Rand left [0, 1)");
            int m = 1 + r.NextInt(50);
            var ints = Enumerable.Range(0, 20).Select(_ => rng.NextInt(m)).ToArray();
            Props.Ensure(ints.All(i => i >= 0 && i < m), () => $"{Case()}: NextInt({m}) left [0, {m})");
            var perm = rng.Permutation(n);
            Props.Ensure(perm.Order().SequenceEqual(Enumerable.Range(0, n)), () => $"{Case()}: Permutation({n}) is not a permutation");
        }).Check(Props.Config(100));
    }

    [Fact]
    public void Randn_has_mean_0_and_variance_1()
    {
        var x = Tensor.Randn([20000], 12345).ToArray();
        double mean = x.Average(), variance = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.96, 1.04);
        var u = Tensor.Rand([20000], 12345).ToArray();
        Assert.InRange(u.Average(), 0.49, 0.51);
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_values_and_gradients()
    {
        Prop.ForAll(Props.Graphs(), c =>
        {
            (Tensor Value, Tensor[] Grads, Tensor[] Hv) Run(int inputSeed)
            {
                var g = ExprGraph.Generate(c.Seed, c.Size);
                var xs = g.RandomInputs(inputSeed);
                var w = g.RandomCotangent(c.Seed + 1);
                Tensor F(Tensor[] a) => (g.Eval(a) * w).Sum();
                var (value, grads) = Diff.ValueAndGrad(F, xs);
                var v = g.RandomInputs(c.Seed + 2);
                var hv = Diff.Grad(zs => Diff.Grad(F, zs).Zip(v, (gi, vi) => (gi * vi).Sum()).Aggregate((p, q) => p + q), xs);
                return (value, grads, hv);
            }
            var a = Run(c.Seed);
            var b = Run(c.Seed);
            Props.Ensure(Props.BitEqual(a.Value, b.Value), () => $"{c}: the value differs between two runs");
            for (int i = 0; i < a.Grads.Length; i++)
            {
                Props.Ensure(Props.BitEqual(a.Grads[i], b.Grads[i]), () => $"{c}: the gradient of input {i} differs between two runs");
                Props.Ensure(Props.BitEqual(a.Hv[i], b.Hv[i]), () => $"{c}: the Hessian-vector product of input {i} differs between two runs");
            }
        }).Check(Props.Config(30));
    }
}
