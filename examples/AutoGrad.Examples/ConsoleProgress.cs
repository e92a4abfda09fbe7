namespace AutoGrad.Examples;

/// <summary>
/// Progress of long runs on the console: a one-line bar redrawn in place when the output is a terminal, nothing when
/// it is redirected (CI logs stay clean).
/// </summary>
internal sealed class ConsoleProgress : IProgress<(string Task, double Fraction)>
{
    private string? _task;
    private int _shown = -1;

    public static IProgress<(string Task, double Fraction)>? Create() => Console.IsOutputRedirected ? null : new ConsoleProgress();

    public void Report((string Task, double Fraction) value)
    {
        int percent = (int)Math.Clamp(value.Fraction * 100, 0, 100);
        if (value.Task == _task && percent == _shown) return;
        _task = value.Task;
        _shown = percent;
        int filled = percent / 5;
        Console.Write($"\r  {value.Task,-28} [{new string('#', filled)}{new string('.', 20 - filled)}] {percent,3}%");
        if (percent == 100) Console.WriteLine();
    }
}
