using System.Globalization;
using System.Text;

namespace AutoGrad;

/// <summary>One place where a check compared a numerical and an analytical derivative.</summary>
/// <param name="Input">The input index.</param>
/// <param name="Element">The flat element index within that input, or −1 for a random direction.</param>
/// <param name="Direction">The random direction's index, or −1 for an element.</param>
/// <param name="Numerical">The finite-difference value.</param>
/// <param name="Analytical">The tape's value.</param>
public readonly record struct CheckPoint(int Input, int Element, int Direction, double Numerical, double Analytical)
{
    /// <summary>|Analytical − Numerical|.</summary>
    public double AbsError => Math.Abs(Analytical - Numerical);

    /// <summary>|Analytical − Numerical| / |Numerical| (∞ when the numerical value is 0 and they differ).</summary>
    public double RelError => AbsError == 0 ? 0 : AbsError / Math.Abs(Numerical);

    /// <summary>"input 0, element 3", "direction 2", or for a Hessian-vector product "direction 2, input 0, element 3".</summary>
    public override string ToString() =>
        Element < 0 ? $"direction {Direction}"
        : Direction < 0 ? $"input {Input}, element {Element}"
        : $"direction {Direction}, input {Input}, element {Element}";
}

/// <summary>The outcome of <see cref="GradCheck.Check(Func{Tensor[], Tensor}, Tensor[], GradCheckOptions?)"/> or <see cref="GradCheck.CheckHvp(Func{Tensor[], Tensor}, Tensor[], GradCheckOptions?)"/>.</summary>
public sealed class GradCheckResult
{
    internal GradCheckResult(string what, bool elementwise, bool passed, CheckPoint? worst, double maxAbs, double maxRel,
        int compared, IReadOnlyList<CheckPoint> kinks, string? failingOperation, GradCheckOptions options)
    {
        What = what; Elementwise = elementwise; Passed = passed; Worst = worst; MaxAbsError = maxAbs; MaxRelError = maxRel;
        Compared = compared; NonDifferentiablePoints = kinks; FailingOperation = failingOperation; Options = options;
    }

    /// <summary>"gradient" or "Hessian-vector product".</summary>
    public string What { get; }

    /// <summary>True when every element was checked; false when random directions were used.</summary>
    public bool Elementwise { get; }

    /// <summary>True when every compared derivative agreed within the tolerances (non-differentiable points excepted).</summary>
    public bool Passed { get; }

    /// <summary>The comparison with the largest error relative to its tolerance (null if nothing was compared).</summary>
    public CheckPoint? Worst { get; }

    /// <summary>The largest |analytical − numerical| over the compared points.</summary>
    public double MaxAbsError { get; }

    /// <summary>The largest relative error over the compared points.</summary>
    public double MaxRelError { get; }

    /// <summary>How many derivatives (elements or directions) were compared.</summary>
    public int Compared { get; }

    /// <summary>
    /// Points where the one-sided differences disagree and keep disagreeing as the step shrinks (relu at 0,
    /// ties in max): the function has a kink there, so they are reported here rather than as wrong gradients.
    /// The tape's value there lies between the one-sided derivatives.
    /// </summary>
    public IReadOnlyList<CheckPoint> NonDifferentiablePoints { get; }

    /// <summary>On failure, the first recorded operation whose own backward disagrees with differences of that operation alone, when one was found.</summary>
    public string? FailingOperation { get; }

    /// <summary>The options used.</summary>
    public GradCheckOptions Options { get; }

    /// <summary>Throws <see cref="InvalidOperationException"/> with <see cref="ToString"/> as the message unless the check passed.</summary>
    public GradCheckResult EnsurePassed() => Passed ? this : throw new InvalidOperationException(ToString());

    /// <summary>A report: passed or not, the largest errors, where the worst one is with both values, kinks and the failing operation.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"GradCheck of the {What}: {(Passed ? "passed" : "FAILED")} ({Compared} {(Elementwise ? "elements" : "random directions")} compared; ");
        sb.Append(c, $"max abs error {MaxAbsError:E2}, max rel error {MaxRelError:E2}; atol {Options.AbsTolerance:G3}, rtol {Options.RelTolerance:G3}, step {Options.Step:G3})");
        if (Worst is { } w)
            sb.Append(c, $"\n  worst at {w}: numerical {w.Numerical:G10}, analytical {w.Analytical:G10}");
        if (NonDifferentiablePoints.Count > 0)
            sb.Append(c, $"\n  {NonDifferentiablePoints.Count} non-differentiable point(s), first at {NonDifferentiablePoints[0]}");
        if (FailingOperation is not null)
            sb.Append(c, $"\n  first operation whose backward disagrees: {FailingOperation}");
        return sb.ToString();
    }
}
