using AutoGrad.Examples;

// One console program, a subcommand per lesson (see Lesson.cs). With no argument it runs the quickstart.
//   dotnet run --project examples/AutoGrad.Examples -- NAME [--quick] [--out DIR]
//   dotnet run --project examples/AutoGrad.Examples -- list
var positional = args.Where(a => !a.StartsWith("--")).ToList();
bool quick = args.Contains("--quick");
int outAt = Array.IndexOf(args, "--out");
string outDir = outAt >= 0 && outAt + 1 < args.Length ? args[outAt + 1] : "example-output";
if (outAt >= 0 && outAt + 1 < args.Length) positional.Remove(args[outAt + 1]);
string name = positional.Count > 0 ? positional[0] : "quickstart";

if (name is "list" or "help" or "--help")
{
    PrintList(Console.Out);
    return 0;
}
var lesson = Lessons.Find(name);
if (lesson is null)
{
    Console.Error.WriteLine($"Unknown example '{name}'.");
    PrintList(Console.Error);
    return 2;
}
return ConsoleProgress.Run(lesson, Path.Combine(outDir, lesson.Name), quick);

static void PrintList(TextWriter w)
{
    w.WriteLine("Examples (dotnet run --project examples/AutoGrad.Examples -- NAME [--quick] [--out DIR]):");
    foreach (var l in Lessons.All) w.WriteLine($"  {l.Name,-20} {l.Summary}");
}
