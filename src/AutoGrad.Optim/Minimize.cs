using System.Globalization;

namespace AutoGrad.Optim;

/// <summary>Why <see cref="Minimizer.Minimize"/> stopped.</summary>
public enum StopReason
{
    /// <summary>The gradient norm fell to <see cref="MinimizeOptions.GradientTolerance"/> or below: converged.</summary>
    GradientTolerance,
    /// <summary>The loss changed by at most <see cref="MinimizeOptions.ValueTolerance"/> in one iteration: converged (or stalled).</summary>
    ValueTolerance,
    /// <summary>The iteration budget ran out before a tolerance was met.</summary>
    MaxIterations,
    /// <summary>The loss or the gradient became non-finite, or the loss exceeded the divergence threshold. Never a success.</summary>
    Diverged,
}

/// <summary>Stopping rules and bookkeeping of <see cref="Minimizer.Minimize"/>; every default is declared here.</summary>
public sealed record MinimizeOptions
{
    /// <summary>The documented defaults.</summary>
    public static MinimizeOptions Default { get; } = new();

    /// <summary>At most this many optimizer steps. Default 1000.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Stop when the Euclidean norm of the gradient (over all of x) is at most this. Default 1e-8.</summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>
    /// Stop when |f(xₖ) − f(xₖ₋₁)| is at most this; 0 (the default) stops only when neither the loss nor the point changes
    /// (a stall: near a minimum f is flat to rounding while the point still moves and the gradient still falls).
    /// </summary>
    public double ValueTolerance { get; init; }

    /// <summary>
    /// Report divergence when the loss exceeds this multiple of max(1, |f(x₀)|). Default 1e10: far beyond any
    /// overshoot a converging method makes, and well before overflow.
    /// </summary>
    public double DivergenceFactor { get; init; } = 1e10;

    /// <summary>Keep a copy of every iterate in <see cref="MinimizeResult.Iterates"/> (for plotting paths). Default false.</summary>
    public bool RecordIterates { get; init; }

    internal void Validate()
    {
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), FormattableString.Invariant($"Minimize: MaxIterations must be ≥ 1, got {MaxIterations}."));
        Hyper.NonNegative("Minimize", "gradient tolerance", GradientTolerance);
        Hyper.NonNegative("Minimize", "value tolerance", ValueTolerance);
        if (!(DivergenceFactor > 1)) throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), FormattableString.Invariant($"Minimize: DivergenceFactor must be > 1, got {DivergenceFactor}."));
    }
}

/// <summary>One iteration of <see cref="Minimizer.Minimize"/>, as reported to an <see cref="IProgress{T}"/>.</summary>
/// <param name="Iteration">The iteration (from 0, the starting point).</param>
/// <param name="Loss">f at the iterate.</param>
/// <param name="GradientNorm">‖∇f‖ at the iterate.</param>
/// <param name="LearningRate">The optimizer's learning rate for the step taken from it.</param>
public readonly record struct IterationInfo(int Iteration, double Loss, double GradientNorm, double LearningRate);

/// <summary>The outcome of <see cref="Minimizer.Minimize"/>.</summary>
public sealed class MinimizeResult
{
    internal MinimizeResult(Tensor solution, double value, double gradientNorm, int iterations, int functionEvaluations,
        int gradientEvaluations, StopReason reason, IReadOnlyList<double> losses, IReadOnlyList<double> gradientNorms, IReadOnlyList<Tensor>? iterates)
    {
        Solution = solution; Value = value; GradientNorm = gradientNorm; Iterations = iterations;
        FunctionEvaluations = functionEvaluations; GradientEvaluations = gradientEvaluations; Reason = reason;
        Losses = losses; GradientNorms = gradientNorms; Iterates = iterates;
    }

    /// <summary>The last iterate (a copy, outside the graph).</summary>
    public Tensor Solution { get; }

    /// <summary>f at <see cref="Solution"/>.</summary>
    public double Value { get; }

    /// <summary>‖∇f‖ at <see cref="Solution"/>.</summary>
    public double GradientNorm { get; }

    /// <summary>The number of optimizer steps taken.</summary>
    public int Iterations { get; }

    /// <summary>How many times f was evaluated (line searches count every trial point).</summary>
    public int FunctionEvaluations { get; }

    /// <summary>How many gradients were computed.</summary>
    public int GradientEvaluations { get; }

    /// <summary>Why it stopped.</summary>
    public StopReason Reason { get; }

    /// <summary>True when a tolerance was met; false when the budget ran out or the iteration diverged.</summary>
    public bool Converged => Reason is StopReason.GradientTolerance or StopReason.ValueTolerance;

    /// <summary>True when the iteration diverged.</summary>
    public bool Diverged => Reason == StopReason.Diverged;

    /// <summary>f at every iterate, from the starting point on: the learning curve.</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>‖∇f‖ at every iterate, from the starting point on.</summary>
    public IReadOnlyList<double> GradientNorms { get; }

    /// <summary>Copies of every iterate from the starting point on, when <see cref="MinimizeOptions.RecordIterates"/> was set.</summary>
    public IReadOnlyList<Tensor>? Iterates { get; }

    /// <summary>A one-line summary: the reason, iterations, value and gradient norm.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Reason} after {Iterations} iterations ({FunctionEvaluations} evaluations of f, {GradientEvaluations} gradients): f = {Value:G10}, ‖∇f‖ = {GradientNorm:E3}");
}

/// <summary>Minimises a scalar function of one tensor with any <see cref="Optimizer"/>.</summary>
public static class Minimizer
{
    /// <summary>
    /// Minimises <paramref name="f"/> over <paramref name="x"/>, which is updated in place and must be one of the
    /// optimizer's parameters (its starting value is x₀). Each iteration evaluates f and its gradient at the current
    /// point, checks the stopping rules, reports progress, then takes one optimizer step.
    /// </summary>
    /// <remarks>Each iteration runs in its own <see cref="TensorScope"/>, so the tensors f creates are recycled when the
    /// iteration ends: make constants before calling, not lazily inside f.</remarks>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a parameter of <paramref name="optimizer"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static MinimizeResult Minimize(Func<Tensor, Tensor> f, Tensor x, Optimizer optimizer, MinimizeOptions? options = null,
        IProgress<IterationInfo>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(optimizer);
        var o = options ?? MinimizeOptions.Default;
        o.Validate();
        if (!optimizer.Parameters.Contains(x))
            throw new ArgumentException(FormattableString.Invariant($"Minimize: x (shape {Shape.Format(x.Dims)}) is not a parameter of the {optimizer.Name} optimizer; construct it over x."), nameof(x));

        int fEvals = 0, gEvals = 0;
        Tensor Closure()
        {
            fEvals++;
            gEvals++;
            return f(x);
        }
        var losses = new List<double>();
        var gradNorms = new List<double>();
        var iterates = o.RecordIterates ? new List<Tensor>() : null;
        var previous = new double[x.Count];
        double threshold = double.NaN;
        int iteration = 0;
        StopReason reason;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Each iteration's intermediate tensors give their storage back when it ends (see TensorScope).
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            var loss = Closure();
            if (loss.Count != 1)
                throw new InvalidOperationException(FormattableString.Invariant($"Minimize: f returned shape {Shape.Format(loss.Dims)}; it must return a single element."));
            double value = loss.Item();
            double gnorm = double.NaN;
            if (double.IsFinite(value))
            {
                if (loss.RequiresGrad) loss.Backward();
                gnorm = x.Grad is { } g ? Norm(g) : 0;
            }
            losses.Add(value);
            gradNorms.Add(gnorm);
            iterates?.Add(x.Copy(lasting: true));
            progress?.Report(new IterationInfo(iteration, value, gnorm, optimizer.LearningRate));
            if (double.IsNaN(threshold)) threshold = o.DivergenceFactor * Math.Max(1, Math.Abs(value));
            if (!double.IsFinite(value) || !double.IsFinite(gnorm) || value > threshold) { reason = StopReason.Diverged; break; }
            if (gnorm <= o.GradientTolerance) { reason = StopReason.GradientTolerance; break; }
            bool moved = Moved(x, previous);
            if (losses.Count > 1 && Math.Abs(value - losses[^2]) <= o.ValueTolerance && (o.ValueTolerance > 0 || !moved))
            { reason = StopReason.ValueTolerance; break; }
            if (iteration == o.MaxIterations) { reason = StopReason.MaxIterations; break; }
            if (optimizer.NeedsClosure) optimizer.Step(Closure);
            else optimizer.Step();
            iteration++;
        }
        return new MinimizeResult(x.Detach().Copy(), losses[^1], gradNorms[^1], iteration, fEvals, gEvals, reason, losses, gradNorms, iterates);
    }

    /// <summary>Whether x differs from <paramref name="previous"/>, which then takes x's values.</summary>
    private static bool Moved(Tensor x, double[] previous)
    {
        var now = x.ToArray();
        bool moved = !now.AsSpan().SequenceEqual(previous);
        now.CopyTo(previous, 0);
        return moved;
    }

    private static double Norm(Tensor g)
    {
        double s = 0;
        foreach (var v in g.ToArray()) s += v * v;
        return Math.Sqrt(s);
    }
}
