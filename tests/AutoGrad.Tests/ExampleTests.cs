using AutoGrad.Examples;

namespace AutoGrad.Tests;

public class ExampleTests
{
    [Fact]
    public void The_quickstart_prints_a_loss_its_gradient_and_a_passing_check()
    {
        var output = new StringWriter();
        int code = Quickstart.Run(output);
        var text = output.ToString();
        Assert.Equal(0, code);
        Assert.Matches(@"loss\s+0\.\d+", text);
        Assert.Contains("gradient   tensor(", text);
        Assert.Contains("GradCheck of the gradient: passed", text);
        // The hand-derived gradient printed beside the tape's agrees with it.
        var lines = text.Split('\n');
        Assert.Equal(lines[1]["gradient".Length..].Trim(), lines[2]["by hand".Length..].Trim());
        var pyTorchStyle = lines.Single(l => l.StartsWith("p.Grad"));
        Assert.Equal(lines[1]["gradient".Length..].Trim(), pyTorchStyle["p.Grad".Length..].Trim());
    }

    [Fact]
    public void The_minimize_example_converges_with_both_methods_and_Newton_needs_far_fewer_iterations()
    {
        var output = new StringWriter();
        Assert.Equal(0, MinimizeExample.Run(output));
        var m = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"Adam needed (\d+) iterations, Newton (\d+)\.");
        Assert.True(m.Success, output.ToString());
        int adam = int.Parse(m.Groups[1].Value), newton = int.Parse(m.Groups[2].Value);
        Assert.True(newton < 50 && newton * 10 < adam, output.ToString());
        Assert.Contains("GradientTolerance", output.ToString());
    }
}
