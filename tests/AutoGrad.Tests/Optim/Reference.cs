using System.Text.Json;
using AutoGrad.Optim;

namespace AutoGrad.Tests.Optim;

/// <summary>One run of optim_trajectories.json: torch.optim in float64 on the 2-D Rosenbrock function.</summary>
public sealed record ReferenceRun(int Index, string Optimizer, JsonElement Hyper, string? Scheduler, JsonElement? SchedulerHyper,
    double[] X0, int Steps, double[][] Trajectory, double[]? LearningRates)
{
    public override string ToString() =>
        $"run {Index}: {Optimizer} {JsonSerializer.Serialize(Hyper)}" + (Scheduler is null ? "" : $" + {Scheduler} {JsonSerializer.Serialize(SchedulerHyper)}");

    /// <summary>Our optimizer for this run, mapping torch's names; every hyperparameter in the file must be mapped.</summary>
    public Optimizer Create(Tensor p)
    {
        var h = new HyperReader(Hyper);
        Optimizer o = Optimizer switch
        {
            "SGD" => new Sgd([p], new SgdOptions(h.Number("lr"), momentum: h.Number("momentum", 0), dampening: h.Number("dampening", 0),
                weightDecay: h.Number("weight_decay", 0), nesterov: h.Bool("nesterov", false))),
            "Adagrad" => new Adagrad([p], new AdagradOptions(learningRate: h.Number("lr", 1e-2), lrDecay: h.Number("lr_decay", 0),
                weightDecay: h.Number("weight_decay", 0), initialAccumulatorValue: h.Number("initial_accumulator_value", 0), eps: h.Number("eps", 1e-10))),
            "RMSprop" => new RmsProp([p], new RmsPropOptions(learningRate: h.Number("lr", 1e-2), alpha: h.Number("alpha", 0.99), eps: h.Number("eps", 1e-8),
                weightDecay: h.Number("weight_decay", 0), momentum: h.Number("momentum", 0), centered: h.Bool("centered", false))),
            "Adam" => new Adam([p], new AdamOptions(learningRate: h.Number("lr", 1e-3), beta1: h.Beta(0, 0.9), beta2: h.Beta(1, 0.999),
                eps: h.Number("eps", 1e-8), weightDecay: h.Number("weight_decay", 0), amsgrad: h.Bool("amsgrad", false))),
            "AdamW" => new AdamW([p], new AdamWOptions(learningRate: h.Number("lr", 1e-3), beta1: h.Beta(0, 0.9), beta2: h.Beta(1, 0.999),
                eps: h.Number("eps", 1e-8), weightDecay: h.Number("weight_decay", 1e-2), amsgrad: h.Bool("amsgrad", false))),
            _ => throw new InvalidOperationException($"No mapping for torch optimizer {Optimizer}."),
        };
        h.AllUsed(this);
        return o;
    }

    /// <summary>Our schedule for this run, or null.</summary>
    public LearningRateScheduler? CreateScheduler(Optimizer o)
    {
        if (Scheduler is null) return null;
        var h = new HyperReader(SchedulerHyper!.Value);
        LearningRateScheduler s = Scheduler switch
        {
            "StepLR" => new StepLR(o, (int)h.Number("step_size"), h.Number("gamma", 0.1)),
            "ExponentialLR" => new ExponentialLR(o, h.Number("gamma")),
            "CosineAnnealingLR" => new CosineAnnealingLR(o, (int)h.Number("T_max"), h.Number("eta_min", 0)),
            _ => throw new InvalidOperationException($"No mapping for torch scheduler {Scheduler}."),
        };
        h.AllUsed(this);
        return s;
    }

    private sealed class HyperReader(JsonElement e)
    {
        private readonly HashSet<string> _used = [];

        public double Number(string name, double? fallback = null)
        {
            _used.Add(name);
            if (e.TryGetProperty(name, out var v)) return v.GetDouble();
            return fallback ?? throw new InvalidOperationException($"Required hyperparameter {name} missing.");
        }

        public bool Bool(string name, bool fallback)
        {
            _used.Add(name);
            return e.TryGetProperty(name, out var v) ? v.GetBoolean() : fallback;
        }

        public double Beta(int i, double fallback)
        {
            _used.Add("betas");
            return e.TryGetProperty("betas", out var v) ? v[i].GetDouble() : fallback;
        }

        public void AllUsed(ReferenceRun run)
        {
            foreach (var p in e.EnumerateObject())
                if (!_used.Contains(p.Name)) throw new InvalidOperationException($"{run}: hyperparameter {p.Name} is not mapped.");
        }
    }
}

/// <summary>The torch.optim reference file, read once.</summary>
public static class Reference
{
    private static readonly Lazy<ReferenceRun[]> _runs = new(Load);

    public static IReadOnlyList<ReferenceRun> Runs => _runs.Value;

    public static TheoryData<int> Indices
    {
        get
        {
            var d = new TheoryData<int>();
            for (int i = 0; i < Runs.Count; i++) d.Add(i);
            return d;
        }
    }

    private static ReferenceRun[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Optim", "optim_trajectories.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        Assert.Equal("float64", root.GetProperty("dtype").GetString());
        return root.GetProperty("runs").EnumerateArray().Select((r, i) =>
        {
            Assert.Equal("rosenbrock2", r.GetProperty("function").GetString());
            static double[] Vec(JsonElement a) => a.EnumerateArray().Select(x => x.GetDouble()).ToArray();
            return new ReferenceRun(i, r.GetProperty("optimizer").GetString()!, r.GetProperty("hyper").Clone(),
                r.TryGetProperty("scheduler", out var s) ? s.GetString() : null,
                r.TryGetProperty("scheduler_hyper", out var sh) ? sh.Clone() : null,
                Vec(r.GetProperty("x0")), r.GetProperty("steps").GetInt32(),
                r.GetProperty("trajectory").EnumerateArray().Select(Vec).ToArray(),
                r.TryGetProperty("lr", out var lr) ? Vec(lr) : null);
        }).ToArray();
    }
}
