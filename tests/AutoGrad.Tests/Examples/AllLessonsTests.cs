using System.Xml.Linq;
using AutoGrad.Examples;
using Xunit;

namespace AutoGrad.Tests.Examples;

/// <summary>Every lesson of the examples console runs in quick mode, reports success and writes well-formed plots.</summary>
public class AllLessonsTests
{
    public static IEnumerable<object[]> Names => Lessons.All.Select(l => new object[] { l.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public void Runs_in_quick_mode_and_writes_well_formed_files(string name)
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        try
        {
            Assert.Equal(0, Lessons.Find(name)!.Run(context));
            Assert.False(string.IsNullOrWhiteSpace(output.ToString()));
            if (Directory.Exists(context.OutputDirectory))
                foreach (var svg in Directory.GetFiles(context.OutputDirectory, "*.svg"))
                    Assert.Equal("svg", XDocument.Load(svg).Root!.Name.LocalName);
        }
        finally
        {
            if (Directory.Exists(context.OutputDirectory)) Directory.Delete(context.OutputDirectory, recursive: true);
        }
    }

    [Fact]
    public void Lesson_names_are_unique_and_listed_in_order()
    {
        var names = Lessons.All.Select(l => l.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal("quickstart", names[0]);
        Assert.All(names, n => Assert.Matches("^[a-z0-9-]+$", n));
    }

    [Fact]
    public void The_backprop_lesson_matches_the_derivative_on_paper_and_exports_DOT()
    {
        var r = BackpropByHandLesson.Compute();
        Assert.Equal(r.HandGradW, r.TapeGradW);
        Assert.Equal(r.HandGradB, r.TapeGradB, 15);
        Assert.Contains("Sigmoid", r.Forward);
        Assert.Equal(["Neg", "Log", "Sigmoid", "Add", "Sum", "Mul"], r.Trace.Steps.Select(s => s.Op).ToArray());
        Assert.StartsWith("digraph", r.Dot);
    }
}
