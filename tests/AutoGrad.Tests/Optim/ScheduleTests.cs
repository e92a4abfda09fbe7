using System.Globalization;
using AutoGrad.Optim;

namespace AutoGrad.Tests.Optim;

/// <summary>Learning-rate schedules against their closed forms, composition, reset and validation.</summary>
public class ScheduleTests
{
    private const double Base = 0.1;

    private static Sgd Optimizer() => new([OptimSupport.Param(1.0, 2.0)], Base);

    /// <summary>The learning rates for e = 0..steps (e = 0 before any step).</summary>
    private static double[] Rates(LearningRateScheduler s, int steps)
    {
        var r = new double[steps + 1];
        r[0] = s.LearningRate;
        for (int e = 1; e <= steps; e++)
        {
            s.Step();
            Assert.Equal(e, s.StepCount);
            r[e] = s.LearningRate;
        }
        return r;
    }

    private static void Matches(Func<int, double> closedForm, double[] rates, string what)
    {
        for (int e = 0; e < rates.Length; e++)
        {
            double c = closedForm(e);
            Assert.True(Math.Abs(rates[e] - c) <= 1e-12 * Math.Max(Base, Math.Abs(c)), $"{what}, e = {e}: {rates[e]:R} vs closed form {c:R}");
        }
    }

    [Fact]
    public void StepLR_is_a_staircase()
    {
        var s = new StepLR(Optimizer(), 7, 0.5);
        Matches(e => Base * Math.Pow(0.5, e / 7), Rates(s, 50), "StepLR");
        Assert.Equal(0.1, new StepLR(Optimizer(), 3).Gamma);
    }

    [Fact]
    public void ExponentialLR_multiplies_every_step()
    {
        Matches(e => Base * Math.Pow(0.95, e), Rates(new ExponentialLR(Optimizer(), 0.95), 100), "ExponentialLR");
    }

    [Theory]
    [InlineData(10, 0.0)]
    [InlineData(40, 1e-4)]
    [InlineData(1, 0.01)]
    [InlineData(7, 0.2)] // η_min above η₀: the cosine runs upwards
    public void CosineAnnealingLR_follows_the_cosine_and_is_not_clamped_after_T_max(int tMax, double etaMin)
    {
        var rates = Rates(new CosineAnnealingLR(Optimizer(), tMax, etaMin), 5 * tMax + 3);
        Matches(e => etaMin + (Base - etaMin) * (1 + Math.Cos(Math.PI * e / tMax)) / 2, rates, $"cosine T = {tMax}");
        Assert.Equal(etaMin, rates[tMax], 1e-13);
        Assert.Equal(Base, rates[2 * tMax], 1e-13);
    }

    [Fact]
    public void CosineAnnealing_to_zero_reaches_zero_and_a_zero_step_leaves_the_parameters()
    {
        var p = OptimSupport.Param(1.0, 2.0);
        var sgd = new Sgd([p], Base);
        var s = new CosineAnnealingLR(sgd, 4);
        for (int e = 0; e < 4; e++) s.Step();
        Assert.Equal(0.0, sgd.LearningRate);
        sgd.ZeroGrad();
        Problems.Quadratic(p).Backward();
        sgd.Step();
        Assert.Equal([1.0, 2.0], p.ToArray());
        s.Step();
        Assert.True(sgd.LearningRate > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = 0); // users still cannot set 0 directly
    }

    [Theory]
    [InlineData(5, 1.0)]
    [InlineData(12, 2.0)]
    [InlineData(8, 0.5)]
    public void PolynomialLR_decays_to_zero_and_stays(int totalIters, double power)
    {
        var rates = Rates(new PolynomialLR(Optimizer(), totalIters, power), totalIters + 5);
        Matches(e => Base * Math.Pow(1 - (double)Math.Min(e, totalIters) / totalIters, power), rates, "PolynomialLR");
        Assert.Equal(0.0, rates[^1]);
    }

    [Fact]
    public void PolynomialLR_defaults_are_torchs()
    {
        var s = new PolynomialLR(Optimizer());
        Assert.Equal((5, 1.0), (s.TotalIters, s.Power));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0)]
    [InlineData(0.0)]
    public void InverseTimeLR_is_one_over_t(double k)
    {
        Matches(e => Base / (1 + k * e), Rates(new InverseTimeLR(Optimizer(), k), 200), "InverseTimeLR");
    }

    [Fact]
    public void LinearLR_warms_up_from_the_start_factor()
    {
        var o = Optimizer();
        var s = new LinearLR(o, 0.25, 1.0, 8);
        Assert.Equal(Base * 0.25, o.LearningRate);
        Matches(e => Base * (0.25 + 0.75 * Math.Min(e, 8) / 8.0), Rates(s, 12), "LinearLR");
        var d = new LinearLR(Optimizer());
        Assert.Equal((1.0 / 3, 1.0, 5), (d.StartFactor, d.EndFactor, d.TotalIters));
        Matches(e => Base * (1 - 0.9 * Math.Min(e, 4) / 4.0), Rates(new LinearLR(Optimizer(), 1, 0.1, 4), 6), "LinearLR down");
    }

    [Fact]
    public void A_chain_multiplies_its_schedules_factors()
    {
        var o = Optimizer();
        var chain = new ChainedScheduler(new StepLR(o, 5, 0.5), new ExponentialLR(o, 0.9));
        Matches(e => Base * Math.Pow(0.5, e / 5) * Math.Pow(0.9, e), Rates(chain, 30), "StepLR·ExponentialLR");
        Assert.Equal(2, chain.Schedulers.Count);
        Assert.All(chain.Schedulers, s => Assert.Equal(30, s.StepCount));
    }

    [Fact]
    public void A_chain_with_a_warm_up_starts_at_the_warm_up_rate()
    {
        var o = Optimizer();
        var chain = new ChainedScheduler(new LinearLR(o, 0.5, 1, 4), new ExponentialLR(o, 0.9));
        Matches(e => Base * (0.5 + 0.5 * Math.Min(e, 4) / 4.0) * Math.Pow(0.9, e), Rates(chain, 10), "LinearLR·ExponentialLR");
    }

    [Fact]
    public void A_sequence_switches_at_its_milestones_and_restarts_each_schedule()
    {
        var o = Optimizer();
        var seq = new SequentialLR([new LinearLR(o, 0.1, 1, 5), new CosineAnnealingLR(o, 20, 1e-3), new ExponentialLR(o, 0.5)], [5, 25]);
        Assert.Equal(Base * 0.1, o.LearningRate);
        Matches(e => e < 5 ? Base * (0.1 + 0.9 * e / 5)
                : e < 25 ? 1e-3 + (Base - 1e-3) * (1 + Math.Cos(Math.PI * (e - 5) / 20)) / 2
                : Base * Math.Pow(0.5, e - 25),
            Rates(seq, 35), "warm-up, cosine, exponential");
        Assert.Equal([5, 25], seq.Milestones);
    }

    [Fact]
    public void Reset_restarts_every_schedule_bit_for_bit()
    {
        var o = Optimizer();
        var schedules = new LearningRateScheduler[]
        {
            new StepLR(o, 3, 0.7), new ExponentialLR(o, 0.9), new CosineAnnealingLR(o, 6, 0.01), new PolynomialLR(o, 9, 2),
            new InverseTimeLR(o, 0.3), new LinearLR(o, 0.2, 0.9, 7),
            new ChainedScheduler(new StepLR(o, 4), new LinearLR(o, 0.5)),
            new SequentialLR([new LinearLR(o, 0.3), new CosineAnnealingLR(o, 5)], [3]),
        };
        foreach (var s in schedules)
        {
            s.Reset();
            var first = Rates(s, 20);
            o.LearningRate = 0.5; // whatever the rate was, Reset starts from η₀
            s.Reset();
            Assert.Equal(0, s.StepCount);
            Assert.Equal(Base, s.BaseLearningRate);
            Assert.Equal(first, Rates(s, 20));
        }
    }

    [Fact]
    public void The_reference_cosine_run_is_reproduced_by_a_sequence_with_one_schedule()
    {
        var run = Reference.Runs.Single(r => r.Scheduler == "CosineAnnealingLR");
        var o = new Sgd([OptimSupport.Param(run.X0)], run.LearningRates![0]);
        var rates = Rates(new SequentialLR([new CosineAnnealingLR(o, 40, 1e-4)], []), run.Steps - 1);
        Assert.Equal(run.LearningRates, rates);
    }

    // ---- Validation ----

    public static TheoryData<string, string, double> BadArguments => new()
    {
        { "StepLR", "stepSize", 0 }, { "StepLR", "gamma", 0 }, { "StepLR", "gamma", double.NaN },
        { "ExponentialLR", "gamma", -0.5 }, { "ExponentialLR", "gamma", double.PositiveInfinity },
        { "CosineAnnealingLR", "tMax", 0 }, { "CosineAnnealingLR", "etaMin", -1e-3 },
        { "PolynomialLR", "totalIters", -2 }, { "PolynomialLR", "power", 0 },
        { "InverseTimeLR", "decayRate", -0.1 },
        { "LinearLR", "startFactor", 0 }, { "LinearLR", "startFactor", 1.5 }, { "LinearLR", "endFactor", -0.5 }, { "LinearLR", "totalIters", 0 },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void A_bad_argument_throws_naming_the_schedule_and_the_value(string schedule, string name, double value)
    {
        var o = Optimizer();
        double Or(string n, double d) => n == name ? value : d;
        Func<LearningRateScheduler> make = schedule switch
        {
            "StepLR" => () => new StepLR(o, (int)Or("stepSize", 2), Or("gamma", 0.5)),
            "ExponentialLR" => () => new ExponentialLR(o, Or("gamma", 0.5)),
            "CosineAnnealingLR" => () => new CosineAnnealingLR(o, (int)Or("tMax", 2), Or("etaMin", 0)),
            "PolynomialLR" => () => new PolynomialLR(o, (int)Or("totalIters", 2), Or("power", 1)),
            "InverseTimeLR" => () => new InverseTimeLR(o, Or("decayRate", 0.5)),
            "LinearLR" => () => new LinearLR(o, Or("startFactor", 0.5), Or("endFactor", 1), (int)Or("totalIters", 2)),
            _ => throw new ArgumentException(schedule),
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(make);
        Assert.StartsWith(schedule + ":", e.Message);
        Assert.Contains(name, e.Message);
        Assert.Contains(value.ToString(CultureInfo.CurrentCulture), e.Message);
        Assert.Equal(Base, o.LearningRate);
    }

    [Fact]
    public void Composites_check_their_members()
    {
        var o = Optimizer();
        var other = Optimizer();
        var s = new ExponentialLR(o, 0.9);
        Assert.Throws<ArgumentException>(() => new ChainedScheduler());
        Assert.Contains("another optimizer", Assert.Throws<ArgumentException>(() => new ChainedScheduler(s, new StepLR(other, 2))).Message);
        Assert.Contains("same object", Assert.Throws<ArgumentException>(() => new ChainedScheduler(s, s)).Message);
        Assert.Throws<ArgumentNullException>(() => new ChainedScheduler(s, null!));
        Assert.Contains("need 1 milestones", Assert.Throws<ArgumentException>(() => new SequentialLR([s, new StepLR(o, 2)], [])).Message);
        Assert.Contains("strictly increasing", Assert.Throws<ArgumentException>(
            () => new SequentialLR([s, new StepLR(o, 2), new PolynomialLR(o)], [4, 4])).Message);
        Assert.Contains("strictly increasing", Assert.Throws<ArgumentException>(() => new SequentialLR([s, new StepLR(o, 2)], [0])).Message);
        Assert.Throws<ArgumentNullException>(() => new StepLR(null!, 2));
    }
}
