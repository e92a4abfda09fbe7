using AutoGrad;
using AutoGrad.Optim;
using Xunit;

namespace AutoGrad.Tests.Reliability;

public class InPlaceSafetyTests
{
    [Fact]
    public void Changing_a_saved_input_in_place_makes_backward_fail_instead_of_returning_a_wrong_gradient()
    {
        var w = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var x = Tensor.FromArray([3.0, 4.0]);
        var loss = (w * x).Sum();            // Mul saved x for w's gradient
        Assert.Equal(0, x.Version);
        x.Fill(10.0);
        Assert.Equal(1, x.Version);
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("Backward through Mul", e.Message);
        Assert.Contains("input 1", e.Message);
        Assert.Contains("version 1, recorded at version 0", e.Message);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void A_change_through_a_view_counts_for_the_base_and_the_other_way_round()
    {
        var w = Tensor.FromArray([1.0, 2.0, 3.0, 4.0]).RequireGrad();
        var x = Tensor.FromArray([1.0, 1.0, 1.0, 1.0]);
        var view = x.Reshape(2, 2);
        var loss = (w.Reshape(2, 2) * view).Sum();
        x.CopyFrom(Tensor.FromArray([5.0, 5.0, 5.0, 5.0]));
        Assert.Equal(1, view.Version);
        Assert.Throws<InvalidOperationException>(() => loss.Backward());

        var y = Tensor.FromArray([2.0, 2.0]);
        var d = y.Detach();
        var loss2 = (w.Slice(0, 0, 2) * y).Sum();
        d.Fill(0.0);
        Assert.Throws<InvalidOperationException>(() => loss2.Backward());
    }

    [Fact]
    public void A_saved_output_changed_in_place_is_caught()
    {
        var x = Tensor.FromArray([0.5, 1.0]).RequireGrad();
        var y = x.Exp();                    // Exp's backward reads its output
        var loss = y.Sum();
        using (GradMode.NoGrad()) y.Fill(0.0);
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        // Every input and output of a node is checked (a superset of what each rule reads), so the change is caught
        // at the first node that touches y on the way back: Sum, whose input it is.
        Assert.Contains("changed in place", e.Message);
        var x2 = Tensor.FromArray([0.5, 1.0]).RequireGrad();
        var y2 = x2.Exp();
        using (GradMode.NoGrad()) y2.Fill(0.0);
        var e2 = Assert.Throws<InvalidOperationException>(() => y2.Backward(Tensor.OnesLike(y2)));
        Assert.Contains("Backward through Exp: its output", e2.Message);
    }

    [Fact]
    public void In_place_changes_of_graph_tensors_are_refused_while_recording()
    {
        var w = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var e1 = Assert.Throws<InvalidOperationException>(() => w.Fill(0));
        Assert.Contains("leaf that requires gradients", e1.Message);
        var h = w * 2.0;
        var e2 = Assert.Throws<InvalidOperationException>(() => h.Fill(0));
        Assert.Contains("result of a recorded Affine", e2.Message);
        Assert.Equal([1.0, 2.0], w.ToArray());
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3).CopyFrom(Tensor.Zeros(2)));
        using (GradMode.NoGrad()) w.Fill(0);
        Assert.Equal([0.0, 0.0], w.ToArray());
    }

    [Fact]
    public void Optimizer_updates_stay_allowed_and_are_versioned()
    {
        var w = Tensor.FromArray([1.0, -1.0]).RequireGrad();
        var sgd = new Sgd([w], new SgdOptions(learningRate: 0.1));
        for (int step = 0; step < 3; step++)
        {
            sgd.ZeroGrad();
            (w * w).Sum().Backward();
            sgd.Step();
        }
        Assert.Equal(3, w.Version);
        Assert.Equal(0.512, w.ToArray()[0], 12);

        // A graph recorded before the update and used after it is refused: its saved w is stale.
        sgd.ZeroGrad();
        var stale = (w * w).Sum();
        stale.Backward(retainGraph: true);
        sgd.Step();
        Assert.Throws<InvalidOperationException>(() => stale.Backward());
    }
}
