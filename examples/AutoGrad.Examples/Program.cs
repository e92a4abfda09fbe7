using AutoGrad.Examples;

// One console program, a subcommand per lesson. With no argument it runs the quickstart.
var lessons = new Dictionary<string, (string Summary, Func<TextWriter, int> Run)>
{
    ["quickstart"] = ("a custom loss, its gradient and a gradient check", Quickstart.Run),
    ["minimize"] = ("Rosenbrock's function minimised with Adam and with Newton's method", MinimizeExample.Run),
};

string name = args.Length > 0 ? args[0] : "quickstart";
if (!lessons.TryGetValue(name, out var lesson))
{
    Console.Error.WriteLine($"Unknown example '{name}'. Examples:");
    foreach (var (key, (summary, _)) in lessons) Console.Error.WriteLine($"  {key,-12} {summary}");
    return 2;
}
return lesson.Run(Console.Out);
