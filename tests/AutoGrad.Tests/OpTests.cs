using System.Reflection;
using AutoGrad;
using AutoGrad.Tape;
using AutoGrad.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests;

/// <summary>The generic checks every line of the op table goes through.</summary>
public class OpTests
{
    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Gradient_matches_finite_differences(string name)
    {
        var c = OpTable.Find(name);
        foreach (long seed in (long[])[1, 2])
        {
            var r = GradCheck.Check(c.F, c.Inputs(seed), c.Options);
            Assert.True(r.Passed, $"{name}, seed {seed}: {r}");
            Assert.True(r.Compared > 0);
        }
    }

    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Hessian_vector_product_matches_finite_differences(string name)
    {
        var c = OpTable.Find(name);
        var r = GradCheck.CheckHvp(c.F, c.Inputs(3), c.Options);
        Assert.True(r.Passed, $"{name}: {r}");
    }

    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Gradient_is_right_on_random_shapes_and_values(string name)
    {
        var c = OpTable.Find(name);
        Prop.ForAll(Props.Seeds, seed =>
        {
            var r = GradCheck.Check(c.F, c.RandomInputs(seed), c.Options);
            Props.Ensure(r.Passed, () => $"{name}, seed {seed}: {r}");
        }).Check(Props.Config(8));
    }

    [Fact]
    public void Every_primitive_has_a_line_in_the_table()
    {
        var primitives = typeof(Tensor).Assembly.GetTypes()
            .Where(t => typeof(Op).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => typeof(Op).IsAssignableFrom(f.FieldType)))
            .Select(f => ((Op)f.GetValue(null)!).Name)
            .ToHashSet();
        Assert.NotEmpty(primitives);
        var covered = new HashSet<string>();
        foreach (var c in OpTable.All)
        {
            var xs = c.Inputs(1).Select(x => x.RequireGrad()).ToArray();
            foreach (var n in Graph.ForwardOrder(c.F(xs))) covered.Add(n.Op.Name);
        }
        var missing = primitives.Except(covered).Order().ToArray();
        Assert.True(missing.Length == 0, "primitives without a line in the op table: " + string.Join(", ", missing));
    }
}

/// <summary>How many random cases property tests run: a few in CI, more with AUTOGRAD_FUZZ=N.</summary>
public static class Fuzz
{
    public static int Cases(int quick) =>
        int.TryParse(Environment.GetEnvironmentVariable("AUTOGRAD_FUZZ"), out int n) && n > 0 ? n : quick;
}
