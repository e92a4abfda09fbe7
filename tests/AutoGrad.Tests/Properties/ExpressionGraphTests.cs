using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Properties;

/// <summary>Random expression graphs (see <see cref="ExprGraph"/>) checked against finite differences, to first and second order.</summary>
public class ExpressionGraphTests
{
    [Fact]
    public void Random_graphs_have_the_gradient_of_finite_differences()
    {
        Prop.ForAll(Props.Graphs(), c =>
        {
            var g = c.Graph;
            var xs = g.RandomInputs(c.Seed);
            var y = g.Eval(xs);
            Props.Ensure(y.ToArray().All(double.IsFinite), () => $"{c}: the value is not finite\n{g}");
            var r = GradCheck.Check(g.Eval, xs);
            Props.Ensure(r.Passed && r.Compared > 0, () => $"{c}\n{g}{r}");
        }).Check(Props.Config(200));
    }

    [Fact]
    public void Random_graphs_have_the_Hessian_vector_product_of_finite_differences()
    {
        Prop.ForAll(Props.Graphs(), c =>
        {
            var g = c.Graph;
            var xs = g.RandomInputs(c.Seed);
            var r = GradCheck.CheckHvp(g.Eval, xs, new GradCheckOptions { Directions = 3 });
            Props.Ensure(r.Passed && r.Compared > 0, () => $"{c}\n{g}{r}");
        }).Check(Props.Config(100));
    }

    [Fact]
    public void Random_graphs_have_the_third_derivatives_of_finite_differences()
    {
        // The Hessian-vector product of x ↦ ⟨∇F(x), v⟩ holds third derivatives: the tape differentiates its own
        // backward pass, recorded twice over.
        Prop.ForAll(Props.Graphs(6), c =>
        {
            var g = c.Graph;
            var xs = g.RandomInputs(c.Seed);
            var w = g.RandomCotangent(c.Seed + 1);
            var v = g.RandomInputs(c.Seed + 2);
            Tensor F(Tensor[] a) => (g.Eval(a) * w).Sum();
            Tensor DF(Tensor[] a) => Diff.Grad(F, a).Zip(v, (gi, vi) => (gi * vi).Sum()).Aggregate((p, q) => p + q);
            var r = GradCheck.CheckHvp(DF, xs, new GradCheckOptions { Directions = 2 });
            Props.Ensure(r.Passed && r.Compared > 0, () => $"{c}\n{g}{r}");
        }).Check(Props.Config(30));
    }

    [Fact]
    public void The_generator_covers_every_op_family_and_reuses_nodes()
    {
        var kinds = new HashSet<string>();
        int fanOut = 0, multiInput = 0, scalarInputs = 0;
        for (int seed = 0; seed < 400; seed++)
        {
            var g = ExprGraph.Generate(seed, 8);
            kinds.UnionWith(g.Kinds);
            if (g.MaxFanOut >= 2) fanOut++;
            if (g.InputShapes.Length > 1) multiInput++;
            if (g.InputShapes.Any(s => s.Length == 0)) scalarInputs++;
            Assert.Equal(g.OutputShape, g.Eval(g.RandomInputs(seed)).Shape);
        }
        string[] expected =
        [
            "Neg", "Sin", "Cos", "Tanh", "Sigmoid", "Softplus", "Abs", "Relu", "Clamp", "Exp", "Log(Exp)", "Sqrt(Exp)",
            "Log(Softplus+0.1)", "Sqrt(Softplus+0.1)", "Log1p(Softplus)", "Pow(Softplus+0.5)", "Square", "Pow3",
            "Sigmoid(30x)", "Softplus(30x)", "Tanh(30x)", "LogSumExp(30x)", "Softmax(30x)",
            "Add", "Sub", "Mul", "Div", "Maximum", "Minimum", "Where", "PowTensor",
            "Sum", "Mean", "Max", "Min", "LogSumExp", "Var", "Prod(Softplus+0.5)", "Softmax", "LogSoftmax",
            "Reshape", "BroadcastTo", "SumTo", "Output",
            "Slice", "Select", "IndexSelect", "Gather", "ScatterAdd", "IndexAdd", "Concat", "Stack", "MatMul",
        ];
        Assert.Empty(expected.Except(kinds));
        Assert.True(fanOut > 200, $"only {fanOut} of 400 graphs reuse a node");
        Assert.True(multiInput > 150, $"only {multiInput} of 400 graphs have several inputs");
        Assert.True(scalarInputs > 20, $"only {scalarInputs} of 400 graphs have a 0-d input");
    }

    [Fact]
    public void A_smaller_size_gives_a_prefix_of_the_same_graph()
    {
        var big = ExprGraph.Generate(7, 8).ToString().Split('\n');
        var small = ExprGraph.Generate(7, 4).ToString().Split('\n');
        var inputs = ExprGraph.Generate(7, 4).InputShapes.Length;
        Assert.Equal(big.Take(inputs + 4), small.Take(inputs + 4));
    }
}
