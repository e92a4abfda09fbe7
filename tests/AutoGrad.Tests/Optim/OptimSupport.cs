using AutoGrad.Optim;

namespace AutoGrad.Tests.Optim;

/// <summary>Test functions and a training loop shared by the optimizer tests.</summary>
public static class OptimSupport
{
    /// <summary>f(x, y) = (1 − x)² + 100(y − x²)², minimum 0 at (1, 1).</summary>
    public static Tensor Rosenbrock(Tensor w)
    {
        var (x, y) = (w[0], w[1]);
        return (1.0 - x).Square() + 100.0 * (y - x * x).Square();
    }

    /// <summary>
    /// <paramref name="steps"/> steps of zero grads, loss, backward, optimizer step, scheduler step; returns the
    /// iterates (the start included) and the learning rate each step used.
    /// </summary>
    public static (double[][] Iterates, double[] LearningRates) Run(Func<Tensor, Tensor> f, Tensor p, Optimizer o, LearningRateScheduler? s, int steps)
    {
        var xs = new double[steps + 1][];
        var lrs = new double[steps];
        xs[0] = p.ToArray();
        for (int k = 0; k < steps; k++)
        {
            lrs[k] = o.LearningRate;
            o.ZeroGrad();
            f(p).Backward();
            o.Step();
            s?.Step();
            xs[k + 1] = p.ToArray();
        }
        return (xs, lrs);
    }

    /// <summary>A float64 parameter vector that requires gradients.</summary>
    public static Tensor Param(params double[] x) => Tensor.FromArray(x, x.Length).RequireGrad();

    /// <summary>Every optimizer, with one non-default configuration each, as factories over a parameter list.</summary>
    public static IEnumerable<(string Name, Func<Tensor[], Optimizer> Make)> Configurations()
    {
        yield return ("SGD", ps => new Sgd(ps, 0.01));
        yield return ("SGD momentum", ps => new Sgd(ps, new SgdOptions(0.01, momentum: 0.9, dampening: 0.2, weightDecay: 0.01)));
        yield return ("SGD Nesterov", ps => new Sgd(ps, new SgdOptions(0.01, momentum: 0.9, nesterov: true)));
        yield return ("Adagrad", ps => new Adagrad(ps, new AdagradOptions(learningRate: 0.1, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1)));
        yield return ("RMSProp", ps => new RmsProp(ps));
        yield return ("RMSProp centred momentum", ps => new RmsProp(ps, new RmsPropOptions(alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.01)));
        yield return ("RMSProp ε inside", ps => new RmsProp(ps, new RmsPropOptions(epsInsideSqrt: true, centered: true)));
        yield return ("Adam", ps => new Adam(ps, new AdamOptions(learningRate: 0.01)));
        yield return ("Adam AMSGrad L2", ps => new Adam(ps, new AdamOptions(learningRate: 0.01, beta1: 0.8, beta2: 0.99, amsgrad: true, weightDecay: 0.01)));
        yield return ("AdamW", ps => new AdamW(ps, new AdamWOptions(learningRate: 0.01, weightDecay: 0.1)));
        yield return ("AdamW AMSGrad", ps => new AdamW(ps, new AdamWOptions(learningRate: 0.01, amsgrad: true)));
    }

    public static TheoryData<string> ConfigurationNames
    {
        get
        {
            var d = new TheoryData<string>();
            foreach (var (n, _) in Configurations()) d.Add(n);
            return d;
        }
    }

    public static Func<Tensor[], Optimizer> Configuration(string name) => Configurations().Single(c => c.Name == name).Make;
}

/// <summary>Small fixed problems for the optimizer tests.</summary>
public static class Problems
{
    private static readonly double[] Weights = [1.0, 0.5, 2.0, 0.25, 1.5, 0.75, 3.0];
    private static readonly double[] Targets = [0.5, -1.0, 2.0, 0.0, -0.5, 1.5, -2.0];

    /// <summary>Σ wᵢ(θᵢ − tᵢ)² + ¼(Σθᵢ)² over the first n = θ.Count ≤ 7 coordinates: convex, coupled, minimum not at 0.</summary>
    public static Tensor Quadratic(Tensor theta)
    {
        int n = theta.Count;
        var w = Tensor.FromArray(Weights[..n], n).To(theta.DType);
        var t = Tensor.FromArray(Targets[..n], n).To(theta.DType);
        return (w * (theta - t).Square()).Sum() + 0.25 * theta.Sum().Square();
    }

    /// <summary>The starting point of the runs on <see cref="Quadratic"/>.</summary>
    public static double[] Start(int n) => [.. new[] { -1.5, 2.0, 0.25, -0.75, 1.0, 3.0, -2.5 }[..n]];

    /// <summary>Overwrites the values of a parameter in place (to restart a run on the same tensor).</summary>
    public static void Assign(Tensor p, double[] x)
    {
        if (p.DType == DType.Float64) x.CopyTo(p.Span<double>());
        else for (int i = 0; i < x.Length; i++) p.Span<float>()[i] = (float)x[i];
    }
}
