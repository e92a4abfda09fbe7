using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Optim;

/// <summary>
/// Plain gradient descent, θ ← θ − η·∇f(θ): the method of the first lectures. On the quadratic ½θᵀAθ it converges for
/// 0 &lt; η &lt; 2/λmax(A) and diverges above (<see cref="Curvature.MaxStableStep"/> computes the bound). It is
/// SGD without momentum or weight decay; with mini-batches it is stochastic gradient descent.
/// </summary>
public sealed class GradientDescent : Optimizer
{
    /// <summary>Gradient descent on <paramref name="parameters"/> with step <paramref name="learningRate"/>.</summary>
    public GradientDescent(IEnumerable<Tensor> parameters, double learningRate) : base(parameters, learningRate) { }

    /// <inheritdoc/>
    protected override void ResetState() { }

    /// <inheritdoc/>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g) =>
        TP.MultiplyAdd(g, T.CreateTruncating(-LearningRate), p, p);
}
