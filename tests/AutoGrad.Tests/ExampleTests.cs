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
}
