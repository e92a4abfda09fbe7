using Spectre.Console;

namespace AutoGrad.Examples;

/// <summary>
/// Runs a lesson with live progress bars (Spectre.Console) when the output is a terminal. The lesson's report is
/// collected meanwhile and printed when it finishes, so that text and bars never interleave; when the output is
/// redirected (CI logs, files) the lesson writes straight through and no bar is drawn.
/// </summary>
internal static class ConsoleProgress
{
    public static int Run(ILesson lesson, string outputDirectory, bool quick)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return lesson.Run(new LessonContext(Console.Out, outputDirectory, quick));

        var report = new StringWriter();
        int code = 0;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new Reporter(ctx, tasks);
                code = lesson.Run(new LessonContext(report, outputDirectory, quick) { Progress = progress });
            });
        Console.Write(report.ToString());
        return code;
    }

    /// <summary>One bar per task name, moved to the reported fraction (synchronously: lessons run on one thread).</summary>
    private sealed class Reporter(ProgressContext ctx, Dictionary<string, ProgressTask> tasks) : IProgress<(string Task, double Fraction)>
    {
        public void Report((string Task, double Fraction) value)
        {
            if (!tasks.TryGetValue(value.Task, out var task))
                tasks[value.Task] = task = ctx.AddTask(Markup.Escape(value.Task), maxValue: 1.0);
            task.Value = Math.Clamp(value.Fraction, 0, 1);
        }
    }
}
