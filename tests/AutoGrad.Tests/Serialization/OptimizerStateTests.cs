using AutoGrad.Optim;
using AutoGrad.Optim.Models;

namespace AutoGrad.Tests.Serialization;

public class OptimizerStateTests
{
    private static readonly Tensor X = Tensor.Randn([10, 3], 1), Y = Tensor.Randn([10, 2], 2);

    private static Tensor Loss(Module m) => (m.Forward(X) - Y).Square().Mean();

    private static Mlp Model(long seed, int hidden = 6) => new([3, hidden, 2], Activation.Tanh, seed: seed);

    public static IEnumerable<(string Name, Func<IEnumerable<Tensor>, Optimizer> Make)> Configurations()
    {
        yield return ("SGD momentum", ps => new Sgd(ps, new SgdOptions(0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)));
        yield return ("SGD Nesterov", ps => new Sgd(ps, new SgdOptions(0.05, momentum: 0.9, nesterov: true)));
        yield return ("Adam", ps => new Adam(ps, new AdamOptions(learningRate: 0.01)));
        yield return ("Adam AMSGrad", ps => new Adam(ps, new AdamOptions(learningRate: 0.01, amsgrad: true, weightDecay: 0.01)));
        yield return ("AdamW", ps => new AdamW(ps, new AdamWOptions(learningRate: 0.01, weightDecay: 0.1)));
        yield return ("AdamW AMSGrad", ps => new AdamW(ps, new AdamWOptions(learningRate: 0.01, amsgrad: true)));
        yield return ("RMSProp", ps => new RmsProp(ps));
        yield return ("RMSProp centred momentum", ps => new RmsProp(ps, new RmsPropOptions(alpha: 0.9, momentum: 0.5, centered: true)));
        yield return ("Adagrad", ps => new Adagrad(ps, new AdagradOptions(learningRate: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1)));
        yield return ("GradientDescent", ps => new GradientDescent(ps, 0.1));
        yield return ("L-BFGS", ps => new Lbfgs(ps, new LbfgsOptions { MaxIterations = 3, HistorySize = 4 }));
        yield return ("L-BFGS strong Wolfe", ps => new Lbfgs(ps, new LbfgsOptions { MaxIterations = 3, HistorySize = 4, LineSearch = LbfgsLineSearch.StrongWolfe }));
        yield return ("Newton", ps => new Newton(ps));
        yield return ("Newton-CG", ps => new NewtonCg(ps, new NewtonCgOptions { InitialRadius = 0.05 }));
    }

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var (n, _) in Configurations()) d.Add(n);
        return d;
    }

    private static Func<IEnumerable<Tensor>, Optimizer> Make(string name) => Configurations().Single(c => c.Name == name).Make;

    private static void Train(Module m, Optimizer o, int steps)
    {
        for (int k = 0; k < steps; k++)
        {
            if (o.NeedsClosure) o.Step(() => Loss(m));
            else
            {
                o.ZeroGrad();
                Loss(m).Backward();
                o.Step();
            }
        }
    }

    private static byte[] ParameterBits(Module m) => m.Parameters().SelectMany(CheckpointTests.Bits).ToArray();

    private static byte[] StateBits(Optimizer o)
    {
        var s = o.ExportState();
        return s.Keys.Order(StringComparer.Ordinal).SelectMany(k => System.Text.Encoding.UTF8.GetBytes(k).Concat(CheckpointTests.Bits(s[k]))).ToArray();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Resuming_from_a_checkpoint_continues_bit_identically(string name)
    {
        using var dir = new TempDir();
        string model = dir.File("model.npz"), state = dir.File("optimizer.npz");
        const int k = 3, m = 4;

        var a = Model(4);
        var oa = Make(name)(a.Parameters());
        Train(a, oa, k);
        a.Save(model);
        oa.SaveState(state);
        Train(a, oa, m);
        var expected = ParameterBits(a);

        var b = Model(99);
        var ob = Make(name)(b.Parameters());
        b.Load(model);
        ob.LoadState(state);
        Assert.Equal(k, ob.StepCount);
        Train(b, ob, m);
        Assert.Equal(expected, ParameterBits(b));
        Assert.Equal(StateBits(oa), StateBits(ob));

        // A fresh optimizer from the same parameters takes another path, so the state is what made the difference.
        var c = Model(99);
        c.Load(model);
        var oc = Make(name)(c.Parameters());
        Train(c, oc, m);
        if (name is not ("GradientDescent" or "Newton")) Assert.NotEqual(expected, ParameterBits(c));
    }

    [Fact]
    public void Float32_adam_state_round_trips_and_resumes_bit_identically()
    {
        using var dir = new TempDir();
        Tensor F(Tensor w) => (w * w * w).Sum() + (w.Sin() * 3f).Sum();
        var w = Tensor.FromArray([0.5f, -1.25f, 2f, 0.1f], 2, 2).RequireGrad();
        var o = new Adam([w], new AdamOptions(learningRate: 0.05, amsgrad: true));
        void Run(Tensor p, Optimizer opt, int steps)
        {
            for (int i = 0; i < steps; i++) { opt.ZeroGrad(); F(p).Backward(); opt.Step(); }
        }
        Run(w, o, 3);
        Checkpoint.SaveNpy(dir.File("w.npy"), w);
        o.SaveState(dir.File("s.npz"));
        Assert.Equal(DType.Float32, Checkpoint.LoadNpz(dir.File("s.npz"))["param.0.exp_avg"].DType);
        Run(w, o, 3);

        var w2 = Checkpoint.LoadNpy(dir.File("w.npy")).RequireGrad();
        var o2 = new Adam([w2], new AdamOptions(learningRate: 0.05, amsgrad: true));
        o2.LoadState(dir.File("s.npz"));
        Run(w2, o2, 3);
        CheckpointTests.SameBits(w.Detach(), w2.Detach());
    }

    [Fact]
    public void The_learning_rate_set_by_a_schedule_is_restored()
    {
        using var dir = new TempDir();
        var a = Model(1);
        var o = new Sgd(a.Parameters(), new SgdOptions(0.1, momentum: 0.5));
        Train(a, o, 1);
        o.LearningRate = 0.0375;
        o.SaveState(dir.File("s.npz"));
        var o2 = new Sgd(Model(1).Parameters(), new SgdOptions(0.1, momentum: 0.5));
        o2.LoadState(dir.File("s.npz"));
        Assert.Equal(0.0375, o2.LearningRate);
    }

    public static TheoryData<string, string> Mismatches => new()
    {
        { "other optimizer", "the state is for Adam, not SGD" },
        { "other options", "'param.0.max_exp_avg_sq' is missing" },
        { "extra buffer", "'param.0.momentum_buffer' is present but this SGD does not use it" },
        { "other shapes", "parameter 0 is float64 of shape [6, 3] in the state but float64 of shape [5, 3] here" },
        { "other count", "the state is for 4 parameters, this SGD has 3" },
        { "not a state", "no 'type.SGD' entry" },
        { "truncated", "not a valid npz" },
        { "bad entry", "'step_count' must be a whole number" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void A_state_that_does_not_fit_is_refused_and_changes_nothing(string kind, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("state.npz");
        var source = Model(1);
        Optimizer saved = kind switch
        {
            "other optimizer" => new Adam(source.Parameters()),
            "other options" => new Adam(source.Parameters()),
            "extra buffer" => new Sgd(source.Parameters(), new SgdOptions(0.1, momentum: 0.9)),
            _ => new Sgd(source.Parameters(), new SgdOptions(0.1, momentum: 0.9)),
        };
        Train(source, saved, 2);
        saved.SaveState(path);
        if (kind == "truncated") File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
        if (kind == "not a state") Checkpoint.SaveNpz(path, new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray([1.0], 1) });
        if (kind == "bad entry")
        {
            var entries = new Dictionary<string, Tensor>(Checkpoint.LoadNpz(path)) { ["step_count"] = Tensor.Scalar(2.5) };
            Checkpoint.SaveNpz(path, entries);
        }

        var target = kind switch
        {
            "other shapes" => Model(2, hidden: 5),
            _ => Model(2),
        };
        var parameters = kind == "other count" ? target.Parameters().Take(3) : target.Parameters();
        Optimizer o = kind switch
        {
            "other options" => new Adam(parameters, new AdamOptions(amsgrad: true)),
            "extra buffer" => new Sgd(parameters, 0.1),
            _ => new Sgd(parameters, new SgdOptions(0.2, momentum: 0.5)),
        };
        Train(target, o, 1);
        var before = StateBits(o);
        double lr = o.LearningRate;
        int steps = o.StepCount;

        var e = Assert.Throws<InvalidDataException>(() => o.LoadState(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Equal(before, StateBits(o));
        Assert.Equal(lr, o.LearningRate);
        Assert.Equal(steps, o.StepCount);
    }

    [Fact]
    public void ImportState_refuses_leftover_entries_with_an_argument_exception()
    {
        var o = new Adam(Model(1).Parameters());
        var state = new Dictionary<string, Tensor>(o.ExportState()) { ["param.9.exp_avg"] = Tensor.Scalar(1.0) };
        var e = Assert.Throws<ArgumentException>(() => o.ImportState(state));
        Assert.Contains("Adam.ImportState", e.Message);
        Assert.Contains("unexpected entry 'param.9.exp_avg'", e.Message);
        o.ImportState(o.ExportState());
    }

    [Fact]
    public void Module_load_refuses_a_file_for_another_model_and_changes_nothing()
    {
        using var dir = new TempDir();
        Model(1, hidden: 5).Save(dir.File("small.npz"));
        var m = Model(2);
        var before = ParameterBits(m);
        var e = Assert.Throws<InvalidDataException>(() => m.Load(dir.File("small.npz")));
        Assert.Contains(dir.File("small.npz"), e.Message);
        Assert.Contains("0.weight", e.Message);
        Assert.Equal(before, ParameterBits(m));

        Checkpoint.SaveNpz(dir.File("partial.npz"), new Dictionary<string, Tensor> { ["0.weight"] = Tensor.Zeros([6, 3]) });
        var p = Assert.Throws<InvalidDataException>(() => m.Load(dir.File("partial.npz")));
        Assert.Contains("no entry '0.bias'", p.Message);
        Assert.Equal(before, ParameterBits(m));
    }

    [Fact]
    public void An_interrupted_state_save_keeps_the_previous_state_file()
    {
        using var dir = new TempDir();
        string path = dir.File("s.npz");
        var m = Model(1);
        var o = new Adam(m.Parameters());
        Train(m, o, 1);
        o.SaveState(path);
        var before = File.ReadAllBytes(path);
        Train(m, o, 1);
        Checkpoint.WrapWriteStream = s => new FailingStream(s, 300);
        try { Assert.ThrowsAny<IOException>(() => o.SaveState(path)); }
        finally { Checkpoint.WrapWriteStream = null; }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}
