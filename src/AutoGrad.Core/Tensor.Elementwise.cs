using AutoGrad.Ops;

namespace AutoGrad;

// The public elementwise API. Rules live beside their kernels in Ops/Unary.cs and Ops/Binary.cs.
public sealed partial class Tensor
{
    /// <summary>−x elementwise.</summary>
    public Tensor Neg() => NegOp.I.Apply(this);

    /// <summary>eˣ elementwise (overflows to +∞ above about 709 in float64).</summary>
    public Tensor Exp() => ExpOp.I.Apply(this);

    /// <summary>The natural logarithm elementwise: −∞ at 0, NaN below 0.</summary>
    public Tensor Log() => LogOp.I.Apply(this);

    /// <summary>ln(1 + x) elementwise, accurate for small |x|; −∞ at −1, NaN below.</summary>
    public Tensor Log1p() => Log1pOp.I.Apply(this);

    /// <summary>√x elementwise (NaN below 0; the derivative is +∞ at 0).</summary>
    public Tensor Sqrt() => SqrtOp.I.Apply(this);

    /// <summary>|x| elementwise. Convention at the kink: abs′(0) = 0.</summary>
    public Tensor Abs() => AbsOp.I.Apply(this);

    /// <summary>sign(x) ∈ {−1, 0, 1} elementwise; its gradient is zero.</summary>
    public Tensor Sign() => SignOp.I.Apply(this);

    /// <summary>sin x elementwise.</summary>
    public Tensor Sin() => SinOp.I.Apply(this);

    /// <summary>cos x elementwise.</summary>
    public Tensor Cos() => CosOp.I.Apply(this);

    /// <summary>tanh x elementwise.</summary>
    public Tensor Tanh() => TanhOp.I.Apply(this);

    /// <summary>The logistic function 1/(1 + e⁻ˣ) elementwise, computed split by sign so that it never overflows.</summary>
    public Tensor Sigmoid() => SigmoidOp.I.Apply(this);

    /// <summary>max(x, 0) elementwise. Convention at the kink: relu′(0) = 0.</summary>
    public Tensor Relu() => ReluOp.I.Apply(this);

    /// <summary>ln(1 + eˣ) elementwise, computed as max(x, 0) + log1p(e^(−|x|)) so that it never overflows.</summary>
    public Tensor Softplus() => SoftplusOp.I.Apply(this);

    /// <summary>xᵖ elementwise for a constant exponent (NaN for negative x and non-integer p).</summary>
    public Tensor Pow(double p) => PowScalarOp.I.Apply(this, p);

    /// <summary>x² elementwise.</summary>
    public Tensor Square() => PowScalarOp.I.Apply(this, 2);

    /// <summary>
    /// Elementwise xʸ with broadcasting. The gradient with respect to the exponent, xʸ·ln x, needs x &gt; 0.
    /// </summary>
    public Tensor Pow(Tensor exponent) => PowOp.I.Apply(this, exponent);

    /// <summary>
    /// min(max(x, <paramref name="min"/>), <paramref name="max"/>) elementwise. The gradient passes where
    /// min ≤ x ≤ max, bounds included (as PyTorch), and is 0 outside.
    /// </summary>
    /// <exception cref="ArgumentException">min &gt; max or a bound is NaN.</exception>
    public Tensor Clamp(double min = double.NegativeInfinity, double max = double.PositiveInfinity) => ClampOp.I.Apply(this, min, max);

    /// <summary>Elementwise maximum with broadcasting. At ties the gradient is split equally between the two inputs.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => MaximumOp.I.Apply(a, b);

    /// <summary>Elementwise minimum with broadcasting. At ties the gradient is split equally between the two inputs.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => MinimumOp.I.Apply(a, b);

    /// <summary>Elementwise maximum with a constant.</summary>
    public static Tensor Maximum(Tensor a, double b) => MaximumOp.I.Apply(a, a.ScalarLike(b));

    /// <summary>Elementwise minimum with a constant.</summary>
    public static Tensor Minimum(Tensor a, double b) => MinimumOp.I.Apply(a, a.ScalarLike(b));

    /// <summary>
    /// Picks <paramref name="a"/> where <paramref name="mask"/> is non-zero and <paramref name="b"/> elsewhere, with
    /// broadcasting of all three. The mask is not differentiated; gradients flow to the branch that was picked.
    /// </summary>
    /// <remarks>
    /// <b>The "double where" pattern.</b> A branch that is not picked still has its gradient computed, and
    /// 0 · ∞ = NaN: <c>Where(x &gt; 0, x.Log(), 0)</c> has a NaN gradient at x = 0 because log′(0) = ∞.
    /// Make the unpicked branch safe first: <c>var safe = Where(x &gt; 0, x, 1); Where(x &gt; 0, safe.Log(), 0)</c>.
    /// </remarks>
    public static Tensor Where(Tensor mask, Tensor a, Tensor b) => WhereOp.I.Apply(mask, a, b);

    /// <summary><see cref="Where(Tensor, Tensor, Tensor)"/> with a constant for the second branch.</summary>
    public static Tensor Where(Tensor mask, Tensor a, double b) => WhereOp.I.Apply(mask, a, a.ScalarLike(b));

    /// <summary><see cref="Where(Tensor, Tensor, Tensor)"/> with a constant for the first branch.</summary>
    public static Tensor Where(Tensor mask, double a, Tensor b) => WhereOp.I.Apply(mask, b.ScalarLike(a), b);

    /// <summary>A 0-d constant of this tensor's element type.</summary>
    internal Tensor ScalarLike(double v) => Scalar(v, DType);

    /// <summary>x + y with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => AddOp.I.Apply(a, b);
    /// <summary>x + c.</summary>
    public static Tensor operator +(Tensor a, double b) => AffineOp.I.Apply(a, 1, b);
    /// <summary>c + x.</summary>
    public static Tensor operator +(double a, Tensor b) => AffineOp.I.Apply(b, 1, a);
    /// <summary>x − y with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => SubOp.I.Apply(a, b);
    /// <summary>x − c.</summary>
    public static Tensor operator -(Tensor a, double b) => AffineOp.I.Apply(a, 1, -b);
    /// <summary>c − x.</summary>
    public static Tensor operator -(double a, Tensor b) => AffineOp.I.Apply(b, -1, a);
    /// <summary>x · y elementwise with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => MulOp.I.Apply(a, b);
    /// <summary>x · c.</summary>
    public static Tensor operator *(Tensor a, double b) => AffineOp.I.Apply(a, b, 0);
    /// <summary>c · x.</summary>
    public static Tensor operator *(double a, Tensor b) => AffineOp.I.Apply(b, a, 0);
    /// <summary>x / y elementwise with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => DivOp.I.Apply(a, b);
    /// <summary>x / c.</summary>
    public static Tensor operator /(Tensor a, double b) => DivOp.I.Apply(a, a.ScalarLike(b));
    /// <summary>c / x.</summary>
    public static Tensor operator /(double a, Tensor b) => DivOp.I.Apply(b.ScalarLike(a), b);
    /// <summary>−x.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>x + y (the named twin of <c>+</c>).</summary>
    public static Tensor Add(Tensor a, Tensor b) => a + b;
    /// <summary>x − y (the named twin of <c>−</c>).</summary>
    public static Tensor Subtract(Tensor a, Tensor b) => a - b;
    /// <summary>x · y (the named twin of <c>*</c>).</summary>
    public static Tensor Multiply(Tensor a, Tensor b) => a * b;
    /// <summary>x / y (the named twin of <c>/</c>).</summary>
    public static Tensor Divide(Tensor a, Tensor b) => a / b;

    // Comparisons give masks: tensors of this element type holding 1 where the relation holds and 0 elsewhere.
    // They are never recorded (their derivative is zero almost everywhere).

    /// <summary>Mask of x &gt; y (1 or 0), with broadcasting.</summary>
    public static Tensor operator >(Tensor a, Tensor b) => Compute.Zip<Kernels.CompareKernel<Kernels.Gt>>("Greater", a, b);
    /// <summary>Mask of x &lt; y (1 or 0), with broadcasting.</summary>
    public static Tensor operator <(Tensor a, Tensor b) => Compute.Zip<Kernels.CompareKernel<Kernels.Lt>>("Less", a, b);
    /// <summary>Mask of x ≥ y (1 or 0), with broadcasting.</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => Compute.Zip<Kernels.CompareKernel<Kernels.Ge>>("GreaterEqual", a, b);
    /// <summary>Mask of x ≤ y (1 or 0), with broadcasting.</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => Compute.Zip<Kernels.CompareKernel<Kernels.Le>>("LessEqual", a, b);
    /// <summary>Mask of x &gt; c.</summary>
    public static Tensor operator >(Tensor a, double b) => Compute.ZipScalar<Kernels.CompareKernel<Kernels.Gt>>(a, b);
    /// <summary>Mask of x &lt; c.</summary>
    public static Tensor operator <(Tensor a, double b) => Compute.ZipScalar<Kernels.CompareKernel<Kernels.Lt>>(a, b);
    /// <summary>Mask of x ≥ c.</summary>
    public static Tensor operator >=(Tensor a, double b) => Compute.ZipScalar<Kernels.CompareKernel<Kernels.Ge>>(a, b);
    /// <summary>Mask of x ≤ c.</summary>
    public static Tensor operator <=(Tensor a, double b) => Compute.ZipScalar<Kernels.CompareKernel<Kernels.Le>>(a, b);
    /// <summary>Mask of x = y (1 or 0), with broadcasting. (C#'s == keeps reference equality.)</summary>
    public Tensor Eq(Tensor other) => Compute.Zip<Kernels.CompareKernel<Kernels.Eq>>("Eq", this, other);
    /// <summary>Mask of x = c.</summary>
    public Tensor Eq(double c) => Compute.ZipScalar<Kernels.CompareKernel<Kernels.Eq>>(this, c);
    /// <summary>Mask of x ≠ y (1 or 0), with broadcasting.</summary>
    public Tensor Ne(Tensor other) => Compute.Zip<Kernels.CompareKernel<Kernels.Ne>>("Ne", this, other);
    /// <summary>Mask of x ≠ c.</summary>
    public Tensor Ne(double c) => Compute.ZipScalar<Kernels.CompareKernel<Kernels.Ne>>(this, c);
}
