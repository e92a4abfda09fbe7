using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace AutoGrad.Tests.Kernels;

/// <summary>Distances in units in the last place, and assertions built on them.</summary>
public static class Ulp
{
    /// <summary>
    /// How many representable doubles lie between a and b: 0 when both are NaN or they are equal
    /// (+0 and −0 count as equal here; <see cref="SameBits(double, double)"/> tells them apart), long.MaxValue when one is NaN.
    /// </summary>
    public static long Distance(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) && double.IsNaN(b) ? 0 : long.MaxValue;
        if (a == b) return 0;
        long ia = Ordered(BitConverter.DoubleToInt64Bits(a)), ib = Ordered(BitConverter.DoubleToInt64Bits(b));
        return ia > ib ? ia - ib : ib - ia;

        static long Ordered(long bits) => bits < 0 ? long.MinValue - bits : bits;
    }

    /// <summary>The float version of <see cref="Distance(double, double)"/>.</summary>
    public static long Distance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        if (a == b) return 0;
        long ia = Ordered(BitConverter.SingleToInt32Bits(a)), ib = Ordered(BitConverter.SingleToInt32Bits(b));
        return Math.Abs(ia - ib);

        static long Ordered(int bits) => bits < 0 ? int.MinValue - (long)bits : bits;
    }

    /// <summary>Equal values with the same sign of zero, or both NaN.</summary>
    public static bool SameBits(double a, double b) =>
        double.IsNaN(a) ? double.IsNaN(b) : a == b && double.IsNegative(a) == double.IsNegative(b);

    /// <summary>Equal values with the same sign of zero, or both NaN.</summary>
    public static bool SameBits(float a, float b) =>
        float.IsNaN(a) ? float.IsNaN(b) : a == b && float.IsNegative(a) == float.IsNegative(b);

    /// <summary>Round-trip text of a double for failure messages.</summary>
    public static string R(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>FsCheck configurations whose random generation is fixed by a seed, so a failure reproduces exactly.</summary>
public static class Seeded
{
    /// <summary>Throw on failure, run <see cref="Fuzz.Cases"/>(<paramref name="cases"/>) cases, replaying the generator from <paramref name="seed"/>.</summary>
    public static Config Config(ulong seed, int cases) =>
        FsCheck.Config.QuickThrowOnFailure
            .WithMaxTest(Fuzz.Cases(cases))
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));

    /// <summary>Checks <paramref name="property"/> on values of <paramref name="gen"/> (no shrinking), reproducibly from <paramref name="seed"/>.</summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, ulong seed, int cases) =>
        Prop.ForAll(gen.ToArbitrary(), property).Check(Config(seed, cases));
}
