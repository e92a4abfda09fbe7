using System.Reflection;

namespace AutoGrad.Examples;

/// <summary>
/// One example program: a subcommand of the examples console (<c>dotnet run --project examples/AutoGrad.Examples -- NAME</c>).
/// A lesson prints what it finds to <see cref="LessonContext.Out"/>, writes its plots into
/// <see cref="LessonContext.OutputDirectory"/>, and returns a result that the tests assert its lesson on.
/// </summary>
/// <remarks>A new lesson is a class implementing this interface with a public parameterless constructor; the console
/// finds it by reflection, so nothing else needs registering.</remarks>
public interface ILesson
{
    /// <summary>The subcommand, lower-case with dashes (e.g. "step-size").</summary>
    string Name { get; }

    /// <summary>The order in the listing (the lecture order).</summary>
    int Order { get; }

    /// <summary>One line: what the lesson shows.</summary>
    string Summary { get; }

    /// <summary>Runs the lesson; 0 when it showed what it means to show.</summary>
    int Run(LessonContext context);
}

/// <summary>Where a lesson writes, and how much work it does.</summary>
/// <param name="Out">The text output.</param>
/// <param name="OutputDirectory">The folder for SVG plots (and DOT files); created on first use.</param>
/// <param name="Quick">CI mode: smaller data and fewer iterations, the same lesson.</param>
public sealed record LessonContext(TextWriter Out, string OutputDirectory, bool Quick = false)
{
    /// <summary>Reports progress of a long run (fraction done in [0, 1]); the console shows a progress bar, tests ignore it.</summary>
    public IProgress<(string Task, double Fraction)>? Progress { get; init; }

    /// <summary>The full path of an output file, creating the folder.</summary>
    public string PathOf(string fileName)
    {
        Directory.CreateDirectory(OutputDirectory);
        return Path.Combine(OutputDirectory, fileName);
    }

    /// <summary>A context that writes into a fresh temporary folder (tests).</summary>
    public static LessonContext ForTests(TextWriter output) =>
        new(output, Path.Combine(Path.GetTempPath(), "autograd-lessons-" + Guid.NewGuid().ToString("N")), Quick: true);
}

/// <summary>Every lesson in this assembly, in lecture order.</summary>
public static class Lessons
{
    public static IReadOnlyList<ILesson> All { get; } = typeof(ILesson).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ILesson).IsAssignableFrom(t))
        .Select(t => (ILesson)Activator.CreateInstance(t)!)
        .OrderBy(l => l.Order).ThenBy(l => l.Name)
        .ToArray();

    public static ILesson? Find(string name) => All.FirstOrDefault(l => l.Name == name);
}
