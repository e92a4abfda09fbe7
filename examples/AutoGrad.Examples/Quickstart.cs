using AutoGrad;

namespace AutoGrad.Examples;

/// <summary>The README's example: a custom loss written in plain C#, its exact gradient, and a gradient check.</summary>
public static class Quickstart
{
    public static int Run(TextWriter output)
    {
        // Four labelled points and a logistic loss with an L2 penalty, written with ordinary tensor operations.
        var x = Tensor.FromArray(new double[,] { { 1.0, 2.0 }, { -1.0, 0.5 }, { 0.3, -1.2 }, { 2.0, 1.0 } });
        var y = Tensor.FromArray([1.0, -1.0, -1.0, 1.0]);
        Tensor Objective(Tensor w) => (-y * x.MatMul(w)).Softplus().Mean() + 0.05 * (w * w).Sum();

        var w = Tensor.FromArray([0.1, -0.2]);
        var (loss, grad) = Diff.ValueAndGrad(Objective, w);
        output.WriteLine($"loss       {loss.Item():F10}");
        output.WriteLine($"gradient   {grad}");

        // The same gradient derived by hand: −Xᵀ(y ⊙ σ(−y ⊙ Xw))/n + 0.1·w.
        var margin = y * x.MatMul(w);
        var byHand = -x.Transpose().MatMul(y * (-margin).Sigmoid()) / 4.0 + 0.1 * w;
        output.WriteLine($"by hand    {byHand}");

        var check = GradCheck.Check(Objective, w);
        output.WriteLine(check);

        // PyTorch style: Backward() fills .Grad of the leaves that require gradients.
        var p = w.Detach().RequireGrad();
        Objective(p).Backward();
        output.WriteLine($"p.Grad     {p.Grad}");
        return check.Passed ? 0 : 1;
    }
}
