using System.Diagnostics;
using AutoGrad.Kernels;
using AutoGrad.Tape;

namespace AutoGrad.Ops;

/// <summary>
/// An elementwise function y = f(x). A subclass gives its kernel and its derivative f′ written with
/// differentiable tensor operations; the backward rule g ⊙ f′ is shared here.
/// </summary>
internal abstract class UnaryOp : Op
{
    public Tensor Apply(Tensor x)
    {
        var y = Forward(x);
        GradMode.Record(this, y, x);
        return y;
    }

    protected abstract Tensor Forward(Tensor x);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0]);

    /// <summary>f′(x); <paramref name="y"/> is the saved output f(x). Ops whose rule reads better as a whole override <see cref="Rule"/> instead.</summary>
    protected virtual Tensor Derivative(Tensor x, Tensor y) => throw new UnreachableException(FormattableString.Invariant($"{Name} overrides Rule."));

    /// <summary>The input's gradient g ⊙ f′(x), written with differentiable operations (recorded for higher derivatives).</summary>
    protected virtual Tensor? Rule(Node n, Tensor g) => g * Derivative(n.A!, n.Output!);

    /// <summary>
    /// The same gradient in one fused pass (<see cref="Compute.Derivative{K}"/>), for when nothing is recorded; null
    /// when the op has no fused kernel. It must agree with <see cref="Rule"/> to rounding (the op table checks both).
    /// </summary>
    protected virtual Tensor? Fused(Tensor g, Tensor x, Tensor y) => null;

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        // Fused only when neither the tape nor forward mode (a forward-over-reverse product) follows the result. Forward
        // mode may also hand in a tangent that only broadcasts to x; the fused kernels take equal shapes.
        if (!GradMode.IsEnabled && !AutoGrad.Tape.Forward.Active && g.Count == n.A!.Count && Fused(g, n.A, n.Output!) is { } d) grads[0] = d;
        else grads[0] = Rule(n, g);
    }

    public override Tensor? Jvp(Node n, Tensor?[] t) => DiagonalJvp(n, t);
}

/// <summary>−x</summary>
internal sealed class NegOp : UnaryOp
{
    public static readonly NegOp I = new();
    public override string Name => "Neg";
    protected override Tensor Forward(Tensor x) => Compute.Map<NegKernel>(x);
    protected override Tensor? Rule(Node n, Tensor g) => -g;
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<NegDerivativeKernel>(g, x, y);
}

/// <summary>eˣ; derivative y.</summary>
internal sealed class ExpOp : UnaryOp
{
    public static readonly ExpOp I = new();
    public override string Name => "Exp";
    protected override Tensor Forward(Tensor x) => Compute.Map<ExpKernel>(x);
    protected override Tensor Derivative(Tensor x, Tensor y) => y;
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<ExpDerivativeKernel>(g, x, y);
}

/// <summary>ln x; derivative 1/x.</summary>
internal sealed class LogOp : UnaryOp
{
    public static readonly LogOp I = new();
    public override string Name => "Log";
    protected override Tensor Forward(Tensor x) => Compute.Map<LogKernel>(x);
    protected override Tensor? Rule(Node n, Tensor g) => g / n.A!;
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<LogDerivativeKernel>(g, x, y);
}

/// <summary>ln(1 + x); derivative 1/(1 + x).</summary>
internal sealed class Log1pOp : UnaryOp
{
    public static readonly Log1pOp I = new();
    public override string Name => "Log1p";
    protected override Tensor Forward(Tensor x) => Compute.Map<Log1pKernel>(x);
    protected override Tensor? Rule(Node n, Tensor g) => g / (n.A! + 1.0);
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<Log1pDerivativeKernel>(g, x, y);
}

/// <summary>√x; derivative 1/(2y).</summary>
internal sealed class SqrtOp : UnaryOp
{
    public static readonly SqrtOp I = new();
    public override string Name => "Sqrt";
    protected override Tensor Forward(Tensor x) => Compute.Map<SqrtKernel>(x);
    protected override Tensor? Rule(Node n, Tensor g) => g * 0.5 / n.Output!;
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<SqrtDerivativeKernel>(g, x, y);
}

/// <summary>|x|; derivative sign(x), so abs′(0) = 0.</summary>
internal sealed class AbsOp : UnaryOp
{
    public static readonly AbsOp I = new();
    public override string Name => "Abs";
    protected override Tensor Forward(Tensor x) => Compute.Map<AbsKernel>(x);
    protected override Tensor Derivative(Tensor x, Tensor y) => x.Sign();
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<AbsDerivativeKernel>(g, x, y);
}

/// <summary>sign(x); derivative 0 almost everywhere (nothing flows back).</summary>
internal sealed class SignOp : UnaryOp
{
    public static readonly SignOp I = new();
    public override string Name => "Sign";
    protected override Tensor Forward(Tensor x) => Compute.Map<SignKernel>(x);
    protected override Tensor? Rule(Node n, Tensor g) => null;
}

/// <summary>sin x; derivative cos x.</summary>
internal sealed class SinOp : UnaryOp
{
    public static readonly SinOp I = new();
    public override string Name => "Sin";
    protected override Tensor Forward(Tensor x) => Compute.Map<SinKernel>(x);
    protected override Tensor Derivative(Tensor x, Tensor y) => x.Cos();
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<SinDerivativeKernel>(g, x, y);
}

/// <summary>cos x; derivative −sin x.</summary>
internal sealed class CosOp : UnaryOp
{
    public static readonly CosOp I = new();
    public override string Name => "Cos";
    protected override Tensor Forward(Tensor x) => Compute.Map<CosKernel>(x);
    protected override Tensor Derivative(Tensor x, Tensor y) => -x.Sin();
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<CosDerivativeKernel>(g, x, y);
}

/// <summary>tanh x; derivative 1 − y².</summary>
internal sealed class TanhOp : UnaryOp
{
    public static readonly TanhOp I = new();
    public override string Name => "Tanh";
    protected override Tensor Forward(Tensor x) => Compute.Map<TanhKernel>(x);
    protected override Tensor Derivative(Tensor x, Tensor y) => 1.0 - y * y;
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<TanhDerivativeKernel>(g, x, y);
}

/// <summary>σ(x) = 1/(1 + e⁻ˣ), computed split by sign; derivative σ(x)·σ(−x), which keeps its relative accuracy where 1 − y rounds to 0 (x ≳ 37).</summary>
internal sealed class SigmoidOp : UnaryOp
{
    public static readonly SigmoidOp I = new();
    public override string Name => "Sigmoid";
    protected override Tensor Forward(Tensor x) => Compute.Map<SigmoidKernel>(x);
    protected override Tensor Derivative(Tensor x, Tensor y) => y * (-x).Sigmoid();
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<SigmoidDerivativeKernel>(g, x, y);
}

/// <summary>max(x, 0); derivative 1 where x &gt; 0 and 0 elsewhere (relu′(0) = 0, as PyTorch).</summary>
internal sealed class ReluOp : UnaryOp
{
    public static readonly ReluOp I = new();
    public override string Name => "Relu";
    protected override Tensor Forward(Tensor x) => Compute.Map<ReluKernel>(x);
    protected override Tensor Derivative(Tensor x, Tensor y) => Compute.Map<StepKernel>(x);
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<ReluDerivativeKernel>(g, x, y);
}

/// <summary>
/// ln(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)): a primitive for stability, since the composition
/// log(1 + exp(x)) overflows for x &gt; 709. Derivative σ(x).
/// </summary>
internal sealed class SoftplusOp : UnaryOp
{
    public static readonly SoftplusOp I = new();
    public override string Name => "Softplus";
    protected override Tensor Forward(Tensor x) => Compute.Map<SoftplusKernel>(x);
    protected override Tensor Derivative(Tensor x, Tensor y) => x.Sigmoid();
    protected override Tensor? Fused(Tensor g, Tensor x, Tensor y) => Compute.Derivative<SoftplusDerivativeKernel>(g, x, y);
}

/// <summary>
/// a·x + b for constants a and b: x + c, x − c, c − x, x·c and c·x. The constants live in the node, so a scalar chain
/// such as <c>x * 1.0001 + x.Sin() * 0.001</c> makes no 0-d tensor per constant. Its values are those of the broadcast
/// <c>Mul</c>/<c>Add</c> with a 0-d constant (one rounding: a·x or x + b; c − x as −x + c), except that x + 0 keeps a −0.
/// </summary>
internal sealed class AffineOp : Op
{
    public static readonly AffineOp I = new();
    public override string Name => "Affine";

    public Tensor Apply(Tensor x, double a, double b)
    {
        Tensor y = b == 0 ? Compute.ZipScalar<MulKernel>(x, a)
            : a == 1 ? Compute.ZipScalar<AddKernel>(x, b)
            : a == -1 ? Compute.ZipScalar<AddKernel>(Compute.Map<NegKernel>(x), b)
            : Compute.ZipScalar<AddKernel>(Compute.ZipScalar<MulKernel>(x, a), b);
        if (GradMode.Record(this, y, x) is { } n) { n.Arg0 = a; n.Arg1 = b; }
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) =>
        grads[0] = n.Arg0 == 1 ? g : n.Arg0 == -1 ? -g : n.Arg0 == 0 ? null : g * n.Arg0;

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], n.Arg0, n.Arg1);

    public override Tensor? Jvp(Node n, Tensor?[] t) => DiagonalJvp(n, t);
}

/// <summary>xᵖ for a constant p; derivative p·xᵖ⁻¹ (0 when p = 0).</summary>
internal sealed class PowScalarOp : Op
{
    public static readonly PowScalarOp I = new();
    public override string Name => "Pow";

    public Tensor Apply(Tensor x, double p)
    {
        var y = Compute.ZipScalar<PowKernel>(x, p);
        if (GradMode.Record(this, y, x) is { } n) n.Arg0 = p;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        double p = n.Arg0;
        grads[0] = p == 0 ? null : p == 1 ? g : g * (p * n.A!.Pow(p - 1));
    }

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], n.Arg0);

    public override Tensor? Jvp(Node n, Tensor?[] t) => DiagonalJvp(n, t);
}

/// <summary>min(max(x, lo), hi); the gradient passes where lo ≤ x ≤ hi (bounds included, as PyTorch) and is 0 elsewhere.</summary>
internal sealed class ClampOp : Op
{
    public static readonly ClampOp I = new();
    public override string Name => "Clamp";

    public Tensor Apply(Tensor x, double lo, double hi)
    {
        if (double.IsNaN(lo) || double.IsNaN(hi) || lo > hi)
            throw new ArgumentException(FormattableString.Invariant($"Clamp: the bounds must satisfy min ≤ max, got min {lo} and max {hi} (tensor shape {Shape.Format(x.Dims)})."));
        var y = Compute.ZipScalar<MinKernel>(Compute.ZipScalar<MaxKernel>(x, lo), hi);
        if (GradMode.Record(this, y, x) is { } n) { n.Arg0 = lo; n.Arg1 = hi; }
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var x = n.A!;
        var inside = Compute.Zip<MulKernel>("Clamp", Compute.ZipScalar<CompareKernel<Ge>>(x, n.Arg0), Compute.ZipScalar<CompareKernel<Le>>(x, n.Arg1));
        grads[0] = Tensor.Where(inside, g, 0.0);
    }

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], n.Arg0, n.Arg1);

    public override Tensor? Jvp(Node n, Tensor?[] t) => DiagonalJvp(n, t);
}
